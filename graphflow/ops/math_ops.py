"""Elementwise math: arithmetic, unary functions, comparisons, logic, casts.

Most ops here are one table row: a numpy ufunc as kernel and a gradient rule written with
graph ops. Binary ops broadcast like numpy; their gradients are summed back to each input's
shape by ``sum_to`` (one place for that rule).
"""

import numpy as np
import scipy.special

from .. import dtypes as _dtypes
from ..graph import Tensor
from . import array_ops
from .constant_ops import constant, convert_to_tensor
from .op_utils import infer_broadcast, infer_unary, make, same_dtype, tensor_pair
from .registry import define_op

__all__ = [
    "add", "subtract", "sub", "multiply", "mul", "divide", "truediv", "realdiv", "div",
    "floordiv", "floor_div", "mod", "floormod", "pow", "negative", "neg", "abs", "sign",
    "square", "sqrt", "rsqrt", "reciprocal", "exp", "expm1", "log", "log1p", "sin", "cos",
    "tan", "tanh", "sigmoid", "erf", "floor", "ceil", "round", "rint", "maximum", "minimum",
    "squared_difference", "clip_by_value", "where", "where_v2", "cast", "to_float",
    "to_double", "to_int32", "to_int64", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_not", "logical_xor",
    "is_nan", "is_finite", "is_inf", "add_n", "saturate_cast",
]


# ---- gradient helpers ------------------------------------------------------------------

def sum_to(grad, x):
    """Sums a broadcast gradient back to the shape of ``x``.

    With static shapes the axes are fixed at build time; when ``x`` has unknown dims the
    ``SumToShape`` op decides at run time.
    """
    if grad is None:
        return None
    gs, xs = grad.shape, x.shape
    if gs.dims is not None and xs.is_fully_defined():
        lead = len(gs.dims) - len(xs.dims)
        axes = list(range(lead)) + [
            lead + i for i, d in enumerate(xs.dims) if d == 1 and gs.dims[lead + i] != 1
        ]
        if not axes:
            return grad
        from .reduction_ops import reduce_sum

        return array_ops.reshape(reduce_sum(grad, axes), xs.as_list())
    if gs.dims is not None and gs.dims == xs.dims and None not in gs.dims:
        return grad
    return make("SumToShape", (grad, x))


def _sum_to_shape_kernel(grad, target):
    shape = target.shape
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape)


define_op(
    "SumToShape",
    infer=lambda inputs, attrs: (inputs[0].dtype, inputs[1].shape),
    kernel=_sum_to_shape_kernel,
    grad=lambda op, g: [array_ops.broadcast_to(g, array_ops.shape(op.inputs[0])), None],
)


# ---- elementwise op tables -----------------------------------------------------------

def _float_only(op_type):
    def infer(inputs, attrs):
        (x,) = inputs
        if not x.dtype.is_floating:
            raise TypeError(f"{op_type} requires a floating-point input, got {x.dtype.name}")
        return x.dtype, x.shape

    return infer


def _bool_out(inputs, attrs):
    dtype, shape = infer_broadcast(inputs, attrs)
    return _dtypes.bool, shape


def _logical(inputs, attrs):
    for t in inputs:
        if not t.dtype.is_bool:
            raise TypeError(f"logical ops require bool inputs, got {t.dtype.name}")
    return infer_broadcast(inputs, attrs)


def _erf_grad(op, g):
    x = op.inputs[0]
    two_over_sqrt_pi = constant(2.0 / np.sqrt(np.pi), dtype=x.dtype)
    return [g * two_over_sqrt_pi * exp(-square(x))]


