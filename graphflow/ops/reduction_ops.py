"""Reductions (sum, mean, max, min, prod, any, all, logsumexp), arg-reductions, scans.

Reduction axes must be known when the graph is built (Python ints, lists, or constant
tensors); they are normalized to non-negative, sorted tuples whenever the input's rank is
known, so kernels, shape inference and gradients all read one spelling. Results keep the
input's dtype (an int32 sum stays int32, an integer mean truncates toward zero, as in TF).
"""

import numpy as np

from .. import dtypes as _dtypes
from ..shapes import TensorShape
from . import array_ops, math_ops
from .constant_ops import constant_value, convert_to_tensor
from .op_utils import BOOLS, REALS, deprecated_alias, make, normalize_axis
from .registry import define_op

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "reduce_logsumexp", "count_nonzero", "argmax", "argmin", "arg_max",
    "arg_min", "cumsum", "cumprod",
]


# ---- arguments ---------------------------------------------------------------------------

def _static_ints(value, what, op_name):
    """A Python int list from ints, lists or a constant tensor (axes must be static)."""
    if hasattr(value, "op"):
        known = constant_value(value)
        if known is None:
            raise ValueError(f"{op_name}: {what} must be known when the graph is built")
        value = known
    arr = np.asarray(value)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: {what} must be integers, got {value!r}")
    return [int(a) for a in arr.reshape(-1)]


def _axes(axis, ndims, op_name):
    """``axis`` as a sorted tuple of distinct axes (non-negative when the rank is known),
    or None for 'all axes'."""
    if axis is None:
        return None
    axes = _static_ints(axis, "axis", op_name)
    if ndims is not None:
        axes = [normalize_axis(a, ndims, op_name) for a in axes]
    return tuple(sorted(set(axes)))


def _single_axis(axis, op_name):
    axes = _static_ints(axis, "axis", op_name)
    if len(axes) != 1:
        raise ValueError(f"{op_name}: axis must be a single int, got {axis!r}")
    return axes[0]


# ---- the reduction ops -------------------------------------------------------------------

def _reduce_infer(op_type, accepts, out_dtype):
    def infer(inputs, attrs):
        (x,) = inputs
        accepts.check(op_type, x.dtype)
        dtype = out_dtype or x.dtype
        axes, keepdims = attrs["axis"], attrs["keepdims"]
        if x.shape.dims is None:
            return dtype, TensorShape(None)
        rank = len(x.shape.dims)
        # Axes stay as written when the rank was unknown at build time; normalize here, so
        # a copy of the op on a now-known rank (the optimizer's) infers the right shape.
        axes = range(rank) if axes is None else {normalize_axis(a, rank, op_type) for a in axes}
        if keepdims:
            return dtype, [1 if i in axes else d for i, d in enumerate(x.shape.dims)]
        return dtype, [d for i, d in enumerate(x.shape.dims) if i not in axes]

    return infer


def _same_dtype_kernel(fn):
    """A numpy reduction told to keep the input's dtype (numpy widens int32 sums)."""
    def kernel(x, axis, keepdims):
        return fn(x, axis=axis, keepdims=keepdims, dtype=x.dtype)

    return kernel


