"""``keras.ops`` spellings of graphflow ops, for custom layers and Lambda functions.

Keras 3 code writes ``ops.mean(x, axis=-1)`` where TF1 code writes
``tf.reduce_mean(x, axis=-1)``; these functions are those spellings over graphflow's
builders, taking and returning symbolic tensors (build them inside ``call`` or a Lambda).
"""

import graphflow as gf

from . import activations


def _reduction(fn):
    def reduce(x, axis=None, keepdims=False):
        return fn(x, axis=axis, keepdims=keepdims)

    reduce.__doc__ = f"``{fn.__name__}`` with Keras's argument names."
    return reduce


sum = _reduction(gf.reduce_sum)  # noqa: A001 - Keras's public names
mean = _reduction(gf.reduce_mean)
max = _reduction(gf.reduce_max)  # noqa: A001
min = _reduction(gf.reduce_min)  # noqa: A001
prod = _reduction(gf.reduce_prod)
logsumexp = _reduction(gf.reduce_logsumexp)
any = _reduction(gf.reduce_any)  # noqa: A001
all = _reduction(gf.reduce_all)  # noqa: A001

add, subtract, multiply, divide = gf.add, gf.subtract, gf.multiply, gf.divide
power, maximum, minimum, matmul = gf.pow, gf.maximum, gf.minimum, gf.matmul
abs, negative, sign, square, sqrt = gf.abs, gf.negative, gf.sign, gf.square, gf.sqrt  # noqa: A001
exp, log, log1p, tanh, sin, cos = gf.exp, gf.log, gf.log1p, gf.tanh, gf.sin, gf.cos
floor, ceil, round, erf = gf.floor, gf.ceil, gf.round, gf.erf  # noqa: A001
equal, not_equal, greater, greater_equal = gf.equal, gf.not_equal, gf.greater, gf.greater_equal
less, less_equal = gf.less, gf.less_equal
logical_and, logical_or, logical_not = gf.logical_and, gf.logical_or, gf.logical_not
where, reshape, tile, expand_dims = gf.where, gf.reshape, gf.tile, gf.expand_dims
zeros_like, ones_like, stop_gradient = gf.zeros_like, gf.ones_like, gf.stop_gradient
relu, sigmoid, softplus, gelu = activations.relu, gf.sigmoid, activations.softplus, \
    activations.gelu
softmax, log_softmax = activations.softmax, activations.log_softmax


def argmax(x, axis=-1):
    return gf.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return gf.argmin(x, axis=axis)


def cast(x, dtype):
    return gf.cast(x, gf.as_dtype(dtype))


def clip(x, x_min, x_max):
    return gf.clip_by_value(x, x_min, x_max)


def concatenate(xs, axis=0):
    return gf.concat(list(xs), axis=axis)


def stack(xs, axis=0):
    return gf.stack(list(xs), axis=axis)


def split(x, indices_or_sections, axis=0):
    return gf.split(x, indices_or_sections, axis=axis)


def squeeze(x, axis=None):
    return gf.squeeze(x, axis=None if axis is None else [axis] if isinstance(axis, int)
                      else list(axis))


def transpose(x, axes=None):
    return gf.transpose(x, perm=axes)


def take(x, indices, axis=None):
    if axis is None:
        return gf.gather(gf.reshape(x, [-1]), indices)
    return gf.gather(x, indices, axis=axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    return gf.one_hot(x, num_classes, axis=axis, dtype=gf.as_dtype(dtype))


def cumsum(x, axis=None):
    if axis is None:
        return gf.cumsum(gf.reshape(x, [-1]), axis=0)
    return gf.cumsum(x, axis=axis)


def var(x, axis=None, keepdims=False):
    mu = gf.reduce_mean(x, axis=axis, keepdims=True)
    return gf.reduce_mean(gf.square(x - mu), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return gf.sqrt(var(x, axis=axis, keepdims=keepdims))


def zeros(shape, dtype="float32"):
    return gf.zeros(shape, dtype=gf.as_dtype(dtype))


def ones(shape, dtype="float32"):
    return gf.ones(shape, dtype=gf.as_dtype(dtype))


def shape(x):
    """The static shape as a tuple (None where unknown), as Keras 3 returns it."""
    dims = x.shape.dims
    return None if dims is None else tuple(dims)


def convert_to_tensor(x, dtype=None):
    return gf.convert_to_tensor(x, dtype=None if dtype is None else gf.as_dtype(dtype))


def top_k(x, k, sorted=True):  # noqa: A002 - Keras's argument name
    return gf.nn.top_k(x, k=k, sorted=sorted)