_UNARY = [
    # op type, builder name, kernel, float only, gradient (op, dy) -> dx
    ("Neg", "negative", np.negative, False, lambda op, g: [-g]),
    ("Abs", "abs", np.abs, False, lambda op, g: [g * sign(op.inputs[0])]),
    ("Sign", "sign", np.sign, False, None),
    ("Square", "square", np.square, False,
     lambda op, g: [g * (op.inputs[0] * constant(2, dtype=op.inputs[0].dtype))]),
    ("Sqrt", "sqrt", np.sqrt, True,
     lambda op, g: [g * constant(0.5, dtype=g.dtype) / op.outputs[0]]),
    ("Rsqrt", "rsqrt", lambda x: 1 / np.sqrt(x), True,
     lambda op, g: [g * constant(-0.5, dtype=g.dtype) * op.outputs[0] ** 3]),
    ("Reciprocal", "reciprocal", np.reciprocal, True,
     lambda op, g: [-g * square(op.outputs[0])]),
    ("Exp", "exp", np.exp, True, lambda op, g: [g * op.outputs[0]]),
    ("Expm1", "expm1", np.expm1, True, lambda op, g: [g * exp(op.inputs[0])]),
    ("Log", "log", np.log, True, lambda op, g: [g / op.inputs[0]]),
    ("Log1p", "log1p", np.log1p, True,
     lambda op, g: [g / (op.inputs[0] + constant(1, dtype=g.dtype))]),
    ("Sin", "sin", np.sin, True, lambda op, g: [g * cos(op.inputs[0])]),
    ("Cos", "cos", np.cos, True, lambda op, g: [-g * sin(op.inputs[0])]),
    ("Tan", "tan", np.tan, True,
     lambda op, g: [g * (constant(1, dtype=g.dtype) + square(op.outputs[0]))]),
    ("Tanh", "tanh", np.tanh, True,
     lambda op, g: [g * (constant(1, dtype=g.dtype) - square(op.outputs[0]))]),
    ("Sigmoid", "sigmoid", scipy.special.expit, True,
     lambda op, g: [g * op.outputs[0] * (constant(1, dtype=g.dtype) - op.outputs[0])]),
    ("Erf", "erf", scipy.special.erf, True, _erf_grad),
    ("Floor", "floor", np.floor, False, None),
    ("Ceil", "ceil", np.ceil, False, None),
    ("Round", "round", np.round, False, None),
]

_ELEMENTWISE_BUILDERS = {}


def _register_unary(op_type, builder, kernel, float_only, grad):
    define_op(op_type, infer=_float_only(op_type) if float_only else infer_unary,
              kernel=kernel, grad=grad, elementwise=True)

    def build(x, name=None):
        return make(op_type, (convert_to_tensor(x),), name=name)

    build.__name__ = builder
    build.__doc__ = f"Elementwise {builder} (op type {op_type})."
    _ELEMENTWISE_BUILDERS[builder] = build


for _row in _UNARY:
    _register_unary(*_row)

negative = _ELEMENTWISE_BUILDERS["negative"]
abs = _ELEMENTWISE_BUILDERS["abs"]  # noqa: A001 - TF1's public name
sign = _ELEMENTWISE_BUILDERS["sign"]
square = _ELEMENTWISE_BUILDERS["square"]
sqrt = _ELEMENTWISE_BUILDERS["sqrt"]
rsqrt = _ELEMENTWISE_BUILDERS["rsqrt"]
reciprocal = _ELEMENTWISE_BUILDERS["reciprocal"]
exp = _ELEMENTWISE_BUILDERS["exp"]
expm1 = _ELEMENTWISE_BUILDERS["expm1"]
log = _ELEMENTWISE_BUILDERS["log"]
log1p = _ELEMENTWISE_BUILDERS["log1p"]
sin = _ELEMENTWISE_BUILDERS["sin"]
cos = _ELEMENTWISE_BUILDERS["cos"]
tan = _ELEMENTWISE_BUILDERS["tan"]
tanh = _ELEMENTWISE_BUILDERS["tanh"]
sigmoid = _ELEMENTWISE_BUILDERS["sigmoid"]
erf = _ELEMENTWISE_BUILDERS["erf"]
floor = _ELEMENTWISE_BUILDERS["floor"]
ceil = _ELEMENTWISE_BUILDERS["ceil"]
round = _ELEMENTWISE_BUILDERS["round"]  # noqa: A001 - TF1's public name
neg = negative
rint = round


