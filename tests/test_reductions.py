"""Reductions, arg-reductions, scans and count_nonzero: kernels, static shapes, dtype
preservation, TF1 argument spellings, and gradients (ties, zeros, unknown dims)."""

import functools
import math

import numpy as np
import pytest

import graphflow as gf
from tests.helpers import check_gradient, check_op, evaluate

RNG = np.random.default_rng(1)
X = RNG.uniform(-2, 2, (2, 3, 4))

AXES = [None, 0, 1, -1, [0, 2], [-1, 0], [], (0, 1, 2)]

REDUCTIONS = [
    # builder, numpy reference
    (gf.reduce_sum, np.sum), (gf.reduce_mean, np.mean), (gf.reduce_max, np.max),
    (gf.reduce_min, np.min), (gf.reduce_prod, np.prod),
]
IDS = [r[0].__name__ for r in REDUCTIONS]


def np_axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


@pytest.mark.parametrize("build, reference", REDUCTIONS, ids=IDS)
def test_reduction_kernels_over_axes_and_keepdims(build, reference):
    for axis in AXES:
        for keepdims in (False, True):
            def fn(t, axis=axis, keepdims=keepdims):
                return build(t, axis=axis, keepdims=keepdims)

            def ref(a, axis=axis, keepdims=keepdims):
                return reference(a, axis=np_axis(axis), keepdims=keepdims)

            check_op(fn, [X], ref, rtol=1e-12, atol=1e-12)
            check_op(fn, [X.astype(np.float32)], ref, rtol=1e-5, atol=1e-5, feed=False)


@pytest.mark.parametrize("build, reference", REDUCTIONS, ids=IDS)
def test_reduction_static_shapes(build, reference):
    x = gf.placeholder(gf.float32, [None, 3, 4])
    assert build(x).shape.as_list() == []
    assert build(x, 1).shape.as_list() == [None, 4]
    assert build(x, [0, -1], keepdims=True).shape.as_list() == [1, 3, 1]
    assert build(x, -3).shape.as_list() == [3, 4]
    assert build(gf.placeholder(gf.float32, None), 1).shape.dims is None
    assert build(x).dtype == gf.float32


@pytest.mark.parametrize("build, reference", REDUCTIONS, ids=IDS)
def test_reduction_tf1_argument_spellings(build, reference):
    x = gf.constant(X)
    a, b = evaluate([build(x, reduction_indices=[1], keep_dims=True),
                     build(x, axis=gf.constant([1]), keepdims=True)])
    expected = reference(X, axis=1, keepdims=True)
    np.testing.assert_allclose(a, expected)
    np.testing.assert_allclose(b, expected)
    with pytest.raises(ValueError, match="both 'axis' and 'reduction_indices'"):
        build(x, axis=1, reduction_indices=1)
    with pytest.raises(ValueError, match="both 'keepdims' and 'keep_dims'"):
        build(x, keepdims=True, keep_dims=True)
    with pytest.raises(ValueError, match="out of range"):
        build(x, 3)
    with pytest.raises(TypeError, match="integers"):
        build(x, 1.0)
    with pytest.raises(ValueError, match="known when the graph is built"):
        build(x, gf.placeholder(gf.int32, []))


@pytest.mark.parametrize("build, reference", REDUCTIONS, ids=IDS)
def test_reductions_reject_bool(build, reference):
    with pytest.raises(TypeError, match="bool"):
        build(gf.constant([True]))


def test_integer_reductions_keep_dtype():
    x = np.array([[1, -4, 7], [2, 5, -9]], np.int32)
    for build, expected in [(gf.reduce_sum, [3, 1, -2]), (gf.reduce_max, [2, 5, 7]),
                            (gf.reduce_min, [1, -4, -9]), (gf.reduce_prod, [2, -20, -63])]:
        check_op(lambda t, b=build: b(t, 0), [x],
                 lambda a, e=expected: np.array(e, np.int32))
    big = np.array([2**30, 2**30], np.int32)
    check_op(gf.reduce_sum, [big], lambda a: np.int32(-2**31))  # wraps like TF's int32 sum
    check_op(gf.reduce_sum, [x.astype(np.uint8)],
             lambda a: np.uint8(sum(a.reshape(-1).tolist()) % 256))


