"""DType conversion and properties; Dimension, TensorShape and static broadcasting."""

import pickle

import numpy as np
import pytest

import graphflow as gf
from graphflow import dtypes
from graphflow.shapes import (
    Dimension,
    TensorShape,
    as_dimension,
    as_shape,
    broadcast_shape,
    dimension_value,
    scalar,
    unknown_shape,
)

# ---- dtypes ------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("float32", dtypes.float32), ("float", dtypes.float32), ("half", dtypes.float16),
    ("double", dtypes.float64), ("int32", dtypes.int32), ("uint8", dtypes.uint8),
    ("bool", dtypes.bool), ("string", dtypes.string), ("complex", dtypes.complex128),
    (np.float32, dtypes.float32), (np.dtype("int64"), dtypes.int64), (np.bool_, dtypes.bool),
    (np.dtype("<U3"), dtypes.string), (np.uint64, dtypes.uint64), (np.object_, dtypes.string),
    (float, dtypes.float32), (int, dtypes.int32), (bool, dtypes.bool), (str, dtypes.string),
    (complex, dtypes.complex128), (1, dtypes.float32), (9, dtypes.int64),
    (np.zeros(2, np.int16), dtypes.int16), (dtypes.float64, dtypes.float64),
])
def test_as_dtype_conversions(value, expected):
    assert dtypes.as_dtype(value) is expected
    assert gf.as_dtype(value) is expected


@pytest.mark.parametrize("value", ["float31", 99, np.dtype("datetime64[s]"), [1], None])
def test_as_dtype_rejects_unknown_values(value):
    with pytest.raises(TypeError, match="Cannot convert"):
        dtypes.as_dtype(value)


def test_dtype_predicates():
    table = {
        # dtype: (floating, integer, unsigned, bool, complex, numeric)
        dtypes.float16: (True, False, False, False, False, True),
        dtypes.float64: (True, False, False, False, False, True),
        dtypes.int8: (False, True, False, False, False, True),
        dtypes.uint16: (False, True, True, False, False, True),
        dtypes.bool: (False, False, False, True, False, False),
        dtypes.complex64: (False, False, False, False, True, True),
        dtypes.string: (False, False, False, False, False, False),
    }
    for dtype, flags in table.items():
        got = (dtype.is_floating, dtype.is_integer, dtype.is_unsigned, dtype.is_bool,
               dtype.is_complex, dtype.is_numeric)
        assert got == flags, dtype


def test_dtype_limits_sizes_and_numpy_types():
    assert dtypes.int8.limits == (-128, 127) and dtypes.uint8.min == 0
    assert dtypes.float32.max == np.finfo(np.float32).max
    assert dtypes.int64.size == 8 and dtypes.float16.size == 2
    assert dtypes.float32.as_numpy_dtype is np.float32
    assert dtypes.string.as_numpy_dtype is np.object_
    assert dtypes.complex64.real_dtype is dtypes.float32
    assert dtypes.int32.real_dtype is dtypes.int32
    assert dtypes.float32.base_dtype is dtypes.float32
    assert dtypes.float32.as_datatype_enum == 1 and dtypes.half is dtypes.float16
    for bad in (dtypes.bool, dtypes.string):
        with pytest.raises(TypeError, match="Cannot find minimum"):
            bad.min  # noqa: B018


def test_dtype_equality_hashing_and_printing():
    assert dtypes.float32 == "float32" and dtypes.float32 == np.float32
    assert dtypes.float32 != dtypes.float64 and dtypes.float32 != "nonsense"
    assert not dtypes.float32 == None  # noqa: E711 - checks __eq__ with None
    assert {dtypes.float32: 1}[gf.float32] == 1
    assert dtypes.int32.is_compatible_with("int32")
    assert repr(dtypes.int32) == "tf.int32" and str(dtypes.int32) == "<dtype: 'int32'>"
    assert pickle.loads(pickle.dumps(dtypes.uint8)) is dtypes.uint8


@pytest.mark.parametrize("value, expected", [
    (1.5, dtypes.float32), ([1, 2], dtypes.int32), (2**31, dtypes.int64),
    ([1, -2**40], dtypes.int64), (True, dtypes.bool), ("a", dtypes.string),
    ([b"a"], dtypes.string), (1j, dtypes.complex128), ([], dtypes.float32),
    (np.float64(1), dtypes.float64), (np.arange(3, dtype=np.uint8), dtypes.uint8),
    (np.array(["x"]), dtypes.string),
])
def test_infer_dtype_follows_tf1(value, expected):
    assert dtypes.infer_dtype(value) is expected


