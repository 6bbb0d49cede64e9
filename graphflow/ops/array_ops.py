"""Array ops: shapes, reshaping, filling, transposition, joining, splitting, tiling,
reversing sequences by length; ``range``, ``linspace`` and ``eye`` come from creation_ops.

Shape-changing ops infer static shapes from constant arguments where they can (through
``constant_value``), so most graphs have fully known shapes from the first layer on. Their
gradients use ``shape(x)`` tensors wherever a static shape may be incomplete, so they stay
correct with unknown (None) batch dimensions.
"""

import builtins

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Tensor
from ..shapes import TensorShape, as_shape, broadcast_shape
from .constant_ops import constant, constant_shape, constant_value, convert_to_tensor
from .creation_ops import eye, lin_space, linspace, range  # noqa: A004 - TF1's public name
from .op_utils import (
    deprecated_alias,
    graph_of,
    infer_unary,
    make,
    normalize_axis,
    same_dtype,
    same_shape,
    static_value,
)
from .registry import define_op

__all__ = [
    "shape", "size", "rank", "reshape", "expand_dims", "squeeze", "broadcast_to", "identity",
    "stop_gradient", "zeros", "ones", "zeros_like", "ones_like", "fill", "range", "linspace",
    "lin_space", "eye", "meshgrid", "transpose", "stack", "unstack", "concat", "split", "tile",
    "reverse_sequence",
]


# ---- argument helpers ------------------------------------------------------------------

def known_elements(t):
    """The entries of a 1-D int tensor known at build time: a list of ints and Nones.

    A ``Pack`` of scalars (``tf.stack([i, 2])``) gives its constant entries even when
    others are computed at run time. None when the length itself is unknown.
    """
    value = constant_value(t)
    if value is not None:
        return [int(v) for v in np.asarray(value).reshape(-1)]
    if t.op.type == "Pack" and t.op.attrs["axis"] == 0:
        values = [constant_value(x) for x in t.op.inputs]
        return [None if v is None else int(v) for v in values]
    n = t.shape.dims[0] if t.shape.dims else None
    return None if n is None else [None] * n


def convert_all(values, preferred_dtype=None):
    """Converts a list to tensors of one graph; Python values take the first tensor's dtype."""
    first = next((v for v in values if isinstance(v, Tensor)), None)
    if first is not None:
        preferred_dtype = first.dtype
    with graph_of(*values).as_default():
        return [convert_to_tensor(v, preferred_dtype=preferred_dtype) for v in values]


def int_vector(values):
    """A 1-D int tensor from a tensor, a TensorShape, or a list mixing ints and scalar tensors."""
    if isinstance(values, Tensor):
        return values
    if isinstance(values, TensorShape):
        values = values.as_list()
    if isinstance(values, (list, tuple)) and any(isinstance(v, Tensor) for v in values):
        return stack(convert_all(values, _dtypes.int32))
    return constant(np.asarray(values, dtype=np.int32).reshape(-1), dtype=_dtypes.int32)



def dim_size(x, axis, out_type=_dtypes.int32):
    """The size of ``x`` along ``axis``: an int when static, else a scalar tensor."""
    dims = x.shape.dims
    if dims is not None and dims[axis] is not None:
        return dims[axis]
    from .slicing_ops import strided_slice

    return strided_slice(shape(x, out_type=out_type), [axis], [axis + 1], shrink_axis_mask=1)


def _static_axis(axis, what):
    return int(static_value(axis, what))


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
    return make("Reshape", (convert_to_tensor(tensor), int_vector(shape)), name=name)


# ---- expand_dims, squeeze, broadcast_to ---------------------------------------------------

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
    axis = _static_axis(axis, "expand_dims: axis")
    return make("ExpandDims", (convert_to_tensor(input),), {"axis": axis}, name=name)


def _squeeze_infer(inputs, attrs):
    (x,) = inputs
    dims = x.shape.dims
    if dims is None:
        return x.dtype, TensorShape(None)
    if not attrs["axis"]:
        if None in dims:  # an unknown dim may or may not be squeezed away
            return x.dtype, TensorShape(None)
        return x.dtype, [d for d in dims if d != 1]
    axes = {normalize_axis(a, len(dims), "squeeze") for a in attrs["axis"]}
    for a in sorted(axes):
        if dims[a] not in (None, 1):
            raise ValueError(f"squeeze: cannot squeeze axis {a} of size {dims[a]} in {x.shape}")
    return x.dtype, [d for i, d in enumerate(dims) if i not in axes]


