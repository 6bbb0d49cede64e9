"""Max and average pooling (``tf.nn.max_pool``, ``avg_pool``, ``pool``...) in NHWC layout.

Kernels loop over only the KH*KW window offsets, each a strided slice of the padded input,
never over pixels or the batch. Gradients are registered ops (MaxPoolGrad, AvgPoolGrad,
MaxPoolGradGrad), as in TF, so gradient graphs are ordinary graphs that passes can rewrite.
"""

import numpy as np

from ..graph import name_scope
from ..runtime.intra_op import split_rows
from . import array_ops
from .constant_ops import convert_to_tensor
from .op_utils import FLOATS, REALS, deprecated_alias, float_dtype, make
from .registry import define_op
from .window_utils import (
    NO_DILATION,
    check_format,
    check_out_hw,
    crop,
    dims4,
    geometry,
    out_hw,
    pad,
    padded_zeros,
    sizes4,
    spatial,
    window_attrs,
)

__all__ = [
    "max_pool", "max_pool2d", "max_pool1d", "avg_pool", "avg_pool2d", "avg_pool1d", "pool",
]


# ---- kernels -----------------------------------------------------------------------------

def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def max_pool_forward(x, ksize, strides, padding):
    """MaxPool: running maximum over the window's offsets (padding never wins)."""
    geo = geometry(x.shape, ksize[1:3], strides, NO_DILATION, padding)
    out = np.empty((x.shape[0], geo.oh, geo.ow, x.shape[3]), dtype=x.dtype)
    split_rows(lambda a, b: _max_pool_into(x[a:b], geo, out[a:b]), x.shape[0], x.size)
    return out


def _max_pool_into(x, geo, out):
    xp = pad(x, geo.pads, _lowest(x.dtype))
    for k, (_, _, rows, cols) in enumerate(geo.offsets()):
        window = xp[:, rows, cols, :]
        if k:
            np.maximum(out, window, out=out)
        else:
            np.copyto(out, window)


def _max_hits(x, y, geo):
    """(rows, cols, hit) per kernel offset in window order: ``hit`` marks the output
    pixels whose window holds a maximum at that offset. Padding can only tie with a
    maximum of -inf, so it is masked out only when there is one.
    """
    xp = pad(x, geo.pads, _lowest(x.dtype))
    valid = None
    if xp is not x and (y == _lowest(y.dtype)).any():
        valid = pad(np.ones((1,) + x.shape[1:3] + (1,), dtype=bool), geo.pads, False)
    for _, _, rows, cols in geo.offsets():
        hit = xp[:, rows, cols, :] == y
        if valid is not None:
            hit &= valid[:, rows, cols, :]
        yield rows, cols, hit


def _window_major(a, geo):
    """An NHWC array, cut into tiling windows, as a [KH, KW, N, OH, OW, C] view: one
    [N, OH, OW, C] block per window offset. Rows and columns past the last window are
    left out.
    """
    n, _, _, c = a.shape
    tiles = a[:, :geo.oh * geo.kh, :geo.ow * geo.kw].reshape(n, geo.oh, geo.kh, geo.ow,
                                                              geo.kw, c)
    return tiles.transpose(2, 4, 0, 1, 3, 5)


def tile_the_input(geo):
    """Whether windows touch neither each other nor padding (e.g. 2x2 with stride 2 VALID):
    then every input element belongs to at most one window.
    """
    return geo.kh == geo.sh and geo.kw == geo.sw and not any(geo.pads[0] + geo.pads[1])


def _tiled_max_pool_grad_into(x, y, dy, geo, dx):
    """MaxPoolGrad for tiling windows: each input element receives its own window's
    gradient or zero, so the result is one comparison and one product, with no
    accumulation and no padded copy. Ties are settled on the boolean hits, laid out
    offset-major so that each offset's block is contiguous: ``free`` marks the outputs
    whose gradient no earlier offset took, which keeps TF's first-maximum rule.
    """
    if (geo.oh * geo.kh, geo.ow * geo.kw) != x.shape[1:3]:
        dx[...] = 0  # rows and columns past the last window get no gradient
    hits = np.equal(_window_major(x, geo), y, out=np.empty((geo.kh, geo.kw) + y.shape, bool))
    free = np.ones(y.shape, dtype=bool)
    for hit in hits.reshape((-1,) + y.shape):
        hit &= free
        free ^= hit
    np.multiply(hits, dy, out=_window_major(dx, geo))


def _routed_max_pool_grad_into(x, y, dy, geo, dxp):
    """MaxPoolGrad for overlapping or padded windows, into the zeroed padded gradient:
    routes each output gradient to its window's FIRST maximum, as TF does (ties give all
    of it to one element): ``unrouted`` drops to zero once routed.
    """
    unrouted = dy.copy()
    for rows, cols, hit in _max_hits(x, y, geo):
        routed = unrouted * hit
        unrouted -= routed
        dxp[:, rows, cols, :] += routed


