"""tf.nn convolution and pooling: kernels against naive loops, gradients, shapes, errors.

The references below loop over output pixels and kernel taps and work out TF's padding
from its documented rule, independently of graphflow's im2col kernels.
"""

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops import conv_ops
from tests.helpers import check_gradient, check_op, evaluate, ref_window_out_shape, ref_window_taps

RNG = np.random.default_rng(0)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


# ---- naive references ------------------------------------------------------------------

def ref_taps(x_shape, k_hw, stride, dilation, padding):
    """For each output pixel (oi, oj): the in-bounds input pixels and kernel taps it reads,
    as (i, j, a, b) tuples (the n-D reference flattened for 2-D loops)."""
    for (oi, oj), taps in ref_window_taps(x_shape, k_hw, stride, dilation, padding):
        yield oi, oj, [(*pixel, *tap) for pixel, tap in taps]


def ref_conv2d(x, w, stride=(1, 1), padding="SAME", dilation=(1, 1)):
    oh, ow = ref_window_out_shape(x.shape, w.shape[:2], stride, dilation, padding)
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for oi, oj, taps in ref_taps(x.shape, w.shape[:2], stride, dilation, padding):
        for i, j, a, b in taps:
            out[:, oi, oj, :] += x[:, i, j, :] @ w[a, b]
    return out


def ref_conv2d_transpose(dy, w, x_shape, stride=(1, 1), padding="SAME", dilation=(1, 1)):
    """Scatters each output pixel's gradient over the input window it read."""
    dx = np.zeros(x_shape)
    for oi, oj, taps in ref_taps(x_shape, w.shape[:2], stride, dilation, padding):
        for i, j, a, b in taps:
            dx[:, i, j, :] += dy[:, oi, oj, :] @ w[a, b].T
    return dx


def ref_depthwise(x, w, stride=(1, 1), padding="SAME", dilation=(1, 1)):
    oh, ow = ref_window_out_shape(x.shape, w.shape[:2], stride, dilation, padding)
    c, m = w.shape[2:]
    out = np.zeros((x.shape[0], oh, ow, c, m))
    for oi, oj, taps in ref_taps(x.shape, w.shape[:2], stride, dilation, padding):
        for i, j, a, b in taps:
            out[:, oi, oj] += x[:, i, j, :, None] * w[a, b]
    return out.reshape(x.shape[0], oh, ow, c * m)


def ref_pool(x, k, stride, padding, reduce):
    oh, ow = ref_window_out_shape(x.shape, k, stride, (1, 1), padding)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for oi, oj, taps in ref_taps(x.shape, k, stride, (1, 1), padding):
        window = np.stack([x[:, i, j, :] for i, j, _, _ in taps])
        out[:, oi, oj, :] = reduce(window, axis=0)
    return out


def ref_max_pool_grad(x, dy, k, stride, padding):
    """Each output's gradient goes to the first maximum of its window (row-major)."""
    dx = np.zeros(x.shape)
    for oi, oj, taps in ref_taps(x.shape, k, stride, (1, 1), padding):
        for n in range(x.shape[0]):
            for c in range(x.shape[3]):
                values = [x[n, i, j, c] for i, j, _, _ in taps]
                i, j, _, _ = taps[int(np.argmax(values))]
                dx[n, i, j, c] += dy[n, oi, oj, c]
    return dx


CONFIGS = [  # (x shape, kernel hw, stride, padding, dilation)
    ((2, 5, 5, 3), (3, 3), (1, 1), "SAME", (1, 1)),
    ((2, 6, 7, 2), (3, 3), (2, 2), "SAME", (1, 1)),
    ((1, 7, 6, 3), (2, 3), (2, 1), "VALID", (1, 1)),
    ((2, 8, 8, 1), (4, 4), (2, 2), "SAME", (1, 1)),
    ((1, 7, 8, 2), (3, 2), (1, 1), "SAME", (2, 2)),
    ((2, 9, 7, 3), (3, 3), (1, 2), "VALID", (2, 1)),
]


# ---- conv2d ------------------------------------------------------------------------------

