"""Elementwise math ops: kernels against independent references, gradients against finite
differences, static dtypes/shapes, TF1 dtype rules, Tensor operators and TF1 aliases."""

import math
import operator

import numpy as np
import pytest

import graphflow as gf
from tests.helpers import check_gradient, check_op, evaluate

RNG = np.random.default_rng(0)


def vec(fn):
    """A Python scalar function (the independent reference) mapped over an array."""
    return lambda *xs: np.vectorize(fn, otypes=[np.float64])(*xs)


def uniform(low, high, shape=(2, 3), dtype=np.float64):
    return RNG.uniform(low, high, shape).astype(dtype)


def tolerance(dtype):
    return {np.float16: 2e-3, np.float32: 2e-6}.get(np.dtype(dtype).type, 1e-12)


# ---- unary ops -----------------------------------------------------------------------

FLOATS = (np.float16, np.float32, np.float64)
REALS = FLOATS + (np.int32, np.int64)

UNARY = [
    # builder, reference, input range, dtypes, has a gradient
    (gf.negative, lambda x: 0 - x, (-3, 3), REALS, True),
    (gf.abs, lambda x: np.where(x < 0, 0 - x, x), (-3, 3), REALS, True),
    (gf.sign, lambda x: (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype), (-3, 3), REALS,
     True),
    (gf.square, lambda x: x * x, (-3, 3), REALS, True),
    (gf.sqrt, vec(math.sqrt), (0.1, 4), FLOATS, True),
    (gf.rsqrt, vec(lambda v: 1 / math.sqrt(v)), (0.1, 4), FLOATS, True),
    (gf.reciprocal, vec(lambda v: 1 / v), (0.5, 4), FLOATS, True),
    (gf.exp, vec(math.exp), (-3, 3), FLOATS, True),
    (gf.expm1, vec(math.expm1), (-1, 1), FLOATS, True),
    (gf.log, vec(math.log), (0.1, 4), FLOATS, True),
    (gf.log1p, vec(math.log1p), (-0.5, 3), FLOATS, True),
    (gf.sin, vec(math.sin), (-3, 3), FLOATS, True),
    (gf.cos, vec(math.cos), (-3, 3), FLOATS, True),
    (gf.tan, vec(math.tan), (-1.2, 1.2), FLOATS, True),
    (gf.asin, vec(math.asin), (-0.9, 0.9), FLOATS, True),
    (gf.acos, vec(math.acos), (-0.9, 0.9), FLOATS, True),
    (gf.atan, vec(math.atan), (-3, 3), FLOATS, True),
    (gf.sinh, vec(math.sinh), (-2, 2), FLOATS, True),
    (gf.cosh, vec(math.cosh), (-2, 2), FLOATS, True),
    (gf.tanh, vec(math.tanh), (-3, 3), FLOATS, True),
    (gf.sigmoid, vec(lambda v: 1 / (1 + math.exp(-v))), (-5, 5), FLOATS, True),
    (gf.erf, vec(math.erf), (-2, 2), FLOATS, True),
    (gf.erfc, vec(math.erfc), (-2, 2), FLOATS, True),
    (gf.lgamma, vec(math.lgamma), (0.2, 5), FLOATS, True),
    (gf.floor, vec(math.floor), (-3, 3), FLOATS, False),
    (gf.ceil, vec(math.ceil), (-3, 3), FLOATS, False),
    (gf.round, vec(round), (-3, 3), REALS, False),
]
UNARY_IDS = [row[0].__name__ for row in UNARY]


def unary_input(low, high, dtype):
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(low, high + 1, (2, 3)).astype(dtype)
    return uniform(low, high, dtype=dtype)


@pytest.mark.parametrize("build, reference, domain, dtypes, _", UNARY, ids=UNARY_IDS)
def test_unary_kernels_match_reference_for_each_dtype(build, reference, domain, dtypes, _):
    for dtype in dtypes:
        x = unary_input(*domain, dtype)
        tol = tolerance(dtype)
        expected = reference(x).astype(dtype)
        for feed in (True, False):
            check_op(build, [x], lambda a, e=expected: e, rtol=tol, atol=tol, feed=feed)


