"""Activations: the relu family (relu, relu6, leaky_relu, elu, selu), softplus, softmax and
log_softmax as ops with fused numpy kernels, and the cheap ones (softsign, swish, gelu)
composed from existing ops.

Each gradient is an op too (``ReluGrad``, ``SoftmaxGrad``...) with its own gradient rule, so
a training step makes few temporaries and second derivatives work. nn_ops re-exports every
builder here, so ``tf.nn.relu`` and ``nn_ops.softmax`` keep working.
"""

import numpy as np

from .. import dtypes as _dtypes
from . import array_ops, math_ops
from .constant_ops import convert_to_tensor
from .op_utils import FLOATS, deprecated_alias, infer_float, make, normalize_axis, same_dtype
from .reduction_ops import reduce_sum
from .registry import define_op

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "softplus", "softsign", "swish",
    "softmax", "log_softmax",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---- inference helpers ---------------------------------------------------------------------

def _infer_numeric(inputs, attrs):
    x = inputs[0]
    if not x.dtype.is_numeric:
        raise TypeError(f"expected a numeric input, got {x.dtype.name}")
    return x.dtype, x.shape


def _infer_grad(inputs, attrs):
    """``XGrad(gradients, features)`` ops: one dtype and shape for both inputs."""
    g, x = inputs
    dtype = same_dtype("activation gradient", [g, x])
    return dtype, g.shape.merge_with(x.shape)


def _where_negative(y, value):
    """``value`` where ``y < 0``, else zero (second-order terms of ELU-like grads)."""
    return math_ops.where(math_ops.less(y, array_ops.zeros_like(y)), value,
                          array_ops.zeros_like(value))


# ---- relu family ---------------------------------------------------------------------------

def _relu6_kernel(x):
    out = np.maximum(x, 0)
    return np.minimum(out, 6, out=out)


def _elu_kernel(x):
    # expm1(min(x, 0)) >= x everywhere, so the maximum picks x exactly where x > 0.
    out = np.expm1(np.minimum(x, 0))
    return np.maximum(out, x, out=out)


def _elu_grad_kernel(g, y):
    out = np.minimum(y, 0)
    out += 1
    out *= g
    return out


def _selu_kernel(x):
    neg = np.expm1(np.minimum(x, 0))
    neg *= _SELU_ALPHA
    out = np.where(x > 0, x, neg)
    out *= _SELU_SCALE
    return out


def _selu_grad_kernel(g, y):
    out = np.where(y > 0, _SELU_SCALE, y + _SELU_SCALE * _SELU_ALPHA)
    out *= g
    return out


define_op("Relu", infer=_infer_numeric, kernel=lambda x: np.maximum(x, 0),
          grad=lambda op, g: [make("ReluGrad", (g, op.outputs[0]))], elementwise=True)
define_op("ReluGrad", infer=_infer_grad, kernel=lambda g, y: np.multiply(g, y > 0),
          grad=lambda op, h: [make("ReluGrad", (h, op.inputs[1])), None], elementwise=True)
define_op("Relu6", infer=_infer_numeric, kernel=_relu6_kernel,
          grad=lambda op, g: [make("Relu6Grad", (g, op.inputs[0]))], elementwise=True)
define_op("Relu6Grad", infer=_infer_grad,
          kernel=lambda g, x: np.multiply(g, (x > 0) & (x < 6)),
          grad=lambda op, h: [make("Relu6Grad", (h, op.inputs[1])), None], elementwise=True)
define_op("LeakyRelu", infer=infer_float("LeakyRelu"),
          kernel=lambda x, alpha: np.where(x > 0, x, x * alpha),
          grad=lambda op, g: [make("LeakyReluGrad", (g, op.inputs[0]), op.attrs)],
          elementwise=True)
define_op("LeakyReluGrad", infer=_infer_grad,
          kernel=lambda g, x, alpha: np.where(x > 0, g, g * alpha),
          grad=lambda op, h: [make("LeakyReluGrad", (h, op.inputs[1]), op.attrs), None],
          elementwise=True)
define_op("Elu", infer=infer_float("Elu"), kernel=_elu_kernel,
          grad=lambda op, g: [make("EluGrad", (g, op.outputs[0]))], elementwise=True)
define_op("EluGrad", infer=_infer_grad, kernel=_elu_grad_kernel,
          grad=lambda op, h: [make("EluGrad", (h, op.inputs[1])),
                              _where_negative(op.inputs[1], h * op.inputs[0])],
          elementwise=True)
define_op("Selu", infer=infer_float("Selu"), kernel=_selu_kernel,
          grad=lambda op, g: [make("SeluGrad", (g, op.outputs[0]))], elementwise=True)
define_op("SeluGrad", infer=_infer_grad, kernel=_selu_grad_kernel,
          grad=lambda op, h: [make("SeluGrad", (h, op.inputs[1])),
                              _where_negative(op.inputs[1], h * op.inputs[0])],
          elementwise=True)
define_op("Softplus", infer=infer_float("Softplus"), kernel=lambda x: np.logaddexp(0, x),
          grad=lambda op, g: [g * math_ops.sigmoid(op.inputs[0])], elementwise=True)