@pytest.mark.parametrize("x_shape,k,stride,padding,dilation", CONFIGS)
def test_conv2d_matches_naive_loops(x_shape, k, stride, padding, dilation):
    x, w = rand(*x_shape), rand(*k, x_shape[3], 4)
    check_op(lambda a, b: gf.nn.conv2d(a, b, [1, *stride, 1], padding,
                                       dilations=[1, *dilation, 1]),
             [x, w], lambda a, b: ref_conv2d(a, b, stride, padding, dilation),
             rtol=1e-4, atol=1e-4)


def test_conv2d_float32_stays_float32_and_accepts_short_strides():
    x, w = rand(2, 6, 6, 3), rand(3, 3, 3, 2)
    got = check_op(lambda a, b: gf.nn.conv2d(a, b, strides=2, padding="VALID"), [x, w],
                   lambda a, b: ref_conv2d(a, b, (2, 2), "VALID"), rtol=1e-4, atol=1e-4,
                   feed=False)
    assert got[0].dtype == np.float32
    y = gf.nn.conv2d(gf.constant(x), filters=gf.constant(w), strides=[2, 1], padding="same")
    np.testing.assert_allclose(evaluate(y), ref_conv2d(x, w, (2, 1), "SAME"), atol=1e-4)
    from_list = gf.nn.conv2d(gf.constant(x), w.astype(np.float64).tolist(), 1, "VALID")
    assert from_list.dtype == gf.float32  # a Python filter takes the input's dtype


def test_conv2d_explicit_padding():
    x, w = rand(1, 4, 5, 2), rand(3, 3, 2, 3)
    pads = [[0, 0], [2, 1], [0, 2], [0, 0]]
    xp = np.pad(x, pads)
    check_op(lambda a, b: gf.nn.conv2d(a, b, [1, 1, 1, 1], pads), [x, w],
             lambda a, b: ref_conv2d(xp, b, (1, 1), "VALID"), rtol=1e-4, atol=1e-4)
    check_gradient(lambda a, b: gf.nn.conv2d(a, b, [1, 2, 1, 1], pads), [x, w])


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[2], CONFIGS[4]])
def test_conv2d_gradients(config):
    x_shape, k, stride, padding, dilation = config
    x, w = rand(*x_shape), rand(*k, x_shape[3], 2)
    check_gradient(lambda a, b: gf.nn.conv2d(a, b, [1, *stride, 1], padding,
                                             dilations=[1, *dilation, 1]), [x, w])


def test_conv2d_gradient_graph_is_made_of_backprop_ops():
    x = gf.placeholder(gf.float32, [None, 6, 6, 2])
    w = gf.Variable(rand(3, 3, 2, 4))
    gx, gw = gf.gradients(gf.reduce_sum(gf.nn.conv2d(x, w, 1, "SAME")), [x, w])
    assert gx.op.type == "Conv2DBackpropInput" and gw.op.type == "Conv2DBackpropFilter"
    assert gx.shape.as_list() == [None, 6, 6, 2] and gw.shape.as_list() == [3, 3, 2, 4]
    gx_value, gw_value = evaluate([gx, gw], {x: rand(3, 6, 6, 2)})
    assert gx_value.shape == (3, 6, 6, 2) and gw_value.dtype == np.float32


# ---- conv2d_transpose and the backprop ops -----------------------------------------------