@pytest.mark.parametrize("build, reference, domain, dtypes, has_grad", UNARY, ids=UNARY_IDS)
def test_unary_gradients(build, reference, domain, dtypes, has_grad):
    x = uniform(*domain)
    if has_grad:
        check_gradient(build, [x])
    else:
        p = gf.placeholder(gf.float64, [2, 3])
        assert gf.gradients(build(p), p) == [None]  # TF1 registers no gradient


def test_unary_static_shape_and_scalars():
    x = gf.placeholder(gf.float32, [None, 4, 1])
    assert gf.exp(x).shape.as_list() == [None, 4, 1] and gf.exp(x).dtype == gf.float32
    check_op(gf.sqrt, [np.float32(4.0)], lambda v: np.float32(2.0))
    check_op(gf.negative, [np.zeros((0, 3), np.float32)], lambda v: np.zeros((0, 3), np.float32))


@pytest.mark.parametrize("build", [gf.sqrt, gf.exp, gf.log, gf.sigmoid, gf.tanh, gf.floor,
                                   gf.is_nan])
def test_float_only_unary_ops_reject_integers(build):
    with pytest.raises(TypeError, match="floating-point.*int32"):
        build(gf.constant([1, 2]))


def test_abs_gradient_is_sign_and_sign_gradient_is_zero():
    check_gradient(gf.abs, [np.array([-2.0, 0.5, 3.0])])
    x = gf.constant([-2.0, 0.0, 3.0], dtype=gf.float64)
    np.testing.assert_array_equal(evaluate(gf.gradients(gf.sign(x), x)[0]), [0.0, 0.0, 0.0])


def test_digamma_and_polygamma_known_values():
    euler = 0.5772156649015329
    x = np.array([1.0, 0.5, 3.0])
    check_op(gf.digamma, [x], lambda a: np.array([-euler, -euler - 2 * math.log(2),
                                                  -euler + 1 + 1 / 2]), rtol=1e-12)
    a = np.array([0.0, 1.0, 1.0, 2.0])
    x = np.array([1.0, 1.0, 0.5, 1.0])
    check_op(gf.polygamma, [a, x], lambda a_, x_: np.array(
        [-euler, math.pi**2 / 6, math.pi**2 / 2, -2.4041138063191885]), rtol=1e-12)
    for dtype in (np.float16, np.float32):
        check_op(gf.digamma, [np.array([1.0], dtype)], lambda v: np.array([-euler], v.dtype),
                 rtol=1e-3)


def test_digamma_and_polygamma_gradients():
    check_gradient(gf.digamma, [uniform(0.5, 3)], rtol=1e-5)
    check_gradient(lambda t: gf.polygamma(gf.constant(np.array([[1.0], [2.0]])), t),
                   [uniform(0.5, 3, shape=(3,))], rtol=1e-5)
    a = gf.placeholder(gf.float64, [2])
    assert gf.gradients(gf.polygamma(a, gf.constant([1.0, 2.0], gf.float64)), a) == [None]


def test_predicates():
    x = np.array([0.0, np.nan, np.inf, -np.inf, -1.5], np.float32)
    check_op(gf.is_nan, [x], lambda v: np.array([v_ != v_ for v_ in v.tolist()]))
    check_op(gf.is_inf, [x], lambda v: np.array([a in (math.inf, -math.inf) for a in v]))
    check_op(gf.is_finite, [x],
             lambda v: np.array([not (a != a or a in (math.inf, -math.inf)) for a in v]))


# ---- binary ops ------------------------------------------------------------------------

