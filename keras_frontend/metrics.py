"""Metrics as additive batch statistics.

A metric emits, per batch, a few graph tensors that add up across batches (sums and
counts, or confusion counts per threshold); the training loop fetches them with the train
step and adds them up in numpy, and ``result()`` turns the totals into the value. So an
epoch's metric costs no variables and no extra assignment ops in the graph.
"""

import numpy as np

import graphflow as gf

from . import backend, losses
from .serialization import deserialize_object

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "RootMeanSquaredError", "MeanAbsolutePercentageError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "AUC", "Precision", "Recall",
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "get", "serialize",
    "deserialize",
]


class Metric:
    """``stats(y_true, y_pred, sample_weight)`` -> tensors summed over batches by the loop."""

    def __init__(self, name=None, dtype=None):
        self.name = name or backend.snake_case(type(self).__name__)
        self._totals = None
        self._eager = {}

    def stats(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def compute(self, totals):
        raise NotImplementedError

    def reset_state(self):
        self._totals = None

    def merge(self, values):
        """Adds one batch's statistics (numpy) to the running totals."""
        if self._totals is None:
            self._totals = [np.array(v, dtype=np.float64) for v in values]
        else:
            for total, v in zip(self._totals, values, strict=True):
                total += v

    def result(self):
        return 0.0 if self._totals is None else float(self.compute(self._totals))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds a batch of numpy values, through a small cached graph."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred, dtype=np.float32)
        key = (y_true.shape[1:], y_true.dtype.kind, y_pred.shape[1:], sample_weight is None)
        entry = self._eager.get(key)
        if entry is None:
            graph = gf.Graph()
            with graph.as_default():
                yt = gf.placeholder(gf.float32 if y_true.dtype.kind == "f" else gf.int32,
                                    (None,) + y_true.shape[1:])
                yp = gf.placeholder(gf.float32, (None,) + y_pred.shape[1:])
                sw = None if sample_weight is None else gf.placeholder(gf.float32, [None])
                feeds = [yt, yp] + ([sw] if sw is not None else [])
                sess = gf.Session(graph=graph)
                entry = self._eager[key] = sess.make_callable(self.stats(yt, yp, sw), feeds)
        args = [y_true, y_pred] + ([np.asarray(sample_weight, np.float32)]
                                   if sample_weight is not None else [])
        self.merge(entry(*args))

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": "float32"}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def weighted_sum_and_count(values, sample_weight):
    """``[sum(values * w), sum(w)]`` with ``w`` broadcast to the values' shape."""
    if sample_weight is None:
        return [gf.reduce_sum(values), gf.cast(gf.size(values), gf.float32)]
    weight = losses._match_rank(sample_weight, values) * gf.ones_like(values)
    return [gf.reduce_sum(values * weight), gf.reduce_sum(weight)]


class Mean(Metric):
    """The weighted mean of the values given (the loss tracker's metric)."""

    def stats(self, values, _unused=None, sample_weight=None):
        return weighted_sum_and_count(gf.cast(values, gf.float32), sample_weight)

    def compute(self, totals):
        return totals[0] / totals[1] if totals[1] else 0.0


class Sum(Metric):
    """The weighted sum of the values given."""

    def stats(self, values, _unused=None, sample_weight=None):
        return weighted_sum_and_count(gf.cast(values, gf.float32), sample_weight)[:1]

    def compute(self, totals):
        return totals[0]


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def stats(self, y_true, y_pred, sample_weight=None):
        values = gf.cast(self._fn(y_true, y_pred, **self._fn_kwargs), gf.float32)
        return weighted_sum_and_count(values, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


def _float(x):
    return x if x.dtype == gf.float32 else gf.cast(x, gf.float32)


def _labels_like(y_true, y_pred):
    """Sparse labels as int64 with the shape of ``argmax(y_pred, -1)``."""
    labels = gf.cast(y_true, gf.int64)
    if y_true.shape.ndims is not None and y_true.shape.ndims == y_pred.shape.ndims:
        labels = gf.squeeze(labels, axis=[-1])
    return labels


def accuracy(y_true, y_pred):
    return _float(gf.equal(_float(y_true), _float(y_pred)))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    predicted = _float(gf.greater(y_pred, threshold))
    return gf.reduce_mean(_float(gf.equal(_float(y_true), predicted)), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return _float(gf.equal(gf.argmax(y_true, axis=-1), gf.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    return _float(gf.equal(_labels_like(y_true, y_pred), gf.argmax(y_pred, axis=-1)))


def _in_top_k(y_pred, true_scores, k):
    """A label is in the top k when fewer than k classes score strictly higher."""
    higher = gf.reduce_sum(_float(gf.greater(y_pred, gf.expand_dims(true_scores, -1))),
                           axis=-1)
    return _float(gf.less(higher, float(k)))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    true_scores = gf.reduce_sum(y_pred * gf.one_hot(gf.argmax(y_true, axis=-1),
                                                    y_pred.shape.as_list()[-1]), axis=-1)
    return _in_top_k(y_pred, true_scores, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    labels = _labels_like(y_true, y_pred)
    true_scores = gf.reduce_sum(y_pred * gf.one_hot(labels, y_pred.shape.as_list()[-1]),
                                axis=-1)
    return _in_top_k(y_pred, true_scores, k)


def _wrapper_class(class_name, fn, default_name, params=()):
    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        values = dict(params)
        for (key, _), value in zip(params, args, strict=False):
            values[key] = value
        values.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__,
                                                   "__doc__": f"Mean of {fn.__name__}."})


Accuracy = _wrapper_class("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                                (("threshold", 0.5),))
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                     "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    (("k", 5),))
SparseTopKCategoricalAccuracy = _wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", (("k", 5),))
MeanSquaredError = _wrapper_class("MeanSquaredError", losses.mean_squared_error,
                                  "mean_squared_error")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", losses.mean_absolute_error,
                                   "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", losses.binary_crossentropy, "binary_crossentropy",
    (("from_logits", False), ("label_smoothing", 0.0)))
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", losses.categorical_crossentropy, "categorical_crossentropy",
    (("from_logits", False), ("label_smoothing", 0.0)))
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", (("from_logits", False),))


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_pred - y_true)**2))`` over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def stats(self, y_true, y_pred, sample_weight=None):
        return weighted_sum_and_count(gf.square(y_pred - y_true), sample_weight)

    def compute(self, totals):
        return np.sqrt(totals[0] / totals[1]) if totals[1] else 0.0