def _squeeze_kernel(x, axis):
    return np.squeeze(x, axis=axis or None)


define_op("Squeeze", infer=_squeeze_infer, kernel=_squeeze_kernel,
          grad=lambda op, g: [reshape(g, shape(op.inputs[0]))], cost=0.0)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """Removes size-1 axes: the listed ones (an error if not size 1), or all of them."""
    if axis is None:
        axis = squeeze_dims
    if axis is None:
        axis = []
    elif isinstance(axis, (int, np.integer)):
        axis = [axis]
    axes = tuple(int(a) for a in np.asarray(static_value(axis, "squeeze: axis")).reshape(-1))
    return make("Squeeze", (convert_to_tensor(input),), {"axis": axes}, name=name)


def _broadcast_to_infer(inputs, attrs):
    x, shape_t = inputs
    target = constant_shape(shape_t)
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
    return make("BroadcastTo", (convert_to_tensor(input), int_vector(shape)), name=name)


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


def _reduce_all(g):
    from .reduction_ops import reduce_sum

    return reduce_sum(g)


define_op("Fill", infer=_fill_infer, kernel=lambda dims, value: np.full(dims, value),
          grad=lambda op, g: [None, _reduce_all(g)])


def fill(dims, value, name=None):
    return make("Fill", (int_vector(dims), convert_to_tensor(value)), name=name)


def _filled(shape_arg, fill_value, dtype, name):
    """A constant when the shape is static, else a Fill computed at run time."""
    dtype = _dtypes.as_dtype(dtype)
    if isinstance(shape_arg, (int, np.integer)):
        shape_arg = [shape_arg]
    if isinstance(shape_arg, Tensor) or (
            isinstance(shape_arg, (list, tuple)) and any(isinstance(d, Tensor) for d in shape_arg)):
        return fill(shape_arg, constant(fill_value, dtype=dtype), name=name)
    dims = as_shape(shape_arg).as_list()
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


# ---- meshgrid ---------------------------------------------------------------------------

def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D tensors; ``indexing`` 'xy' (default) or 'ij', as in TF."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    if not args:
        return []
    xs = convert_all(list(args))
    n = len(xs)
    axes = list(builtins.range(n))
    if indexing == "xy" and n > 1:
        axes[0], axes[1] = 1, 0
    with xs[0].graph.name_scope(name):
        sizes = [x.shape.num_elements() if x.shape.is_fully_defined() else size(x) for x in xs]
        full = [sizes[axes.index(i)] for i in builtins.range(n)]
        outputs = []
        for x, axis in zip(xs, axes, strict=True):
            dims = [1] * n
            dims[axis] = -1
            outputs.append(broadcast_to(reshape(x, dims), full))
    return outputs


# ---- transpose -----------------------------------------------------------------------

def _transpose_infer(inputs, attrs):
    (x,) = inputs
    perm = attrs["perm"]
    if x.shape.dims is None:
        return x.dtype, TensorShape(None if perm is None else [None] * len(perm))
    dims = x.shape.dims
    if perm is None:
        return x.dtype, dims[::-1]
    if sorted(perm) != list(builtins.range(len(dims))):
        raise ValueError(f"transpose: perm {list(perm)} is not a permutation of the axes of "
                         f"a tensor of shape {x.shape}")
    return x.dtype, [dims[p] for p in perm]


def _transpose_grad(op, g):
    perm = op.attrs["perm"]
    return [transpose(g, None if perm is None else np.argsort(perm))]