BINARY = [
    # builder, reference, x range, y range, dtypes, has a gradient
    (gf.add, operator.add, (-3, 3), (-3, 3), REALS, True),
    (gf.subtract, operator.sub, (-3, 3), (-3, 3), REALS, True),
    (gf.multiply, operator.mul, (-3, 3), (-3, 3), REALS, True),
    (gf.realdiv, operator.truediv, (-3, 3), (0.5, 3), FLOATS, True),
    (gf.truediv, operator.truediv, (-3, 3), (0.5, 3), FLOATS, True),
    (gf.divide, operator.truediv, (-3, 3), (0.5, 3), FLOATS, True),
    (gf.floordiv, lambda a, b: vec(math.floor)(a / b), (-9, 9), (0.7, 3), FLOATS, False),
    (gf.mod, lambda a, b: a - b * vec(math.floor)(a / b), (-9, 9), (0.7, 3), FLOATS, True),
    (gf.pow, vec(math.pow), (0.5, 2), (-2, 2), FLOATS, True),
    (gf.div_no_nan, operator.truediv, (-3, 3), (0.5, 3), FLOATS, True),
    (gf.atan2, vec(math.atan2), (-3, 3), (0.5, 3), FLOATS, True),
    (gf.truncatemod, vec(math.fmod), (-9, 9), (0.7, 3), FLOATS, False),
    (gf.maximum, lambda a, b: np.where(a > b, a, b), (-3, 3), (-3, 3), REALS, True),
    (gf.minimum, lambda a, b: np.where(a < b, a, b), (-3, 3), (-3, 3), REALS, True),
    (gf.squared_difference, lambda a, b: (a - b) * (a - b), (-3, 3), (-3, 3), REALS, True),
]
BINARY_IDS = [row[0].__name__ for row in BINARY]


@pytest.mark.parametrize("build, reference, xr, yr, dtypes, _", BINARY, ids=BINARY_IDS)
def test_binary_kernels_broadcast_and_keep_dtype(build, reference, xr, yr, dtypes, _):
    for dtype in dtypes:
        tol = 10 * tolerance(dtype)
        x, y = unary_input(*xr, dtype), unary_input(*yr, dtype)[:1]  # y: (1, 3) broadcasts
        if np.dtype(dtype).kind == "i":
            y = np.where(y == 0, 1, y).astype(dtype)
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        expected = reference(x64, y64).astype(dtype)
        for feed in (True, False):
            check_op(build, [x, y], lambda a, b, e=expected: e, rtol=tol, atol=tol, feed=feed)


@pytest.mark.parametrize("build, reference, xr, yr, dtypes, has_grad", BINARY, ids=BINARY_IDS)
def test_binary_gradients_with_broadcasting(build, reference, xr, yr, dtypes, has_grad):
    x, y = uniform(*xr), uniform(*yr, shape=(3,))
    x_small, y_big = uniform(*xr, shape=(1, 1)), uniform(*yr)
    if build is gf.mod:  # keep away from the jumps of x mod y
        x, y = np.array([[1.2, -2.6, 4.1], [0.3, 5.5, -0.2]]), np.array([1.0, 2.0, 1.5])
        x_small, y_big = np.array([[1.1]]), np.array([[2.0, 1.5, 3.0], [0.7, 0.8, 1.7]])
    if has_grad:
        check_gradient(build, [x, y])
        check_gradient(build, [x_small, y_big])  # (1, 1) against (2, 3)
    else:
        p, q = gf.placeholder(gf.float64, [2, 3]), gf.placeholder(gf.float64, [3])
        assert gf.gradients(build(p, q), [p, q]) == [None, None]


def test_integer_floordiv_and_mod_floor_like_tf():
    x = np.array([7, -7, 7, -7, 0], np.int32)
    y = np.array([2, 2, -2, -2, 3], np.int32)
    check_op(gf.floordiv, [x, y], lambda a, b: np.array([3, -4, -4, 3, 0], np.int32))
    check_op(gf.mod, [x, y], lambda a, b: np.array([1, 1, -1, -1, 0], np.int32))


def test_truncating_division_rounds_toward_zero():
    x = np.array([7, -7, 7, -7, 0], np.int32)
    y = np.array([2, 2, -2, -2, 3], np.int32)
    check_op(gf.truncatediv, [x, y],
             lambda a, b: np.array([int(p / q) for p, q in zip(a, b, strict=True)], np.int32))
    check_op(gf.truncatemod, [x, y],
             lambda a, b: np.array([math.fmod(p, q) for p, q in zip(a, b, strict=True)],
                                   np.int32))
    with pytest.raises(TypeError, match="integer"):
        gf.truncatediv(gf.constant([1.0]), 2.0)
    with pytest.raises(gf.errors.InvalidArgumentError, match="division by zero"):
        evaluate(gf.truncatediv(gf.constant([1]), gf.constant([0])))


