"""Tensor element types with TensorFlow 1.x names.

A DType wraps one numpy dtype so kernels can use numpy directly while user code keeps
TF1's spelling (``tf.float32``, ``dtype.is_floating``, ``dtype.as_numpy_dtype``).
"""

import numpy as np


class DType:
    """One element type; instances are interned, so ``is`` and ``==`` agree."""

    __slots__ = ("name", "np_dtype")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)

    @property
    def as_numpy_dtype(self):
        return self.np_dtype.type

    @property
    def base_dtype(self):
        return self

    @property
    def is_floating(self):
        return self.np_dtype.kind == "f"

    @property
    def is_integer(self):
        return self.np_dtype.kind in "iu"

    @property
    def is_unsigned(self):
        return self.np_dtype.kind == "u"

    @property
    def is_bool(self):
        return self.np_dtype.kind == "b"

    @property
    def is_numeric(self):
        return self.np_dtype.kind in "iuf"

    @property
    def size(self):
        return self.np_dtype.itemsize

    @property
    def min(self):
        return np.finfo(self.np_dtype).min if self.is_floating else np.iinfo(self.np_dtype).min

    @property
    def max(self):
        return np.finfo(self.np_dtype).max if self.is_floating else np.iinfo(self.np_dtype).max

    def __eq__(self, other):
        if other is None:
            return False
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"tf.{self.name}"

    def __reduce__(self):
        return (as_dtype, (self.name,))


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
bool = DType("bool", np.bool_)  # noqa: A001 - TF1's public name
string = DType("string", np.object_)
half = float16
double = float64

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, bool, string)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, double=float64, float=float32, int=int32)
_BY_NUMPY = {d.np_dtype: d for d in _ALL}


def as_dtype(value):
    """Converts a DType, numpy dtype, Python type or name to the interned DType."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    if value is float:
        return float32
    if value is int:
        return int32
    try:
        found = _BY_NUMPY.get(np.dtype(value))
    except TypeError:
        found = None
    if found is None:
        raise TypeError(f"Cannot convert {value!r} to a graphflow DType.")
    return found


def infer_dtype(value):
    """The dtype TF1 gives a Python or numpy value converted to a tensor."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        if value.dtype.kind == "U" or value.dtype.kind == "S":
            return string
        return as_dtype(value.dtype)
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        return float32
    if arr.dtype.kind in "iu":
        return int32
    if arr.dtype.kind == "b":
        return bool
    if arr.dtype.kind in "USO":
        return string
    return as_dtype(arr.dtype)
