"""Reductions (sum, mean, max, min, prod, any, all, logsumexp), arg-reductions, cumsum."""

import numpy as np

from .. import dtypes as _dtypes
from ..shapes import TensorShape
from . import array_ops
from .constant_ops import constant_value, convert_to_tensor
from .op_utils import make, normalize_axis
from .registry import define_op

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "reduce_logsumexp", "argmax", "argmin", "arg_max", "arg_min", "cumsum",
    "count_nonzero",
]


def _axes(axis, ndims, op_type):
    """Normalizes an axis argument to a sorted tuple, or None for 'all axes'."""
    if axis is None:
        return None
    if hasattr(axis, "op"):
        value = constant_value(axis)
        if value is None:
            raise ValueError(f"{op_type}: axis must be known when the graph is built")
        axis = value
    axis = np.asarray(axis).reshape(-1).tolist()
    if ndims is None:
        return tuple(sorted(int(a) for a in axis))
    return tuple(sorted({normalize_axis(int(a), ndims, op_type) for a in axis}))


def _reduce_infer(out_dtype=None):
    def infer(inputs, attrs):
        (x,) = inputs
        axes, keepdims = attrs["axis"], attrs["keepdims"]
        dtype = out_dtype or x.dtype
        if x.shape.dims is None:
            return dtype, TensorShape(None)
        if axes is None:
            axes = range(len(x.shape.dims))
        if keepdims:
            dims = [1 if i in axes else d for i, d in enumerate(x.shape.dims)]
        else:
            dims = [d for i, d in enumerate(x.shape.dims) if i not in axes]
        return dtype, dims

    return infer


def _restore(g, op):
    """The reduced gradient ``g`` broadcast back to the input's shape."""
    x = op.inputs[0]
    axes = op.attrs["axis"]
    if not op.attrs["keepdims"]:
        if axes is None:
            axes = range(x.shape.ndims) if x.shape.ndims is not None else None
        if axes is None:
            return array_ops.fill(array_ops.shape(x), g)
        for a in sorted(axes):
            g = array_ops.expand_dims(g, a)
    return array_ops.broadcast_to(g, array_ops.shape(x))


def _sum_kernel(x, axis, keepdims):
    return np.asarray(np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype))


def _mean_kernel(x, axis, keepdims):
    if x.dtype.kind == "f":
        return np.asarray(np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype))
    total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
    count = x.size // max(np.size(total), 1) if x.size else 1
    return np.asarray(np.trunc(total / count).astype(x.dtype))


def _sum_grad(op, g):
    return [_restore(g, op)]


def _mean_grad(op, g):
    from .math_ops import cast, truediv

    x, y = op.inputs[0], op.outputs[0]
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        count = max(x.shape.num_elements(), 1) // max(y.shape.num_elements(), 1)
        return [_restore(g, op) / float(max(count, 1))] if count != 1 else [_restore(g, op)]
    count = cast(truediv(array_ops.size(x), array_ops.size(y)), g.dtype)
    return [_restore(g, op) / count]


def _extremum_grad(op, g):
    from .math_ops import cast, equal

    x = op.inputs[0]
    y = _restore(op.outputs[0], op)
    mask = cast(equal(x, y), g.dtype)
    ties = _restore(reduce_sum(mask, op.attrs["axis"], keepdims=op.attrs["keepdims"]), op)
    return [mask * _restore(g, op) / ties]


def _prod_grad(op, g):
    # d/dx_i prod(x) = prod(x) / x_i; exact for nonzero inputs.
    return [_restore(g * op.outputs[0], op) / op.inputs[0]]


def _np_reduce(fn):
    def kernel(x, axis, keepdims):
        return np.asarray(fn(x, axis=axis, keepdims=keepdims))

    return kernel


def _prod_kernel(x, axis, keepdims):
    return np.asarray(np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype))


_REDUCTIONS = [
    ("Sum", _sum_kernel, _sum_grad, None),
    ("Mean", _mean_kernel, _mean_grad, None),
    ("Max", _np_reduce(np.max), _extremum_grad, None),
    ("Min", _np_reduce(np.min), _extremum_grad, None),
    ("Prod", _prod_kernel, _prod_grad, None),
    ("Any", _np_reduce(np.any), None, _dtypes.bool),
    ("All", _np_reduce(np.all), None, _dtypes.bool),
]

