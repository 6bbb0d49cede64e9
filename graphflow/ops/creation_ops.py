"""Tensors made from sizes and endpoints: ``range``, ``linspace`` and ``eye``.

Each is an op whose static shape is known whenever its size arguments are constants, so
graphs built on them keep fully known shapes. array_ops re-exports the builders, so
``tf.range`` and ``array_ops.range`` keep working.
"""

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Tensor
from .constant_ops import constant, constant_value, convert_to_tensor
from .op_utils import float_dtype, graph_of, make, same_dtype, static_value, tensor_pair
from .registry import define_op

__all__ = ["range", "linspace", "lin_space", "eye"]

_RANGE_DTYPES = (_dtypes.int32, _dtypes.int64, _dtypes.float32, _dtypes.float64)


def _range_length(start, limit, delta):
    """TF's Range size, with its errors (an empty range needs start == limit)."""
    if delta == 0:
        raise ValueError("range: delta must not be 0")
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise ValueError(
            f"range: requires start <= limit when delta > 0 and start >= limit when delta "
            f"< 0, got start={start}, limit={limit}, delta={delta}")
    return int(np.ceil((limit - start) / delta))


def _range_infer(inputs, attrs):
    dtype = same_dtype("range", list(inputs))
    if dtype not in _RANGE_DTYPES:
        raise TypeError(f"range: unsupported dtype {dtype.name}")
    for t, what in zip(inputs, ("start", "limit", "delta"), strict=True):
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"range: {what} must be a scalar, got shape {t.shape}")
    values = [constant_value(t) for t in inputs]
    if any(v is None for v in values):
        return dtype, [None]
    return dtype, [_range_length(*(v.item() for v in values))]


def _range_kernel(start, limit, delta):
    _range_length(start.item(), limit.item(), delta.item())
    return np.arange(start.item(), limit.item(), delta.item(), dtype=start.dtype)


define_op("Range", infer=_range_infer, kernel=_range_kernel)


def _as_scalar(value, dtype):
    if isinstance(value, Tensor):
        from .math_ops import cast  # math_ops imports array_ops, which imports this module

        return cast(value, dtype)
    return constant(value, dtype=dtype)


def _range_dtype(args):
    found = [a.dtype if isinstance(a, Tensor) else _dtypes.infer_dtype(a) for a in args]
    for d in found:
        if d not in _RANGE_DTYPES:
            raise TypeError(f"range: unsupported dtype {d.name}")
    return max(found, key=_RANGE_DTYPES.index)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF1's name
    """``[start, start + delta, ...)`` up to ``limit``; ``range(n)`` counts from 0.

    Without ``dtype`` the widest argument type wins in int32 < int64 < float32 < float64,
    so ``range(5)`` is int32 and ``range(0.5)`` float32, as in TF.
    """
    if limit is None:
        start, limit = 0, start
    args = (start, limit, delta)
    dtype = _range_dtype(args) if dtype is None else _dtypes.as_dtype(dtype)
    with graph_of(*args).as_default():
        tensors = tuple(_as_scalar(a, dtype) for a in args)
    return make("Range", tensors, name=name)


def _linspace_infer(inputs, attrs):
    start, stop, num = inputs
    dtype = float_dtype("linspace", [start, stop])
    if not num.dtype.is_integer:
        raise TypeError(f"linspace: num must be an integer, got {num.dtype.name}")
    n = constant_value(num)
    if n is not None and int(n) <= 0:
        raise ValueError(f"linspace: num must be positive, got {int(n)}")
    return dtype, [None if n is None else int(n)]


def _linspace_kernel(start, stop, num):
    if num <= 0:
        raise ValueError(f"linspace: num must be positive, got {num}")
    return np.linspace(start, stop, int(num), dtype=start.dtype)


define_op("LinSpace", infer=_linspace_infer, kernel=_linspace_kernel)


def linspace(start, stop, num, name=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    start, stop = tensor_pair(start, stop)
    with start.graph.as_default():
        num = convert_to_tensor(num, preferred_dtype=_dtypes.int32)
    return make("LinSpace", (start, stop, num), name=name)


lin_space = linspace


def _eye_infer(inputs, attrs):
    dims = []
    for t in inputs:
        if not t.dtype.is_integer or t.shape.ndims not in (None, 0):
            raise TypeError(f"eye: sizes must be integer scalars, got {t.dtype.name} {t.shape}")
        value = constant_value(t)
        dims.append(None if value is None else int(value))
    return attrs["dtype"], list(attrs["batch_shape"]) + dims


def _eye_kernel(num_rows, num_columns, batch_shape, dtype):
    matrix = np.eye(int(num_rows), int(num_columns), dtype=dtype.np_dtype)
    return np.array(np.broadcast_to(matrix, tuple(batch_shape) + matrix.shape))


define_op("Eye", infer=_eye_infer, kernel=_eye_kernel)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dtypes.float32, name=None):
    """Identity matrices ``[*batch_shape, num_rows, num_columns]`` (square by default)."""
    if num_columns is None:
        num_columns = num_rows
    batch = () if batch_shape is None else tuple(
        int(d) for d in np.asarray(static_value(batch_shape, "eye: batch_shape")).reshape(-1))
    with graph_of(num_rows, num_columns).as_default():
        rows, cols = (convert_to_tensor(n, preferred_dtype=_dtypes.int32)
                      for n in (num_rows, num_columns))
    attrs = {"batch_shape": batch, "dtype": _dtypes.as_dtype(dtype)}
    return make("Eye", (rows, cols), attrs, name=name)