def _confusion(y_true, y_pred, thresholds):
    """``[tp, fp, tn, fn]`` per threshold: predictions above a threshold count positive."""
    y_pred = gf.reshape(_float(y_pred), [-1, 1])
    y_true = gf.reshape(_float(y_true), [-1, 1])
    above = _float(gf.greater(y_pred, gf.constant(np.asarray(thresholds, np.float32))))
    below = 1.0 - above
    return [gf.reduce_sum(above * y_true, axis=0), gf.reduce_sum(above * (1.0 - y_true), axis=0),
            gf.reduce_sum(below * (1.0 - y_true), axis=0), gf.reduce_sum(below * y_true, axis=0)]


class _ThresholdMetric(Metric):
    """Confusion counts at ``thresholds`` (0.5 by default), optionally for one ``class_id``."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = [0.5] if thresholds is None else list(np.atleast_1d(thresholds))
        self.top_k, self.class_id = top_k, class_id

    def stats(self, y_true, y_pred, sample_weight=None):
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        return _confusion(y_true, y_pred, self.thresholds)

    def _value(self, num, den):
        out = np.where(den > 0, num / np.maximum(den, 1e-12), 0.0)
        return out[0] if out.size == 1 else out

    def get_config(self):
        return {"name": self.name, "dtype": "float32", "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ThresholdMetric):
    """``tp / (tp + fp)`` at each threshold (0.5 by default)."""

    def compute(self, totals):
        tp, fp = totals[0], totals[1]
        return self._value(tp, tp + fp)


class Recall(_ThresholdMetric):
    """``tp / (tp + fn)`` at each threshold (0.5 by default)."""

    def compute(self, totals):
        tp, fn = totals[0], totals[3]
        return self._value(tp, tp + fn)


class AUC(Metric):
    """Area under the ROC (or PR) curve from confusion counts at ``num_thresholds``."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name or "auc", dtype=dtype)
        self.num_thresholds, self.curve = num_thresholds, curve.upper()
        self.summation_method, self.from_logits = summation_method, from_logits
        eps = backend.epsilon()
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]

    def stats(self, y_true, y_pred, sample_weight=None):
        if self.from_logits:
            y_pred = gf.sigmoid(y_pred)
        return _confusion(y_true, y_pred, self.thresholds)

    def compute(self, totals):
        tp, fp, tn, fn = totals
        if self.curve == "PR":
            if self.summation_method == "interpolation":
                return _interpolated_pr_auc(tp, fp, fn)
            x = _ratio(tp, tp + fn)
            y = np.where(tp + fp > 0, _ratio(tp, tp + fp), 1.0)
        else:
            x = _ratio(fp, fp + tn)
            y = _ratio(tp, tp + fn)
        if self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        elif self.summation_method == "majoring":
            heights = np.maximum(y[:-1], y[1:])
        else:
            heights = (y[:-1] + y[1:]) / 2.0
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        return {"name": self.name, "dtype": "float32", "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "from_logits": self.from_logits}


def _ratio(num, den):
    """``num / den``, 0 where ``den`` is 0 (``divide_no_nan``)."""
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _interpolated_pr_auc(tp, fp, fn):
    """Davis & Goadrich's interpolation of the PR curve between thresholds, as Keras does:
    precision varies along each segment as true positives grow linearly with positives."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = _ratio(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    both = (p[:-1] > 0) & (p[1:] > 0)
    p_ratio = np.where(both, _ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
    increments = _ratio(slope * (dtp + intercept * np.log(p_ratio)),
                        np.maximum(tp[1:] + fn[1:], 0))
    return float(np.sum(increments))


_CLASSES = {c.__name__: c for c in (
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    MeanAbsoluteError, RootMeanSquaredError, MeanAbsolutePercentageError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, AUC, Precision, Recall)}
_ALIASES = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "auc": AUC, "precision": Precision, "recall": Recall,
}
_FUNCTIONS = {binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
              sparse_categorical_accuracy: SparseCategoricalAccuracy,
              top_k_categorical_accuracy: TopKCategoricalAccuracy,
              sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy}


def resolve_accuracy(name, loss, y_true_rank, y_pred_shape):
    """Keras's choice for 'accuracy': binary for one output unit, sparse for integer labels
    (a lower label rank, a last label axis of 1, or a sparse loss), else categorical."""
    last = y_pred_shape[-1] if y_pred_shape else None
    if last == 1:
        return BinaryAccuracy(name=name)
    sparse = getattr(loss, "sparse_labels", False) or y_true_rank < len(y_pred_shape)
    return SparseCategoricalAccuracy(name=name) if sparse else CategoricalAccuracy(name=name)


def get(identifier, loss=None, y_true_rank=None, y_pred_shape=None):
    """A metric object from a name, a function, a config dict or an instance."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return resolve_accuracy(identifier, loss, y_true_rank, y_pred_shape)
        if identifier in ("crossentropy", "ce"):
            name = getattr(loss, "name", "")
            cls = SparseCategoricalCrossentropy if "sparse" in name else (
                BinaryCrossentropy if "binary" in name else CategoricalCrossentropy)
            return cls(name=identifier)
        cls = _ALIASES.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
        return cls(name=identifier) if identifier in _ALIASES else cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", "metric"))
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def serialize(metric):
    return {"module": "keras.metrics", "class_name": type(metric).__name__,
            "config": metric.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return deserialize_object(config, _CLASSES, "metric", custom_objects)