define_op("Transpose", infer=_transpose_infer,
          kernel=lambda x, perm: np.transpose(x, perm), grad=_transpose_grad, cost=0.0)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permutes axes (reverses them by default); ``conjugate`` is a no-op on real dtypes."""
    if perm is not None:
        perm = tuple(int(p) for p in np.asarray(static_value(perm, "transpose: perm")))
    return make("Transpose", (convert_to_tensor(a),), {"perm": perm}, name=name)


# ---- stack, unstack -------------------------------------------------------------------

def _pack_infer(inputs, attrs):
    dtype = same_dtype("stack", list(inputs))
    shape = same_shape("stack: all inputs", inputs)
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
    if not values:
        raise ValueError("stack: needs at least one value")
    return make("Pack", tuple(convert_all(list(values))), {"axis": int(axis)}, name=name)


def _unpack_infer(inputs, attrs):
    (x,) = inputs
    if x.shape.dims is None:
        raise ValueError("unstack: the rank of the input must be known")
    axis = normalize_axis(attrs["axis"], len(x.shape.dims), "unstack")
    dims = list(x.shape.dims)
    if dims[axis] is not None and dims[axis] != attrs["num"]:
        raise ValueError(f"unstack: cannot split {x.shape} into {attrs['num']} along {axis}")
    del dims[axis]
    return [(x.dtype, dims)] * attrs["num"]


def _unpack_kernel(x, num, axis):
    if x.shape[axis] != num:
        raise ValueError(f"unstack: expected {num} entries along axis {axis}, got shape {x.shape}")
    return _outputs(np.moveaxis(x, axis, 0))


def _outputs(parts):
    """Kernel results for a variable number of outputs: a one-output op returns the array."""
    parts = tuple(parts)
    return parts[0] if len(parts) == 1 else parts


def _unpack_grad(op, *grads):
    grads = [g if g is not None else zeros_like(out)
             for g, out in zip(grads, op.outputs, strict=True)]
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


# ---- concat, split ------------------------------------------------------------------------

def _concat_infer(inputs, attrs):
    dtype = same_dtype("concat", list(inputs))
    ranked = [t.shape.dims for t in inputs if t.shape.dims is not None]
    if not ranked:
        return dtype, TensorShape(None)
    if not ranked[0]:
        raise ValueError("concat: cannot concatenate scalars (use stack instead)")
    axis = normalize_axis(attrs["axis"], len(ranked[0]), "concat")
    out = [None] * len(ranked[0])
    out[axis] = 0 if len(ranked) == len(inputs) else None
    shapes = ", ".join(str(t.shape) for t in inputs)
    for dims in ranked:
        if len(dims) != len(out):
            raise ValueError(f"concat: all inputs must have one rank, got shapes {shapes}")
        for i, d in enumerate(dims):
            if i == axis:
                out[i] = None if out[i] is None or d is None else out[i] + d
            elif out[i] is None:
                out[i] = d
            elif d is not None and d != out[i]:
                raise ValueError(f"concat: dimension {i} of the inputs must match except on "
                                 f"axis {axis}, got shapes {shapes}")
    return dtype, out


def _concat_grad(op, g):
    """Splits the gradient back into pieces as wide as each input along the axis."""
    axis = op.attrs["axis"]
    sizes = [dim_size(x, axis) for x in op.inputs]
    return split(g, sizes, axis=axis)


define_op("ConcatV2", infer=_concat_infer,
          kernel=lambda *xs, axis: np.concatenate(xs, axis=axis), grad=_concat_grad,
          name="concat")


def concat(values, axis, name="concat"):
    """Joins tensors along an existing ``axis`` (TF1 argument order: values first)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    values = convert_all(list(values))
    axis = _static_axis(axis, "concat: axis")
    if len(values) == 1:
        return identity(values[0], name=name)
    return make("ConcatV2", tuple(values), {"axis": axis}, name=name)