@pytest.mark.parametrize("config", CONFIGS[:5])
def test_conv2d_transpose_is_the_input_gradient(config):
    x_shape, k, stride, padding, dilation = config
    w = rand(*k, x_shape[3], 3)
    oh, ow = ref_window_out_shape(x_shape, k, stride, dilation, padding)
    dy = rand(x_shape[0], oh, ow, 3)
    attrs = dict(strides=[1, *stride, 1], padding=padding, dilations=[1, *dilation, 1])
    check_op(lambda d, f: gf.nn.conv2d_transpose(d, f, list(x_shape), **attrs), [dy, w],
             lambda d, f: ref_conv2d_transpose(d, f, x_shape, stride, padding, dilation),
             rtol=1e-4, atol=1e-4)
    x = gf.placeholder(gf.float32, x_shape)
    y = gf.nn.conv2d(x, gf.constant(w), **attrs)
    (gx,) = gf.gradients(y, [x], grad_ys=[gf.constant(dy)])
    transposed = gf.nn.conv2d_transpose(gf.constant(dy), gf.constant(w), gf.shape(x), **attrs)
    got, want = evaluate([transposed, gx], {x: rand(*x_shape)})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_conv2d_transpose_gradients_use_conv2d_and_backprop_filter():
    dy, w = rand(2, 3, 3, 2), rand(3, 3, 4, 2)
    check_gradient(lambda d, f: gf.nn.conv2d_transpose(d, f, [2, 6, 6, 4], [1, 2, 2, 1]),
                   [dy, w])
    d = gf.placeholder(gf.float32, [2, 3, 3, 2])
    f = gf.constant(w)
    y = gf.nn.conv2d_transpose(d, f, [2, 6, 6, 4], [1, 2, 2, 1])
    gd, gf_ = gf.gradients(gf.reduce_sum(y), [d, f])
    assert gd.op.type == "Conv2D" and gf_.op.type == "Conv2DBackpropFilter"


@pytest.mark.parametrize("channels", [1, 3])
def test_conv2d_in_chunks_of_images(monkeypatch, channels):
    """Patches copied a few images at a time (chunks of 2, 2 and 1 images) give the same
    forward, fused bias+relu forward and filter gradient as the naive loops."""
    x, w, b = rand(5, 6, 7, channels), rand(3, 2, channels, 4), rand(4)
    patch_bytes = 6 * 4 * (3 * 2 * channels) * 4  # per image: 6x4 outputs, 3x2xC taps
    monkeypatch.setattr(conv_ops, "CHUNK_BYTES", 2 * patch_bytes)
    want = ref_conv2d(x, w, (1, 2), "SAME")
    wt = gf.constant(w)
    y = gf.nn.conv2d(x, wt, [1, 1, 2, 1], "SAME")
    dw = gf.gradients(gf.reduce_sum(y * y), wt)[0]
    got_y, got_dw = evaluate([y, dw])
    np.testing.assert_allclose(got_y, want, rtol=1e-4, atol=1e-5)
    eye = np.eye(w.size).reshape((-1,) + w.shape)
    ref_dw = [np.sum(2 * want * ref_conv2d(x, e, (1, 2), "SAME")) for e in eye]
    np.testing.assert_allclose(got_dw, np.reshape(ref_dw, w.shape), rtol=1e-3, atol=1e-4)
    with gf.Graph().as_default() as g:
        xp = gf.placeholder(gf.float32, x.shape)
        fused = gf.nn.relu(gf.nn.bias_add(gf.nn.conv2d(xp, w, [1, 1, 2, 1], "SAME"), b))
        optimized = gf.optimize_graph([fused], [xp]).graph.get_operations()
        assert "FusedConv2D" in [op.type for op in optimized]
        np.testing.assert_allclose(evaluate(fused, {xp: x}, graph=g),
                                   np.maximum(want + b, 0), rtol=1e-4, atol=1e-5)


def test_conv2d_backprop_filter_matches_gradient_and_has_gradients():
    x, dy = rand(2, 6, 5, 3), rand(2, 3, 3, 2)
    def build(a, d):
        return gf.nn.conv2d_backprop_filter(a, [3, 3, 3, 2], d, [1, 2, 2, 1], "SAME")

    def ref(a, d):
        eye = np.eye(3 * 3 * 3 * 2).reshape(-1, 3, 3, 3, 2)
        return np.stack([np.sum(ref_conv2d(a, e, (2, 2), "SAME") * d) for e in eye]
                        ).reshape(3, 3, 3, 2)

    check_op(build, [x, dy], ref, rtol=1e-4, atol=1e-4)
    check_gradient(build, [x, dy])


def test_conv2d_backprop_input_second_order():
    w, dy = rand(2, 2, 3, 2), rand(1, 3, 4, 2)
    check_gradient(lambda f, d: gf.nn.conv2d_backprop_input([1, 6, 8, 3], f, d, [1, 2, 2, 1],
                                                            "VALID"), [w, dy])


