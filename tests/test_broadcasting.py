"""Property tests: binary ops on random broadcast-compatible shapes (values and gradients
against numpy, with static and run-time shapes), build-time errors for incompatible
shapes, and reductions over random axes against numpy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import graphflow as gf
from tests.helpers import check_gradient, evaluate

SETTINGS = settings(max_examples=40, deadline=None)

PAIRS = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)


def sum_to(grad, shape):
    """numpy reference for reducing a broadcast gradient back to ``shape``."""
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, d in enumerate(shape) if d == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True).reshape(shape)


BINARY = {
    # name: builder, value reference, d/dx, d/dy, operand range
    "add": (gf.add, np.add, lambda x, y: np.ones_like(x * y), lambda x, y: np.ones_like(x * y),
            (-2, 2)),
    "subtract": (gf.subtract, np.subtract, lambda x, y: np.ones_like(x * y),
                 lambda x, y: -np.ones_like(x * y), (-2, 2)),
    "multiply": (gf.multiply, np.multiply, lambda x, y: y + 0 * x, lambda x, y: x + 0 * y,
                 (-2, 2)),
    "truediv": (gf.truediv, np.divide, lambda x, y: 1 / y + 0 * x, lambda x, y: -x / y**2,
                (0.5, 2)),
    "maximum": (gf.maximum, np.maximum, lambda x, y: (x >= y) * 1.0, lambda x, y: (x < y) * 1.0,
                (-2, 2)),
    "minimum": (gf.minimum, np.minimum, lambda x, y: (x <= y) * 1.0, lambda x, y: (x > y) * 1.0,
                (-2, 2)),
    "squared_difference": (gf.squared_difference, lambda x, y: (x - y) ** 2,
                           lambda x, y: 2 * (x - y), lambda x, y: -2 * (x - y), (-2, 2)),
    "pow": (gf.pow, np.power, lambda x, y: y * x ** (y - 1), lambda x, y: x**y * np.log(x),
            (0.5, 2)),
}


def placeholder_for(value, known):
    dims = list(value.shape) if known else [None] * value.ndim
    return gf.placeholder(gf.float64, dims)


@SETTINGS
@given(shapes=PAIRS, name=st.sampled_from(sorted(BINARY)), known=st.booleans(),
       seed=st.integers(0, 2**16))
def test_binary_values_and_gradients_match_numpy(shapes, name, known, seed):
    build, reference, dx, dy, (low, high) = BINARY[name]
    rng = np.random.default_rng(seed)
    x, y = (rng.uniform(low, high, s) for s in shapes.input_shapes)
    w = rng.standard_normal(shapes.result_shape)
    with gf.Graph().as_default():
        px, py = placeholder_for(x, known), placeholder_for(y, known)
        z = build(px, py)
        expected_static = shapes.result_shape if known else (None,) * len(shapes.result_shape)
        assert z.shape.dims == expected_static and z.dtype == gf.float64
        grads = gf.gradients(z, [px, py], grad_ys=gf.constant(w))
        value, gx, gy = evaluate([z, *grads], {px: x, py: y})
    np.testing.assert_allclose(value, reference(x, y), rtol=1e-12)
    np.testing.assert_allclose(gx, sum_to(w * dx(x, y), x.shape), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gy, sum_to(w * dy(x, y), y.shape), rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       name=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_broadcast_gradients_against_finite_differences(shapes, name, seed):
    build, _, _, _, (low, high) = BINARY[name]
    if name in ("maximum", "minimum"):  # keep the operands apart: no kinks within eps
        low, high = 0.5, 2
    rng = np.random.default_rng(seed)
    x, y = (rng.uniform(low, high, s) for s in shapes.input_shapes)
    if name in ("maximum", "minimum"):
        y = y + np.where(rng.random(y.shape) < 0.5, 3.0, -3.0)
    check_gradient(build, [x, y])


COMPARE = {
    "floordiv": (gf.floordiv, lambda x, y: np.floor(x / y)), "mod": (gf.mod, np.mod),
    "equal": (gf.equal, np.equal), "less": (gf.less, np.less),
    "greater_equal": (gf.greater_equal, np.greater_equal),
}


@SETTINGS
@given(shapes=PAIRS, name=st.sampled_from(sorted(COMPARE)), seed=st.integers(0, 2**16))
def test_non_differentiable_binary_ops_broadcast_like_numpy(shapes, name, seed):
    build, reference = COMPARE[name]
    rng = np.random.default_rng(seed)
    x, y = (rng.integers(1, 4, s).astype(np.float32) for s in shapes.input_shapes)
    with gf.Graph().as_default():
        out = build(gf.constant(x), gf.constant(y))
        assert out.shape.dims == shapes.result_shape
        value = evaluate(out)
    np.testing.assert_array_equal(value, reference(x, y))


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_where_broadcasts_all_three_and_routes_gradients(shapes, seed):
    rng = np.random.default_rng(seed)
    c_shape, x_shape, y_shape = shapes.input_shapes
    c = rng.random(c_shape) < 0.5
    x, y = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
    w = rng.standard_normal(shapes.result_shape)
    with gf.Graph().as_default():
        px, py = gf.constant(x), gf.constant(y)
        out = gf.where_v2(gf.constant(c), px, py)
        assert out.shape.dims == shapes.result_shape
        value, gx, gy = evaluate([out, *gf.gradients(out, [px, py], grad_ys=gf.constant(w))])
    cb = np.broadcast_to(c, shapes.result_shape)
    np.testing.assert_array_equal(value, np.where(c, x, y))
    np.testing.assert_allclose(gx, sum_to(np.where(cb, w, 0.0), x.shape), atol=1e-12)
    np.testing.assert_allclose(gy, sum_to(np.where(cb, 0.0, w), y.shape), atol=1e-12)


@st.composite
def incompatible_pairs(draw):
    """Two shapes with one aligned position holding different sizes, both above 1."""
    a = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    position = draw(st.integers(0, len(a) - 1))
    a[position] = draw(st.integers(2, 4))
    b = list(a[draw(st.integers(0, position)):])
    b[position - (len(a) - len(b))] = draw(
        st.integers(2, 5).filter(lambda d: d != a[position]))
    return (a, b) if draw(st.booleans()) else (b, a)


@SETTINGS
@given(pair=incompatible_pairs(), name=st.sampled_from(sorted(BINARY) + sorted(COMPARE)))
def test_incompatible_shapes_fail_at_build_time_naming_both(pair, name):
    build = {**BINARY, **COMPARE}[name][0]
    a, b = pair
    with gf.Graph().as_default():
        x, y = gf.placeholder(gf.float32, a), gf.placeholder(gf.float32, b)
        with pytest.raises(ValueError) as err:
            build(x, y)
    message = str(err.value)
    assert str(x.shape) in message and str(y.shape) in message


REDUCTIONS = {
    "reduce_sum": (gf.reduce_sum, np.sum),
    "reduce_mean": (gf.reduce_mean, np.mean),
    "reduce_max": (gf.reduce_max, np.max),
    "reduce_min": (gf.reduce_min, np.min),
    "reduce_prod": (gf.reduce_prod, np.prod),
    "reduce_logsumexp": (gf.reduce_logsumexp,
                         lambda a, axis, keepdims: np.log(np.sum(np.exp(a), axis=axis,
                                                                 keepdims=keepdims))),
}


def reduction_gradient(name, x, axes, w_kept):
    """numpy reference gradient of the reduction, given the upstream weight with kept dims."""
    count = x.size // max(np.sum(x, axis=axes, keepdims=True).size, 1)
    if name == "reduce_sum":
        local = np.ones_like(x)
    elif name == "reduce_mean":
        local = np.ones_like(x) / count
    elif name in ("reduce_max", "reduce_min"):
        pick = np.max if name == "reduce_max" else np.min
        hit = (x == pick(x, axis=axes, keepdims=True)) * 1.0
        local = hit / np.sum(hit, axis=axes, keepdims=True)
    elif name == "reduce_prod":
        local = np.prod(x, axis=axes, keepdims=True) / x
    else:
        e = np.exp(x)
        local = e / np.sum(e, axis=axes, keepdims=True)
    return local * w_kept


@st.composite
def reduction_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=4)))
    rank = len(shape)
    if draw(st.booleans()) or rank == 0:
        axis = None
    else:
        chosen = draw(st.lists(st.integers(0, rank - 1), unique=True, max_size=rank))
        axis = [a - rank if draw(st.booleans()) else a for a in chosen]
        if len(axis) == 1 and draw(st.booleans()):
            axis = axis[0]
    return shape, axis, draw(st.booleans())


@SETTINGS
@given(case=reduction_cases(), name=st.sampled_from(sorted(REDUCTIONS)), known=st.booleans(),
       seed=st.integers(0, 2**16))
def test_reductions_over_random_axes_match_numpy(case, name, known, seed):
    shape, axis, keepdims = case
    build, reference = REDUCTIONS[name]
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, shape)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = np.asarray(reference(x, axis=np_axis, keepdims=keepdims))
    w = rng.standard_normal(expected.shape)
    with gf.Graph().as_default():
        p = placeholder_for(x, known)
        out = build(p, axis, keepdims=keepdims)
        assert out.shape.is_compatible_with(expected.shape)
        assert out.shape.ndims == expected.ndim
        if known:
            assert out.shape.as_list() == list(expected.shape)
        value, grad = evaluate([out, gf.gradients(out, p, grad_ys=gf.constant(w))[0]], {p: x})
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    axes = tuple(range(x.ndim)) if axis is None else np_axis
    w_kept = w if keepdims else np.expand_dims(w, tuple(np.array(axes, ndmin=1) % max(x.ndim, 1)))
    np.testing.assert_allclose(grad, reduction_gradient(name, x, axes, w_kept), rtol=1e-10)


@SETTINGS
@given(case=reduction_cases(), seed=st.integers(0, 2**16))
def test_boolean_and_integer_reductions_over_random_axes(case, seed):
    shape, axis, keepdims = case
    rng = np.random.default_rng(seed)
    b = rng.random(shape) < 0.5
    i = rng.integers(-50, 50, shape).astype(np.int32)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    with gf.Graph().as_default():
        outs = evaluate([gf.reduce_any(b, axis, keepdims=keepdims),
                         gf.reduce_all(b, axis, keepdims=keepdims),
                         gf.reduce_sum(i, axis, keepdims=keepdims),
                         gf.reduce_mean(i, axis, keepdims=keepdims)])
    total = np.sum(i.astype(np.int64), axis=np_axis, keepdims=keepdims)
    count = max(i.size // max(np.size(total), 1), 1)
    expected = [np.any(b, axis=np_axis, keepdims=keepdims),
                np.all(b, axis=np_axis, keepdims=keepdims), total.astype(np.int32),
                np.trunc(total / count).astype(np.int32)]
    for got, want in zip(outs, expected, strict=True):
        assert np.asarray(got).dtype == want.dtype
        np.testing.assert_array_equal(got, want)