def max_pool_grad_kernel(x, y, dy, ksize, strides, padding):
    """MaxPoolGrad: each output gradient goes to its window's first maximum."""
    geo = geometry(x.shape, ksize[1:3], strides, NO_DILATION, padding)
    n = x.shape[0]
    if tile_the_input(geo):
        dx = np.empty(x.shape, dtype=dy.dtype)
        split_rows(lambda a, b: _tiled_max_pool_grad_into(x[a:b], y[a:b], dy[a:b], geo,
                                                          dx[a:b]),
                   n, x.size)
        return dx
    dxp = padded_zeros(x.shape, geo, dy.dtype)
    split_rows(lambda a, b: _routed_max_pool_grad_into(x[a:b], y[a:b], dy[a:b], geo,
                                                       dxp[a:b]),
               n, x.size)
    return crop(dxp, geo.pads, x.shape)


def max_pool_grad_grad_kernel(x, y, g, ksize, strides, padding):
    """MaxPoolGradGrad: picks, per output pixel, ``g`` at the window's first maximum
    (offsets visited last to first, so the first maximum writes last).
    """
    geo = geometry(x.shape, ksize[1:3], strides, NO_DILATION, padding)
    gp = pad(g, geo.pads)
    out = np.zeros(y.shape, dtype=g.dtype)
    for rows, cols, hit in reversed(list(_max_hits(x, y, geo))):
        np.copyto(out, gp[:, rows, cols, :], where=hit)
    return out


def _window_counts(in_shape, geo, dtype):
    """How many real (unpadded) inputs each output's window covers: TF's avg_pool
    divisor, shaped [1, OH, OW, 1].
    """
    counts = []
    for size, k, s, out, (before, _) in ((in_shape[1], geo.kh, geo.sh, geo.oh, geo.pads[0]),
                                         (in_shape[2], geo.kw, geo.sw, geo.ow, geo.pads[1])):
        starts = np.arange(out) * s - before
        counts.append(np.minimum(starts + k, size) - np.maximum(starts, 0))
    return np.outer(*counts).astype(dtype)[None, :, :, None]


def avg_pool_forward(x, ksize, strides, padding):
    """AvgPool: window sums over the zero-padded input, divided by the real counts."""
    geo = geometry(x.shape, ksize[1:3], strides, NO_DILATION, padding)
    xp = pad(x, geo.pads)
    out = np.zeros((x.shape[0], geo.oh, geo.ow, x.shape[3]), dtype=x.dtype)
    for _, _, rows, cols in geo.offsets():
        out += xp[:, rows, cols, :]
    return out / _window_counts(x.shape, geo, x.dtype)


def avg_pool_grad_kernel(orig_input_shape, dy, ksize, strides, padding):
    """AvgPoolGrad: each output gradient, divided by its count, spread over its window."""
    in_shape = tuple(int(d) for d in orig_input_shape)
    geo = geometry(in_shape, ksize[1:3], strides, NO_DILATION, padding)
    share = dy / _window_counts(in_shape, geo, dy.dtype)
    dxp = padded_zeros(in_shape, geo, dy.dtype)
    for _, _, rows, cols in geo.offsets():
        dxp[:, rows, cols, :] += share
    return crop(dxp, geo.pads, in_shape)


# ---- shape inference -------------------------------------------------------------------

def pool_infer(op_type, accepts):
    def infer(inputs, attrs):
        x = inputs[0]
        accepts.check(op_type, x.dtype)
        xd = dims4(x, "input", op_type)
        oh, ow = out_hw(op_type, xd, attrs["ksize"][1:3], attrs)
        return x.dtype, (xd[0], oh, ow, xd[3])

    return infer


def _max_pool_grad_infer(op_type):
    def infer(inputs, attrs):
        x, y, g = inputs
        # MaxPoolGrad maps an output-shaped g to the input's shape; GradGrad the reverse.
        return float_dtype(op_type, [x, y, g]), x.shape if op_type == "MaxPoolGrad" else y.shape

    return infer


def _avg_pool_grad_infer(inputs, attrs):
    sizes, dy = inputs
    dtype = float_dtype("AvgPoolGrad", [dy])
    xd, dyd = sizes4(sizes, "orig_input_shape", "AvgPoolGrad"), dims4(dy, "grad", "AvgPoolGrad")
    check_out_hw("AvgPoolGrad", xd, attrs["ksize"][1:3], dyd, attrs)
    return dtype, xd


# ---- gradients (built from the ops above) ----------------------------------------------

