"""Max pooling that records its maxima (ops/max_pool_offsets.py) and the pool_offsets pass
that uses it in training graphs: kernels against naive loops, the pass against the graph
as written."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphflow as gf
from graphflow.ops.max_pool_offsets import max_pool_grad_from_offsets, max_pool_with_offsets
from graphflow.passes import optimize_graph

GEOMETRIES = [  # (input NHWC, window, stride)
    ((2, 6, 6, 3), (2, 2), (2, 2)),  # tiling, covering the input
    ((2, 7, 5, 3), (2, 2), (2, 2)),  # tiling, the last row and column left out
    ((2, 7, 7, 2), (3, 3), (2, 2)),  # overlapping windows
    ((1, 6, 8, 2), (3, 2), (1, 3)),  # overlapping rows, gaps between columns
]


def naive_pool(x, k, s):
    """(max, first-maximum offset, gradient routing) by loops over every window."""
    n, h, w, c = x.shape
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    y = np.zeros((n, oh, ow, c), x.dtype)
    first = np.zeros((n, oh, ow, c), np.uint8)
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        window = x[b, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1], ch].ravel()
        first[b, i, j, ch] = np.argmax(window)  # numpy's argmax names the first maximum
        y[b, i, j, ch] = window.max()
    return y, first


def naive_grad(first, dy, in_shape, k, s):
    dx = np.zeros(in_shape)
    n, oh, ow, c = dy.shape
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        a, b_ = divmod(int(first[b, i, j, ch]), k[1])
        dx[b, i * s[0] + a, j * s[1] + b_, ch] += dy[b, i, j, ch]
    return dx


def attrs(k, s):
    return dict(ksize=(1, *k, 1), strides=(1, *s, 1), padding="VALID")


@pytest.mark.parametrize("shape, k, s", GEOMETRIES)
def test_kernels_match_naive_loops_with_ties(shape, k, s):
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 3, shape).astype(np.float32)  # few values: most windows tie
    y, offsets = max_pool_with_offsets(x, **attrs(k, s))
    want_y, want_first = naive_pool(x, k, s)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(offsets, want_first)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = max_pool_grad_from_offsets(offsets, dy, **attrs(k, s), input_hw=shape[1:3])
    np.testing.assert_allclose(dx, naive_grad(want_first, dy, shape, k, s), rtol=1e-6)


def test_integer_input_and_windows_of_one_position():
    x = np.arange(24, dtype=np.int32).reshape(1, 4, 6, 1)[:, ::-1]
    y, offsets = max_pool_with_offsets(x, **attrs((2, 3), (2, 3)))
    np.testing.assert_array_equal(y, naive_pool(x, (2, 3), (2, 3))[0])
    np.testing.assert_array_equal(offsets, 2)  # the top row holds each window's maximum
    y, offsets = max_pool_with_offsets(x, **attrs((1, 1), (1, 1)))
    np.testing.assert_array_equal(y, x)
    assert not offsets.any()


def training_graph(shape, k, s, padding="VALID", seed=0):
    rng = np.random.default_rng(seed)
    x = gf.placeholder(gf.float64, [None, *shape[1:]])
    p = gf.nn.max_pool(gf.nn.relu(x), (1, *k, 1), (1, *s, 1), padding)
    loss = gf.reduce_sum(p * gf.constant(rng.standard_normal(p.shape.as_list()[1:])))
    feed = {x: rng.integers(-3, 4, shape).astype(np.float64)}  # ties and zeros
    return [p, gf.gradients(loss, x)[0]], feed


def run_both(fetches, feed):
    result = optimize_graph(fetches, list(feed))
    with gf.Session(graph=result.graph) as sess:
        got = sess.run(result.fetches, dict(zip(result.feeds, feed.values(), strict=True)))
    with gf.Session(config=gf.ConfigProto(optimize=False)) as sess:
        want = sess.run(fetches, feed)
    notes = [c for r in result.report if r.name == "pool_offsets" for c in r.changes]
    return got, want, notes, result


@pytest.mark.parametrize("shape, k, s", GEOMETRIES)
def test_pass_records_offsets_in_training_graphs(shape, k, s):
    fetches, feed = training_graph(shape, k, s)
    got, want, notes, result = run_both(fetches, feed)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert notes == ["'MaxPool' records its maxima for 1 MaxPoolGrad op(s)"]
    types = [op.type for op in result.graph.get_operations()]
    assert "MaxPoolGrad" not in types and "MaxPoolGradFromOffsets" in types


def test_pass_leaves_same_padding_and_inference_graphs():
    fetches, feed = training_graph((2, 7, 7, 2), (2, 2), (2, 2), padding="SAME")
    got, want, notes, _ = run_both(fetches, feed)
    np.testing.assert_array_equal(got[1], want[1])
    assert notes == []
    _, _, notes, _ = run_both(fetches[:1], feed)
    assert notes == []


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 9), st.integers(2, 9), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_optimized_and_plain_agree(h, w, kh, kw, sh, sw, seed):
    if kh > h or kw > w:
        return
    fetches, feed = training_graph((2, h, w, 2), (kh, kw), (sh, sw), seed=seed)
    got, want, notes, _ = run_both(fetches, feed)
    for g, v in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, v)
    assert len(notes) == 1