def test_integer_mean_truncates_toward_zero():
    x = np.array([[3, 4], [-3, -4], [7, 7], [-1, 0]], np.int32)
    check_op(lambda t: gf.reduce_mean(t, 1), [x],
             lambda a: np.array([int(sum(r) / len(r)) for r in a.tolist()], np.int32))
    check_op(gf.reduce_mean, [np.array([250, 251], np.uint8)], lambda a: np.uint8(250))
    check_op(gf.reduce_mean, [np.array([1, 2], np.int64)], lambda a: np.int64(1))


def test_empty_reductions_give_identities_like_tf():
    empty = np.zeros((0, 3), np.float32)
    check_op(lambda t: gf.reduce_max(t, 0), [empty], lambda a: np.full(3, -np.inf, np.float32))
    check_op(lambda t: gf.reduce_min(t, 0), [empty], lambda a: np.full(3, np.inf, np.float32))
    check_op(lambda t: gf.reduce_min(t, 1), [empty], lambda a: np.zeros(0, np.float32))
    check_op(gf.reduce_max, [empty.astype(np.int32)], lambda a: np.int32(-2**31))
    check_op(lambda t: gf.reduce_sum(t, 0), [empty], lambda a: np.zeros(3, np.float32))
    check_op(lambda t: gf.reduce_prod(t, 0), [empty], lambda a: np.ones(3, np.float32))
    check_op(gf.reduce_any, [np.zeros(0, bool)], lambda a: np.False_)
    check_op(gf.reduce_all, [np.zeros(0, bool)], lambda a: np.True_)


def test_float16_mean_accumulates_accurately():
    x = np.full(4096, 0.1, np.float16)
    check_op(gf.reduce_mean, [x], lambda a: np.float16(0.1), rtol=1e-3)


def test_any_all():
    x = np.array([[True, False, True], [False, False, True]])
    for build, fn in [(gf.reduce_any, any), (gf.reduce_all, all)]:
        check_op(lambda t, b=build: b(t, 1), [x],
                 lambda a, f=fn: np.array([f(r) for r in a.tolist()]))
        check_op(lambda t, b=build: b(t, [0], keepdims=True), [x],
                 lambda a, f=fn: np.array([[f(c) for c in a.T.tolist()]]))
        check_op(build, [x], lambda a, f=fn: np.bool_(f(a.reshape(-1).tolist())))
        with pytest.raises(TypeError, match="bool"):
            build(gf.constant([1.0]))


# ---- gradients ---------------------------------------------------------------------------

GRAD_AXES = [None, 1, [0, 2], -1, []]


@pytest.mark.parametrize("build", [gf.reduce_sum, gf.reduce_mean, gf.reduce_max,
                                   gf.reduce_min, gf.reduce_prod], ids=IDS)
def test_reduction_gradients(build):
    x = RNG.permutation(np.linspace(0.5, 1.5, 24)).reshape(2, 3, 4)  # distinct, nonzero
    for axis in GRAD_AXES:
        for keepdims in (False, True):
            check_gradient(lambda t, a=axis, k=keepdims: build(t, a, keepdims=k), [x])


@pytest.mark.parametrize("build", [gf.reduce_sum, gf.reduce_mean, gf.reduce_max,
                                   gf.reduce_min, gf.reduce_prod], ids=IDS)
def test_reduction_gradients_with_unknown_dims_and_rank(build):
    x = RNG.permutation(np.linspace(0.5, 1.5, 12)).reshape(3, 4)
    for shape in ([None, 4], [None, None], None):
        for axis, keepdims in [(None, False), (0, False), (-1, True), ([0, 1], False)]:
            known = np.sum(x, axis=np_axis(axis), keepdims=keepdims).shape

            def fn(t, s=shape, a=axis, k=keepdims, known=known):
                out = build(gf.placeholder_with_default(t, s), a, keepdims=k)
                return gf.reshape(out, known)  # check_gradient weights need a static shape

            check_gradient(fn, [x])