def test_div_no_nan_is_zero_where_the_divisor_is_zero():
    x = gf.constant([1.0, -2.0, 0.0, 3.0], dtype=gf.float64)
    y = gf.constant([0.0, 4.0, 0.0, -1.5], dtype=gf.float64)
    out = gf.div_no_nan(x, y)
    gx, gy = gf.gradients(out, [x, y])
    value, gx, gy = evaluate([out, gx, gy])
    assert value.tolist() == [0.0, -0.5, 0.0, -2.0]
    np.testing.assert_allclose(gx, [0.0, 0.25, 0.0, -1 / 1.5])
    np.testing.assert_allclose(gy, [0.0, 2.0 / 16, 0.0, -3.0 / 1.5**2])


def test_atan2_takes_y_first():
    assert evaluate(gf.atan2(y=gf.constant([1.0]), x=gf.constant([0.0]))).tolist() == [
        np.float32(math.pi / 2)]


def test_float_floordiv_floors_the_true_quotient():
    # numpy's 1.0 // 0.1 is 9.0 (exact remainder arithmetic); TF computes floor(1.0 / 0.1).
    check_op(gf.floordiv, [np.array([1.0, -7.0]), np.array([0.1, 2.0])],
             lambda a, b: np.array([10.0, -4.0]))


def test_integer_division_by_zero_is_an_error():
    for build in (gf.floordiv, gf.mod):
        with pytest.raises(gf.errors.InvalidArgumentError, match="division by zero"):
            evaluate(build(gf.constant([1, 2]), gf.constant([1, 0])))


def test_integer_pow_and_negative_exponent_error():
    check_op(gf.pow, [np.array([2, -3], np.int32), np.array([3, 2], np.int32)],
             lambda a, b: np.array([8, 9], np.int32))
    with pytest.raises(gf.errors.InvalidArgumentError, match="negative integer powers"):
        evaluate(gf.pow(gf.constant([2]), gf.constant([-1])))


def test_pow_gradient_wrt_exponent_is_zero_for_nonpositive_base():
    x = gf.constant([0.0, -2.0, 2.0], dtype=gf.float64)
    y = gf.constant([2.0, 2.0, 2.0], dtype=gf.float64)
    gx, gy = evaluate(gf.gradients(gf.pow(x, y), [x, y]))
    np.testing.assert_allclose(gx, [0.0, -4.0, 4.0])
    np.testing.assert_allclose(gy, [0.0, 0.0, 4.0 * math.log(2.0)])


def test_maximum_minimum_ties_send_gradient_to_x():
    x = gf.constant([1.0, 2.0], dtype=gf.float64)
    y = gf.constant([1.0, 3.0], dtype=gf.float64)
    assert [v.tolist() for v in evaluate(gf.gradients(gf.maximum(x, y), [x, y]))] == [
        [1.0, 0.0], [0.0, 1.0]]
    assert [v.tolist() for v in evaluate(gf.gradients(gf.minimum(x, y), [x, y]))] == [
        [1.0, 1.0], [0.0, 0.0]]


COMPARISONS = [
    (gf.equal, operator.eq), (gf.not_equal, operator.ne), (gf.less, operator.lt),
    (gf.less_equal, operator.le), (gf.greater, operator.gt), (gf.greater_equal, operator.ge),
]


@pytest.mark.parametrize("build, reference", COMPARISONS, ids=[c[0].__name__ for c in COMPARISONS])
def test_comparisons_give_bool_and_broadcast(build, reference):
    for dtype in (np.float32, np.int32):
        x = np.array([[1, 2, 3], [3, 2, 1]], dtype)
        y = np.array([2, 2, 2], dtype)
        check_op(build, [x, y], np.vectorize(reference, otypes=[bool]))
    p = gf.placeholder(gf.float64, [None, 1])
    out = build(p, 1.0)
    assert out.shape.as_list() == [None, 1] and out.dtype == gf.bool
    assert gf.gradients(gf.cast(out, gf.float64), p) == [None]


