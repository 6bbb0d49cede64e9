"""Constants, placeholders, and conversion of Python values to tensors."""

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Tensor, get_default_graph
from ..shapes import TensorShape, as_shape
from .registry import define_op

__all__ = ["constant", "placeholder", "placeholder_with_default", "convert_to_tensor",
           "constant_value"]


def _const_infer(inputs, attrs):
    return attrs["dtype"], TensorShape(attrs["value"].shape)


def _const_kernel(value, dtype):
    return value


define_op("Const", infer=_const_infer, kernel=_const_kernel, cost=0.0)


def _placeholder_infer(inputs, attrs):
    return attrs["dtype"], attrs["shape"]


def _placeholder_kernel(dtype, shape):
    # Only reached when a fed placeholder was not fed; the session reports it with the
    # placeholder's name before anything runs, so this is a safety net.
    raise ValueError("placeholder was not fed")


define_op("Placeholder", infer=_placeholder_infer, kernel=_placeholder_kernel, cost=0.0)


def _pwd_infer(inputs, attrs):
    (x,) = inputs
    shape = attrs["shape"]
    if not x.shape.is_compatible_with(shape):
        raise ValueError(f"default value of shape {x.shape} is not compatible with {shape}")
    return x.dtype, shape


define_op("PlaceholderWithDefault", infer=_pwd_infer, kernel=lambda x, shape: x,
          grad=lambda op, g: [g], cost=0.0)


def _as_array(value, dtype):
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in _flat(value)):
        raise TypeError("constant() got a nested list containing Tensors; use stack()")
    try:
        arr = np.array(value, dtype=dtype.np_dtype if dtype is not None else None)
    except OverflowError:
        raise TypeError(f"Cannot convert {value!r} to a {dtype.name} tensor: the value is out "
                        f"of range for {dtype.name}") from None
    if dtype is None:
        dtype = _dtypes.infer_dtype(value)
        arr = arr.astype(dtype.np_dtype, copy=False)
    return arr, dtype


def _flat(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def constant(value, dtype=None, shape=None, name="Const"):
    """A tensor holding ``value``; with ``shape`` a scalar is filled out and others reshaped."""
    dtype = None if dtype is None else _dtypes.as_dtype(dtype)
    arr, dtype = _as_array(value, dtype)
    if shape is not None:
        shape = tuple(as_shape(shape).as_list())
        if arr.size == 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            raise TypeError(
                f"constant: value of shape {arr.shape} cannot be reshaped to {shape}"
            )
    arr = np.array(arr, copy=True)
    arr.flags.writeable = False  # kernels never write into a constant
    return get_default_graph().create_op(
        "Const", (), {"value": arr, "dtype": dtype}, name=name
    ).outputs[0]


def placeholder(dtype, shape=None, name=None):
    """A value that must be fed at run time; ``shape`` may hold None for unknown dims."""
    return get_default_graph().create_op(
        "Placeholder", (), {"dtype": _dtypes.as_dtype(dtype), "shape": as_shape(shape)},
        name=name or "Placeholder",
    ).outputs[0]


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF1's argument name
    """Returns ``input`` unless fed; feeds may have any shape compatible with ``shape``."""
    x = convert_to_tensor(input)
    return x.graph.create_op(
        "PlaceholderWithDefault", (x,), {"shape": as_shape(shape)}, name=name
    ).outputs[0]


_conversion_hooks = []  # (type, function) pairs, e.g. Variable -> its tensor


def register_tensor_conversion_function(base_type, conversion_func):
    _conversion_hooks.append((base_type, conversion_func))


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None):
    """Returns ``value`` as a Tensor of the default graph, making a constant if needed.

    A Tensor of another dtype is an error (TF1 never casts implicitly); Python numbers take
    ``dtype`` (or ``preferred_dtype``) so that ``x + 1`` keeps ``x``'s dtype.
    """
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != _dtypes.as_dtype(dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {_dtypes.as_dtype(dtype).name} for Tensor "
                f"with dtype {value.dtype.name}: {value!r}"
            )
        return value
    for base_type, fn in _conversion_hooks:
        if isinstance(value, base_type):
            return convert_to_tensor(fn(value), dtype=dtype, name=name)
    if dtype is None and preferred_dtype is not None:
        preferred = _dtypes.as_dtype(preferred_dtype)
        if _fits(value, preferred):
            dtype = preferred
    return constant(value, dtype=dtype, name=name or "Const")


