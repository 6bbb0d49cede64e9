"""The conv_crop pass: a VALID convolution computes only the outputs its max pools read.

Each case builds a convolution + max pool training graph and compares the optimizer's
graph with the graph as written (optimizer off), values and gradients, in float64.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import graphflow as gf
from graphflow.passes import optimize_graph


def conv_pool_graph(in_hw, c, k, oc, conv_stride, dilation, pool_k, pool_stride,
                    bias=True, relu=True, seed=0):
    """A placeholder, a VALID conv (+bias, +relu) and a VALID max pool, with the loss and
    its gradients wrt the input, filter and bias; returns (fetches, feed_dict, conv out)."""
    rng = np.random.default_rng(seed)
    x = gf.placeholder(gf.float64, [None, *in_hw, c])
    w = gf.constant(rng.standard_normal((k, k, c, oc)))
    b = gf.constant(rng.standard_normal(oc))
    a = gf.nn.conv2d(x, w, conv_stride, "VALID", dilations=dilation)
    if bias:
        a = gf.nn.bias_add(a, b)
    if relu:
        a = gf.nn.relu(a)
    p = gf.nn.max_pool(a, pool_k, pool_stride, "VALID")
    loss = gf.reduce_sum(p * gf.constant(rng.standard_normal(p.shape.as_list()[1:])))
    grads = gf.gradients(loss, [x, w, b] if bias else [x, w])
    feed = {x: rng.standard_normal((3, *in_hw, c))}
    return [loss, p] + grads, feed, a


def run_both(fetches, feed, config=None):
    """(optimized values, plain values, optimizer report)."""
    result = optimize_graph(fetches, list(feed), config)
    with gf.Session(graph=result.graph) as sess:
        got = sess.run(result.fetches, dict(zip(result.feeds, feed.values(), strict=True)))
    with gf.Session(config=gf.ConfigProto(optimize=False)) as sess:
        want = sess.run(fetches, feed)
    return got, want, result


def crop_notes(result):
    return [c for r in result.report if r.name == "conv_crop" for c in r.changes]


def conv_output_shapes(result):
    return [op.outputs[0].shape.as_list() for op in result.graph.get_operations()
            if op.type in ("Conv2D", "FusedConv2D")]


def assert_same(got, want):
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_crops_the_rows_and_columns_no_window_reads():
    fetches, feed, _ = conv_pool_graph((13, 13), 3, 3, 4, 1, 1, 2, 2)
    got, want, result = run_both(fetches, feed)
    assert_same(got, want)
    assert crop_notes(result) == [
        "'Relu' computes the 10x10 of its 11x11 outputs that its max pools read"]
    assert conv_output_shapes(result) == [[None, 10, 10, 4]]


def test_leaves_convolutions_whose_outputs_are_all_read():
    fetches, feed, _ = conv_pool_graph((12, 12), 2, 3, 3, 1, 1, 2, 2)
    got, want, result = run_both(fetches, feed)
    assert_same(got, want)
    assert crop_notes(result) == []


def test_fetching_the_convolution_or_its_gradient_keeps_it_whole():
    fetches, feed, a = conv_pool_graph((13, 13), 2, 3, 3, 1, 1, 2, 2)
    grad_a = gf.gradients(fetches[0], a)[0]
    for extra in (a, grad_a):
        got, want, result = run_both(fetches + [extra], feed)
        assert_same(got, want)
        assert crop_notes(result) == []


def test_other_uses_of_the_convolution_keep_it_whole():
    fetches, feed, a = conv_pool_graph((13, 13), 2, 3, 3, 1, 1, 2, 2)
    loss = fetches[0] + gf.reduce_sum(a)
    extra = [loss] + gf.gradients(loss, list(feed))
    got, want, result = run_both(extra, feed)
    assert_same(got, want)
    assert crop_notes(result) == []


def test_disabled_by_config():
    fetches, feed, _ = conv_pool_graph((13, 13), 2, 3, 3, 1, 1, 2, 2)
    config = gf.ConfigProto(disabled_passes=["conv_crop"])
    got, want, result = run_both(fetches, feed, config)
    assert_same(got, want)
    assert crop_notes(result) == []


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 14), st.integers(5, 14), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
       st.booleans(), st.booleans(), st.integers(0, 2**31 - 1))
def test_optimized_and_plain_agree(h, w, k, conv_stride, dilation, channels, pool_k,
                                   pool_stride, bias, relu, seed):
    """Any VALID conv + max pool training graph: cropped or not, the same numbers."""
    if dilation > 1 and conv_stride > 1:
        conv_stride = 1  # TF refuses strides with dilations
    reach = (k - 1) * dilation + 1
    out_hw = [(d - reach) // conv_stride + 1 for d in (h, w)]
    if min(out_hw) < pool_k:
        return
    fetches, feed, _ = conv_pool_graph((h, w), channels, k, 2, conv_stride, dilation, pool_k,
                                       pool_stride, bias, relu, seed)
    got, want, result = run_both(fetches, feed)
    assert_same(got, want)
    read = [((d - pool_k) // pool_stride) * pool_stride + pool_k for d in out_hw]
    pool_reads_conv = bias or not relu  # relu without a bias stays an op of its own
    assert bool(crop_notes(result)) == (read != out_hw and pool_reads_conv)