def test_equal_accepts_bool_and_strings_but_less_does_not():
    check_op(gf.equal, [np.array([True, False]), np.array([True, True])],
             lambda a, b: np.array([True, False]))
    assert evaluate(gf.not_equal(gf.constant(["a", "b"]), "a")).tolist() == [False, True]
    with pytest.raises(TypeError, match="Less requires"):
        gf.less(gf.constant([True]), gf.constant([False]))


LOGICAL = [
    (gf.logical_and, lambda a, b: a and b), (gf.logical_or, lambda a, b: a or b),
    (gf.logical_xor, lambda a, b: a != b),
]


@pytest.mark.parametrize("build, reference", LOGICAL, ids=[c[0].__name__ for c in LOGICAL])
def test_logical_binary_ops(build, reference):
    x = np.array([[True, True], [False, False]])
    y = np.array([True, False])
    check_op(build, [x, y], np.vectorize(reference, otypes=[bool]))
    with pytest.raises(TypeError, match="bool"):
        build(gf.constant([1.0]), gf.constant([0.0]))


def test_logical_not():
    check_op(gf.logical_not, [np.array([True, False])], lambda a: np.array([False, True]))
    with pytest.raises(TypeError, match="bool"):
        gf.logical_not(gf.constant([1]))


# ---- TF1 dtype rules -------------------------------------------------------------------

@pytest.mark.parametrize("build", [gf.add, gf.multiply, gf.maximum, gf.equal, gf.pow, gf.mod])
def test_mixed_dtypes_are_a_type_error_naming_both(build):
    x = gf.constant([1.0], dtype=gf.float32)
    with pytest.raises(TypeError, match="float32, float64"):
        build(x, gf.constant([1.0], dtype=gf.float64))
    with pytest.raises(TypeError, match="int32, float32"):
        build(gf.constant([1]), x)


def test_python_scalars_take_the_tensor_dtype():
    for dtype in (gf.float16, gf.float32, gf.float64, gf.int32, gf.int64, gf.uint8):
        x = gf.placeholder(dtype, [2])
        for out in (x + 1, 2 * x, x - 1, 3 - x, x * 2, gf.maximum(x, 1), x ** 2):
            assert out.dtype == dtype
    with pytest.raises(TypeError, match="int32, float32"):
        gf.placeholder(gf.int32, [2]) + 0.5  # noqa: B018
    value = evaluate(gf.constant([1.5], dtype=gf.float16) * 2.0)
    assert value.dtype == np.float16 and value.tolist() == [3.0]


def test_true_division_of_integers():
    for dtype, out in [(gf.int32, gf.float64), (gf.int64, gf.float64), (gf.int16, gf.float32),
                       (gf.uint8, gf.float32)]:
        x = gf.constant([7, 2], dtype=dtype)
        y = gf.constant([2, 4], dtype=dtype)
        for q in (x / y, gf.truediv(x, y), gf.divide(x, y), 2 / y):
            assert q.dtype == out
            np.testing.assert_allclose(evaluate(q)[1], 0.5)
    with pytest.raises(TypeError, match="int32 != float32"):
        gf.truediv(gf.constant([1]), gf.constant([1.0]))
    with pytest.raises(TypeError, match="RealDiv requires"):
        gf.constant([True]) / gf.constant([False])  # noqa: B018