def _pred_unary(op_type, kernel):
    def infer(inputs, attrs):
        return _dtypes.bool, inputs[0].shape

    define_op(op_type, infer=infer, kernel=kernel, elementwise=True)


_pred_unary("IsNan", np.isnan)
_pred_unary("IsFinite", np.isfinite)
_pred_unary("IsInf", np.isinf)
define_op("LogicalNot", infer=_logical, kernel=np.logical_not, elementwise=True)


def is_nan(x, name=None):
    return make("IsNan", (convert_to_tensor(x),), name=name)


def is_finite(x, name=None):
    return make("IsFinite", (convert_to_tensor(x),), name=name)


def is_inf(x, name=None):
    return make("IsInf", (convert_to_tensor(x),), name=name)


def logical_not(x, name=None):
    return make("LogicalNot", (convert_to_tensor(x),), name=name)


# ---- binary ops ------------------------------------------------------------------------

def _add_grad(op, g):
    x, y = op.inputs
    return [sum_to(g, x), sum_to(g, y)]


def _sub_grad(op, g):
    x, y = op.inputs
    return [sum_to(g, x), sum_to(-g, y)]


def _mul_grad(op, g):
    x, y = op.inputs
    return [sum_to(g * y, x), sum_to(g * x, y)]


def _div_grad(op, g):
    x, y = op.inputs
    return [sum_to(g / y, x), sum_to(-g * op.outputs[0] / y, y)]


def _pow_grad(op, g):
    x, y = op.inputs
    z = op.outputs[0]
    one = constant(1, dtype=x.dtype)
    gx = g * y * x ** (y - one)
    zero = array_ops.zeros_like(x)
    safe_log = log(where(greater(x, zero), x, array_ops.ones_like(x)))
    gy = g * z * where(greater(x, zero), safe_log, zero)
    return [sum_to(gx, x), sum_to(gy, y)]


def _minmax_grad(pick_x):
    def grad(op, g):
        x, y = op.inputs
        mask = pick_x(x, y)
        zeros = array_ops.zeros_like(g)
        return [sum_to(where(mask, g, zeros), x), sum_to(where(mask, zeros, g), y)]

    return grad


def _sqdiff_grad(op, g):
    x, y = op.inputs
    d = g * constant(2, dtype=g.dtype) * (x - y)
    return [sum_to(d, x), sum_to(-d, y)]


def _floormod_grad(op, g):
    x, y = op.inputs
    return [sum_to(g, x), sum_to(-g * floor(x / y), y)]


_BINARY = [
    # op type, kernel, gradient, commutative, result rule
    ("Add", np.add, _add_grad, True, infer_broadcast),
    ("Sub", np.subtract, _sub_grad, False, infer_broadcast),
    ("Mul", np.multiply, _mul_grad, True, infer_broadcast),
    ("RealDiv", np.true_divide, _div_grad, False, infer_broadcast),
    ("FloorDiv", np.floor_divide, None, False, infer_broadcast),
    ("FloorMod", np.mod, _floormod_grad, False, infer_broadcast),
    ("Pow", np.power, _pow_grad, False, infer_broadcast),
    ("Maximum", np.maximum, _minmax_grad(lambda x, y: greater_equal(x, y)), True,
     infer_broadcast),
    ("Minimum", np.minimum, _minmax_grad(lambda x, y: less_equal(x, y)), True,
     infer_broadcast),
    ("SquaredDifference", lambda x, y: np.square(x - y), _sqdiff_grad, True,
     infer_broadcast),
    ("Equal", np.equal, None, True, _bool_out),
    ("NotEqual", np.not_equal, None, True, _bool_out),
    ("Less", np.less, None, False, _bool_out),
    ("LessEqual", np.less_equal, None, False, _bool_out),
    ("Greater", np.greater, None, False, _bool_out),
    ("GreaterEqual", np.greater_equal, None, False, _bool_out),
    ("LogicalAnd", np.logical_and, None, True, _logical),
    ("LogicalOr", np.logical_or, None, True, _logical),
    ("LogicalXor", np.logical_xor, None, True, _logical),
]

