"""Array ops: shape queries, reshaping, filling, creation, transpose, concat/split, tile:
kernels against numpy, static shapes (incl. unknown dims), gradients.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphflow as gf
from tests.helpers import check_gradient, check_op, evaluate, hidden_dims

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape)


# ---- shape, size, rank, reshape ----------------------------------------------------------

def test_shape_size_rank():
    x = rand(2, 3, 4)
    check_op(gf.shape, [x], lambda a: np.array(a.shape, np.int32))
    check_op(lambda t: gf.shape(t, out_type=gf.int64), [x], lambda a: np.array(a.shape))
    check_op(gf.size, [x], lambda a: np.array(a.size, np.int32))
    check_op(gf.rank, [x], lambda a: np.array(a.ndim, np.int32))
    p = gf.placeholder(gf.float32, [None, 3])
    assert gf.shape(p).shape.as_list() == [2] and gf.size(p).shape.as_list() == []


def test_reshape_inference_and_errors():
    x = gf.placeholder(gf.float32, [None, 4])
    assert gf.reshape(x, [-1, 2]).shape.as_list() == [None, 2]
    assert gf.reshape(gf.zeros([3, 4]), [-1, 6]).shape.as_list() == [2, 6]
    assert gf.reshape(x, gf.stack([gf.shape(x)[0], 2, 2])).shape.as_list() == [None, 2, 2]
    with pytest.raises(ValueError, match="at most one"):
        gf.reshape(x, [-1, -1])
    with pytest.raises(ValueError, match="cannot reshape"):
        gf.reshape(gf.zeros([3, 4]), [5, -1])
    check_op(lambda t: gf.reshape(t, [2, -1]), [rand(4, 3)], lambda a: a.reshape(2, -1))


def test_reshape_expand_squeeze_gradients():
    x = rand(2, 1, 3)
    check_gradient(lambda t: gf.reshape(t, [3, 2]), [x])
    check_gradient(hidden_dims(lambda t: gf.reshape(t, [-1]), [6]), [x])
    check_gradient(lambda t: gf.expand_dims(t, -1), [x])
    check_gradient(hidden_dims(lambda t: gf.expand_dims(t, 1), [2, 1, 1, 3]), [x])
    check_gradient(lambda t: gf.squeeze(t, [1]), [x])
    check_gradient(hidden_dims(lambda t: gf.squeeze(t), [2, 3]), [x])


def test_expand_dims_and_squeeze():
    x = rand(1, 3, 1)
    check_op(lambda t: gf.expand_dims(t, 0), [x], lambda a: a[None])
    check_op(lambda t: gf.expand_dims(t, dim=-1), [x], lambda a: a[..., None])
    check_op(gf.squeeze, [x], np.squeeze)
    check_op(lambda t: gf.squeeze(t, [-1]), [x], lambda a: a[..., 0])
    check_op(lambda t: gf.squeeze(t, squeeze_dims=[0]), [x], lambda a: a[0])
    p = gf.placeholder(gf.float32, [None, 1, 3])
    assert gf.squeeze(p, [1]).shape.as_list() == [None, 3]
    assert gf.squeeze(p).shape.dims is None  # the unknown dim may be 1
    assert gf.squeeze(gf.zeros([1, 3, 1])).shape.as_list() == [3]
    with pytest.raises(ValueError, match="cannot squeeze axis 2"):
        gf.squeeze(p, [2])
    with pytest.raises(gf.errors.InvalidArgumentError):
        evaluate(gf.squeeze(p, [0]), {p: np.zeros((2, 1, 3))})


def test_broadcast_to_identity_stop_gradient():
    x = rand(3, 1)
    check_op(lambda t: gf.broadcast_to(t, [2, 3, 4]), [x], lambda a: np.broadcast_to(a, (2, 3, 4)))
    check_gradient(lambda t: gf.broadcast_to(t, [2, 3, 4]), [x])
    check_gradient(hidden_dims(lambda t: gf.broadcast_to(t, [2, 3, 4]), [2, 3, 4]), [x])
    p = gf.placeholder(gf.float32, [None, 1])
    assert gf.broadcast_to(p, [2, 3, 4]).shape.as_list() == [2, 3, 4]
    check_op(gf.identity, [x], lambda a: a)
    check_gradient(gf.identity, [x])
    t = gf.placeholder(gf.float32, [3])
    assert gf.gradients(gf.reduce_sum(gf.stop_gradient(t) * t), [t])[0] is not None
    assert gf.gradients(gf.reduce_sum(gf.stop_gradient(t)), [t]) == [None]


# ---- filling ---------------------------------------------------------------------------------

def test_zeros_ones_fill_and_likes():
    n = gf.placeholder(gf.int32, [])
    z = gf.zeros([n, 3], dtype=gf.int64)
    assert z.dtype == gf.int64 and z.shape.as_list() == [None, 3]
    np.testing.assert_array_equal(evaluate(z, {n: 2}), np.zeros((2, 3), np.int64))
    assert evaluate(gf.ones(2)).tolist() == [1.0, 1.0]
    assert gf.ones((2, 3), gf.bool).dtype == gf.bool
    check_op(lambda v: gf.fill([2, 2], v), [np.float32(1.5)], lambda v: np.full((2, 2), v))
    check_gradient(lambda v: gf.fill([2, 3], v), [np.array(0.5)])
    x = rand(2, 3)
    check_op(gf.zeros_like, [x], np.zeros_like)
    check_op(gf.ones_like, [x], np.ones_like)
    check_op(lambda t: gf.ones_like(t, dtype=gf.int32), [x], lambda a: np.ones(a.shape, np.int32))


# ---- range, linspace, eye, meshgrid --------------------------------------------------------

def test_range_values_and_dtypes():
    cases = [((5,), np.arange(5, dtype=np.int32)), ((2, 9, 3), np.arange(2, 9, 3, dtype=np.int32)),
             ((5, 1, -2), np.arange(5, 1, -2, dtype=np.int32)),
             ((1, 2.0, 0.25), np.arange(1, 2, 0.25, dtype=np.float32)),
             ((0, 0), np.zeros(0, np.int32))]
    for args, ref in cases:
        r = gf.range(*args)
        assert r.dtype == gf.as_dtype(ref.dtype) and r.shape.as_list() == [len(ref)]
        np.testing.assert_array_equal(evaluate(r), ref)
    for args in [(2, 9, 3), (5.0, 1.0, -0.5)]:
        arrays = [np.asarray(a, np.int32 if isinstance(a, int) else np.float32) for a in args]
        check_op(gf.range, arrays, lambda *a: np.arange(*a, dtype=a[0].dtype))
        check_op(gf.range, arrays, lambda *a: np.arange(*a, dtype=a[0].dtype), feed=False)
    assert gf.range(3, dtype=gf.float64).dtype == gf.float64
    assert gf.range(gf.constant(4, gf.int64)).dtype == gf.int64
    limit = gf.placeholder(gf.int32, [])
    r = gf.range(limit)
    assert r.shape.as_list() == [None]
    np.testing.assert_array_equal(evaluate(r, {limit: 3}), [0, 1, 2])
    with pytest.raises(ValueError, match="delta must not be 0"):
        gf.range(0, 5, 0)
    with pytest.raises(ValueError, match="requires start <= limit"):
        gf.range(5, 1)
    with pytest.raises(gf.errors.InvalidArgumentError, match="requires start"):
        evaluate(gf.range(limit), {limit: -1})


def test_linspace_and_eye():
    got = gf.linspace(0.0, 1.0, 5)
    assert got.shape.as_list() == [5] and got.dtype == gf.float32
    np.testing.assert_allclose(evaluate(got), np.linspace(0, 1, 5), rtol=1e-6)
    np.testing.assert_allclose(evaluate(gf.lin_space(gf.constant(2.0, gf.float64), -1.0, 4)),
                               np.linspace(2, -1, 4))
    check_op(lambda a, b: gf.linspace(a, b, 7), [np.float32(-1), np.float32(2)],
             lambda a, b: np.linspace(a, b, 7, dtype=np.float32))
    with pytest.raises(ValueError, match="positive"):
        gf.linspace(0.0, 1.0, 0)
    check_op(lambda n, m: gf.eye(n, m, batch_shape=[2]), [np.int32(3), np.int32(2)],
             lambda n, m: np.broadcast_to(np.eye(n, m, dtype=np.float32), (2, n, m)))
    np.testing.assert_array_equal(evaluate(gf.eye(3)), np.eye(3, dtype=np.float32))
    e = gf.eye(2, 3, batch_shape=[4], dtype=gf.int32)
    assert e.shape.as_list() == [4, 2, 3] and e.dtype == gf.int32
    np.testing.assert_array_equal(evaluate(e), np.broadcast_to(np.eye(2, 3), (4, 2, 3)))
    n = gf.placeholder(gf.int32, [])
    assert gf.eye(n).shape.as_list() == [None, None]
    np.testing.assert_array_equal(evaluate(gf.eye(n), {n: 2}), np.eye(2))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    a, b, c = rand(3), rand(4), rand(2)
    check_op(lambda x, y, z: gf.meshgrid(x, y, z, indexing=indexing), [a, b, c],
             lambda x, y, z: np.meshgrid(x, y, z, indexing=indexing))
    out_shape = [4, 3] if indexing == "xy" else [3, 4]
    check_gradient(lambda x, y: gf.meshgrid(x, y, indexing=indexing), [a, b])
    check_gradient(hidden_dims(lambda x, y: gf.meshgrid(x, y, indexing=indexing)[0],
                               out_shape), [a, b], wrt=[0])


# ---- transpose ---------------------------------------------------------------------------------

def test_transpose():
    x = rand(2, 3, 4)
    check_op(gf.transpose, [x], np.transpose)
    check_op(lambda t: gf.transpose(t, [1, 0, 2]), [x], lambda a: a.transpose(1, 0, 2))
    check_op(lambda t: gf.transpose(t, conjugate=True), [rand(2, 3)], np.transpose)
    p = gf.placeholder(gf.float32, [None, 3, 4])
    assert gf.transpose(p, [2, 0, 1]).shape.as_list() == [4, None, 3]
    assert gf.transpose(p).shape.as_list() == [4, 3, None]
    with pytest.raises(ValueError, match="not a permutation"):
        gf.transpose(p, [0, 0, 1])
    check_gradient(lambda t: gf.transpose(t, [2, 0, 1]), [x])
    check_gradient(hidden_dims(gf.transpose, [4, 3, 2]), [x])


# ---- stack, unstack, concat, split -------------------------------------------------------

def test_stack_unstack():
    a, b = rand(2, 3), rand(2, 3)
    check_op(lambda x, y: gf.stack([x, y], axis=1), [a, b], lambda x, y: np.stack([x, y], 1))
    check_op(lambda x: gf.unstack(x, num=3, axis=-1), [a], lambda x: list(np.moveaxis(x, -1, 0)))
    check_op(lambda x: gf.unstack(x, num=1), [rand(1, 3)], lambda x: [x[0]])
    check_gradient(lambda x, y: gf.stack([x, y], axis=-1), [a, b])
    check_gradient(lambda x: gf.unstack(x)[1], [a])  # the unused piece gets zeros
    n = gf.placeholder(gf.int64, [])
    assert gf.stack([n, 3]).dtype == gf.int64
    with pytest.raises(ValueError, match="cannot infer num"):
        gf.unstack(gf.placeholder(gf.float32, [None, 2]))
    with pytest.raises(ValueError, match="one shape"):
        gf.stack([gf.zeros([2]), gf.zeros([3])])


def test_concat_kernels_and_static_shapes():
    a, b = rand(2, 3), rand(2, 1)
    check_op(lambda x, y: gf.concat([x, y], 1), [a, b], lambda x, y: np.concatenate([x, y], 1))
    check_op(lambda x, y: gf.concat([x, y], -1), [a, b], lambda x, y: np.concatenate([x, y], 1))
    check_op(lambda x: gf.concat([x, x], 0), [a], lambda x: np.concatenate([x, x]))
    check_op(lambda x: gf.concat(x, 0), [a], lambda x: x)
    p = gf.placeholder(gf.float32, [None, 3])
    q = gf.placeholder(gf.float32, [2, None])
    assert gf.concat([p, q], 0).shape.as_list() == [None, 3]
    assert gf.concat([q, gf.zeros([2, 4])], 1).shape.as_list() == [2, None]
    assert gf.concat([gf.zeros([2, 3]), gf.zeros([2, 4])], 1).shape.as_list() == [2, 7]
    with pytest.raises(ValueError, match="one rank"):
        gf.concat([p, gf.zeros([3])], 0)
    with pytest.raises(ValueError, match="dimension 1"):
        gf.concat([p, gf.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match="scalars"):
        gf.concat([gf.constant(1.0), gf.constant(2.0)], 0)


def test_concat_gradients_static_and_unknown():
    a, b, c = rand(2, 3), rand(2, 1), rand(2, 2)
    check_gradient(lambda x, y, z: gf.concat([x, y, z], 1), [a, b, c])
    check_gradient(hidden_dims(lambda x, y, z: gf.concat([x, y, z], -1), [2, 6]), [a, b, c])


def test_split_forms_and_errors():
    x = rand(6, 4)
    check_op(lambda t: gf.split(t, 3), [x], lambda a: np.split(a, 3))
    check_op(lambda t: gf.split(t, [1, -1, 2], axis=1), [x], lambda a: np.split(a, [1, 2], 1))
    check_op(lambda t: gf.split(t, gf.constant(2), axis=-1), [x], lambda a: np.split(a, 2, 1))
    p = gf.placeholder(gf.float32, [None, 4])
    parts = gf.split(p, [1, -1], axis=1)
    assert [t.shape.as_list() for t in parts] == [[None, 1], [None, 3]]
    assert [t.shape.as_list() for t in gf.split(p, 2)] == [[None, 4]] * 2
    with pytest.raises(ValueError, match="not divisible"):
        gf.split(p, 3, axis=1)
    with pytest.raises(ValueError, match="do not add up"):
        gf.split(p, [1, 2], axis=1)
    with pytest.raises(ValueError, match="one -1"):
        gf.split(p, [-1, -1], axis=1)
    with pytest.raises(gf.errors.InvalidArgumentError, match="not divisible"):
        evaluate(gf.split(p, 2), {p: np.zeros((3, 4))})
    sizes = gf.placeholder(gf.int32, [None])
    with pytest.raises(ValueError, match="pass num"):
        gf.split(p, sizes)
    got = evaluate(gf.split(p, sizes, num=2), {p: x, sizes: [4, 2]})
    np.testing.assert_allclose(got[1], x[4:], rtol=1e-6)


def test_split_gradients_with_unused_pieces():
    x = rand(6, 4)
    check_gradient(lambda t: gf.split(t, 3), [x])
    check_gradient(lambda t: gf.split(t, [1, -1], axis=1)[1], [x])
    check_gradient(hidden_dims(lambda t: gf.split(t, 2)[0], [3, 4]), [x])


# ---- tile ------------------------------------------------------------------------------------

def test_tile():
    x = rand(2, 3)
    check_op(lambda t: gf.tile(t, [2, 1]), [x], lambda a: np.tile(a, (2, 1)))
    check_op(lambda t: gf.tile(t, gf.constant([1, 3])), [x], lambda a: np.tile(a, (1, 3)))
    p = gf.placeholder(gf.float32, [None, 3])
    assert gf.tile(p, [2, 2]).shape.as_list() == [None, 6]
    m = gf.placeholder(gf.int32, [2])
    assert gf.tile(p, m).shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="one entry per dimension"):
        gf.tile(p, [2])
    check_gradient(lambda t: gf.tile(t, [3, 2]), [x])
    check_gradient(hidden_dims(lambda t: gf.tile(t, [2, 2]), [4, 6]), [x])
    with gf.Graph().as_default() as g:
        t = gf.placeholder(gf.float64, [2, 3])
        m = gf.placeholder(gf.int32, [2])
        (grad,) = gf.gradients(gf.reduce_sum(gf.tile(t, m)), [t])
        value = evaluate(grad, {t: x, m: [3, 2]}, graph=g)
    np.testing.assert_array_equal(value, np.full((2, 3), 6.0))


# ---- round trips -----------------------------------------------------------------------------

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3)


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_split_then_concat_is_identity(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    cuts = sorted(data.draw(st.lists(st.integers(0, shape[axis]), max_size=3)))
    sizes = np.diff([0] + cuts + [shape[axis]]).tolist()
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    with gf.Graph().as_default() as g:
        t = gf.placeholder(gf.float32, [None] * len(shape))
        pieces = gf.split(t, sizes, axis=axis)
        back = gf.concat(pieces, axis)
        got_pieces, got = evaluate([pieces, back], {t: x}, graph=g)
    np.testing.assert_array_equal(got, x)
    for piece, ref in zip(got_pieces, np.split(x, np.cumsum(sizes)[:-1], axis), strict=True):
        np.testing.assert_array_equal(piece, ref)


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_tile_matches_numpy_and_gradient_sums_copies(shape, data):
    multiples = data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape)))
    x = RNG.standard_normal(shape)
    with gf.Graph().as_default() as g:
        t = gf.placeholder(gf.float64, [None] * len(shape))
        y = gf.tile(t, multiples)
        (grad,) = gf.gradients(gf.reduce_sum(y), [t])
        got, got_grad = evaluate([y, grad], {t: x}, graph=g)
    np.testing.assert_array_equal(got, np.tile(x, multiples))
    np.testing.assert_allclose(got_grad, np.full(shape, float(np.prod(multiples))))