def _fits(value, dtype):
    """Whether a Python/numpy value converts to ``dtype`` without changing kind (TF1 casts
    ``np.ones(3)`` to float32 in ``x_float32 + np.ones(3)``, but never floats to ints)."""
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        return dtype.is_floating
    if arr.dtype.kind in "iu":
        return dtype.is_numeric
    if arr.dtype.kind == "b":
        return dtype.is_bool
    return False


_MAX_STATIC_ELEMENTS = 1024  # constant_value evaluates small shape arithmetic, not data
_MAX_STATIC_DEPTH = 32  # ... through a few ops, not arbitrarily long chains


def constant_value(tensor, _depth=0):
    """The value of ``tensor`` if it is known while building the graph, else None.

    Used by shape inference (a reshape whose shape is a constant gets a static shape) and
    by builders that accept either Python values or tensors. Besides constants and the
    shape of statically shaped tensors, any small pure op whose inputs are all known is
    evaluated through its own kernel, so ``reshape(y, [shape(x)[0], -1])`` stays static.
    """
    if not isinstance(tensor, Tensor):
        return np.asarray(tensor)
    op = tensor.op
    if op.type == "Const":
        return op.attrs["value"]
    if op.type == "Shape" and op.inputs[0].shape.is_fully_defined():
        return np.array(op.inputs[0].shape.as_list(), dtype=tensor.dtype.np_dtype)
    if op.type == "Size" and op.inputs[0].shape.is_fully_defined():
        return np.array(op.inputs[0].shape.num_elements(), dtype=tensor.dtype.np_dtype)
    if op.type == "Rank" and op.inputs[0].shape.ndims is not None:
        return np.array(op.inputs[0].shape.ndims, dtype=tensor.dtype.np_dtype)
    return _evaluate_small(tensor, _depth)


def _evaluate_small(tensor, depth):
    op = tensor.op
    d = op.op_def
    if (depth >= _MAX_STATIC_DEPTH or d.stateful or d.needs_state
            or op.type in ("Placeholder", "PlaceholderWithDefault")):
        return None
    if any(t.shape.num_elements() is None or t.shape.num_elements() > _MAX_STATIC_ELEMENTS
           for t in op.inputs + tuple(op.outputs)):
        return None
    values = [constant_value(t, depth + 1) for t in op.inputs]
    if any(v is None for v in values):
        return None
    attrs = {k: v for k, v in op.attrs.items() if not k.startswith("_")}
    try:
        out = d.kernel(*values, **attrs)
    except Exception:  # noqa: BLE001 - not evaluable now; the run will report the error
        return None
    out = out[tensor.value_index] if len(op.outputs) > 1 else out
    return np.asarray(out, dtype=tensor.dtype.np_dtype)


def constant_shape(tensor):
    """A TensorShape from a 1-D shape tensor, with unknown entries where not static.

    A ``Pack`` of scalars (``tf.stack([batch, 10])``) gives the known entries even when
    some are computed at run time.
    """
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in np.asarray(value).reshape(-1)])
    if tensor.op.type == "Pack" and tensor.op.attrs.get("axis", 0) == 0:
        dims = []
        for t in tensor.op.inputs:
            v = constant_value(t)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape(dims)
    if tensor.op.type == "Shape":
        return tensor.op.inputs[0].shape
    n = tensor.shape.dims[0] if tensor.shape.dims else None
    return TensorShape(None if n is None else [None] * n)