def test_max_min_ties_split_the_gradient_evenly():
    x = gf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype=gf.float64)
    gmax, gmin = evaluate([gf.gradients(gf.reduce_max(x, 1), x)[0],
                           gf.gradients(gf.reduce_min(x), x)[0]])
    np.testing.assert_allclose(gmax, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(gmin, [[1, 0, 0], [0, 0, 0]])


def test_prod_gradient_is_exact_with_zeros():
    for x in ([[0.0, 2.0, 3.0], [1.5, 0.5, 2.0]], [[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]],
              [[0.0, 0.0, 0.0], [0.0, 4.0, 0.5]]):
        x = np.array(x)
        for axis in (None, 0, 1, [0, 1], -1):
            check_gradient(lambda t, a=axis: gf.reduce_prod(t, a), [x])
    t = gf.constant([0.0, 2.0, 3.0], dtype=gf.float64)
    assert evaluate(gf.gradients(gf.reduce_prod(t), t)[0]).tolist() == [6.0, 0.0, 0.0]


def test_integer_reductions_have_no_gradient_path():
    x = gf.placeholder(gf.float64, [3])
    y = gf.reduce_sum(gf.cast(x, gf.int32))
    assert gf.gradients(gf.cast(y, gf.float64), x) == [None]


# ---- logsumexp ---------------------------------------------------------------------------

def logsumexp_reference(a, axis=None, keepdims=False):
    top = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log")
def test_logsumexp_values_and_stability():
    for axis in (None, 0, [1, 2], -1):
        for keepdims in (False, True):
            check_op(lambda t, a=axis, k=keepdims: gf.reduce_logsumexp(t, a, keepdims=k), [X],
                     functools.partial(logsumexp_reference, axis=np_axis(axis),
                                       keepdims=keepdims), rtol=1e-12)
    big = np.array([1000.0, 1000.0], np.float32)
    check_op(gf.reduce_logsumexp, [big], lambda a: np.float32(1000 + math.log(2)))
    check_op(gf.reduce_logsumexp, [np.array([-np.inf, -np.inf])], lambda a: -np.inf)
    check_op(lambda t: gf.reduce_logsumexp(t, keep_dims=True, reduction_indices=[0]),
             [np.array([0.0, 0.0])], lambda a: np.array([math.log(2)]))


def test_logsumexp_gradient_is_softmax():
    for axis in (None, 1, [0, 2]):
        check_gradient(lambda t, a=axis: gf.reduce_logsumexp(t, a), [X])
    check_gradient(lambda t: gf.reshape(gf.reduce_logsumexp(
        gf.placeholder_with_default(t, [None, 4]), 1, keepdims=True), [3, 1]), [X[0]])


# ---- count_nonzero -----------------------------------------------------------------------

def test_count_nonzero():
    x = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]], np.float32)
    check_op(gf.count_nonzero, [x], lambda a: np.int64(3))
    check_op(lambda t: gf.count_nonzero(t, 1, keepdims=True, dtype=gf.int32), [x],
             lambda a: np.array([[2], [1]], np.int32))
    check_op(lambda t: gf.count_nonzero(t, reduction_indices=0), [x.astype(np.int32)],
             lambda a: np.array([0, 1, 2], np.int64))
    check_op(gf.count_nonzero, [np.array([True, False, True])], lambda a: np.int64(2))
    assert evaluate(gf.count_nonzero(gf.constant(["", "a", "b"]))) == 2
    assert evaluate(gf.count_nonzero(input=gf.constant([0, 4]))) == 1


# ---- argmax / argmin ---------------------------------------------------------------------

def python_arg(a, axis, pick):
    moved = np.moveaxis(a, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1]).tolist()
    return np.array([row.index(pick(row)) for row in flat], np.int64).reshape(moved.shape[:-1])


@pytest.mark.parametrize("build, pick", [(gf.argmax, max), (gf.argmin, min)])
def test_arg_reductions(build, pick):
    x = np.array([[1, 5, 5, 0], [7, 2, 7, -1], [3, 3, 3, 3]], np.float32)  # ties: first index
    for axis in (0, 1, -1, -2):
        check_op(lambda t, a=axis: build(t, a), [x],
                 lambda a_, a=axis: python_arg(a_, a, pick))
    check_op(lambda t: build(t, dimension=1, output_type=gf.int32), [x.astype(np.int32)],
             lambda a: python_arg(a, 1, pick).astype(np.int32))
    check_op(build, [x], lambda a: python_arg(a, 0, pick))  # axis defaults to 0
    check_op(lambda t: build(t, gf.constant(1)), [x], lambda a: python_arg(a, 1, pick))
    p = gf.placeholder(gf.float32, [None, 4, 5])
    assert build(p, 1).shape.as_list() == [None, 5] and build(p, 1).dtype == gf.int64
    assert build(gf.placeholder(gf.float32, None), 1).shape.dims is None


