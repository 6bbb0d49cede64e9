"""Static shapes with unknown dimensions, and the broadcasting rule on them.

Shapes are inferred once when an op is built, so every error about incompatible shapes is
raised at graph construction, where the user can still see their own line.

``TensorShape.dims`` holds plain ints and None (not Dimension objects) because every
inference rule reads it; indexing a shape gives TF1's ``Dimension`` for user code.
"""

import operator


class Dimension:
    """One static dimension; ``value`` is None when unknown (TF1's ``Dimension``).

    Arithmetic with an unknown dimension is unknown, and comparisons involving one
    return None (neither true nor false), as in TF1.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            value = _to_int(value)
            if value < 0:
                raise ValueError(f"Dimension {value} must be >= 0")
        self.value = value

    def __int__(self):
        if self.value is None:
            raise ValueError("Cannot convert an unknown Dimension to an int.")
        return self.value

    __index__ = __int__

    def is_compatible_with(self, other):
        other = as_dimension(other)
        return self.value is None or other.value is None or self.value == other.value

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {other} are not compatible")

    def merge_with(self, other):
        """The more specific of two compatible dimensions."""
        other = as_dimension(other)
        self.assert_is_compatible_with(other)
        return other if self.value is None else self

    def _binary(self, other, fn):
        other = as_dimension(other)
        if self.value is None or other.value is None:
            return None
        return fn(self.value, other.value)

    def _arith(self, other, fn):
        value = self._binary(other, fn)
        return Dimension(value)

    def __add__(self, other):
        return self._arith(other, operator.add)

    def __radd__(self, other):
        return self._arith(other, lambda a, b: b + a)

    def __sub__(self, other):
        return self._arith(other, operator.sub)

    def __rsub__(self, other):
        return self._arith(other, lambda a, b: b - a)

    def __mul__(self, other):
        return self._arith(other, operator.mul)

    def __rmul__(self, other):
        return self._arith(other, lambda a, b: b * a)

    def __floordiv__(self, other):
        return self._arith(other, operator.floordiv)

    def __rfloordiv__(self, other):
        return self._arith(other, lambda a, b: b // a)

    def __mod__(self, other):
        return self._arith(other, operator.mod)

    def __eq__(self, other):
        try:
            return self._binary(other, operator.eq)
        except (TypeError, ValueError):
            return NotImplemented

    def __ne__(self, other):
        try:
            return self._binary(other, operator.ne)
        except (TypeError, ValueError):
            return NotImplemented

    def __lt__(self, other):
        return self._binary(other, operator.lt)

    def __le__(self, other):
        return self._binary(other, operator.le)

    def __gt__(self, other):
        return self._binary(other, operator.gt)

    def __ge__(self, other):
        return self._binary(other, operator.ge)

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return f"Dimension({self.value})"

    def __str__(self):
        return "?" if self.value is None else str(self.value)


def _to_int(value):
    """``int(value)`` for ints, integral floats and numpy scalars; no silent truncation."""
    as_int = int(value)
    if as_int != value:
        raise ValueError(f"Ambiguous dimension: {value!r}")
    return as_int


def as_dimension(value):
    """``value`` as a Dimension (Dimensions are returned as they are)."""
    return value if isinstance(value, Dimension) else Dimension(value)


def dimension_value(dimension):
    """The int (or None) of a Dimension or plain value, as TF1's ``tf.dimension_value``."""
    return dimension.value if isinstance(dimension, Dimension) else dimension