for _type, _kernel, _grad, _comm, _infer in _BINARY:
    define_op(_type, infer=_infer, kernel=_kernel, grad=_grad, elementwise=True,
              commutative=_comm)


def _binary(op_type, x, y, name):
    x, y = tensor_pair(x, y)
    return make(op_type, (x, y), name=name)


def add(x, y, name=None):
    return _binary("Add", x, y, name)


def subtract(x, y, name=None):
    return _binary("Sub", x, y, name)


def multiply(x, y, name=None):
    return _binary("Mul", x, y, name)


def realdiv(x, y, name=None):
    return _binary("RealDiv", x, y, name)


def truediv(x, y, name=None):
    """``x / y``; integer operands are first cast to float (float64 for 32/64-bit ints)."""
    x, y = tensor_pair(x, y)
    if x.dtype.is_integer:
        target = _dtypes.float32 if x.dtype.size <= 2 else _dtypes.float64
        x, y = cast(x, target), cast(y, target)
    return make("RealDiv", (x, y), name=name)


def divide(x, y, name=None):
    return truediv(x, y, name=name)


def floordiv(x, y, name=None):
    x, y = tensor_pair(x, y)
    if x.dtype.is_floating:
        return floor(make("RealDiv", (x, y)), name=name)
    return make("FloorDiv", (x, y), name=name)


def div(x, y, name=None):
    """TF1's ``tf.div``: floor division for integers, true division for floats."""
    x, y = tensor_pair(x, y)
    if x.dtype.is_integer:
        return make("FloorDiv", (x, y), name=name)
    return make("RealDiv", (x, y), name=name)


def mod(x, y, name=None):
    return _binary("FloorMod", x, y, name)


def pow(x, y, name=None):  # noqa: A001 - TF1's public name
    return _binary("Pow", x, y, name)


def maximum(x, y, name=None):
    return _binary("Maximum", x, y, name)


def minimum(x, y, name=None):
    return _binary("Minimum", x, y, name)


def squared_difference(x, y, name=None):
    return _binary("SquaredDifference", x, y, name)


def equal(x, y, name=None):
    return _binary("Equal", x, y, name)


def not_equal(x, y, name=None):
    return _binary("NotEqual", x, y, name)


def less(x, y, name=None):
    return _binary("Less", x, y, name)


def less_equal(x, y, name=None):
    return _binary("LessEqual", x, y, name)


def greater(x, y, name=None):
    return _binary("Greater", x, y, name)


def greater_equal(x, y, name=None):
    return _binary("GreaterEqual", x, y, name)


def logical_and(x, y, name=None):
    return _binary("LogicalAnd", x, y, name)


def logical_or(x, y, name=None):
    return _binary("LogicalOr", x, y, name)


def logical_xor(x, y, name=None):
    return _binary("LogicalXor", x, y, name)


sub = subtract
mul = multiply
floor_div = floordiv
floormod = mod


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamps ``t``; the gradient flows where ``t`` is inside the range."""
    t = convert_to_tensor(t)
    return minimum(maximum(t, clip_value_min), clip_value_max, name=name)


# ---- select, cast, add_n ---------------------------------------------------------------

def _select_infer(inputs, attrs):
    cond, x, y = inputs
    if not cond.dtype.is_bool:
        raise TypeError(f"where: condition must be bool, got {cond.dtype.name}")
    dtype, shape = infer_broadcast((x, y), attrs)
    return dtype, infer_broadcast_shape(cond, shape)


def infer_broadcast_shape(t, shape):
    from ..shapes import broadcast_shape

    return broadcast_shape(t.shape, shape)


def _select_grad(op, g):
    cond, x, y = op.inputs
    zeros = array_ops.zeros_like(g)
    return [None, sum_to(where(cond, g, zeros), x), sum_to(where(cond, zeros, g), y)]


define_op("Select", infer=_select_infer, kernel=np.where, grad=_select_grad,
          elementwise=True)


def where(condition, x=None, y=None, name=None):
    """Three arguments: elementwise select with broadcasting. One: indices of true entries."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return make("Where", (condition,), name=name)
    if x is None or y is None:
        raise ValueError("where: x and y must both be given, or neither")
    x, y = tensor_pair(x, y)
    return make("Select", (condition, x, y), name=name)