def _mean_kernel(x, axis, keepdims):
    if x.dtype.kind == "f":
        acc = np.float32 if x.dtype == np.float16 else x.dtype  # half sums lose too much
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=acc).astype(x.dtype, copy=False)
    total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
    count = max(x.size // max(np.size(total), 1), 1)
    truncated = np.sign(total) * (np.abs(total) // count)  # C division: toward zero
    return truncated.astype(x.dtype)


def _plain_kernel(fn):
    def kernel(x, axis, keepdims):
        return fn(x, axis=axis, keepdims=keepdims)

    return kernel


def _extremum_kernel(fn, sign):
    """np.max/np.min; an empty reduction gives -inf/+inf (the type's extreme for ints),
    as in TF, where numpy would refuse."""
    def kernel(x, axis, keepdims):
        if x.size:
            return fn(x, axis=axis, keepdims=keepdims)
        if x.dtype.kind == "f":
            extreme = sign * np.inf
        else:
            extreme = np.iinfo(x.dtype).max if sign > 0 else np.iinfo(x.dtype).min
        return fn(x, axis=axis, keepdims=keepdims, initial=extreme)

    return kernel


def _kept(t, op):
    """``t``, an output-shaped value of reduction ``op``, reshaped to keep the reduced axes
    as size 1 so that it broadcasts against the input.

    With a known rank this is a chain of static expand_dims (exact static shapes, also for
    unknown batch dims); with an unknown rank the shape is computed at run time.
    """
    x, axes = op.inputs[0], op.attrs["axis"]
    if op.attrs["keepdims"]:
        return t
    if x.shape.ndims is None:
        return array_ops.reshape(t, make("ReducedShape", (array_ops.shape(x),), {"axis": axes}))
    for a in range(x.shape.ndims) if axes is None else axes:
        t = array_ops.expand_dims(t, a)
    return t


def _sum_grad(op, g):
    return [array_ops.broadcast_to(_kept(g, op), array_ops.shape(op.inputs[0]))]


def _mean_grad(op, g):
    x, y = op.inputs[0], op.outputs[0]
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        count = x.shape.num_elements() // max(y.shape.num_elements(), 1)
    else:
        count = math_ops.cast(math_ops.truediv(array_ops.size(x), array_ops.size(y)), g.dtype)
    return [_sum_grad(op, g)[0] / count]


def _extremum_grad(op, g):
    """The gradient goes to the entries equal to the result, split evenly among ties."""
    x = op.inputs[0]
    picked = math_ops.cast(math_ops.equal(x, _kept(op.outputs[0], op)), g.dtype)
    ties = reduce_sum(picked, op.attrs["axis"], keepdims=True)
    return [picked / ties * _kept(g, op)]


def _prod_grad(op, g):
    """d prod / d x_i is the product of all the other entries, computed with exclusive
    cumulative products so that zeros in ``x`` are handled exactly (no division by x).
    """
    x, axes = op.inputs[0], op.attrs["axis"]
    if axes is None:
        others = array_ops.reshape(_others_product(array_ops.reshape(x, [-1]), (0,)),
                                   array_ops.shape(x))
    else:
        others = _others_product(x, axes)
    return [others * _kept(g, op)]


def _others_product(x, axes):
    """For every entry, the product of the other entries of its slice over ``axes``.

    Along one axis: exclusive products from the left times those from the right. Over
    several axes: that, times the other-products of the slice totals over the rest.
    """
    if not axes:  # reducing over no axes is the identity
        return array_ops.ones_like(x)
    first, rest = axes[0], axes[1:]
    along = (cumprod(x, first, exclusive=True)
             * cumprod(x, first, exclusive=True, reverse=True))
    if not rest:
        return along
    return along * _others_product(reduce_prod(x, first, keepdims=True), rest)


_REDUCTIONS = [
    # op type, kernel, accepted dtypes, gradient, output dtype (None: the input's)
    ("Sum", _same_dtype_kernel(np.sum), REALS, _sum_grad, None),
    ("Mean", _mean_kernel, REALS, _mean_grad, None),
    ("Max", _extremum_kernel(np.max, -1), REALS, _extremum_grad, None),
    ("Min", _extremum_kernel(np.min, +1), REALS, _extremum_grad, None),
    ("Prod", _same_dtype_kernel(np.prod), REALS, _prod_grad, None),
    ("Any", _plain_kernel(np.any), BOOLS, None, _dtypes.bool),
    ("All", _plain_kernel(np.all), BOOLS, None, _dtypes.bool),
]

for _type, _kernel, _accepts, _grad, _out in _REDUCTIONS:
    define_op(_type, infer=_reduce_infer(_type, _accepts, _out), kernel=_kernel, grad=_grad)


def _reduced_shape_kernel(shape, axis):
    out = np.array(shape, dtype=np.int32)
    out[slice(None) if axis is None else list(axis)] = 1
    return out


define_op("ReducedShape",
          infer=lambda inputs, attrs: (_dtypes.int32, (inputs[0].shape.dims or [None])[:1]),
          kernel=_reduced_shape_kernel, cost=0.0)


def _reduce(op_type, input_tensor, axis, keepdims, name):
    x = convert_to_tensor(input_tensor)
    axes = _axes(axis, x.shape.ndims, f"reduce_{op_type.lower()}")
    return make(op_type, (x,), {"axis": axes, "keepdims": bool(keepdims)}, name=name)


def _reduction(op_type, doc):
    def reduce(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
        axis = deprecated_alias("axis", axis, "reduction_indices", reduction_indices)
        keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
        return _reduce(op_type, input_tensor, axis, keepdims, name)

    reduce.__name__ = reduce.__qualname__ = f"reduce_{op_type.lower()}"
    reduce.__doc__ = (
        f"The {doc} of ``input_tensor`` over ``axis`` (an int, a list, or None for all "
        "axes; negative counts from the end). Reduced axes are dropped unless "
        "``keepdims``; ``reduction_indices`` and ``keep_dims`` are TF1's old spellings.")
    return reduce


reduce_sum = _reduction("Sum", "sum")
reduce_mean = _reduction("Mean", "mean (truncated toward zero for integers)")
reduce_max = _reduction("Max", "maximum (the gradient is split evenly among ties)")
reduce_min = _reduction("Min", "minimum (the gradient is split evenly among ties)")
reduce_prod = _reduction("Prod", "product")
reduce_any = _reduction("Any", "logical OR")
reduce_all = _reduction("All", "logical AND")


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) over ``axis``, computed stably by subtracting the (gradient-free)
    maximum first; an infinite maximum is not subtracted, so all -inf gives -inf."""
    axis = deprecated_alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = bool(deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims))
    x = convert_to_tensor(input_tensor)
    raw_max = reduce_max(x, axis, keepdims=True)
    shift = array_ops.stop_gradient(
        math_ops.where_v2(math_ops.is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max)))
    total = reduce_sum(math_ops.exp(x - shift), axis, keepdims=keepdims)
    if not keepdims:
        shift = array_ops.reshape(shift, array_ops.shape(total))
    return math_ops.add(math_ops.log(total), shift, name=name)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=_dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """The number of entries that are not zero (not False, not "") over ``axis``."""
    input_tensor = deprecated_alias("input_tensor", input_tensor, "input", input)
    axis = deprecated_alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
    x = convert_to_tensor(input_tensor)
    zero = "" if x.dtype == _dtypes.string else np.zeros((), x.dtype.np_dtype)
    nonzero = math_ops.cast(math_ops.not_equal(x, zero), _dtypes.int64)
    return math_ops.cast(reduce_sum(nonzero, axis, keepdims=keepdims), dtype, name=name)


# ---- arg reductions ----------------------------------------------------------------------

def _arg_infer(op_type):
    def infer(inputs, attrs):
        (x,) = inputs
        REALS.check(op_type, x.dtype)
        out = attrs["output_type"]
        if out not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"{op_type}: output_type must be int32 or int64, got {out.name}")
        if x.shape.dims is None:
            return out, TensorShape(None)
        axis = normalize_axis(attrs["axis"], len(x.shape.dims), op_type)
        return out, [d for i, d in enumerate(x.shape.dims) if i != axis]

    return infer


def _arg_kernel(fn):
    def kernel(x, axis, output_type):
        return fn(x, axis=axis).astype(output_type.np_dtype)

    return kernel


define_op("ArgMax", infer=_arg_infer("ArgMax"), kernel=_arg_kernel(np.argmax))
define_op("ArgMin", infer=_arg_infer("ArgMin"), kernel=_arg_kernel(np.argmin))


def _arg_reduce(op_type, input, axis, dimension, output_type, name):  # noqa: A002
    axis = deprecated_alias("axis", axis, "dimension", dimension)
    attrs = {"axis": 0 if axis is None else _single_axis(axis, op_type),
             "output_type": _dtypes.as_dtype(output_type)}
    return make(op_type, (convert_to_tensor(input),), attrs, name=name)


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF1's names
           output_type=_dtypes.int64):
    """Index of the largest entry along ``axis`` (default 0); the first one on ties."""
    return _arg_reduce("ArgMax", input, axis, dimension, output_type, name)


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF1's names
           output_type=_dtypes.int64):
    """Index of the smallest entry along ``axis`` (default 0); the first one on ties."""
    return _arg_reduce("ArgMin", input, axis, dimension, output_type, name)


def arg_max(input, dimension, output_type=_dtypes.int64, name=None):  # noqa: A002
    """TF1's raw ``tf.arg_max``: ``argmax`` with its argument order."""
    return argmax(input, dimension, name=name, output_type=output_type)


def arg_min(input, dimension, output_type=_dtypes.int64, name=None):  # noqa: A002
    """TF1's raw ``tf.arg_min``: ``argmin`` with its argument order."""
    return argmin(input, dimension, name=name, output_type=output_type)


# ---- scans -------------------------------------------------------------------------------

def _scan_kernel(ufunc):
    """Cumulative ``ufunc`` along ``axis``; ``exclusive`` shifts in the identity first,
    ``reverse`` scans from the end."""
    def kernel(x, axis, exclusive, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = ufunc.accumulate(x, axis=axis, dtype=x.dtype)
        if exclusive:
            moved = np.moveaxis(out, axis, 0)
            shifted = np.empty_like(moved)
            shifted[:1] = ufunc.identity
            shifted[1:] = moved[:-1]
            out = np.moveaxis(shifted, 0, axis)
        return np.flip(out, axis) if reverse else out

    return kernel


def _scan_infer(op_type):
    def infer(inputs, attrs):
        (x,) = inputs
        REALS.check(op_type, x.dtype)
        normalize_axis(attrs["axis"], x.shape.ndims, op_type)
        return x.dtype, x.shape

    return infer


def _cumsum_grad(op, g):
    a = op.attrs
    return [cumsum(g, a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])]


def _cumprod_grad(op, g):
    """TF's rule: a reversed cumsum of ``g * cumprod(x)``, divided by ``x``. It is nan
    where ``x`` is 0; only ``reduce_prod``'s gradient is exact at zeros."""
    x, a = op.inputs[0], op.attrs
    weighted = cumsum(op.outputs[0] * g, a["axis"], exclusive=a["exclusive"],
                      reverse=not a["reverse"])
    return [weighted / x]


define_op("Cumsum", infer=_scan_infer("Cumsum"), kernel=_scan_kernel(np.add),
          grad=_cumsum_grad)
define_op("Cumprod", infer=_scan_infer("Cumprod"), kernel=_scan_kernel(np.multiply),
          grad=_cumprod_grad)


def _scan(op_type, x, axis, exclusive, reverse, name):
    attrs = {"axis": _single_axis(axis, op_type), "exclusive": bool(exclusive),
             "reverse": bool(reverse)}
    return make(op_type, (convert_to_tensor(x),), attrs, name=name)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along ``axis``: ``[a, a + b, a + b + c]``; ``exclusive`` gives
    ``[0, a, a + b]`` and ``reverse`` sums from the end."""
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product along ``axis``; ``exclusive`` starts from 1, ``reverse`` from the
    end. Its gradient divides by ``x`` (see ``_cumprod_grad``)."""
    return _scan("Cumprod", x, axis, exclusive, reverse, name)