def _split_infer(inputs, attrs):
    x = inputs[0]
    n = attrs["num_split"]
    if x.shape.dims is None:
        return [(x.dtype, TensorShape(None))] * n
    dims = list(x.shape.dims)
    axis = normalize_axis(attrs["axis"], len(dims), "split")
    if len(inputs) == 1:
        parts = [None if dims[axis] is None else dims[axis] // n] * n
        if dims[axis] is not None and dims[axis] % n:
            raise ValueError(f"split: dimension {axis} of {x.shape} is not divisible into {n}")
    else:
        sizes = constant_value(inputs[1])
        parts = [None] * n
        if sizes is not None:
            parts = _resolve_split_sizes([int(s) for s in sizes.reshape(-1)], dims[axis], n)
    return [(x.dtype, dims[:axis] + [p] + dims[axis + 1:]) for p in parts]


def _resolve_split_sizes(sizes, dim, num_split):
    """Fills in the one -1 entry of ``size_splits`` and checks the sizes add up to ``dim``."""
    if len(sizes) != num_split:
        raise ValueError(f"split: size_splits {sizes} must have {num_split} entries")
    free = [i for i, s in enumerate(sizes) if s == -1]
    if len(free) > 1 or any(s < -1 for s in sizes):
        raise ValueError(f"split: size_splits {sizes} may hold one -1 and no other negatives")
    total = sum(s for s in sizes if s != -1)
    if dim is None:
        return [None if s == -1 else s for s in sizes]
    if free and total <= dim:
        sizes = list(sizes)
        sizes[free[0]] = dim - total
    elif free or total != dim:
        raise ValueError(f"split: size_splits {sizes} do not add up to the dimension {dim}")
    return sizes


def _split_kernel(x, num_split, axis):
    if x.shape[axis] % num_split:
        raise ValueError(f"split: dimension {axis} of {x.shape} is not divisible by {num_split}")
    return _outputs(np.split(x, num_split, axis=axis))


def _splitv_kernel(x, size_splits, num_split, axis):
    sizes = _resolve_split_sizes([int(s) for s in size_splits], x.shape[axis], num_split)
    return _outputs(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _split_grad(op, *grads):
    grads = [g if g is not None else zeros_like(out)
             for g, out in zip(grads, op.outputs, strict=True)]
    return [concat(grads, op.attrs["axis"])] + [None] * (len(op.inputs) - 1)


define_op("Split", infer=_split_infer, kernel=_split_kernel, grad=_split_grad)
define_op("SplitV", infer=_split_infer, kernel=_splitv_kernel, grad=_split_grad)


def _split_count(arg):
    """The number of equal pieces when ``num_or_size_splits`` is a scalar, else None."""
    scalar = arg.shape.ndims == 0 if isinstance(arg, Tensor) else np.ndim(arg) == 0
    return int(static_value(arg, "split: num_or_size_splits")) if scalar else None


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits into ``num_or_size_splits`` equal pieces, or pieces of the listed sizes (one
    may be -1); returns a list of tensors.
    """
    x = convert_to_tensor(value)
    axis = _static_axis(axis, "split: axis")
    count = _split_count(num_or_size_splits)
    if count is not None:
        op = x.graph.create_op("Split", (x,), {"num_split": count, "axis": axis}, name=name)
        return list(op.outputs)
    with x.graph.as_default():
        sizes = int_vector(num_or_size_splits)
    if num is None:
        num = sizes.shape.dims[0] if sizes.shape.dims else None
    if num is None:
        raise ValueError(f"split: cannot infer the number of pieces from size_splits of shape "
                         f"{sizes.shape}; pass num")
    op = x.graph.create_op("SplitV", (x, sizes), {"num_split": int(num), "axis": axis},
                           name=name)
    return list(op.outputs)


# ---- tile -----------------------------------------------------------------------------------

def _tile_infer(inputs, attrs):
    x, multiples = inputs
    if not multiples.dtype.is_integer or multiples.shape.ndims not in (None, 1):
        raise TypeError(f"tile: multiples must be a 1-D int tensor, got {multiples.dtype.name} "
                        f"{multiples.shape}")
    mult = known_elements(multiples)
    if mult is None:
        return x.dtype, TensorShape(None if x.shape.ndims is None else [None] * x.shape.ndims)
    if x.shape.ndims is not None and x.shape.ndims != len(mult):
        raise ValueError(f"tile: multiples {mult} must have one entry per dimension of "
                         f"{x.shape}")
    dims = x.shape.dims or [None] * len(mult)
    return x.dtype, [None if d is None or m is None else d * m
                     for d, m in zip(dims, mult, strict=True)]


def _tile_kernel(x, multiples):
    if len(multiples) != x.ndim:
        raise ValueError(f"tile: multiples {list(multiples)} must have one entry per "
                         f"dimension of shape {x.shape}")
    return np.tile(x, multiples)


def _tile_grad(op, g):
    """Views the gradient as ``[m0, d0, m1, d1, ...]`` and sums over the copies ``m_i``."""
    from .reduction_ops import reduce_sum

    x, multiples = op.inputs
    mult = constant_value(multiples)
    if mult is not None and x.shape.is_fully_defined():
        rank = len(x.shape.dims)
        pairs = int_vector(np.stack([mult.reshape(-1), x.shape.as_list()], axis=1))
    else:
        rank = multiples.shape.dims[0] if multiples.shape.dims else x.shape.ndims
        if rank is None:
            raise ValueError("tile: the gradient needs the rank of the input to be known")
        pairs = stack([multiples, shape(x, out_type=multiples.dtype)], axis=1)
    axes = list(builtins.range(0, 2 * rank, 2))
    return [reduce_sum(reshape(g, reshape(pairs, [-1])), axes), None]


define_op("Tile", infer=_tile_infer, kernel=_tile_kernel, grad=_tile_grad)


def tile(input, multiples, name=None):  # noqa: A002
    """Repeats ``input`` ``multiples[i]`` times along each axis i."""
    x = convert_to_tensor(input)
    with x.graph.as_default():
        multiples = int_vector(multiples)
    return make("Tile", (x, multiples), name=name)


# ---- reversing each sequence by its length -----------------------------------------------

def _reverse_sequence_axes(ndims, seq_axis, batch_axis):
    """``(seq_axis, batch_axis)`` made non-negative for a tensor of rank ``ndims``."""
    seq = normalize_axis(seq_axis, ndims, "reverse_sequence")
    batch = normalize_axis(batch_axis, ndims, "reverse_sequence")
    if seq == batch:
        raise ValueError(f"reverse_sequence: seq_axis and batch_axis must differ, both are "
                         f"{seq}")
    return seq, batch


def _reverse_sequence_infer(inputs, attrs):
    x, lengths = inputs
    if not lengths.dtype.is_integer or lengths.shape.ndims not in (None, 1):
        raise ValueError(f"reverse_sequence: seq_lengths must be a 1-D integer tensor, got "
                         f"{lengths.dtype.name} of shape {lengths.shape}")
    if x.shape.ndims is not None:
        _, batch = _reverse_sequence_axes(x.shape.ndims, attrs["seq_axis"], attrs["batch_axis"])
        n = lengths.shape.dims[0] if lengths.shape.dims else None
        size = x.shape.dims[batch]
        if n is not None and size is not None and n != size:
            raise ValueError(f"reverse_sequence: seq_lengths has {n} entries, but the batch "
                             f"axis {batch} of the input has size {size}")
    return x.dtype, x.shape


def _reverse_sequence_kernel(x, lengths, seq_axis, batch_axis):
    """Reverses the first ``lengths[b]`` entries along the sequence axis of each batch row."""
    seq, batch = _reverse_sequence_axes(x.ndim, seq_axis, batch_axis)
    moved = np.moveaxis(x, (batch, seq), (0, 1))
    if len(lengths) != moved.shape[0] or np.any(lengths > moved.shape[1]) \
            or np.any(lengths < 0):
        raise ValueError(f"reverse_sequence: seq_lengths {lengths.tolist()} do not fit an "
                         f"input of shape {x.shape} (batch axis {batch}, seq axis {seq})")
    out = moved.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = moved[b, :n][::-1]
    return np.moveaxis(out, (0, 1), (batch, seq))


def _reverse_sequence_grad(op, g):
    """Reversing by length is its own inverse, so the gradient is reversed back."""
    return [make("ReverseSequence", (g, op.inputs[1]), dict(op.attrs)), None]


define_op("ReverseSequence", infer=_reverse_sequence_infer, kernel=_reverse_sequence_kernel,
          grad=_reverse_sequence_grad)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None,  # noqa: A002
                     seq_dim=None, batch_dim=None):
    """Reverses, in each slice along ``batch_axis`` (default 0), the first
    ``seq_lengths[i]`` entries along ``seq_axis``; the rest are unchanged.

    ``seq_dim`` and ``batch_dim`` are TF1's older names for the two axes.
    """
    seq_axis = deprecated_alias("seq_axis", seq_axis, "seq_dim", seq_dim)
    batch_axis = deprecated_alias("batch_axis", batch_axis, "batch_dim", batch_dim)
    if seq_axis is None:
        raise ValueError("reverse_sequence: seq_axis is required")
    x = convert_to_tensor(input)
    with x.graph.as_default():
        lengths = convert_to_tensor(seq_lengths)
    attrs = {"seq_axis": int(seq_axis), "batch_axis": int(batch_axis or 0)}
    return make("ReverseSequence", (x, lengths), attrs, name=name)