# ---- conv1d, atrous, convolution ---------------------------------------------------------

@pytest.mark.parametrize("stride,padding,dilation", [(1, "SAME", 1), (2, "VALID", 1),
                                                     (1, "SAME", 2)])
def test_conv1d(stride, padding, dilation):
    x, w = rand(2, 9, 3), rand(3, 3, 4)

    def ref(a, b):
        return ref_conv2d(a[:, None], b[None], (1, stride), padding, (1, dilation))[:, 0]

    check_op(lambda a, b: gf.nn.conv1d(a, b, stride, padding, dilations=dilation), [x, w], ref,
             rtol=1e-4, atol=1e-4)
    check_gradient(lambda a, b: gf.nn.conv1d(a, b, stride, padding, dilations=dilation), [x, w])


def test_conv1d_static_shape_and_aliases():
    x = gf.placeholder(gf.float32, [None, 10, 3])
    y = gf.nn.conv1d(input=x, filters=gf.constant(rand(3, 3, 5)), stride=[1, 2, 1],
                     padding="SAME")
    assert y.shape.as_list() == [None, 5, 5]
    z = gf.nn.convolution(x, gf.constant(rand(4, 3, 2)), "VALID")
    assert z.shape.as_list() == [None, 7, 2]


def test_atrous_conv2d_and_convolution_2d():
    x, w = rand(1, 7, 7, 2), rand(3, 3, 2, 2)
    want = ref_conv2d(x, w, (1, 1), "SAME", (2, 2))
    got = evaluate([gf.nn.atrous_conv2d(gf.constant(x), gf.constant(w), 2, "SAME"),
                    gf.nn.convolution(gf.constant(x), gf.constant(w), "SAME",
                                      dilation_rate=[2, 2])])
    for g in got:
        np.testing.assert_allclose(g, want, rtol=1e-4, atol=1e-4)


# ---- depthwise and separable -------------------------------------------------------------

@pytest.mark.parametrize("x_shape,k,stride,padding,dilation", CONFIGS[:5])
def test_depthwise_conv2d_matches_naive_loops(x_shape, k, stride, padding, dilation):
    x, w = rand(*x_shape), rand(*k, x_shape[3], 2)
    check_op(lambda a, b: gf.nn.depthwise_conv2d_native(a, b, [1, *stride, 1], padding,
                                                        dilations=[1, *dilation, 1]),
             [x, w], lambda a, b: ref_depthwise(a, b, stride, padding, dilation),
             rtol=1e-4, atol=1e-4)


def test_depthwise_conv2d_gradients_and_rate():
    x, w = rand(1, 6, 5, 3), rand(3, 3, 3, 2)
    check_gradient(lambda a, b: gf.nn.depthwise_conv2d(a, b, [1, 2, 2, 1], "SAME"), [x, w])
    check_gradient(lambda a, b: gf.nn.depthwise_conv2d(a, b, [1, 1, 1, 1], "VALID",
                                                       rate=[2, 1]), [x, w])
    with pytest.raises(ValueError, match="rate > 1"):
        gf.nn.depthwise_conv2d(gf.constant(x), gf.constant(w), [1, 2, 2, 1], "SAME", rate=2)


def test_depthwise_backprop_ops_second_order():
    x, w, dy = rand(1, 5, 5, 2), rand(3, 3, 2, 2), rand(1, 3, 3, 4)
    check_gradient(lambda f, d: gf.nn.depthwise_conv2d_native_backprop_input(
        [1, 5, 5, 2], f, d, [1, 2, 2, 1], "SAME"), [w, dy])
    check_gradient(lambda a, d: gf.nn.depthwise_conv2d_native_backprop_filter(
        a, [3, 3, 2, 2], d, [1, 2, 2, 1], "SAME"), [x, dy])


