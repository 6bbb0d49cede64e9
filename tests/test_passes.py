"""The optimizer: each pass alone, and optimized vs unoptimized on random graphs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphflow as gf
from graphflow.ops import epilogue
from graphflow.passes import optimize_graph
from graphflow.passes.fusion import fused_elementwise_kernel


def run_optimized(fetches, feed_dict, config=None):
    """Runs ``fetches`` through the optimizer's graph, feeding the mapped placeholders."""
    feeds = list(feed_dict)
    result = optimize_graph(fetches, feeds, config)
    mapped = dict(zip(result.feeds, feed_dict.values(), strict=True))
    with gf.Session(graph=result.graph) as sess:
        return sess.run(result.fetches, mapped), result


def run_plain(fetches, feed_dict):
    """Runs ``fetches`` as written: the optimizer off."""
    with gf.Session(config=gf.ConfigProto(optimize=False)) as sess:
        return sess.run(fetches, feed_dict)


def types(result):
    return [op.type for op in result.graph.get_operations()]


def test_user_graph_is_never_changed():
    x = gf.placeholder(gf.float32, [None])
    y = gf.identity(x * 1.0 + 0.0)
    before = [(op.name, op.type) for op in gf.get_default_graph().get_operations()]
    optimize_graph([y], [x])
    assert [(op.name, op.type) for op in gf.get_default_graph().get_operations()] == before


def test_prune_keeps_only_what_fetches_need():
    x = gf.placeholder(gf.float32, [3])
    used = x * 2.0
    gf.exp(x) + 5.0  # unused
    result = optimize_graph([used], [x], config=gf.ConfigProto(disabled_passes=["fusion"]))
    assert "Exp" not in types(result)


def test_constant_folding_uses_kernels_and_respects_cap():
    a = gf.constant([1.0, 2.0])
    b = gf.constant([3.0, 4.0])
    x = gf.placeholder(gf.float32, [2])
    y = x * (a + b) * gf.cast(gf.size(x), gf.float32)
    got, result = run_optimized([y], {x: np.array([1.0, 1.0], np.float32)})
    np.testing.assert_allclose(got[0], [8.0, 12.0])
    folded = [c for r in result.report if r.name == "constant_folding" for c in r.changes]
    assert any("Add" in c for c in folded) and any("Size" in c for c in folded)
    big = gf.zeros([2048, 1024]) + 1.0
    _, result = run_optimized([big], {})
    assert "Add" in types(result) or "FusedElementwise" in types(result)


def test_constant_folding_never_folds_random_or_stateful():
    v = gf.Variable(1.0)
    r = gf.random_uniform([2], seed=1) if hasattr(gf, "random_uniform") else None
    fetches = [v * 2.0] + ([r * 2.0] if r is not None else [])
    result = optimize_graph(fetches, [])
    assert "VariableV2" in types(result)
    if r is not None:
        assert "RandomUniform" in types(result)


def test_cse_merges_identical_pure_ops():
    x = gf.placeholder(gf.float32, [4])
    y = gf.exp(x) + gf.exp(x)
    got, result = run_optimized([y], {x: np.zeros(4, np.float32)})
    np.testing.assert_allclose(got[0], 2.0)
    cse_runs = [r for r in result.report if r.name == "cse"]
    assert cse_runs[0].changes and cse_runs[0].ops_after < cse_runs[0].ops_before


def test_arithmetic_identities():
    x = gf.placeholder(gf.float32, [None, 3])
    y = gf.identity(gf.negative(gf.negative(
        gf.reshape(gf.reshape(x * 1.0 + 0.0, [-1]), [-1, 3]) / 1.0)))
    config = gf.ConfigProto(disabled_passes=["fusion"])
    result = optimize_graph([y], [x], config)
    assert types(result).count("Reshape") <= 1
    assert "Neg" not in types(result) and "Identity" not in types(result)
    value = np.random.rand(2, 3).astype(np.float32)
    got, _ = run_optimized([y], {x: value}, config)
    np.testing.assert_allclose(got[0], value)


def test_affine_chain_collapses():
    x = gf.placeholder(gf.float32, [None])
    h = x
    for _ in range(1000):
        h = h + 1.0
        h = h * 0.5
    value = np.random.rand(5).astype(np.float32)
    got, result = run_optimized([h], {x: value})
    assert len(result.graph.get_operations()) <= 5
    expected = value.astype(np.float64)
    for _ in range(1000):
        expected = (expected + 1.0) * 0.5
    np.testing.assert_allclose(got[0], expected, rtol=1e-5)


