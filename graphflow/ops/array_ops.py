"""Array ops: shapes, reshaping, filling, identity.

Shape-changing ops infer static shapes from constant arguments where they can (through
``constant_value``), so most graphs have fully known shapes from the first layer on.
"""

import numpy as np

from .. import dtypes as _dtypes
from ..shapes import TensorShape, as_shape
from .constant_ops import constant, constant_shape, constant_value, convert_to_tensor
from .op_utils import infer_unary, make, normalize_axis, same_dtype
from .registry import define_op

__all__ = [
    "shape", "size", "rank", "reshape", "expand_dims", "broadcast_to", "identity",
    "stop_gradient", "zeros", "ones", "zeros_like", "ones_like", "fill", "stack", "unstack",
]


# ---- shape, size, rank -----------------------------------------------------------------

def _shape_out_type(attrs):
    return attrs.get("out_type", _dtypes.int32)


define_op("Shape",
          infer=lambda inputs, attrs: (_shape_out_type(attrs), (inputs[0].shape.ndims,)),
          kernel=lambda x, out_type: np.array(x.shape, dtype=out_type.np_dtype), cost=0.0)
define_op("Size", infer=lambda inputs, attrs: (_shape_out_type(attrs), ()),
          kernel=lambda x, out_type: np.array(x.size, dtype=out_type.np_dtype), cost=0.0)
define_op("Rank", infer=lambda inputs, attrs: (_dtypes.int32, ()),
          kernel=lambda x: np.array(x.ndim, dtype=np.int32), cost=0.0)


def shape(input, name=None, out_type=_dtypes.int32):  # noqa: A002 - TF1's argument name
    x = convert_to_tensor(input)
    return make("Shape", (x,), {"out_type": _dtypes.as_dtype(out_type)}, name=name)


def size(input, name=None, out_type=_dtypes.int32):  # noqa: A002
    x = convert_to_tensor(input)
    return make("Size", (x,), {"out_type": _dtypes.as_dtype(out_type)}, name=name)


def rank(input, name=None):  # noqa: A002
    return make("Rank", (convert_to_tensor(input),), name=name)


# ---- reshape -----------------------------------------------------------------------------