def test_separable_conv2d():
    x, dw, pw = rand(2, 6, 6, 3), rand(3, 3, 3, 2), rand(1, 1, 6, 4)

    def ref(a, b, c):
        return ref_conv2d(ref_depthwise(a, b, (2, 2), "SAME"), c, (1, 1), "VALID")

    check_op(lambda a, b, c: gf.nn.separable_conv2d(a, b, c, [1, 2, 2, 1], "SAME"),
             [x, dw, pw], ref, rtol=1e-4, atol=1e-4)
    check_gradient(lambda a, b, c: gf.nn.separable_conv2d(a, b, c, [1, 1, 1, 1], "VALID"),
                   [x[:1, :4, :4], dw, pw])
    with pytest.raises(ValueError, match="pointwise_filter"):
        gf.nn.separable_conv2d(gf.constant(x), gf.constant(dw), gf.constant(rand(2, 1, 6, 4)),
                               [1, 1, 1, 1], "SAME")


# ---- pooling -----------------------------------------------------------------------------

POOLS = [  # (x shape, ksize, stride, padding)
    ((2, 5, 5, 3), (2, 2), (2, 2), "SAME"),
    ((1, 6, 7, 2), (3, 3), (2, 2), "SAME"),
    ((2, 6, 6, 2), (3, 2), (1, 2), "VALID"),
    ((1, 4, 5, 1), (3, 3), (1, 1), "SAME"),
    ((2, 7, 6, 3), (2, 2), (2, 2), "VALID"),  # tiling windows, a row left out
    ((1, 6, 8, 2), (3, 2), (3, 2), "SAME"),  # tiling windows, SAME without padding
]


@pytest.mark.parametrize("x_shape,k,stride,padding", POOLS)
def test_pools_match_naive_loops(x_shape, k, stride, padding):
    x = rand(*x_shape)
    check_op(lambda a: gf.nn.max_pool(a, [1, *k, 1], [1, *stride, 1], padding), [x],
             lambda a: ref_pool(a, k, stride, padding, np.max))
    check_op(lambda a: gf.nn.avg_pool(a, [1, *k, 1], [1, *stride, 1], padding), [x],
             lambda a: ref_pool(a, k, stride, padding, np.mean), rtol=1e-5, atol=1e-6)


def test_max_pool_of_integers_and_negative_values():
    x = -np.arange(1, 26, dtype=np.int32).reshape(1, 5, 5, 1)
    check_op(lambda a: gf.nn.max_pool2d(a, 2, 2, "SAME"), [x],
             lambda a: ref_pool(a, (2, 2), (2, 2), "SAME", np.max).astype(np.int32))


@pytest.mark.parametrize("x_shape,k,stride,padding", POOLS)
def test_pool_gradients(x_shape, k, stride, padding):
    x = RNG.permutation(np.prod(x_shape)).reshape(x_shape) / 7.0  # no ties
    check_gradient(lambda a: gf.nn.max_pool(a, [1, *k, 1], [1, *stride, 1], padding), [x])
    check_gradient(lambda a: gf.nn.avg_pool(a, [1, *k, 1], [1, *stride, 1], padding), [x])


def test_max_pool_gradient_goes_to_the_first_of_tied_maxima():
    x = np.ones((1, 4, 4, 2), np.float32)
    x[0, 1, 1, 0] = x[0, 2, 3, 0] = 0.5
    xt = gf.constant(x)
    y = gf.nn.max_pool(xt, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    dy = rand(1, 2, 2, 2)
    (gx,) = gf.gradients(y, [xt], grad_ys=[gf.constant(dy)])
    assert gx.op.type == "MaxPoolGrad"
    got = evaluate(gx)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref_max_pool_grad(x, dy, (3, 3), (2, 2), "SAME"),
                               rtol=1e-6)
    assert np.count_nonzero(got) == dy.size  # one element per window, never a share


@pytest.mark.parametrize("x_shape,k,padding", [((2, 9, 8, 3), (2, 2), "VALID"),
                                               ((1, 6, 9, 2), (3, 3), "SAME")])