def test_floordiv_operator_on_floats_floors():
    x = gf.constant([-7.5, 7.5])
    out = x // 2.0
    assert out.dtype == gf.float32
    assert evaluate(out).tolist() == [-4.0, 3.0]
    assert evaluate(7 // gf.constant([2, -2])).tolist() == [3, -4]


def test_string_add_concatenates():
    out = gf.add(gf.constant(["a", "b"]), "c")
    assert out.dtype == gf.string and evaluate(out).tolist() == ["ac", "bc"]
    with pytest.raises(TypeError, match="Sub requires"):
        gf.subtract(gf.constant(["a"]), "b")


# ---- Tensor operators ------------------------------------------------------------------

OPERATORS = [
    (operator.add, np.add), (operator.sub, np.subtract), (operator.mul, np.multiply),
    (operator.truediv, np.true_divide), (operator.floordiv, lambda a, b: np.floor(a / b)),
    (operator.mod, np.mod), (operator.pow, np.power),
]


@pytest.mark.parametrize("op, reference", OPERATORS, ids=[o[0].__name__ for o in OPERATORS])
def test_arithmetic_operators_and_reflected_forms(op, reference):
    a = np.array([[1.5, 2.0, 3.5]], np.float32)
    b = np.array([2.0, 0.5, 1.25], np.float32)
    x = gf.constant(a)
    got = evaluate([op(x, gf.constant(b)), op(x, 2.0), op(2.0, x), op(b, x)])
    references = [reference(a, b), reference(a, np.float32(2)), reference(np.float32(2), a),
                  reference(b, a)]
    for value, expected in zip(got, references, strict=True):
        assert value.dtype == np.float32
        np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_unary_comparison_bitwise_and_matmul_operators():
    a = np.array([[1.0, -2.0], [3.0, 4.0]], np.float32)
    x = gf.constant(a)
    neg, absolute, mat = evaluate([-x, abs(x), x @ x])
    np.testing.assert_array_equal(neg, -a)
    np.testing.assert_array_equal(absolute, np.abs(a))
    np.testing.assert_allclose(mat, a.dot(a))
    lt, le, gt, ge = evaluate([x < 1.0, x <= 1.0, x > 1.0, x >= 1.0])
    np.testing.assert_array_equal(lt, a < 1)
    np.testing.assert_array_equal(le, a <= 1)
    np.testing.assert_array_equal(gt, a > 1)
    np.testing.assert_array_equal(ge, a >= 1)
    p, q = gf.constant([True, True, False]), gf.constant([True, False, False])
    both, either, one, inv = evaluate([p & q, p | q, p ^ q, ~p])
    assert both.tolist() == [True, False, False] and either.tolist() == [True, True, False]
    assert one.tolist() == [False, True, False] and inv.tolist() == [False, False, True]
    assert evaluate(True & q).tolist() == [True, False, False]


def test_tensor_equality_is_identity_as_in_tf1():
    x = gf.constant(1.0)
    assert (x == x) is True and (x == gf.constant(1.0)) is False
    assert len({x, x}) == 1


def test_operators_reject_mixed_tensor_dtypes():
    with pytest.raises(TypeError, match="float32, int32"):
        gf.constant([1.0]) * gf.constant([1])  # noqa: B018


# ---- TF1 aliases -------------------------------------------------------------------------

def test_old_tf1_aliases():
    x = gf.constant([7.0, -3.0])
    y = gf.constant([2.0, 2.0])
    i, j = gf.constant([7, -3]), gf.constant([2, 2])
    got = evaluate({
        "mul": gf.mul(x, y), "sub": gf.sub(x, y), "neg": gf.neg(x),
        "div_float": gf.div(x, y), "div_int": gf.div(i, j), "floor_div": gf.floor_div(i, j),
        "floormod": gf.floormod(i, j), "rint": gf.rint(gf.constant([0.5, 1.5, 2.5])),
        "scalar_mul": gf.scalar_mul(3.0, x),
    })
    assert got["mul"].tolist() == [14.0, -6.0] and got["sub"].tolist() == [5.0, -5.0]
    assert got["neg"].tolist() == [-7.0, 3.0] and got["div_float"].tolist() == [3.5, -1.5]
    assert got["div_int"].tolist() == [3, -2] and got["div_int"].dtype == np.int32
    assert got["floor_div"].tolist() == [3, -2] and got["floormod"].tolist() == [1, 1]
    assert got["rint"].tolist() == [0.0, 2.0, 2.0] and got["scalar_mul"].tolist() == [21, -9]
    with pytest.raises(ValueError, match="0-D"):
        gf.scalar_mul(gf.constant([1.0, 2.0]), x)


@pytest.mark.parametrize("build, dtype", [(gf.to_float, gf.float32), (gf.to_double, gf.float64),
                                          (gf.to_int32, gf.int32), (gf.to_int64, gf.int64)])
def test_to_dtype_aliases(build, dtype):
    out = build(gf.constant([1.7, -1.7], dtype=gf.float64))
    assert out.dtype == dtype
    expected = [1.7, -1.7] if dtype.is_floating else [1, -1]
    np.testing.assert_allclose(evaluate(out), expected, rtol=1e-6)


# ---- clip_by_value -----------------------------------------------------------------------

def test_clip_by_value_kernel_and_gradient():
    x = np.array([[-2.0, -0.5, 0.3], [0.9, 1.5, 3.0]])
    check_op(lambda t: gf.clip_by_value(t, -1.0, 1.0), [x], lambda a: np.array(
        [[max(-1.0, min(1.0, v)) for v in row] for row in a.tolist()]))
    check_gradient(lambda t: gf.clip_by_value(t, -1.0, 1.0), [x])
    lo, hi = np.array([-1.0, 0.0, 0.5]), np.array([0.5, 1.0, 2.0])
    check_gradient(gf.clip_by_value, [x, lo, hi])


def test_clip_by_value_edge_cases():
    t = gf.constant([1.0, 5.0])
    assert evaluate(gf.clip_by_value(t, 3.0, 2.0)).tolist() == [3.0, 3.0]  # TF: min wins
    grad = gf.gradients(gf.clip_by_value(t, 1.0, 5.0), t)[0]
    assert evaluate(grad).tolist() == [1.0, 1.0]  # boundaries pass the gradient
    assert evaluate(gf.clip_by_value(gf.constant([3, 9]), 0, 5)).tolist() == [3, 5]
    with pytest.raises(ValueError, match="not compatible"):
        gf.clip_by_value(t, gf.constant([[0.0], [1.0]]), 2.0)


# ---- where -------------------------------------------------------------------------------

def test_where_three_args_broadcasts():
    c = np.array([[True], [False]])
    x = np.array([1.0, 2.0, 3.0], np.float32)
    y = np.float32(-1.0)
    check_op(gf.where, [c, x, y],
             lambda c_, x_, y_: np.array([[1.0, 2.0, 3.0], [-1.0, -1.0, -1.0]], np.float32))
    out = gf.where(gf.placeholder(gf.bool, [None, 1]), gf.placeholder(gf.float32, [3]), 0.0)
    assert out.shape.as_list() == [None, 3] and out.dtype == gf.float32


def test_where_gradients_route_to_the_chosen_side():
    c = np.array([[True, False, True], [False, False, True]])
    check_gradient(lambda x, y: gf.where(gf.constant(c), x, y),
                   [uniform(-1, 1), uniform(-1, 1, shape=(3,))])


def test_tf1_where_vector_condition_selects_rows():
    c = gf.constant([True, False, True])
    x = gf.constant(np.ones((3, 3)))
    y = gf.constant(np.zeros((3, 3)))
    np.testing.assert_array_equal(evaluate(gf.where(c, x, y)), [[1] * 3, [0] * 3, [1] * 3])
    np.testing.assert_array_equal(evaluate(gf.where_v2(c, x, y)), [[1, 0, 1]] * 3)


def test_where_one_arg_gives_int64_coordinates():
    c = np.array([[True, False], [False, True], [True, True]])
    check_op(gf.where, [c], lambda a: np.array([[0, 0], [1, 1], [2, 0], [2, 1]], np.int64))
    out = gf.where(gf.placeholder(gf.bool, [None, 2]))
    assert out.dtype == gf.int64 and out.shape.as_list() == [None, 2]
    assert evaluate(gf.where_v2(gf.constant([0.0, 2.0, 3.0]))).tolist() == [[1], [2]]


def test_where_argument_errors():
    with pytest.raises(ValueError, match="both be non-None"):
        gf.where(gf.constant([True]), 1.0)
    with pytest.raises(TypeError, match="condition must be bool"):
        gf.where(gf.constant([1.0]), 1.0, 2.0)
    with pytest.raises(TypeError, match="float32, int32"):
        gf.where(gf.constant([True]), gf.constant([1.0]), gf.constant([1]))
    with pytest.raises(ValueError, match="broadcasting"):
        gf.where_v2(gf.constant([True, False]), gf.constant([1.0, 2.0, 3.0]), 0.0)


# ---- cast --------------------------------------------------------------------------------

def test_cast_kernels():
    x = np.array([-1.7, -0.2, 0.0, 2.9], np.float32)
    check_op(lambda t: gf.cast(t, gf.int32), [x],
             lambda a: np.array([math.trunc(v) for v in a.tolist()], np.int32))
    check_op(lambda t: gf.cast(t, gf.bool), [x], lambda a: np.array([True, True, False, True]))
    check_op(lambda t: gf.cast(t, "float64"), [np.array([True, False])],
             lambda a: np.array([1.0, 0.0]))
    t = gf.constant([1.0])
    assert gf.cast(t, gf.float32) is t
    with pytest.raises(TypeError, match="string"):
        gf.cast(gf.constant(["1"]), gf.float32)


def test_cast_gradient_only_between_floats():
    x = gf.placeholder(gf.float64, [2])
    (grad,) = gf.gradients(gf.cast(x, gf.float32) * 3.0, x)
    assert grad.dtype == gf.float64
    assert evaluate(grad, {x: [0.25, -1.5]}).tolist() == [3.0, 3.0]
    assert gf.gradients(gf.cast(gf.cast(x, gf.int32), gf.float64), x) == [None]


def test_saturate_cast_clamps_to_the_target_range():
    big = gf.constant([3e9, -3e9, 1.5], dtype=gf.float32)
    assert evaluate(gf.saturate_cast(big, gf.int32)).tolist() == [2147483520, -2147483648, 1]
    assert evaluate(gf.saturate_cast(gf.constant([300, -5, 7]), gf.uint8)).tolist() == [
        255, 0, 7]
    assert evaluate(gf.saturate_cast(gf.constant([1e40], dtype=gf.float64),
                                     gf.float32)).tolist() == [np.finfo(np.float32).max]


# ---- add_n -------------------------------------------------------------------------------

def test_add_n_kernel_gradient_and_errors():
    a, b, c = uniform(-1, 1), uniform(-1, 1), uniform(-1, 1)
    check_op(lambda *xs: gf.add_n(list(xs)), [a, b, c], lambda *xs: a + b + c, rtol=1e-12)
    check_gradient(lambda x, y: gf.add_n([x, y, x]), [a, b])
    with pytest.raises(ValueError, match="at least one"):
        gf.add_n([])
    with pytest.raises(ValueError, match="one shape"):
        gf.add_n([gf.constant([1.0, 2.0]), gf.constant([1.0])])
    with pytest.raises(TypeError, match="float32, int32"):
        gf.add_n([gf.constant([1.0]), gf.constant([1])])
    x = gf.constant([1.0])
    assert gf.add_n([x]) is x and gf.add_n([x], name="total").op.type == "Identity"
    assert evaluate(gf.accumulate_n([x, x, x], shape=[1], tensor_dtype=gf.float32)) == [3.0]


def test_add_n_checks_unknown_shapes_at_run_time():
    p = gf.placeholder(gf.float32, [None])
    total = gf.add_n([p, gf.constant([1.0, 2.0])])
    assert total.shape.as_list() == [2]
    with pytest.raises(gf.errors.InvalidArgumentError, match="one shape"):
        evaluate(total, {p: np.ones(1)})


def test_public_names_are_exported():
    from graphflow.ops import math_ops

    for name in math_ops.__all__:
        assert getattr(gf, name) is getattr(math_ops, name)


# ---- second derivatives ------------------------------------------------------------------

SECOND_ORDER = [
    gf.tanh, gf.sigmoid, gf.exp, gf.log, gf.sqrt, gf.rsqrt, gf.reciprocal, gf.sin, gf.erf,
    gf.lgamma, lambda t: t ** 3.0, lambda t: gf.pow(2.0, t), lambda t: 1.0 / t,
    lambda t: gf.atan2(t, 2.0), lambda t: gf.squared_difference(t, 1.0),
]


@pytest.mark.parametrize("build", SECOND_ORDER)
def test_gradients_are_differentiable(build):
    """Gradient rules are built from differentiable ops, so second derivatives work."""
    def first_derivative(t):
        return gf.gradients(gf.reduce_sum(build(t)), t)[0]

    check_gradient(first_derivative, [uniform(0.5, 2)], rtol=1e-4)
