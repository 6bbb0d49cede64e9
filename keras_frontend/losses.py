"""Losses with Keras 3's names, formulas and defaults.

A loss function maps ``(y_true, y_pred)`` to per-sample values (the mean over the last
axis, as Keras does); a Loss object also reduces them with sample weights to a scalar
(``sum_over_batch_size``: the weighted sum divided by the number of values).
"""

import numpy as np

import graphflow as gf

from . import backend
from .serialization import deserialize_object

__all__ = [
    "Loss", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "Huber", "LogCosh", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Hinge",
    "SquaredHinge", "CategoricalHinge", "Poisson", "CosineSimilarity",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "hinge",
    "squared_hinge", "categorical_hinge", "poisson", "cosine_similarity", "mse", "mae",
    "mape", "msle", "get", "serialize", "deserialize",
]


def _mean_last(x):
    return gf.reduce_mean(x, axis=-1)


def mean_squared_error(y_true, y_pred):
    return _mean_last(gf.square(y_pred - y_true))


def mean_absolute_error(y_true, y_pred):
    return _mean_last(gf.abs(y_pred - y_true))


def mean_absolute_percentage_error(y_true, y_pred):
    diff = gf.abs((y_true - y_pred) / gf.maximum(gf.abs(y_true), backend.epsilon()))
    return 100.0 * _mean_last(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    first = gf.log(gf.maximum(y_pred, backend.epsilon()) + 1.0)
    second = gf.log(gf.maximum(y_true, backend.epsilon()) + 1.0)
    return _mean_last(gf.square(first - second))


def huber(y_true, y_pred, delta=1.0):
    error = y_pred - y_true
    abs_error = gf.abs(error)
    quadratic = 0.5 * gf.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return _mean_last(gf.where(abs_error <= delta, quadratic, linear))


def log_cosh(y_true, y_pred):
    x = y_pred - y_true
    return _mean_last(x + gf.nn.softplus(-2.0 * x) - np.log(2.0).astype(np.float32))


def _smooth_binary(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing \
        else y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Clipped-probability log loss (or the stable logits form), averaged on ``axis``."""
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        values = gf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        eps = backend.epsilon()
        p = gf.clip_by_value(y_pred, eps, 1.0 - eps)
        values = -(y_true * gf.log(p) + (1.0 - y_true) * gf.log(1.0 - p))
    return gf.reduce_mean(values, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                             axis=-1):
    if label_smoothing:
        classes = y_pred.shape.as_list()[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    if from_logits:
        return -gf.reduce_sum(y_true * gf.nn.log_softmax(y_pred, axis=axis), axis=axis)
    eps = backend.epsilon()
    p = y_pred / gf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = gf.clip_by_value(p, eps, 1.0 - eps)
    return -gf.reduce_sum(y_true * gf.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Integer labels: ``-log p[label]`` through a one-hot of the labels."""
    classes = y_pred.shape.as_list()[-1]
    labels = gf.cast(y_true, gf.int32)
    one_hot = gf.one_hot(labels, classes, dtype=y_pred.dtype)
    if from_logits:
        values = -gf.reduce_sum(one_hot * gf.nn.log_softmax(y_pred), axis=-1)
    else:
        eps = backend.epsilon()
        p = gf.clip_by_value(y_pred, eps, 1.0 - eps)
        values = -gf.reduce_sum(one_hot * gf.log(p), axis=-1)
    if ignore_class is not None:
        values = values * gf.cast(gf.not_equal(labels, ignore_class), y_pred.dtype)
    return values


def kl_divergence(y_true, y_pred):
    y_true = gf.clip_by_value(y_true, backend.epsilon(), 1.0)
    y_pred = gf.clip_by_value(y_pred, backend.epsilon(), 1.0)
    return gf.reduce_sum(y_true * gf.log(y_true / y_pred), axis=-1)


def _signed_labels(y_true):
    """Hinge losses take labels in {-1, 1}; {0, 1} labels are converted, as Keras does."""
    return 2.0 * y_true - 1.0


def hinge(y_true, y_pred):
    return _mean_last(gf.maximum(1.0 - _signed_labels(y_true) * y_pred, 0.0))


def squared_hinge(y_true, y_pred):
    return _mean_last(gf.square(gf.maximum(1.0 - _signed_labels(y_true) * y_pred, 0.0)))


def categorical_hinge(y_true, y_pred):
    pos = gf.reduce_sum(y_true * y_pred, axis=-1)
    neg = gf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return gf.maximum(neg - pos + 1.0, 0.0)


def poisson(y_true, y_pred):
    return _mean_last(y_pred - y_true * gf.log(y_pred + backend.epsilon()))


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true = gf.nn.l2_normalize(y_true, axis=axis)
    y_pred = gf.nn.l2_normalize(y_pred, axis=axis)
    return -gf.reduce_sum(y_true * y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence


class Loss:
    """A loss object: per-sample values from ``call``, reduced with sample weights."""

    sparse_labels = False

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or backend.snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not isinstance(y_pred, gf.Tensor):
            return _eager(self, y_true, y_pred, sample_weight)
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            values = values * _match_rank(sample_weight, values)
        if self.reduction in (None, "none"):
            return values
        if self.reduction == "sum":
            return gf.reduce_sum(values)
        return gf.reduce_mean(values)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _match_rank(weight, values):
    """Sample weights of shape (batch,) broadcast over the per-sample value axes (and in
    the values' dtype)."""
    if weight.dtype != values.dtype:
        weight = gf.cast(weight, values.dtype)
    extra = (values.shape.ndims or 1) - (weight.shape.ndims or 1)
    for _ in range(max(extra, 0)):
        weight = gf.expand_dims(weight, -1)
    return weight


def _eager(loss, y_true, y_pred, sample_weight):
    """A loss of numpy arrays, evaluated in a throwaway graph."""
    with gf.Graph().as_default() as graph:
        y_pred_t = gf.constant(np.asarray(y_pred, dtype=np.float32))
        dtype = np.int32 if loss.sparse_labels else np.float32
        y_true_t = gf.constant(np.asarray(y_true, dtype=dtype))
        sw = None if sample_weight is None else gf.constant(
            np.asarray(sample_weight, dtype=np.float32))
        out = loss(y_true_t, y_pred_t, sw)
        with gf.Session(graph=graph) as sess:
            return sess.run(out)


class LossFunctionWrapper(Loss):
    """A Loss around a per-sample function and its keyword arguments."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name, reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


def _loss_class(class_name, fn, default_name, params=()):
    """A Loss class whose constructor takes ``params`` (name, default) for ``fn``."""

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, **kwargs):
        values = dict(params)
        for (key, _), value in zip(params, args, strict=False):
            values[key] = value
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError(f"{class_name} got an unexpected keyword argument '{key}'")
            values[key] = value
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, **values)

    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__,
                                                     "__doc__": f"Loss object for {fn.__name__}."})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error,
                                "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error")
Huber = _loss_class("Huber", huber, "huber_loss", (("delta", 1.0),))
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
BinaryCrossentropy = _loss_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)))
CategoricalCrossentropy = _loss_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)))
SparseCategoricalCrossentropy = _loss_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", (("from_logits", False), ("ignore_class", None)))
SparseCategoricalCrossentropy.sparse_labels = True
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
Poisson = _loss_class("Poisson", poisson, "poisson")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                               (("axis", -1),))

_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, Hinge, SquaredHinge, CategoricalHinge,
    Poisson, CosineSimilarity)}
_FUNCTIONS = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError, "huber": Huber, "huber_loss": Huber,
    "log_cosh": LogCosh, "logcosh": LogCosh, "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence,
    "kullback_leibler_divergence": KLDivergence, "hinge": Hinge,
    "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "poisson": Poisson, "cosine_similarity": CosineSimilarity,
}
_FN_OBJECTS = {
    mean_squared_error: "mse", mean_absolute_error: "mae",
    mean_absolute_percentage_error: "mape", mean_squared_logarithmic_error: "msle",
    huber: "huber", log_cosh: "log_cosh", binary_crossentropy: "binary_crossentropy",
    categorical_crossentropy: "categorical_crossentropy",
    sparse_categorical_crossentropy: "sparse_categorical_crossentropy",
    kl_divergence: "kl_divergence", hinge: "hinge", squared_hinge: "squared_hinge",
    categorical_hinge: "categorical_hinge", poisson: "poisson",
    cosine_similarity: "cosine_similarity",
}


def get(identifier):
    """A Loss object from a name, a built-in function, a config dict, an object or a
    callable ``fn(y_true, y_pred)`` returning per-sample values."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _FUNCTIONS.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier}")
        loss = cls()
        loss.name = identifier if identifier in _FUNCTIONS else loss.name
        return loss
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if identifier in _FN_OBJECTS:
        return get(_FN_OBJECTS[identifier])
    if callable(identifier):
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", "loss"))
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def serialize(loss):
    if isinstance(loss, LossFunctionWrapper) and type(loss) is LossFunctionWrapper:
        return loss.name
    return {"module": "keras.losses", "class_name": type(loss).__name__,
            "config": loss.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    return deserialize_object(config, _CLASSES, "loss", custom_objects)