where_v2 = where


def _where_infer(inputs, attrs):
    (c,) = inputs
    return _dtypes.int64, (None, c.shape.ndims)


define_op("Where", infer=_where_infer,
          kernel=lambda c: np.argwhere(c).astype(np.int64))


def _cast_kernel(x, DstT):
    return x.astype(DstT.np_dtype, copy=False)


def _cast_grad(op, g):
    src = op.inputs[0].dtype
    if src.is_floating and op.outputs[0].dtype.is_floating:
        return [cast(g, src)]
    return [None]


define_op("Cast", infer=lambda inputs, attrs: (attrs["DstT"], inputs[0].shape),
          kernel=_cast_kernel, grad=_cast_grad, elementwise=True)


def cast(x, dtype, name=None):
    x = convert_to_tensor(x)
    dtype = _dtypes.as_dtype(dtype)
    if x.dtype == dtype:
        return x
    return make("Cast", (x,), {"DstT": dtype}, name=name)


def saturate_cast(value, dtype, name=None):
    value = convert_to_tensor(value)
    dtype = _dtypes.as_dtype(dtype)
    if value.dtype.is_floating and dtype.is_integer or value.dtype.size > dtype.size:
        value = clip_by_value(value, dtype.min, dtype.max)
    return cast(value, dtype, name=name)


def to_float(x, name=None):
    return cast(x, _dtypes.float32, name=name)


def to_double(x, name=None):
    return cast(x, _dtypes.float64, name=name)


def to_int32(x, name=None):
    return cast(x, _dtypes.int32, name=name)


def to_int64(x, name=None):
    return cast(x, _dtypes.int64, name=name)


def _add_n_infer(inputs, attrs):
    if not inputs:
        raise ValueError("add_n needs at least one input")
    dtype = same_dtype("AddN", list(inputs))
    shape = inputs[0].shape
    for t in inputs[1:]:
        if not shape.is_compatible_with(t.shape):
            raise ValueError(f"add_n inputs must have one shape, got {shape} and {t.shape}")
        shape = shape.merge_with(t.shape)
    return dtype, shape


def _add_n_kernel(*xs):
    out = xs[0] + xs[1] if len(xs) > 1 else xs[0].copy()
    for x in xs[2:]:
        out += x
    return out


define_op("AddN", infer=_add_n_infer, kernel=_add_n_kernel,
          grad=lambda op, g: [g] * len(op.inputs), elementwise=True, commutative=True)


def add_n(inputs, name=None):
    inputs = [convert_to_tensor(t) for t in inputs]
    if len(inputs) == 1:
        return inputs[0]
    return make("AddN", tuple(inputs), name=name)


# ---- operators on Tensor ---------------------------------------------------------------

def _install_operators():
    def binary(fn):
        return lambda self, other: fn(self, other)

    def reflected(fn):
        return lambda self, other: fn(other, self)

    table = {
        "add": add, "sub": subtract, "mul": multiply, "truediv": truediv,
        "floordiv": floordiv, "mod": mod, "pow": pow,
        "and": logical_and, "or": logical_or, "xor": logical_xor,
    }
    for key, fn in table.items():
        setattr(Tensor, f"__{key}__", binary(fn))
        setattr(Tensor, f"__r{key}__", reflected(fn))
    Tensor.__lt__ = binary(less)
    Tensor.__le__ = binary(less_equal)
    Tensor.__gt__ = binary(greater)
    Tensor.__ge__ = binary(greater_equal)
    Tensor.__neg__ = lambda self: negative(self)
    Tensor.__abs__ = lambda self: abs(self)
    Tensor.__invert__ = lambda self: logical_not(self)


_install_operators()