def _reshape_infer(inputs, attrs):
    x, shape_t = inputs
    if not shape_t.dtype.is_integer:
        raise TypeError(f"reshape: shape must be an integer tensor, got {shape_t.dtype.name}")
    target = constant_shape(shape_t)
    value = constant_value(shape_t)
    if value is not None:
        dims = [int(d) for d in np.asarray(value).reshape(-1)]
        if sum(d == -1 for d in dims) > 1:
            raise ValueError(f"reshape: at most one dimension may be -1, got {dims}")
        known = x.shape.num_elements()
        if known is not None:
            fixed = int(np.prod([d for d in dims if d != -1]))
            if -1 in dims:
                if fixed == 0 or known % fixed:
                    raise ValueError(
                        f"reshape: cannot reshape a tensor with {known} elements to {dims}"
                    )
                dims = [known // fixed if d == -1 else d for d in dims]
            elif fixed != known:
                raise ValueError(
                    f"reshape: cannot reshape a tensor with {known} elements to shape "
                    f"{dims} ({fixed} elements)"
                )
        target = TensorShape([None if d == -1 else d for d in dims])
    return x.dtype, target


def _reshape_kernel(x, shape):
    return np.reshape(x, shape)


def _reshape_grad(op, g):
    return [reshape(g, shape(op.inputs[0])), None]


define_op("Reshape", infer=_reshape_infer, kernel=_reshape_kernel, grad=_reshape_grad,
          cost=0.0)


def reshape(tensor, shape, name=None):  # noqa: F811 - TF1's argument name
    """Reshapes; one entry of ``shape`` may be -1 and is inferred from the size."""
    x = convert_to_tensor(tensor)
    if not hasattr(shape, "op"):
        shape = _shape_tensor(shape)
    return make("Reshape", (x, shape), name=name)


def _shape_tensor(dims):
    """A shape argument given as a list (possibly mixing ints and scalar tensors)."""
    if isinstance(dims, TensorShape):
        dims = dims.as_list()
    if isinstance(dims, (list, tuple)) and any(hasattr(d, "op") for d in dims):
        parts = [convert_to_tensor(d, dtype=_dtypes.int32) for d in dims]
        return stack(parts)
    return constant(np.asarray(dims, dtype=np.int32).reshape(-1), dtype=_dtypes.int32)


# ---- expand_dims, broadcast_to ----------------------------------------------------------

def _expand_infer(inputs, attrs):
    (x,) = inputs
    axis = attrs["axis"]
    if x.shape.dims is None:
        return x.dtype, TensorShape(None)
    n = len(x.shape.dims) + 1
    if not -n <= axis < n:
        raise ValueError(f"expand_dims: axis {axis} out of range for rank {n - 1}")
    dims = list(x.shape.dims)
    dims.insert(axis % n, 1)
    return x.dtype, dims


define_op("ExpandDims", infer=_expand_infer, kernel=lambda x, axis: np.expand_dims(x, axis),
          grad=lambda op, g: [reshape(g, shape(op.inputs[0]))], cost=0.0)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    if axis is None:
        axis = dim
    if axis is None:
        raise ValueError("expand_dims: axis is required")
    return make("ExpandDims", (convert_to_tensor(input),), {"axis": int(axis)}, name=name)


def _broadcast_to_infer(inputs, attrs):
    x, shape_t = inputs
    target = constant_shape(shape_t)
    from ..shapes import broadcast_shape

    out = broadcast_shape(x.shape, target)
    if target.dims is not None and out.dims is not None and len(out.dims) != len(target.dims):
        raise ValueError(f"broadcast_to: cannot broadcast {x.shape} to {target}")
    return x.dtype, target.merge_with(out) if target.dims is not None else out


def _broadcast_to_grad(op, g):
    from .math_ops import sum_to

    return [sum_to(g, op.inputs[0]), None]


define_op("BroadcastTo", infer=_broadcast_to_infer,
          kernel=lambda x, s: np.broadcast_to(x, s), grad=_broadcast_to_grad, cost=0.0)


def broadcast_to(input, shape, name=None):  # noqa: A002, F811
    x = convert_to_tensor(input)
    if not hasattr(shape, "op"):
        shape = _shape_tensor(shape)
    return make("BroadcastTo", (x, shape), name=name)


# ---- identity, stop_gradient --------------------------------------------------------

define_op("Identity", infer=infer_unary, kernel=lambda x: x, grad=lambda op, g: [g],
          elementwise=True, cost=0.0)
define_op("StopGradient", infer=infer_unary, kernel=lambda x: x, cost=0.0)


def identity(input, name=None):  # noqa: A002
    return make("Identity", (convert_to_tensor(input),), name=name)


def stop_gradient(input, name=None):  # noqa: A002
    return make("StopGradient", (convert_to_tensor(input),), name=name)


# ---- filling -----------------------------------------------------------------------------

def _fill_infer(inputs, attrs):
    dims, value = inputs
    if value.shape.ndims not in (None, 0):
        raise ValueError(f"fill: value must be a scalar, got shape {value.shape}")
    return value.dtype, constant_shape(dims)


define_op("Fill", infer=_fill_infer, kernel=lambda dims, value: np.full(dims, value),
          grad=lambda op, g: [None, _reduce_all(g)])


def _reduce_all(g):
    from .reduction_ops import reduce_sum

    return reduce_sum(g)


def fill(dims, value, name=None):
    if not hasattr(dims, "op"):
        dims = _shape_tensor(dims)
    return make("Fill", (dims, convert_to_tensor(value)), name=name)


def _filled(shape_arg, fill_value, dtype, name):
    dtype = _dtypes.as_dtype(dtype)
    if hasattr(shape_arg, "op"):
        return fill(shape_arg, constant(fill_value, dtype=dtype), name=name)
    dims = as_shape(shape_arg).as_list() if not isinstance(shape_arg, int) else [shape_arg]
    return constant(np.full(dims, fill_value, dtype=dtype.np_dtype), dtype=dtype, name=name)


def zeros(shape, dtype=_dtypes.float32, name=None):  # noqa: F811
    return _filled(shape, 0, dtype, name or "zeros")


def ones(shape, dtype=_dtypes.float32, name=None):  # noqa: F811
    return _filled(shape, 1, dtype, name or "ones")


define_op("ZerosLike", infer=infer_unary, kernel=np.zeros_like,
          grad=lambda op, g: [None], elementwise=True)
define_op("OnesLike", infer=infer_unary, kernel=np.ones_like,
          grad=lambda op, g: [None], elementwise=True)


def zeros_like(tensor, dtype=None, name=None):
    x = convert_to_tensor(tensor)
    out = make("ZerosLike", (x,), name=name)
    return out if dtype is None else _cast(out, dtype)


def ones_like(tensor, dtype=None, name=None):
    x = convert_to_tensor(tensor)
    out = make("OnesLike", (x,), name=name)
    return out if dtype is None else _cast(out, dtype)


def _cast(x, dtype):
    from .math_ops import cast

    return cast(x, dtype)



# ---- stack, unstack -------------------------------------------------------------------

def _pack_infer(inputs, attrs):
    dtype = same_dtype("stack", list(inputs))
    shape = inputs[0].shape
    for t in inputs[1:]:
        if not shape.is_compatible_with(t.shape):
            raise ValueError(f"stack: all inputs must have one shape, got {shape} and {t.shape}")
        shape = shape.merge_with(t.shape)
    if shape.dims is None:
        return dtype, TensorShape(None)
    axis = normalize_axis(attrs["axis"], len(shape.dims) + 1, "stack")
    dims = list(shape.dims)
    dims.insert(axis, len(inputs))
    return dtype, dims


def _pack_grad(op, g):
    return unstack(g, num=len(op.inputs), axis=op.attrs["axis"])


define_op("Pack", infer=_pack_infer, kernel=lambda *xs, axis: np.stack(xs, axis=axis),
          grad=_pack_grad)


def stack(values, axis=0, name="stack"):
    """Stacks same-shaped tensors along a new ``axis``."""
    values = [convert_to_tensor(v) for v in values]
    if not values:
        raise ValueError("stack: needs at least one value")
    first = next((v for v in values if hasattr(v, "op")), values[0])
    values = [v if v.dtype == first.dtype else convert_to_tensor(v, dtype=first.dtype)
              for v in values]
    return make("Pack", tuple(values), {"axis": int(axis)}, name=name)


def _unpack_infer(inputs, attrs):
    (x,) = inputs
    if x.shape.dims is None:
        raise ValueError("unstack: the rank of the input must be known")
    axis = normalize_axis(attrs["axis"], len(x.shape.dims), "unstack")
    dims = list(x.shape.dims)
    del dims[axis]
    return [(x.dtype, dims)] * attrs["num"]


def _unpack_kernel(x, num, axis):
    if x.shape[axis] != num:
        raise ValueError(f"unstack: expected {num} entries along axis {axis}, got shape {x.shape}")
    return tuple(np.moveaxis(x, axis, 0))


def _unpack_grad(op, *grads):
    grads = [g if g is not None else zeros_like(out) for g, out in zip(grads, op.outputs)]
    return [stack(grads, axis=op.attrs["axis"])]


define_op("Unpack", infer=_unpack_infer, kernel=_unpack_kernel, grad=_unpack_grad)


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits ``value`` along ``axis`` into ``num`` tensors (num inferred when static)."""
    x = convert_to_tensor(value)
    if num is None:
        if x.shape.dims is None or x.shape.dims[axis] is None:
            raise ValueError(f"unstack: cannot infer num from shape {x.shape}")
        num = x.shape.dims[axis]
    op = x.graph.create_op("Unpack", (x,), {"num": int(num), "axis": int(axis)}, name=name)
    return list(op.outputs)