def pool_grads(max_pool_grad, max_pool_grad_grad, avg_pool, avg_pool_grad):
    """The gradient rules of one pooling family (2-D or 3-D), named by its op types, for
    (max pool, max-pool gradient, its gradient, average pool, average-pool gradient).
    MaxPoolGrad and MaxPoolGradGrad are each linear in their gradient input, with the other
    op of the pair as their transpose, and flat in ``x`` and ``y`` (zeros, as TF gives)."""
    def max_pool_rule(op, g):
        return [make(max_pool_grad, (op.inputs[0], op.outputs[0], g), dict(op.attrs))]

    def routing_rule(transpose_type):
        def grad(op, g):
            x, y, _ = op.inputs
            return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                    make(transpose_type, (x, y, g), dict(op.attrs))]

        return grad

    def avg_pool_rule(op, g):
        return [make(avg_pool_grad, (array_ops.shape(op.inputs[0]), g), dict(op.attrs))]

    def avg_pool_grad_rule(op, g):
        return [None, make(avg_pool, (g,), dict(op.attrs))]

    return (max_pool_rule, routing_rule(max_pool_grad_grad), routing_rule(max_pool_grad),
            avg_pool_rule, avg_pool_grad_rule)


def define_pool_family(types, infers, kernels, costs):
    """Registers one pooling family (2-D or 3-D), ``types`` being its max pool, max-pool
    gradient, that gradient's gradient, average pool and average-pool gradient, each with
    its gradient rule from ``pool_grads``."""
    for op_type, infer, kernel, grad, cost in zip(types, infers, kernels, pool_grads(*types[1:]),
                                                  costs, strict=True):
        define_op(op_type, infer=infer, kernel=kernel, grad=grad, cost=cost)


define_pool_family(
    ("MaxPool", "MaxPoolGrad", "MaxPoolGradGrad", "AvgPool", "AvgPoolGrad"),
    (pool_infer("MaxPool", REALS), _max_pool_grad_infer("MaxPoolGrad"),
     _max_pool_grad_infer("MaxPoolGradGrad"), pool_infer("AvgPool", FLOATS),
     _avg_pool_grad_infer),
    (max_pool_forward, max_pool_grad_kernel, max_pool_grad_grad_kernel, avg_pool_forward,
     avg_pool_grad_kernel),
    (5.0, 10.0, 10.0, 5.0, 5.0))


# ---- builders -------------------------------------------------------------------------------

def _pool(op_type, value, ksize, strides, padding, data_format, name):
    check_format(data_format, ("NHWC",))
    attrs = window_attrs(2, padding, ksize=ksize, strides=strides)
    return make(op_type, (convert_to_tensor(value),), attrs, name=name)


def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):  # noqa: A002
    """Max over each ksize window of an NHWC tensor (padding never wins)."""
    value = deprecated_alias("input", input, "value", value, required=True)
    return _pool("MaxPool", value, ksize, strides, padding, data_format, name)


def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):  # noqa: A002
    """Mean over each ksize window; with SAME padding only real elements are counted."""
    value = deprecated_alias("input", input, "value", value, required=True)
    return _pool("AvgPool", value, ksize, strides, padding, data_format, name)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return max_pool(input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return avg_pool(input, ksize, strides, padding, data_format, name)


def _pool1d(pool2d, input, ksize, strides, padding, data_format, name, default_name):  # noqa: A002
    """A 1-D pool over NWC input, as the 2-D pool of a height-1 image."""
    check_format(data_format, ("NWC",))
    ksize, strides = spatial(ksize, 1, "ksize"), spatial(strides, 1, "strides")
    with name_scope(name, default_name) as scope:
        x = array_ops.expand_dims(convert_to_tensor(input), 1)
        y = pool2d(x, (1, 1) + ksize[1:], (1, 1) + strides[1:], padding)
        return array_ops.squeeze(y, [1], name=scope)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool1d(max_pool, input, ksize, strides, padding, data_format, name, "MaxPool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool1d(avg_pool, input, ksize, strides, padding, data_format, name, "AvgPool1d")


def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None,  # noqa: A002
         name=None, data_format=None, dilations=None):
    """TF1's generic ``pool`` for 1-D (NWC) and 2-D (NHWC) windows without dilation."""
    dilation_rate = dilation_rate if dilations is None else dilations
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    n = len(window_shape)
    if n not in (1, 2):
        raise ValueError(f"pool supports 1-D and 2-D windows, got window_shape {window_shape}")
    if dilation_rate is not None and max(spatial(dilation_rate, n, "dilation_rate")) > 1:
        raise ValueError("pool: dilation_rate > 1 is not supported by graphflow")
    strides = 1 if strides is None else strides
    if n == 1:
        pool1d = max_pool1d if pooling_type == "MAX" else avg_pool1d
        return pool1d(input, window_shape, strides, padding, data_format or "NWC", name)
    pool2d = max_pool if pooling_type == "MAX" else avg_pool
    return pool2d(input, window_shape, strides, padding, data_format or "NHWC", name)