class TensorShape:
    """A static shape: ``dims`` is a tuple of ints/None, or None when the rank is unknown."""

    __slots__ = ("dims",)

    def __init__(self, dims):
        if isinstance(dims, TensorShape):
            dims = dims.dims
        elif dims is not None:
            if isinstance(dims, (int, Dimension)):
                dims = (dims,)
            dims = tuple(_as_dim(d) for d in dims)
        self.dims = dims

    @property
    def ndims(self):
        return None if self.dims is None else len(self.dims)

    rank = ndims

    def is_fully_defined(self):
        return self.dims is not None and all(d is not None for d in self.dims)

    def assert_is_fully_defined(self):
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    def as_list(self):
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self.dims)

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self.dims:
            n *= d
        return n

    def is_compatible_with(self, other):
        other = as_shape(other)
        if self.dims is None or other.dims is None:
            return True
        if len(self.dims) != len(other.dims):
            return False
        pairs = zip(self.dims, other.dims, strict=True)
        return all(a is None or b is None or a == b for a, b in pairs)

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def merge_with(self, other):
        """The most specific shape compatible with both; ValueError if there is none."""
        other = as_shape(other)
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        if self.dims is None:
            return other
        if other.dims is None:
            return self
        pairs = zip(self.dims, other.dims, strict=True)
        return TensorShape([a if a is not None else b for a, b in pairs])

    def most_specific_compatible_shape(self, other):
        """The most specific shape both ``self`` and ``other`` are compatible with."""
        other = as_shape(other)
        if self.dims is None or other.dims is None or len(self.dims) != len(other.dims):
            return TensorShape(None)
        pairs = zip(self.dims, other.dims, strict=True)
        return TensorShape([a if a == b else None for a, b in pairs])

    def with_rank(self, rank):
        if self.dims is None:
            return unknown_shape(rank)
        if len(self.dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank):
        if self.dims is not None and len(self.dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank):
        if self.dims is not None and len(self.dims) > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    def assert_has_rank(self, rank):
        if self.dims is not None and len(self.dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def assert_same_rank(self, other):
        other = as_shape(other)
        if self.dims is not None and other.dims is not None and len(self.dims) != len(
                other.dims):
            raise ValueError(f"Shapes {self} and {other} must have the same rank")

    def concatenate(self, other):
        other = as_shape(other)
        if self.dims is None or other.dims is None:
            return TensorShape(None)
        return TensorShape(self.dims + other.dims)

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return as_shape(other).concatenate(self)

    def __bool__(self):
        """True when anything is known about the shape (TF1: the rank is known)."""
        return self.dims is not None

    def __len__(self):
        if self.dims is None:
            raise ValueError("Cannot take the length of a shape with unknown rank.")
        return len(self.dims)

    def __iter__(self):
        if self.dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(Dimension(d) for d in self.dims)

    def __getitem__(self, key):
        if self.dims is None:
            return TensorShape(None) if isinstance(key, slice) else Dimension(None)
        if isinstance(key, slice):
            return TensorShape(self.dims[key])
        return Dimension(self.dims[key])

    def __eq__(self, other):
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self.dims == other.dims

    def __hash__(self):
        return hash(self.dims)

    def __repr__(self):
        return f"TensorShape({None if self.dims is None else list(self.dims)})"

    def __str__(self):
        if self.dims is None:
            return "<unknown>"
        if len(self.dims) == 1:
            return f"({_dim_str(self.dims[0])},)"
        return "(" + ", ".join(_dim_str(d) for d in self.dims) + ")"


def _dim_str(d):
    return "?" if d is None else str(d)


def _as_dim(d):
    """One entry of a shape as an int or None; -1 is accepted for 'unknown'."""
    if isinstance(d, Dimension):
        return d.value
    if d is None:
        return None
    d = _to_int(d)
    if d == -1:
        return None
    return Dimension(d).value


def as_shape(shape):
    """Converts a TensorShape, list, tuple, int or None to a TensorShape."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(ndims=None):
    """A shape of unknown rank, or of rank ``ndims`` with every dimension unknown."""
    return TensorShape(None if ndims is None else [None] * ndims)


def scalar():
    """The shape of a 0-d tensor."""
    return TensorShape(())


def broadcast_shape(a, b):
    """Numpy broadcasting on static shapes; raises ValueError when the shapes cannot broadcast.

    An unknown dimension against 1 stays unknown; against a known d > 1 it must be 1 or d
    at run time, so the result is d.
    """
    a, b = as_shape(a), as_shape(b)
    if a.dims is None or b.dims is None:
        return TensorShape(None)
    x, y = a.dims, b.dims
    if len(x) < len(y):
        x, y = y, x
    y = (1,) * (len(x) - len(y)) + y
    out = []
    for p, q in zip(x, y, strict=True):
        if p == 1:
            out.append(q)
        elif q == 1:
            out.append(p)
        elif p is None:
            out.append(q)
        elif q is None or p == q:
            out.append(p)
        else:
            raise ValueError(f"Shapes {a} and {b} are incompatible for broadcasting")
    return TensorShape(out)