def relu(features, name=None):
    """max(features, 0)."""
    return make("Relu", (convert_to_tensor(features),), name=name)


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return make("Relu6", (convert_to_tensor(features),), name=name)


def leaky_relu(features, alpha=0.2, name=None):
    """``features`` where positive, else ``alpha * features``; integers become float32."""
    x = convert_to_tensor(features)
    if x.dtype.is_integer:
        x = math_ops.cast(x, _dtypes.float32)
    return make("LeakyRelu", (x,), {"alpha": float(alpha)}, name=name)


def elu(features, name=None):
    """``features`` where positive, else ``exp(features) - 1``."""
    return make("Elu", (convert_to_tensor(features),), name=name)


def selu(features, name=None):
    """Scaled ELU with the self-normalizing constants of Klambauer et al. (2017)."""
    return make("Selu", (convert_to_tensor(features),), name=name)


def softplus(features, name=None):
    """log(1 + exp(features)), computed without overflow."""
    return make("Softplus", (convert_to_tensor(features),), name=name)


def softsign(features, name=None):
    """features / (1 + |features|)."""
    x = convert_to_tensor(features)
    return math_ops.divide(x, 1 + math_ops.abs(x), name=name)


def swish(features, name=None):
    """features * sigmoid(features)."""
    x = convert_to_tensor(features)
    return math_ops.multiply(x, math_ops.sigmoid(x), name=name)


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: x * Phi(x), or its tanh approximation."""
    x = convert_to_tensor(features)
    if approximate:
        inner = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x * x * x)
        return math_ops.multiply(0.5 * x, 1 + math_ops.tanh(inner), name=name)
    return math_ops.multiply(0.5 * x, 1 + math_ops.erf(x * np.sqrt(0.5)), name=name)


# ---- softmax ---------------------------------------------------------------------------------

def _infer_softmax(op_type):
    def infer(inputs, attrs):
        x = inputs[0]
        FLOATS.check(op_type, x.dtype)
        if x.shape.ndims == 0:
            raise ValueError(f"{op_type} requires logits of rank >= 1, got a scalar")
        normalize_axis(attrs["axis"], x.shape.ndims, op_type)
        return x.dtype, x.shape

    return infer


def _softmax_kernel(logits, axis):
    out = logits - logits.max(axis=axis, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=axis, keepdims=True)
    return out


def _log_softmax_kernel(logits, axis):
    out = logits - logits.max(axis=axis, keepdims=True)
    out -= np.log(np.exp(out).sum(axis=axis, keepdims=True))
    return out


def _softmax_grad_kernel(g, y, axis):
    """y * (g - sum(g * y)): the softmax Jacobian applied to ``g``."""
    out = g - (g * y).sum(axis=axis, keepdims=True)
    out *= y
    return out


def _log_softmax_grad_kernel(g, y, axis):
    """g - softmax * sum(g), with softmax = exp(log_softmax)."""
    out = np.exp(y)
    out *= -g.sum(axis=axis, keepdims=True)
    out += g
    return out


def _softmax_grad_grad(op, h):
    # out = y*g - y*s with s = sum(g*y): linear in g; d/dy = h*(g - s) - g*sum(h*y).
    g, y = op.inputs
    axis = op.attrs["axis"]
    s = reduce_sum(g * y, axis, keepdims=True)
    t = reduce_sum(h * y, axis, keepdims=True)
    return [make("SoftmaxGrad", (h, y), op.attrs), h * (g - s) - g * t]


def _log_softmax_grad_grad(op, h):
    # out = g - exp(y) * sum(g): d/dg = h - sum(h*exp(y)); d/dy = -h*exp(y)*sum(g).
    g, y = op.inputs
    axis = op.attrs["axis"]
    p = math_ops.exp(y)
    return [h - reduce_sum(h * p, axis, keepdims=True),
            -h * p * reduce_sum(g, axis, keepdims=True)]


define_op("Softmax", infer=_infer_softmax("Softmax"), kernel=_softmax_kernel,
          grad=lambda op, g: [make("SoftmaxGrad", (g, op.outputs[0]), op.attrs)], cost=8.0)
define_op("SoftmaxGrad", infer=_infer_grad, kernel=_softmax_grad_kernel,
          grad=_softmax_grad_grad, cost=4.0)
define_op("LogSoftmax", infer=_infer_softmax("LogSoftmax"), kernel=_log_softmax_kernel,
          grad=lambda op, g: [make("LogSoftmaxGrad", (g, op.outputs[0]), op.attrs)],
          cost=8.0)
define_op("LogSoftmaxGrad", infer=_infer_grad, kernel=_log_softmax_grad_kernel,
          grad=_log_softmax_grad_grad, cost=4.0)


def softmax(logits, axis=None, name=None, dim=None):
    """exp(logits) / sum(exp(logits)) along ``axis`` (the last by default)."""
    attrs = {"axis": int(deprecated_alias("axis", axis, "dim", dim, default=-1))}
    return make("Softmax", (convert_to_tensor(logits),), attrs, name=name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """logits - log(sum(exp(logits))) along ``axis``, computed stably."""
    attrs = {"axis": int(deprecated_alias("axis", axis, "dim", dim, default=-1))}
    return make("LogSoftmax", (convert_to_tensor(logits),), attrs, name=name)