def test_stability_rewrites():
    x = gf.placeholder(gf.float64, [3])
    y = gf.log(1.0 + x) + (gf.exp(x) - 1.0)
    result = optimize_graph([y], [x], gf.ConfigProto(disabled_passes=["fusion"]))
    assert "Log1p" in types(result) and "Expm1" in types(result)
    tiny = np.array([1e-18, 1e-12, 0.5])
    got, _ = run_optimized([y], {x: tiny}, gf.ConfigProto(disabled_passes=["fusion"]))
    np.testing.assert_allclose(got[0], np.log1p(tiny) + np.expm1(tiny), rtol=1e-12)


def test_fusion_groups_elementwise_and_keeps_shared_values():
    x = gf.placeholder(gf.float32, [None])
    shared = x * 1.5 + 0.3
    y = gf.sigmoid(shared) * gf.tanh(x) + x * x
    z = shared * 2.0  # `shared` is used outside y's group, so it stays a value
    value = np.random.randn(100_000).astype(np.float32)
    got, result = run_optimized([y, z], {x: value})
    with gf.Session() as sess:
        want = sess.run([y, z], {x: value})
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    assert "FusedElementwise" in types(result)


def test_fusion_respects_control_dependencies_and_fetches():
    x = gf.placeholder(gf.float32, [3])
    a = gf.exp(x)
    with gf.control_dependencies([a]):
        b = gf.tanh(x)
    c = a + b
    got, result = run_optimized([c, a], {x: np.ones(3, np.float32)})
    np.testing.assert_allclose(got[0], np.exp(1) + np.tanh(1), rtol=1e-6)
    assert "Exp" in types(result)


def test_fused_kernel_blocks_match_whole_evaluation():
    """Large inputs take the blocked (and two-thread) path; results equal plain numpy."""
    program = (("Mul", (("x", 0), ("x", 1))), ("Exp", (("t", 0),)),
               ("Add", (("t", 1), ("x", 0))), ("Add", (("t", 2), ("c", 1.0))))
    x = np.random.randn(3_000_001).astype(np.float32)
    c = np.array(0.7, np.float32)
    got = fused_elementwise_kernel(x, c, program=program)
    np.testing.assert_array_equal(got, np.exp(x * c) + x + np.float32(1.0))
    rows = np.random.randn(300, 5000).astype(np.float32)
    bias = np.random.randn(5000).astype(np.float32)
    got = fused_elementwise_kernel(rows, bias, program=(("Add", (("x", 0), ("x", 1))),
                                                        ("Exp", (("t", 0),))))
    np.testing.assert_array_equal(got, np.exp(rows + bias))


def test_unknown_disabled_pass_is_an_error():
    x = gf.placeholder(gf.float32, [])
    try:
        optimize_graph([x * 2.0], [x], gf.ConfigProto(disabled_passes=["nope"]))
    except ValueError as e:
        assert "nope" in str(e)
    else:
        raise AssertionError("expected ValueError")


# ---- differential: random graphs, optimized vs unoptimized ----------------------------

_UNARY = [gf.exp, gf.tanh, gf.sigmoid, gf.square, lambda t: -t, gf.identity,
          lambda t: t * 1.0, lambda t: t + 0.0, lambda t: gf.log(1.0 + gf.square(t))]
_BINARY = [gf.add, gf.subtract, gf.multiply, gf.maximum, lambda a, b: a * 0.5 + b]


@st.composite
def random_graphs(draw):
    steps = draw(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 50), st.integers(0, 50)),
                          min_size=1, max_size=12))
    return steps


def build(steps, x, w):
    values = [x, w]
    for kind, i, j in steps:
        a, b = values[i % len(values)], values[j % len(values)]
        if kind < 3:
            out = _UNARY[(i + j) % len(_UNARY)](a)
        elif kind < 5:
            out = _BINARY[(i * 7 + j) % len(_BINARY)](a, b)
        elif kind == 5:
            out = gf.reduce_sum(a, axis=1, keepdims=True) + b
        elif kind == 6:
            out = gf.reshape(gf.reshape(a, [-1]), [4, 3])
        else:
            out = gf.tanh(gf.matmul(a, b, transpose_b=True)[:, :3]) \
                if hasattr(gf.Tensor, "__getitem__") else gf.tanh(a)
        values.append(out)
    return values[-1]


