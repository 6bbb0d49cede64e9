"""``tf.losses``: TF1's loss functions with weights, reductions and the LOSSES collection."""

from . import dtypes as _dtypes
from .graph import get_default_graph, name_scope
from .ops import math_ops, nn_ops, reduction_ops
from .ops.array_ops import ones_like, stop_gradient
from .ops.constant_ops import convert_to_tensor
from .ops.math_ops import cast
from .variables import GraphKeys

__all__ = ["Reduction", "compute_weighted_loss", "add_loss", "get_losses",
           "get_regularization_losses", "get_regularization_loss", "get_total_loss",
           "absolute_difference", "mean_squared_error", "log_loss", "huber_loss", "hinge_loss",
           "sigmoid_cross_entropy", "softmax_cross_entropy", "sparse_softmax_cross_entropy",
           "cosine_distance", "mean_pairwise_squared_error"]


class Reduction:
    NONE = "none"
    SUM = "weighted_sum"
    MEAN = "weighted_mean"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_BY_NONZERO_WEIGHTS)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights per-element ``losses`` and reduces them as TF1 does (default: the weighted
    sum divided by the number of non-zero weights)."""
    if reduction not in Reduction.all():
        raise ValueError(f"Invalid reduction {reduction!r}; one of {Reduction.all()}")
    with name_scope(scope, "weighted_loss"):
        losses = convert_to_tensor(losses)
        dtype = losses.dtype
        weights = cast(convert_to_tensor(weights), dtype)
        weighted = losses * weights
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            total = reduction_ops.reduce_sum(weighted)
            full_weights = weights * ones_like(losses)
            if reduction == Reduction.SUM:
                loss = total
            elif reduction == Reduction.MEAN:
                loss = _safe_div(total, reduction_ops.reduce_sum(full_weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_div(total, cast(_size(losses), dtype))
            else:
                nonzero = reduction_ops.count_nonzero(full_weights, dtype=dtype)
                loss = _safe_div(total, nonzero)
        if loss_collection:
            get_default_graph().add_to_collection(loss_collection, loss)
        return loss


def _size(t):
    from .ops.array_ops import size

    return size(t)


def _safe_div(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is 0 (TF's div_no_nan)."""
    zero = math_ops.equal(denominator, 0.0)
    safe = math_ops.where(zero, ones_like(denominator), denominator)
    return math_ops.where(zero, 0.0 * numerator, numerator / safe)


def _prepare(labels, predictions):
    predictions = convert_to_tensor(predictions)
    labels = cast(convert_to_tensor(labels), predictions.dtype)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"labels of shape {labels.shape} do not match predictions of shape "
                         f"{predictions.shape}")
    return labels, predictions


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "absolute_difference"):
        labels, predictions = _prepare(labels, predictions)
        return compute_weighted_loss(math_ops.abs(predictions - labels), weights, None,
                                     loss_collection, reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "mean_squared_error"):
        labels, predictions = _prepare(labels, predictions)
        return compute_weighted_loss(math_ops.squared_difference(predictions, labels), weights,
                                     None, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "log_loss"):
        labels, predictions = _prepare(labels, predictions)
        losses = -labels * math_ops.log(predictions + epsilon) - (1.0 - labels) * math_ops.log(
            1.0 - predictions + epsilon)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "huber_loss"):
        labels, predictions = _prepare(labels, predictions)
        error = math_ops.abs(predictions - labels)
        quadratic = math_ops.minimum(error, delta)
        losses = 0.5 * quadratic * quadratic + delta * (error - quadratic)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Labels in {0, 1} are mapped to {-1, 1}; loss is max(0, 1 - label * logit)."""
    with name_scope(scope, "hinge_loss"):
        labels, logits = _prepare(labels, logits)
        signs = 2.0 * labels - 1.0
        losses = nn_ops.relu(1.0 - signs * logits)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "sigmoid_cross_entropy_loss"):
        labels, logits = _prepare(multi_class_labels, logits)
        if label_smoothing:
            labels = labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "softmax_cross_entropy_loss"):
        labels, logits = _prepare(onehot_labels, logits)
        if label_smoothing:
            classes = cast(_last_dim(logits), logits.dtype)
            labels = labels * (1.0 - label_smoothing) + label_smoothing / classes
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels),
                                                             logits=logits)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def _last_dim(t):
    from .ops.array_ops import shape

    return shape(t)[-1]


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with name_scope(scope, "sparse_softmax_cross_entropy_loss"):
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
                    dim=None):
    """1 - sum(labels * predictions) along ``axis``; inputs are expected unit-normalized."""
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("cosine_distance: you must specify axis")
    with name_scope(scope, "cosine_distance_loss"):
        labels, predictions = _prepare(labels, predictions)
        losses = 1.0 - reduction_ops.reduce_sum(labels * predictions, axis, keepdims=True)
        return compute_weighted_loss(losses, weights, None, loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """Mean over samples of the mean squared difference of all pairs of per-sample errors."""
    with name_scope(scope, "mean_pairwise_squared_error"):
        labels, predictions = _prepare(labels, predictions)
        diffs = predictions - labels
        axes = list(range(1, diffs.shape.ndims))
        n = cast(reduction_ops.reduce_prod(_shape_from(diffs, 1)), diffs.dtype)
        sum_sq = reduction_ops.reduce_sum(math_ops.square(diffs), axes)
        sq_sum = math_ops.square(reduction_ops.reduce_sum(diffs, axes))
        per_sample = 2.0 * (sum_sq / (n - 1.0) - sq_sum / (n * (n - 1.0)))
        return compute_weighted_loss(per_sample, weights, None, loss_collection,
                                     Reduction.SUM_BY_NONZERO_WEIGHTS)


def _shape_from(t, start):
    from .ops.array_ops import shape

    return shape(t)[start:]


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    losses = get_regularization_losses(scope)
    if not losses:
        return convert_to_tensor(0.0, dtype=_dtypes.float32)
    return math_ops.add_n(losses, name=name)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the LOSSES collection (and regularization losses)."""
    losses = get_losses(scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses found: build a loss with tf.losses.* or tf.losses.add_loss")
    return math_ops.add_n(losses, name=name)