for _type, _kernel, _grad, _out in _REDUCTIONS:
    define_op(_type, infer=_reduce_infer(_out), kernel=_kernel, grad=_grad)


def _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    x = convert_to_tensor(input_tensor)
    if axis is None:
        axis = reduction_indices
    if keep_dims is not None:
        keepdims = keep_dims
    if op_type in ("Any", "All") and not x.dtype.is_bool:
        raise TypeError(f"reduce_{op_type.lower()} requires a bool tensor, got {x.dtype.name}")
    axes = _axes(axis, x.shape.ndims, f"reduce_{op_type.lower()}")
    return make(op_type, (x,), {"axis": axes, "keepdims": bool(keepdims)}, name=name)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) computed stably by shifting by the (gradient-free) maximum."""
    from .math_ops import exp, log

    x = convert_to_tensor(input_tensor)
    if axis is None:
        axis = reduction_indices
    if keep_dims is not None:
        keepdims = keep_dims
    shift = array_ops.stop_gradient(reduce_max(x, axis, keepdims=True))
    out = log(reduce_sum(exp(x - shift), axis, keepdims=True)) + shift
    if keepdims:
        return array_ops.identity(out, name=name)
    return reduce_sum(out, axis, keepdims=False, name=name)


def count_nonzero(input_tensor, axis=None, keepdims=False, dtype=_dtypes.int64, name=None):
    from .math_ops import cast, not_equal

    x = convert_to_tensor(input_tensor)
    nonzero = cast(not_equal(x, 0 if not x.dtype.is_bool else False), dtype)
    return reduce_sum(nonzero, axis, keepdims=keepdims, name=name)


# ---- arg reductions ----------------------------------------------------------------------

def _arg_infer(inputs, attrs):
    (x,) = inputs
    if x.shape.dims is None:
        return attrs["output_type"], TensorShape(None)
    axis = normalize_axis(attrs["axis"], len(x.shape.dims), "argmax")
    dims = [d for i, d in enumerate(x.shape.dims) if i != axis]
    return attrs["output_type"], dims


define_op("ArgMax", infer=_arg_infer,
          kernel=lambda x, axis, output_type: np.asarray(
              np.argmax(x, axis=axis).astype(output_type.np_dtype)))
define_op("ArgMin", infer=_arg_infer,
          kernel=lambda x, axis, output_type: np.asarray(
              np.argmin(x, axis=axis).astype(output_type.np_dtype)))


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002
           output_type=_dtypes.int64):
    if axis is None:
        axis = 0 if dimension is None else dimension
    attrs = {"axis": int(axis), "output_type": _dtypes.as_dtype(output_type)}
    return make("ArgMax", (convert_to_tensor(input),), attrs, name=name)


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002
           output_type=_dtypes.int64):
    if axis is None:
        axis = 0 if dimension is None else dimension
    attrs = {"axis": int(axis), "output_type": _dtypes.as_dtype(output_type)}
    return make("ArgMin", (convert_to_tensor(input),), attrs, name=name)


arg_max = argmax
arg_min = argmin


# ---- cumsum --------------------------------------------------------------------------------

def _cumsum_kernel(x, axis, exclusive, reverse):
    if reverse:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = np.concatenate(
            [np.zeros_like(np.take(out, [0], axis=axis)),
             np.take(out, range(out.shape[axis] - 1), axis=axis)], axis=axis)
    if reverse:
        out = np.flip(out, axis)
    return np.ascontiguousarray(out)


def _cumsum_infer(inputs, attrs):
    (x,) = inputs
    normalize_axis(attrs["axis"], x.shape.ndims, "cumsum")
    return x.dtype, x.shape


def _cumsum_grad(op, g):
    a = op.attrs
    return [cumsum(g, a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])]


define_op("Cumsum", infer=_cumsum_infer, kernel=_cumsum_kernel, grad=_cumsum_grad)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    attrs = {"axis": int(axis), "exclusive": bool(exclusive), "reverse": bool(reverse)}
    return make("Cumsum", (convert_to_tensor(x),), attrs, name=name)
