"""Tensor element types with TensorFlow 1.x names.

A DType wraps one numpy dtype so kernels can use numpy directly while user code keeps
TF1's spelling (``tf.float32``, ``dtype.is_floating``, ``dtype.as_numpy_dtype``).
"""

import builtins

import numpy as np


class DType:
    """One element type; instances are interned, so ``is`` and ``==`` agree."""

    __slots__ = ("name", "np_dtype", "as_datatype_enum")

    def __init__(self, name, np_dtype, enum):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.as_datatype_enum = enum  # TF's DataType number, for serialized graphs

    @property
    def as_numpy_dtype(self):
        return self.np_dtype.type

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        """The type of the real and imaginary parts of a complex type; self otherwise."""
        return {complex64: float32, complex128: float64}.get(self, self)

    @property
    def is_floating(self):
        return self.np_dtype.kind == "f"

    @property
    def is_complex(self):
        return self.np_dtype.kind == "c"

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
        """Integer, floating or complex: the types arithmetic ops accept."""
        return self.np_dtype.kind in "iufc"

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def is_quantized(self):
        return False

    @property
    def size(self):
        return self.np_dtype.itemsize

    @property
    def min(self):
        return self._info("minimum").min

    @property
    def max(self):
        return self._info("maximum").max

    @property
    def limits(self):
        """``(min, max)`` of the type, as in TF."""
        return self.min, self.max

    def _info(self, what):
        if self.is_floating:
            return np.finfo(self.np_dtype)
        if self.is_integer:
            return np.iinfo(self.np_dtype)
        raise TypeError(f"Cannot find {what} value of {self.name}.")

    def is_compatible_with(self, other):
        return self is as_dtype(other)

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

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return (as_dtype, (self.name,))


float16 = DType("float16", np.float16, 19)
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)
bool = DType("bool", np.bool_, 10)  # noqa: A001 - TF1's public name
string = DType("string", np.object_, 7)
half = float16
double = float64

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        complex64, complex128, bool, string)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, float=float32, double=float64, complex=complex128)
_BY_ENUM = {d.as_datatype_enum: d for d in _ALL}
_BY_NUMPY = {d.np_dtype: d for d in _ALL}
# Python types, as TF maps them (``int`` follows TF's default for Python integers).
_BY_PYTHON = {builtins.float: float32, builtins.int: int32, builtins.bool: bool,
              builtins.complex: complex128, builtins.str: string, builtins.bytes: string,
              builtins.object: string}


def as_dtype(value):
    """Converts a DType, name, TF enum number, numpy dtype/type or Python type to a DType."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value)
    elif isinstance(value, builtins.int):
        found = _BY_ENUM.get(value)
    elif isinstance(value, type) and value in _BY_PYTHON:
        found = _BY_PYTHON[value]
    else:
        found = None if value is None else _from_numpy(value)
    if found is None:
        raise TypeError(f"Cannot convert {value!r} to a graphflow DType.")
    return found


def _from_numpy(value):
    """A DType for a numpy dtype, numpy scalar type, or anything with a ``dtype``."""
    if not isinstance(value, type):  # numpy scalar types have a ``dtype`` descriptor
        value = getattr(value, "dtype", value)
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        return None
    if np_dtype.kind in "US":
        return string
    return _BY_NUMPY.get(np_dtype)


_INT32 = np.iinfo(np.int32)


def infer_dtype(value):
    """The dtype TF1 gives a Python or numpy value converted to a tensor.

    numpy values keep their dtype; Python floats become float32, and Python ints int32
    unless some value does not fit, then int64 (as TF1's ``make_tensor_proto`` does).
    """
    if isinstance(value, (np.ndarray, np.generic)):
        return as_dtype(value.dtype)
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f":
        return float32
    if kind in "iu":
        fits = arr.size == 0 or (_INT32.min <= arr.min() and arr.max() <= _INT32.max)
        return int32 if fits else int64
    if kind == "c":
        return complex128
    if kind in "USO":
        return string
    return as_dtype(arr.dtype)