def test_max_pool_gradient_of_tiling_windows_goes_to_the_first_tied_maximum(x_shape, k,
                                                                            padding):
    x = RNG.integers(0, 3, x_shape).astype(np.float32)  # many ties
    dy_shape = (x_shape[0], *ref_window_out_shape(x_shape, k, k, (1, 1), padding), x_shape[3])

    def grad(a, d):
        return gf.gradients(gf.nn.max_pool(a, [1, *k, 1], [1, *k, 1], padding), [a],
                            grad_ys=[d])[0]

    check_op(grad, [x, rand(*dy_shape)], lambda a, d: ref_max_pool_grad(a, d, k, k, padding))


def test_max_pool_gradient_of_all_minus_inf_windows_skips_padding():
    x = np.full((1, 3, 3, 1), -np.inf)
    dy = rand(1, 3, 3, 1, dtype=np.float64)

    def grad(a, d):
        return gf.gradients(gf.nn.max_pool(a, 3, 1, "SAME"), [a], grad_ys=[d])[0]

    check_op(grad, [x, dy], lambda a, d: ref_max_pool_grad(a, d, (3, 3), (1, 1), "SAME"))


def test_pool_grad_ops_have_gradients():
    x = RNG.permutation(50).reshape(2, 5, 5, 1).astype(np.float64)

    def max_grad(dy):
        xt = gf.constant(x)
        y = gf.nn.max_pool(xt, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        return gf.gradients(y, [xt], grad_ys=[dy])[0]

    def avg_grad(dy):
        xt = gf.constant(x)
        y = gf.nn.avg_pool(xt, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
        return gf.gradients(y, [xt], grad_ys=[dy])[0]

    check_gradient(max_grad, [rand(2, 3, 3, 1)])

    def max_grad_grad(g):
        dy = gf.constant(rand(2, 3, 3, 1, dtype=np.float64))
        return gf.gradients(max_grad(dy), [dy], grad_ys=[g])[0]

    check_gradient(max_grad_grad, [rand(2, 5, 5, 1)])
    check_gradient(avg_grad, [rand(2, 3, 3, 1)])
    check_op(lambda dy: max_grad(dy), [rand(2, 3, 3, 1, dtype=np.float64)],
             lambda dy: ref_max_pool_grad(x, dy, (2, 2), (2, 2), "SAME"))


def test_pool1d_and_generic_pool():
    x = rand(2, 9, 3)

    def ref(a, reduce, padding):
        return ref_pool(a[:, None], (1, 3), (1, 2), padding, reduce)[:, 0]

    check_op(lambda a: gf.nn.max_pool1d(a, 3, 2, "SAME"), [x],
             lambda a: ref(a, np.max, "SAME"))
    check_op(lambda a: gf.nn.avg_pool1d(a, [1, 3, 1], [2], "VALID"), [x],
             lambda a: ref(a, np.mean, "VALID"), rtol=1e-5)
    check_op(lambda a: gf.nn.pool(a, [3], "MAX", "SAME", strides=[2]), [x],
             lambda a: ref(a, np.max, "SAME"))
    x2 = rand(1, 5, 6, 2)
    check_op(lambda a: gf.nn.pool(a, [2, 3], "AVG", "VALID", strides=[1, 3]), [x2],
             lambda a: ref_pool(a, (2, 3), (1, 3), "VALID", np.mean), rtol=1e-5)
    check_gradient(lambda a: gf.nn.avg_pool1d(a, 3, 2, "SAME"), [x])


# ---- static shapes and errors ------------------------------------------------------------

def test_static_shapes_with_unknown_batch():
    x = gf.placeholder(gf.float32, [None, 28, 28, 1])
    w = gf.constant(rand(5, 5, 1, 32))
    assert gf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME").shape.as_list() == [None, 28, 28, 32]
    assert gf.nn.conv2d(x, w, [1, 2, 2, 1], "VALID").shape.as_list() == [None, 12, 12, 32]
    pooled = gf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert pooled.shape.as_list() == [None, 14, 14, 1]
    assert gf.nn.avg_pool(x, 3, 2, "SAME").shape.as_list() == [None, 14, 14, 1]
    dw = gf.nn.depthwise_conv2d(x, gf.constant(rand(3, 3, 1, 4)), [1, 1, 1, 1], "SAME")
    assert dw.shape.as_list() == [None, 28, 28, 4]
    d = gf.placeholder(gf.float32, [None, 7, 7, 8])
    batch = gf.placeholder(gf.int32, [])
    t = gf.nn.conv2d_transpose(d, gf.constant(rand(3, 3, 4, 8)), gf.stack([batch, 14, 14, 4]),
                               [1, 2, 2, 1])
    assert t.shape.as_list() == [None, 14, 14, 4]
    unknown = gf.placeholder(gf.float32)
    assert gf.nn.conv2d(unknown, w, 1, "SAME").shape.as_list() == [None, None, None, 32]


def test_bad_arguments_name_the_shapes():
    x = gf.placeholder(gf.float32, [None, 8, 8, 3])
    with pytest.raises(ValueError, match=r"input depth .*\(\?, 8, 8, 3\).*filter shape "
                                         r"\(3, 3, 4, 2\)"):
        gf.nn.conv2d(x, gf.constant(rand(3, 3, 4, 2)), 1, "SAME")
    with pytest.raises(ValueError, match=r"must be 4-D, got shape \(8, 8, 3\)"):
        gf.nn.conv2d(gf.constant(rand(8, 8, 3)), gf.constant(rand(3, 3, 3, 2)), 1, "SAME")
    with pytest.raises(ValueError, match=r"filter must be 4-D"):
        gf.nn.conv2d(x, gf.constant(rand(3, 3, 3)), 1, "SAME")
    with pytest.raises(ValueError, match="Negative dimension size"):
        gf.nn.conv2d(x, gf.constant(rand(9, 9, 3, 2)), 1, "VALID")
    with pytest.raises(ValueError, match="NCHW"):
        gf.nn.conv2d(x, gf.constant(rand(3, 3, 3, 2)), 1, "SAME", data_format="NCHW")
    with pytest.raises(ValueError, match="padding"):
        gf.nn.conv2d(x, gf.constant(rand(3, 3, 3, 2)), 1, "FULL")
    with pytest.raises(ValueError, match="batch and depth"):
        gf.nn.max_pool(x, [2, 2, 2, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="NCW"):
        gf.nn.max_pool1d(gf.placeholder(gf.float32, [1, 4, 2]), 2, 2, "SAME",
                         data_format="NCW")
    with pytest.raises(ValueError, match="dilation_rate"):
        gf.nn.pool(x, [2, 2], "MAX", "SAME", dilation_rate=[2, 2])
    with pytest.raises(TypeError, match="floating"):
        gf.nn.conv2d(gf.constant(np.ones((1, 4, 4, 1), np.int32)),
                     gf.constant(np.ones((2, 2, 1, 1), np.int32)), 1, "SAME")


def test_conv2d_transpose_checks_output_shape():
    d = gf.placeholder(gf.float32, [None, 7, 7, 8])
    with pytest.raises(ValueError, match=r"input_sizes depth \(5\).*filter shape"):
        gf.nn.conv2d_transpose(d, gf.constant(rand(3, 3, 4, 8)), [1, 14, 14, 5], [1, 2, 2, 1])
    with pytest.raises(ValueError, match=r"out_backprop height \(7\).*\(1, 20, 14, 4\)"):
        gf.nn.conv2d_transpose(d, gf.constant(rand(3, 3, 4, 8)), [1, 20, 14, 4], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="depth of out_backprop"):
        gf.nn.conv2d_transpose(d, gf.constant(rand(3, 3, 4, 6)), [1, 14, 14, 4], [1, 2, 2, 1])


def test_run_time_shape_mismatch_is_reported():
    d = gf.placeholder(gf.float32, [None, None, None, 2])
    t = gf.nn.conv2d_transpose(d, gf.constant(rand(3, 3, 4, 2)), [1, 6, 6, 4], [1, 2, 2, 1])
    with pytest.raises(gf.errors.InvalidArgumentError, match="out_backprop has shape"):
        evaluate(t, {d: rand(1, 4, 4, 2)})