def test_arg_reduction_errors_and_aliases():
    x = gf.constant([[1.0, 2.0]])
    with pytest.raises(ValueError, match="both 'axis' and 'dimension'"):
        gf.argmax(x, 1, dimension=1)
    with pytest.raises(TypeError, match="int32 or int64"):
        gf.argmin(x, 1, output_type=gf.float32)
    with pytest.raises(ValueError, match="out of range"):
        gf.argmax(x, 2)
    with pytest.raises(ValueError, match="single int"):
        gf.argmax(x, [0, 1])
    with pytest.raises(TypeError, match="bool"):
        gf.argmax(gf.constant([True]))
    assert evaluate(gf.arg_max(x, 1, gf.int32)).tolist() == [1]
    assert evaluate(gf.arg_min(x, 1)).tolist() == [0]
    p = gf.placeholder(gf.float64, [2])
    assert gf.gradients(gf.cast(gf.argmax(p), gf.float64), p) == [None]


# ---- cumsum / cumprod --------------------------------------------------------------------

def scan_reference(a, axis, exclusive, reverse, op, identity):
    moved = np.moveaxis(a, axis, -1)
    out = np.empty(moved.shape, np.float64)
    for index in np.ndindex(moved.shape[:-1]):
        row = moved[index].tolist()
        if reverse:
            row = row[::-1]
        acc, values = identity, []
        for v in row:
            if exclusive:
                values.append(acc)
            acc = op(acc, v)
            if not exclusive:
                values.append(acc)
        out[index] = values[::-1] if reverse else values
    return np.moveaxis(out, -1, axis).astype(a.dtype)


SCANS = [(gf.cumsum, lambda a, b: a + b, 0), (gf.cumprod, lambda a, b: a * b, 1)]


@pytest.mark.parametrize("build, op, identity", SCANS, ids=["cumsum", "cumprod"])
def test_scan_kernels(build, op, identity):
    for dtype in (np.float64, np.float32, np.int32):
        x = RNG.integers(-3, 4, (2, 3, 4)).astype(dtype)
        for axis in (0, 1, -1):
            for exclusive in (False, True):
                for reverse in (False, True):
                    def fn(t, a=axis, e=exclusive, r=reverse):
                        return build(t, a, exclusive=e, reverse=r)

                    check_op(fn, [x], functools.partial(
                        scan_reference, axis=axis, exclusive=exclusive, reverse=reverse,
                        op=op, identity=identity))
    check_op(lambda t: build(t, 0, exclusive=True), [np.zeros((0, 2))],
             lambda a: np.zeros((0, 2)))


@pytest.mark.parametrize("build", [gf.cumsum, gf.cumprod])
def test_scan_gradients(build):
    x = RNG.uniform(0.5, 1.5, (2, 3))
    for axis in (0, 1, -1):
        for exclusive in (False, True):
            for reverse in (False, True):
                check_gradient(lambda t, a=axis, e=exclusive, r=reverse: build(
                    t, a, exclusive=e, reverse=r), [x])


def test_scan_errors():
    with pytest.raises(ValueError, match="out of range"):
        gf.cumsum(gf.constant(1.0))
    with pytest.raises(ValueError, match="single int"):
        gf.cumsum(gf.constant([1.0]), [0, 0])
    with pytest.raises(TypeError, match="bool"):
        gf.cumprod(gf.constant([True]))
    assert gf.cumsum(gf.placeholder(gf.float32, [None, 3]), 1).shape.as_list() == [None, 3]


def test_public_names_are_exported():
    from graphflow.ops import reduction_ops

    for name in reduction_ops.__all__:
        assert getattr(gf, name) is getattr(reduction_ops, name)


@pytest.mark.parametrize("build", [gf.reduce_sum, gf.reduce_mean, gf.reduce_max,
                                   gf.reduce_prod, gf.reduce_logsumexp],
                         ids=["sum", "mean", "max", "prod", "logsumexp"])
def test_reduction_gradients_are_differentiable(build):
    """Second derivatives: the gradient of (gradient * x), also through unknown dims."""
    x = RNG.permutation(np.linspace(0.5, 1.5, 12)).reshape(3, 4)

    def first_derivative_times_x(t):
        u = gf.placeholder_with_default(t, [None, 4])
        g = gf.gradients(gf.reduce_sum(build(u, 1) ** 2.0), u)[0]
        return gf.reshape(g * u, [3, 4])

    check_gradient(first_derivative_times_x, [x], rtol=1e-4)


def test_cumsum_gradients_are_differentiable():
    check_gradient(lambda t: gf.gradients(gf.reduce_sum(gf.cumsum(t, 1) ** 2.0), t)[0],
                   [RNG.uniform(0.5, 1.5, (2, 3))], rtol=1e-4)