@settings(max_examples=40, deadline=None)
@given(random_graphs(), st.integers(0, 2**31 - 1))
def test_optimized_and_unoptimized_agree(steps, seed):
    gf.reset_default_graph()
    rng = np.random.default_rng(seed)
    x = gf.placeholder(gf.float64, [4, 3])
    w = gf.placeholder(gf.float64, [4, 3])
    y = build(steps, x, w)
    loss = gf.reduce_sum(y)
    grads = [g for g in gf.gradients(loss, [x, w]) if g is not None]
    feed = {x: rng.standard_normal((4, 3)), w: rng.standard_normal((4, 3))}
    plain = run_plain([y] + grads, feed)
    optimized, result = run_optimized([y] + grads, feed)
    for p, o in zip(plain, optimized, strict=True):
        np.testing.assert_allclose(o, p, rtol=1e-9, atol=1e-9)
    for op in result.graph.get_operations():  # every op of the result graph is well formed
        for t in op.inputs:
            assert t.graph is result.graph


def test_dense_fusion_matmul_bias_activation():
    x = gf.placeholder(gf.float32, [None, 5])
    w = gf.constant(np.random.randn(5, 4).astype(np.float32))
    b = gf.constant(np.random.randn(4).astype(np.float32))
    y1 = gf.nn.relu(gf.nn.bias_add(gf.matmul(x, w), b))
    w2 = gf.constant(np.random.randn(4, 5).astype(np.float32))
    y2 = gf.sigmoid(gf.matmul(x, w2, transpose_b=True) + b)
    value = np.random.randn(3, 5).astype(np.float32)
    got, result = run_optimized([y1, y2], {x: value})
    assert types(result).count("FusedMatMul") == 2
    wv, w2v, bv = (t.op.attrs["value"] for t in (w, w2, b))
    np.testing.assert_allclose(got[0], np.maximum(value @ wv + bv, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], 1 / (1 + np.exp(-(value @ w2v.T + bv))), rtol=1e-5)


def test_dense_fusion_keeps_values_used_elsewhere():
    x = gf.placeholder(gf.float32, [2, 3])
    w = gf.constant(np.ones((3, 3), np.float32))
    product = gf.matmul(x, w)
    y = gf.nn.relu(product + gf.constant(np.ones(3, np.float32)))
    got, result = run_optimized([y, product], {x: np.ones((2, 3), np.float32)})
    assert "FusedMatMul" not in types(result)
    np.testing.assert_allclose(got[0], 4.0)