def test_constants_use_inferred_dtypes():
    assert gf.constant(2**33).dtype == gf.int64 and gf.constant(3).dtype == gf.int32
    assert gf.constant(np.float64(1.0)).dtype == gf.float64


# ---- Dimension ---------------------------------------------------------------------------

def test_dimension_basics():
    d = Dimension(3)
    assert d.value == 3 and int(d) == 3 and [0, 1, 2, 3][d] == 3
    assert Dimension(Dimension(4)).value == 4 and Dimension(np.int64(2)).value == 2
    assert Dimension(2.0).value == 2
    assert Dimension(None).value is None
    assert str(Dimension(None)) == "?" and repr(d) == "Dimension(3)" and str(d) == "3"
    with pytest.raises(ValueError, match="unknown Dimension"):
        int(Dimension(None))
    with pytest.raises(ValueError, match=">= 0"):
        Dimension(-2)
    with pytest.raises(ValueError, match="Ambiguous"):
        Dimension(2.5)


def test_dimension_arithmetic_and_comparisons_with_unknown():
    d, u = Dimension(6), Dimension(None)
    assert (d + 1).value == 7 and (1 + d).value == 7 and (d - 2).value == 4
    assert (10 - d).value == 4 and (d * 2).value == 12 and (2 * d).value == 12
    assert (d // 4).value == 1 and (13 // d).value == 2 and (d % 4).value == 2
    for value in (d + u, u * 2, 3 - u, u // d):
        assert value.value is None
    assert d == 6 and d != 5 and d == Dimension(6)
    assert (d == u) is None and (u != 1) is None
    assert d < 7 and d <= 6 and d > 5 and d >= 6
    assert (u < 1) is None and (d >= u) is None


def test_dimension_compatibility_and_merge():
    d, u = Dimension(3), Dimension(None)
    assert d.is_compatible_with(3) and d.is_compatible_with(u) and not d.is_compatible_with(4)
    assert u.merge_with(d).value == 3 and d.merge_with(None).value == 3
    with pytest.raises(ValueError, match="not compatible"):
        d.merge_with(4)
    d.assert_is_compatible_with(u)
    with pytest.raises(ValueError):
        d.assert_is_compatible_with(2)
    assert as_dimension(5).value == 5 and as_dimension(d) is d
    assert dimension_value(d) == 3 and dimension_value(7) == 7 and dimension_value(u) is None


# ---- TensorShape -------------------------------------------------------------------------

def test_tensor_shape_construction():
    assert TensorShape([2, None]).dims == (2, None)
    assert TensorShape((Dimension(2), Dimension(None))).dims == (2, None)
    assert TensorShape(3).dims == (3,) and TensorShape(None).dims is None
    assert TensorShape([-1, 4]).dims == (None, 4)  # -1 is accepted as 'unknown'
    assert TensorShape(TensorShape([1])).dims == (1,)
    assert as_shape([1, 2]) == TensorShape([1, 2]) and as_shape(None).dims is None
    assert scalar().dims == () and unknown_shape().dims is None
    assert unknown_shape(2).dims == (None, None)
    with pytest.raises(ValueError, match=">= 0"):
        TensorShape([-3])


def test_tensor_shape_queries():
    s = TensorShape([2, None, 3])
    assert s.ndims == 3 and s.rank == 3 and len(s) == 3
    assert s.as_list() == [2, None, 3] and not s.is_fully_defined()
    assert s.num_elements() is None and TensorShape([2, 3]).num_elements() == 6
    assert TensorShape([]).num_elements() == 1 and TensorShape([]).is_fully_defined()
    assert [d.value for d in s] == [2, None, 3]
    assert s[0].value == 2 and s[-1].value == 3 and s[1].value is None
    assert s[1:] == TensorShape([None, 3])
    u = TensorShape(None)
    assert u.ndims is None and u[0].value is None and u[1:].dims is None
    with pytest.raises(ValueError, match="unknown TensorShape"):
        u.as_list()
    with pytest.raises(ValueError):
        len(u)
    with pytest.raises(ValueError):
        iter(u)
    assert bool(TensorShape([])) and not bool(u)
    s.assert_is_compatible_with([2, 5, 3])
    TensorShape([1]).assert_is_fully_defined()
    with pytest.raises(ValueError, match="not fully defined"):
        s.assert_is_fully_defined()


def test_tensor_shape_compatibility_and_merge():
    s = TensorShape([2, None])
    assert s.is_compatible_with([2, 7]) and s.is_compatible_with(None)
    assert not s.is_compatible_with([3, 7]) and not s.is_compatible_with([2, 7, 1])
    assert s.merge_with([None, 7]) == TensorShape([2, 7])
    assert s.merge_with(None) is s and TensorShape(None).merge_with(s) == s
    with pytest.raises(ValueError, match=r"Shapes \(2, \?\) and \(3, 7\) are not compatible"):
        s.merge_with([3, 7])
    with pytest.raises(ValueError, match="incompatible"):
        s.assert_is_compatible_with([1])
    assert s.most_specific_compatible_shape([2, 5]) == TensorShape([2, None])
    assert TensorShape([1, 5]).most_specific_compatible_shape([2, 5]) == TensorShape([None, 5])
    assert s.most_specific_compatible_shape([2]).dims is None


def test_tensor_shape_rank_assertions():
    s = TensorShape([2, None])
    assert s.with_rank(2) is s and TensorShape(None).with_rank(3).dims == (None,) * 3
    assert s.with_rank_at_least(1) is s and s.with_rank_at_most(2) is s
    with pytest.raises(ValueError, match="must have rank 3"):
        s.with_rank(3)
    with pytest.raises(ValueError, match="at least 3"):
        s.with_rank_at_least(3)
    with pytest.raises(ValueError, match="at most 1"):
        s.with_rank_at_most(1)
    with pytest.raises(ValueError, match="rank 1"):
        s.assert_has_rank(1)
    s.assert_has_rank(2)
    TensorShape(None).assert_same_rank(s)
    with pytest.raises(ValueError, match="same rank"):
        s.assert_same_rank([1])


def test_tensor_shape_concatenation_equality_and_printing():
    s = TensorShape([2, None])
    assert s.concatenate([3]) == TensorShape([2, None, 3]) == s + [3]
    assert [1] + s == TensorShape([1, 2, None])
    assert s.concatenate(None).dims is None
    assert s == [2, None] and s != [2, 3] and hash(s) == hash(TensorShape([2, None]))
    assert str(s) == "(2, ?)" and str(TensorShape([4])) == "(4,)" and str(scalar()) == "()"
    assert str(TensorShape(None)) == "<unknown>" and repr(s) == "TensorShape([2, None])"
    assert (s == object()) is False


def test_tensor_shapes_from_graph_tensors():
    x = gf.placeholder(gf.float32, [None, 3])
    assert x.shape[1].value == 3 and x.get_shape()[0].value is None
    assert isinstance(x.shape, gf.TensorShape) and isinstance(x.shape[0], gf.Dimension)
    x.set_shape([5, 3])
    assert x.shape.as_list() == [5, 3]
    with pytest.raises(ValueError, match="not compatible"):
        x.set_shape([4, 3])


# ---- broadcast_shape -----------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    ([2, 3], [3], [2, 3]), ([2, 1], [1, 3], [2, 3]), ([], [4, 5], [4, 5]),
    ([5, 1, 4], [3, 1], [5, 3, 4]), ([None, 3], [3], [None, 3]), ([None], [1], [None]),
    ([None], [4], [4]), ([1], [None], [None]), ([None], [None], [None]),
    ([None, 1], [2, 5], [2, 5]), (None, [2], None), ([0], [1], [0]), ([0], [0], [0]),
])
def test_broadcast_shape(a, b, expected):
    for x, y in ((a, b), (b, a)):
        out = broadcast_shape(TensorShape(x), TensorShape(y))
        assert out.dims == (None if expected is None else tuple(expected))
        assert broadcast_shape(x, y) == out  # plain lists are accepted too


@pytest.mark.parametrize("a, b", [([2, 3], [4]), ([2, 1], [3, 3]), ([0], [2])])
def test_broadcast_shape_errors_name_both_shapes(a, b):
    with pytest.raises(ValueError) as err:
        broadcast_shape(TensorShape(a), TensorShape(b))
    assert str(TensorShape(a)) in str(err.value) and str(TensorShape(b)) in str(err.value)