def test_dense_fusion_conv_bias_relu():
    x = gf.placeholder(gf.float32, [None, 6, 6, 2])
    f = gf.constant(np.random.randn(3, 3, 2, 4).astype(np.float32))
    b = gf.constant(np.random.randn(4).astype(np.float32))
    y = gf.nn.relu(gf.nn.bias_add(gf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME"), b))
    value = np.random.randn(2, 6, 6, 2).astype(np.float32)
    got, result = run_optimized([y], {x: value})
    assert "FusedConv2D" in types(result)
    np.testing.assert_allclose(got[0], run_plain(y, {x: value}), rtol=1e-5, atol=1e-5)


def test_softmax_cross_entropy_pattern_becomes_logits_form():
    z = gf.placeholder(gf.float64, [None, 4])
    labels = gf.placeholder(gf.float64, [None, 4])
    loss = -gf.reduce_sum(labels * gf.log(gf.nn.softmax(z)), axis=-1)
    result = optimize_graph([loss], [z, labels])
    assert "SoftmaxCrossEntropyWithLogits" in types(result)
    zv = np.array([[1000.0, 0.0, -5.0, 2.0], [0.1, 0.2, 0.3, 0.4]])
    lv = np.array([[0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    got, _ = run_optimized([loss], {z: zv, labels: lv})
    shifted = zv - zv.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(got[0], -(lv * log_p).sum(axis=1), rtol=1e-12)
    assert np.isfinite(got[0]).all()  # the unfused form gives inf for the first row


def test_control_dependency_on_a_removed_op_still_runs_its_effect():
    v = gf.Variable(0.0)
    for dep_of in (gf.identity, lambda t: t * 1.0):
        inc = v.assign_add(1.0)
        with gf.control_dependencies([dep_of(inc)]):
            out = gf.constant(2.0) + 1.0
        result = optimize_graph([out, v.initializer, v], [])
        assert "AssignAdd" in types(result)
        new_out, new_init, new_v = result.fetches
        with gf.Session(graph=result.graph) as sess:
            sess.run(new_init)
            sess.run(new_out)
            assert sess.run(new_v) == 1.0


def test_xent_fusion_requires_equal_label_shape():
    z = gf.placeholder(gf.float64, [None, 3])
    labels = gf.constant(np.array([[0.2, 0.3, 0.5]]))
    loss = -gf.reduce_sum(labels * gf.nn.log_softmax(z), axis=-1)
    zv = np.random.randn(4, 3)
    got, result = run_optimized([loss], {z: zv})
    assert "SoftmaxCrossEntropyWithLogits" not in types(result)
    assert got[0].shape == (4,)
    np.testing.assert_allclose(got[0], run_plain(loss, {z: zv}))


def test_fetching_operations_that_rewrites_replace():
    x = gf.placeholder(gf.float32, [None])
    inner = gf.exp(x * 2.0)
    root = inner + 1.0
    same = gf.identity(x)
    result = optimize_graph([root.op, inner.op, same.op, root], [x])
    with gf.Session(graph=result.graph) as sess:
        ops_out = sess.run(result.fetches[:3], {result.feeds[0]: np.ones(2, np.float32)})
        assert ops_out == [None, None, None]
    assert gf.viz.to_dot(gf.get_default_graph(), optimized=True).source


def test_viz_compare_draws_both_graphs_and_names_fused_members():
    x = gf.placeholder(gf.float32, [None])
    y = gf.sigmoid(x * 1.5 + 0.3) * gf.tanh(x)
    source = gf.viz.compare([y], [x]).source
    assert "cluster_original" in source and "cluster_optimized" in source
    assert "FusedElementwise" in source and "Sigmoid" in source


@pytest.mark.parametrize("ksize, strides, padding", [
    (2, 2, "VALID"),  # tiling windows
    (3, 2, "SAME"),  # overlapping windows with padding
    (2, 2, "SAME"),  # an odd size: the last window is cut by padding
])
def test_relu_grad_moves_before_max_pool_grad_exactly(ksize, strides, padding):
    x = gf.placeholder(gf.float32, [None, 7, 7, 3])
    g = gf.placeholder(gf.float32, [None, None, None, 3])
    y = gf.nn.max_pool2d(gf.nn.relu(x), ksize, strides, padding)
    dx = gf.gradients(y, x, grad_ys=g)[0]
    rng = np.random.default_rng(0)
    # Few distinct values, so windows hold ties, zeros and all-negative inputs.
    value = rng.integers(-2, 3, (2, 7, 7, 3)).astype(np.float32)
    g_value = rng.standard_normal((2,) + tuple(y.shape.as_list()[1:])).astype(np.float32)
    feeds = {x: value, g: g_value}
    got, result = run_optimized([dx], feeds)
    assert any("ReluGrad moved before MaxPoolGrad" in c for run in result.report
               for c in run.changes)
    np.testing.assert_array_equal(got[0], run_plain(dx, feeds))


@pytest.mark.parametrize("ksize, strides, padding", [(2, 2, "VALID"), (3, 2, "SAME"),
                                                     (3, 1, "VALID")])
def test_bias_grad_sums_before_max_pool_grad(ksize, strides, padding):
    """Each pooled gradient reaches exactly one input, overlapping windows included."""
    x = gf.placeholder(gf.float64, [None, 7, 7, 3])
    g = gf.placeholder(gf.float64, [None, None, None, 3])
    b = gf.constant([0.5, -1.0, 2.0], dtype=gf.float64)
    y = gf.nn.max_pool2d(gf.nn.bias_add(x, b), ksize, strides, padding)
    db = gf.gradients(y, b, grad_ys=g)[0]
    rng = np.random.default_rng(1)
    value = rng.integers(-2, 3, (2, 7, 7, 3)).astype(np.float64)  # ties in most windows
    g_value = rng.standard_normal((2,) + tuple(y.shape.as_list()[1:]))
    feeds = {x: value, g: g_value}
    got, result = run_optimized([db], feeds)
    assert "MaxPoolGrad" not in types(result)
    np.testing.assert_allclose(got[0], run_plain(db, feeds), rtol=1e-12)
    np.testing.assert_allclose(got[0], g_value.sum(axis=(0, 1, 2)), rtol=1e-12)


@pytest.mark.parametrize("activation", [gf.nn.relu, None])
def test_fused_conv_epilogue_in_blocks_matches_unfused(activation):
    """Outputs past epilogue.BLOCKED_MIN_ELEMENTS take the blocked (and two-thread) path."""
    x = gf.placeholder(gf.float32, [None, 34, 34, 3])
    rng = np.random.default_rng(3)
    f = gf.constant(rng.standard_normal((3, 3, 3, 40)).astype(np.float32))
    b = gf.constant(rng.standard_normal(40).astype(np.float32))
    y = gf.nn.bias_add(gf.nn.conv2d(x, f, 1, "VALID"), b)
    y = activation(y) if activation else y
    value = rng.standard_normal((9, 34, 34, 3)).astype(np.float32)
    got, result = run_optimized([y], {x: value})
    assert "FusedConv2D" in types(result) and got[0].size >= epilogue.BLOCKED_MIN_ELEMENTS
    np.testing.assert_allclose(got[0], run_plain(y, {x: value}), rtol=1e-5, atol=1e-5)
