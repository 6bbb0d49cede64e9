"""Convolution and pooling (``tf.nn.conv2d``, ``max_pool``...) in NHWC layout, on numpy.

Speed comes from never looping over pixels or the batch:

- A convolution is im2col + ONE matrix product: the zero-padded input is viewed as patches
  [N*OH*OW, KH*KW*C] through stride tricks, copied once, and multiplied by the filter
  reshaped to [KH*KW*C, OC]. The gradient wrt the filter is the transposed product of the
  same patches with the output gradient.
- The gradient wrt the input multiplies the output gradient by the filter's transpose
  (one batched matmul giving a block per kernel offset) and adds the blocks back (col2im)
  with a loop over only the KH*KW kernel offsets, each a strided slice; np.add.at would be
  many times slower.
- Depthwise convolution and pooling loop over kernel offsets the same way.

Gradients are registered ops (Conv2DBackpropInput, Conv2DBackpropFilter, MaxPoolGrad,
AvgPoolGrad...), as in TF, so gradient graphs are ordinary graphs that passes can rewrite.
Shapes follow TF's rules: "SAME" gives ceil(in / stride) outputs and puts the odd padding
pixel after; "VALID" uses only full windows.
"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import dtypes as _dtypes
from ..graph import name_scope
from ..shapes import TensorShape
from . import array_ops
from .constant_ops import constant, constant_shape, convert_to_tensor
from .op_utils import make, same_dtype, tensor_pair
from .registry import define_op

__all__ = [
    "conv1d", "conv2d", "conv2d_transpose", "conv2d_backprop_input", "conv2d_backprop_filter",
    "atrous_conv2d", "convolution", "depthwise_conv2d", "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter",
    "depthwise_conv2d_backprop_input", "depthwise_conv2d_backprop_filter", "separable_conv2d",
    "max_pool", "max_pool2d", "max_pool1d", "avg_pool", "avg_pool2d", "avg_pool1d", "pool",
]


# ---- geometry --------------------------------------------------------------------------

class Geometry(NamedTuple):
    """Everything a kernel needs about one 2-D window sweep, computed once per call."""

    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    oh: int
    ow: int
    pads: tuple  # ((top, bottom), (left, right))

    def offsets(self):
        """(i, j, rows, cols) per kernel offset: the strided slices of the padded input
        that offset (i, j) reads for every output pixel, in TF's row-major window order.
        """
        for i in range(self.kh):
            rows = slice(i * self.dh, i * self.dh + self.oh * self.sh, self.sh)
            for j in range(self.kw):
                yield i, j, rows, slice(j * self.dw, j * self.dw + self.ow * self.sw, self.sw)


def _out_dim(size, k, stride, dilation, padding, explicit=(0, 0)):
    """(output size, pad before, pad after) of one spatial dim; sizes may be None."""
    if size is None or k is None:
        return None, 0, 0
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + eff - size, 0)
        return out, total // 2, total - total // 2
    before, after = explicit if padding == "EXPLICIT" else (0, 0)
    if size + before + after < eff:
        raise ValueError(
            f"Negative dimension size caused by subtracting {eff} (the dilated window) from "
            f"{size + before + after} (the padded input size)"
        )
    return (size + before + after - eff) // stride + 1, before, after


def _geometry(in_shape, k_hw, strides, dilations, padding, explicit_paddings=()):
    """The Geometry of a window of size ``k_hw`` swept over an NHWC ``in_shape``."""
    explicit = [tuple(explicit_paddings[2 * d:2 * d + 2]) if explicit_paddings else (0, 0)
                for d in (1, 2)]
    dims = [_out_dim(in_shape[d], k_hw[d - 1], strides[d], dilations[d], padding,
                     explicit[d - 1]) for d in (1, 2)]
    return Geometry(k_hw[0], k_hw[1], strides[1], strides[2], dilations[1], dilations[2],
                    dims[0][0], dims[1][0], (dims[0][1:], dims[1][1:]))


def _pad(x, pads, value=0):
    """``x`` with its two spatial dims padded by ``pads`` (a new array only when needed)."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + top + bottom, w + left + right, c), value, dtype=x.dtype)
    out[:, top:top + h, left:left + w, :] = x
    return out


def _padded_zeros(in_shape, geo, dtype):
    """The zero gradient of the padded input, which backprop kernels add windows into."""
    n, h, w, c = in_shape
    (top, bottom), (left, right) = geo.pads
    return np.zeros((n, h + top + bottom, w + left + right, c), dtype=dtype)


def _crop(xp, pads, shape):
    """Removes the padding that ``_pad`` added, giving an array of ``shape``."""
    (top, _), (left, _) = pads
    return xp[:, top:top + shape[1], left:left + shape[2], :]


# ---- im2col / col2im -------------------------------------------------------------------

def im2col(x, geo):
    """Patches of ``x`` as a [N*OH*OW, KH*KW*C] matrix (row: one output pixel's window).

    The copy follows the faster memory order: patch-major (each copied run is the C
    channels of one pixel) when there are several channels; kernel-offset-major (each run
    is a row of the input) for one channel, returned as a transposed view, which matmul
    takes without another copy.
    """
    xp = _pad(x, geo.pads)
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    if c == 1:
        view = as_strided(xp, (geo.kh, geo.kw, n, geo.oh, geo.ow),
                          (sh * geo.dh, sw * geo.dw, sn, sh * geo.sh, sw * geo.sw),
                          writeable=False)
        return view.reshape(geo.kh * geo.kw, n * geo.oh * geo.ow).T
    view = as_strided(xp, (n, geo.oh, geo.ow, geo.kh, geo.kw, c),
                      (sn, sh * geo.sh, sw * geo.sw, sh * geo.dh, sw * geo.dw, sc),
                      writeable=False)
    return view.reshape(n * geo.oh * geo.ow, geo.kh * geo.kw * c)


def col2im(dcols, in_shape, geo):
    """Adds patch gradients [KH*KW, N*OH*OW, C] back into an input of ``in_shape``.

    Offset-major blocks are contiguous, so each offset's add runs over whole image rows;
    from a patch-major [N*OH*OW, KH*KW*C] matrix the runs would be only C long, which
    measured about 1.5x slower overall.
    """
    blocks = dcols.reshape(geo.kh, geo.kw, in_shape[0], geo.oh, geo.ow, in_shape[3])
    dxp = _padded_zeros(in_shape, geo, dcols.dtype)
    for i, j, rows, cols in geo.offsets():
        dxp[:, rows, cols, :] += blocks[i, j]
    return _crop(dxp, geo.pads, in_shape)


# ---- conv2d kernels --------------------------------------------------------------------

def _check_shape(name, got, expected):
    if tuple(got) != tuple(expected):
        raise ValueError(f"{name} has shape {tuple(got)}, expected {tuple(expected)}")


def conv2d_forward(x, w, strides, padding, dilations, explicit_paddings=()):
    """Conv2D: im2col patches times the filter as one [KH*KW*C, OC] matrix."""
    geo = _geometry(x.shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    out = im2col(x, geo) @ w.reshape(-1, w.shape[3])
    return out.reshape(x.shape[0], geo.oh, geo.ow, w.shape[3])


def conv2d_backprop_input_kernel(input_sizes, w, dy, strides, padding, dilations,
                                 explicit_paddings=()):
    """Conv2DBackpropInput: dy times the filter's transpose, one product per kernel
    offset in a single batched matmul, then col2im.
    """
    in_shape = tuple(int(d) for d in input_sizes)
    geo = _geometry(in_shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    kh, kw, c, oc = w.shape
    _check_shape("out_backprop", dy.shape, (in_shape[0], geo.oh, geo.ow, oc))
    dcols = np.matmul(dy.reshape(-1, oc), w.reshape(kh * kw, c, oc).transpose(0, 2, 1))
    return col2im(dcols, in_shape, geo)


def conv2d_backprop_filter_kernel(x, filter_sizes, dy, strides, padding, dilations,
                                  explicit_paddings=()):
    """Conv2DBackpropFilter: the patches' transpose times dy."""
    f_shape = tuple(int(d) for d in filter_sizes)
    geo = _geometry(x.shape, f_shape[:2], strides, dilations, padding, explicit_paddings)
    _check_shape("out_backprop", dy.shape, (x.shape[0], geo.oh, geo.ow, f_shape[3]))
    return (im2col(x, geo).T @ dy.reshape(-1, f_shape[3])).reshape(f_shape)


# ---- depthwise kernels -----------------------------------------------------------------

def _per_multiplier(t, c, m):
    """A depthwise [N, OH, OW, C*M] tensor as M contiguous [N, OH, OW, C] blocks (free
    when M is 1), so every multiply-add below runs over whole rows.
    """
    n, oh, ow, _ = t.shape
    return np.ascontiguousarray(np.moveaxis(t.reshape(n, oh, ow, c, m), -1, 0))


def depthwise_forward(x, w, strides, padding, dilations, explicit_paddings=()):
    """DepthwiseConv2dNative: each channel meets only its own filters, so there is no large
    matrix product to feed; a broadcast multiply-add per kernel offset and multiplier
    instead (measured faster than im2col with einsum).
    """
    geo = _geometry(x.shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    xp = _pad(x, geo.pads)
    n, c, m = x.shape[0], x.shape[3], w.shape[3]
    out = np.zeros((m, n, geo.oh, geo.ow, c), dtype=x.dtype)
    product = np.empty(out.shape[1:], dtype=x.dtype)
    for i, j, rows, cols in geo.offsets():
        window = xp[:, rows, cols, :]
        for q in range(m):
            out[q] += np.multiply(window, w[i, j, :, q], out=product)
    return np.moveaxis(out, 0, -1).reshape(n, geo.oh, geo.ow, c * m)


def depthwise_backprop_input_kernel(input_sizes, w, dy, strides, padding, dilations,
                                    explicit_paddings=()):
    in_shape = tuple(int(d) for d in input_sizes)
    geo = _geometry(in_shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    c, m = in_shape[3], w.shape[3]
    _check_shape("out_backprop", dy.shape, (in_shape[0], geo.oh, geo.ow, c * m))
    blocks = _per_multiplier(dy, c, m)
    dxp = _padded_zeros(in_shape, geo, dy.dtype)
    product = np.empty(blocks.shape[1:], dtype=dy.dtype)
    for i, j, rows, cols in geo.offsets():
        for q in range(m):
            dxp[:, rows, cols, :] += np.multiply(blocks[q], w[i, j, :, q], out=product)
    return _crop(dxp, geo.pads, in_shape)


def depthwise_backprop_filter_kernel(x, filter_sizes, dy, strides, padding, dilations,
                                     explicit_paddings=()):
    f_shape = tuple(int(d) for d in filter_sizes)
    geo = _geometry(x.shape, f_shape[:2], strides, dilations, padding, explicit_paddings)
    c, m = x.shape[3], f_shape[3]
    _check_shape("out_backprop", dy.shape, (x.shape[0], geo.oh, geo.ow, c * m))
    blocks = _per_multiplier(dy, c, m)
    xp = _pad(x, geo.pads)
    dw = np.empty(f_shape, dtype=dy.dtype)
    for i, j, rows, cols in geo.offsets():
        window = xp[:, rows, cols, :]
        for q in range(m):
            dw[i, j, :, q] = np.einsum("nhwc,nhwc->c", window, blocks[q])
    return dw


# ---- pooling kernels -------------------------------------------------------------------

_NO_DILATION = (1, 1, 1, 1)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def max_pool_forward(x, ksize, strides, padding):
    """MaxPool: running maximum over the window's offsets (padding never wins)."""
    geo = _geometry(x.shape, ksize[1:3], strides, _NO_DILATION, padding)
    xp = _pad(x, geo.pads, _lowest(x.dtype))
    out = None
    for _, _, rows, cols in geo.offsets():
        window = xp[:, rows, cols, :]
        out = window.copy() if out is None else np.maximum(out, window, out=out)
    return out


def _max_hits(x, y, geo):
    """(rows, cols, hit) per kernel offset in window order: ``hit`` marks the output
    pixels whose window holds a maximum at that offset. Padding can only tie with a
    maximum of -inf, so it is masked out only when there is one.
    """
    xp = _pad(x, geo.pads, _lowest(x.dtype))
    valid = None
    if xp is not x and (y == _lowest(y.dtype)).any():
        valid = _pad(np.ones((1,) + x.shape[1:3] + (1,), dtype=bool), geo.pads, False)
    for _, _, rows, cols in geo.offsets():
        hit = xp[:, rows, cols, :] == y
        if valid is not None:
            hit &= valid[:, rows, cols, :]
        yield rows, cols, hit


def max_pool_grad_kernel(x, y, dy, ksize, strides, padding):
    """MaxPoolGrad: routes each output gradient to its window's FIRST maximum, as TF does
    (ties give all of it to one element): ``unrouted`` drops to zero once routed.
    """
    geo = _geometry(x.shape, ksize[1:3], strides, _NO_DILATION, padding)
    dxp = _padded_zeros(x.shape, geo, dy.dtype)
    unrouted = dy.copy()
    for rows, cols, hit in _max_hits(x, y, geo):
        routed = unrouted * hit
        unrouted -= routed
        dxp[:, rows, cols, :] += routed
    return _crop(dxp, geo.pads, x.shape)


def max_pool_grad_grad_kernel(x, y, g, ksize, strides, padding):
    """MaxPoolGradGrad: picks, per output pixel, ``g`` at the window's first maximum
    (offsets visited last to first, so the first maximum writes last).
    """
    geo = _geometry(x.shape, ksize[1:3], strides, _NO_DILATION, padding)
    gp = _pad(g, geo.pads)
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
    geo = _geometry(x.shape, ksize[1:3], strides, _NO_DILATION, padding)
    xp = _pad(x, geo.pads)
    out = np.zeros((x.shape[0], geo.oh, geo.ow, x.shape[3]), dtype=x.dtype)
    for _, _, rows, cols in geo.offsets():
        out += xp[:, rows, cols, :]
    return out / _window_counts(x.shape, geo, x.dtype)


def avg_pool_grad_kernel(orig_input_shape, dy, ksize, strides, padding):
    """AvgPoolGrad: each output gradient, divided by its count, spread over its window."""
    in_shape = tuple(int(d) for d in orig_input_shape)
    geo = _geometry(in_shape, ksize[1:3], strides, _NO_DILATION, padding)
    share = dy / _window_counts(in_shape, geo, dy.dtype)
    dxp = _padded_zeros(in_shape, geo, dy.dtype)
    for _, _, rows, cols in geo.offsets():
        dxp[:, rows, cols, :] += share
    return _crop(dxp, geo.pads, in_shape)


# ---- shape inference -------------------------------------------------------------------

def _dims4(t, what, op_type):
    """The 4 static dims of ``t`` (None where unknown); raises when its rank is not 4."""
    dims = t.shape.dims
    if dims is None:
        return (None,) * 4
    if len(dims) != 4:
        raise ValueError(f"{op_type}: {what} must be 4-D, got shape {t.shape}")
    return dims


def _sizes4(t, what, op_type):
    """Static dims held by a 1-D int32 sizes tensor such as ``input_sizes``."""
    if not t.dtype.is_integer:
        raise TypeError(f"{op_type}: {what} must be an int32 tensor, got {t.dtype.name}")
    if t.shape.dims is not None and t.shape.dims != (4,) and t.shape.dims != (None,):
        raise ValueError(f"{op_type}: {what} must have shape (4,), got {t.shape}")
    dims = constant_shape(t).dims
    return (None,) * 4 if dims is None else dims


def _float_dtype(op_type, tensors):
    dtype = same_dtype(op_type, tensors)
    if not dtype.is_floating:
        raise TypeError(f"{op_type} requires floating-point inputs, got {dtype.name}")
    return dtype


def _agree(op_type, a, a_what, b, b_what):
    """Two static dims that must match, e.g. the input depth and filter in_channels."""
    if a is not None and b is not None and a != b:
        raise ValueError(f"{op_type}: {a_what} ({a}) must equal {b_what} ({b})")


def _out_hw(op_type, in_dims, k_hw, attrs):
    """Static output (height, width) of a window sweep; None where not known."""
    strides = attrs["strides"]
    dilations = attrs.get("dilations", _NO_DILATION)
    explicit = attrs.get("explicit_paddings") or (0,) * 8
    try:
        return tuple(
            _out_dim(in_dims[d], k_hw[d - 1], strides[d], dilations[d], attrs["padding"],
                     explicit[2 * d:2 * d + 2])[0]
            for d in (1, 2))
    except ValueError as e:
        raise ValueError(f"{op_type}: {e}") from None


def _check_out_hw(op_type, in_dims, k_hw, dy_dims, attrs):
    """The out_backprop's spatial dims must be what the forward op would produce."""
    for got, want, axis in zip(dy_dims[1:3], _out_hw(op_type, in_dims, k_hw, attrs),
                               ("height", "width"), strict=True):
        _agree(op_type, got, f"out_backprop {axis}", want,
               f"the output {axis} computed from input shape {TensorShape(in_dims)}")


def _conv_infer(op_type, out_channels):
    """Inference for Conv2D and DepthwiseConv2dNative, which differ in the output depth."""
    def infer(inputs, attrs):
        x, w = inputs
        dtype = _float_dtype(op_type, [x, w])
        xd, wd = _dims4(x, "input", op_type), _dims4(w, "filter", op_type)
        _agree(op_type, xd[3], f"input depth of input shape {x.shape}", wd[2],
               f"in_channels of filter shape {w.shape}")
        oh, ow = _out_hw(op_type, xd, wd[:2], attrs)
        depth = xd[3] if xd[3] is not None else wd[2]
        return dtype, (xd[0], oh, ow, out_channels(depth, wd))

    return infer


def _conv_out_channels(c, f):
    return f[3]


def _depthwise_out_channels(c, f):
    return None if c is None or f[3] is None else c * f[3]


def _backprop_input_infer(op_type, out_channels):
    def infer(inputs, attrs):
        sizes, w, dy = inputs
        dtype = _float_dtype(op_type, [w, dy])
        xd, wd = _sizes4(sizes, "input_sizes", op_type), _dims4(w, "filter", op_type)
        dyd = _dims4(dy, "out_backprop", op_type)
        _agree(op_type, xd[3], "input_sizes depth", wd[2], f"in_channels of filter shape {w.shape}")
        _agree(op_type, dyd[3], f"depth of out_backprop shape {dy.shape}",
               out_channels(xd[3] if xd[3] is not None else wd[2], wd),
               f"the output depth of filter shape {w.shape}")
        _check_out_hw(op_type, xd, wd[:2], dyd, attrs)
        batch = xd[0] if xd[0] is not None else dyd[0]
        return dtype, (batch, xd[1], xd[2], xd[3] if xd[3] is not None else wd[2])

    return infer


def _backprop_filter_infer(op_type, out_channels):
    def infer(inputs, attrs):
        x, sizes, dy = inputs
        dtype = _float_dtype(op_type, [x, dy])
        xd, wd = _dims4(x, "input", op_type), _sizes4(sizes, "filter_sizes", op_type)
        dyd = _dims4(dy, "out_backprop", op_type)
        _agree(op_type, xd[3], f"input depth of input shape {x.shape}", wd[2],
               "filter_sizes in_channels")
        _agree(op_type, dyd[3], f"depth of out_backprop shape {dy.shape}",
               out_channels(xd[3], wd), "the output depth of filter_sizes")
        _check_out_hw(op_type, xd, wd[:2], dyd, attrs)
        return dtype, wd

    return infer


def _pool_infer(op_type, float_only):
    def infer(inputs, attrs):
        x = inputs[0]
        if float_only and not x.dtype.is_floating:
            raise TypeError(f"{op_type} requires a floating-point input, got {x.dtype.name}")
        if not (x.dtype.is_floating or x.dtype.is_integer):
            raise TypeError(f"{op_type} requires a real number input, got {x.dtype.name}")
        xd = _dims4(x, "input", op_type)
        oh, ow = _out_hw(op_type, xd, attrs["ksize"][1:3], attrs)
        return x.dtype, (xd[0], oh, ow, xd[3])

    return infer


def _max_pool_grad_infer(op_type):
    def infer(inputs, attrs):
        x, y, g = inputs
        # MaxPoolGrad maps an output-shaped g to the input's shape; GradGrad the reverse.
        return _float_dtype(op_type, [x, y, g]), x.shape if op_type == "MaxPoolGrad" else y.shape

    return infer


def _avg_pool_grad_infer(inputs, attrs):
    sizes, dy = inputs
    dtype = _float_dtype("AvgPoolGrad", [dy])
    xd, dyd = _sizes4(sizes, "orig_input_shape", "AvgPoolGrad"), _dims4(dy, "grad", "AvgPoolGrad")
    _check_out_hw("AvgPoolGrad", xd, attrs["ksize"][1:3], dyd, attrs)
    return dtype, xd


# ---- gradients (built from the ops above) ----------------------------------------------

def _conv_grads(forward, backprop_input, backprop_filter):
    """The gradient rules of one convolution family. Each of its three ops is bilinear in
    its two tensor inputs, so every gradient is one of the other two ops with the same
    attrs: this is how conv2d_transpose (a backprop-input op) differentiates through
    conv2d and the backprop-filter op.
    """
    def forward_grad(op, g):
        x, w = op.inputs
        return [make(backprop_input, (array_ops.shape(x), w, g), dict(op.attrs)),
                make(backprop_filter, (x, array_ops.shape(w), g), dict(op.attrs))]

    def backprop_input_grad(op, g):
        _, w, dy = op.inputs
        return [None, make(backprop_filter, (g, array_ops.shape(w), dy), dict(op.attrs)),
                make(forward, (g, w), dict(op.attrs))]

    def backprop_filter_grad(op, g):
        x, _, dy = op.inputs
        return [make(backprop_input, (array_ops.shape(x), g, dy), dict(op.attrs)), None,
                make(forward, (x, g), dict(op.attrs))]

    return forward_grad, backprop_input_grad, backprop_filter_grad


def _max_pool_grad(op, g):
    return [make("MaxPoolGrad", (op.inputs[0], op.outputs[0], g), dict(op.attrs))]


def _max_pool_grad_grad(op, g):
    """MaxPoolGrad is piecewise linear in its gradient input and flat in the others."""
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            make("MaxPoolGradGrad", (x, y, g), dict(op.attrs))]


def _max_pool_grad_grad_grad(op, g):
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            make("MaxPoolGrad", (x, y, g), dict(op.attrs))]


def _avg_pool_grad(op, g):
    return [make("AvgPoolGrad", (array_ops.shape(op.inputs[0]), g), dict(op.attrs))]


def _avg_pool_grad_grad(op, g):
    return [None, make("AvgPool", (g,), dict(op.attrs))]




def _define_conv_family(types, kernels, out_channels, cost):
    """Registers a forward convolution op and its two backprop ops."""
    forward, backprop_input, backprop_filter = types
    infers = (_conv_infer(forward, out_channels),
              _backprop_input_infer(backprop_input, out_channels),
              _backprop_filter_infer(backprop_filter, out_channels))
    for op_type, infer, kernel, grad in zip(types, infers, kernels, _conv_grads(*types),
                                            strict=True):
        define_op(op_type, infer=infer, kernel=kernel, grad=grad, cost=cost)


_define_conv_family(("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"),
                    (conv2d_forward, conv2d_backprop_input_kernel,
                     conv2d_backprop_filter_kernel),
                    _conv_out_channels, cost=20.0)
_define_conv_family(("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                     "DepthwiseConv2dNativeBackpropFilter"),
                    (depthwise_forward, depthwise_backprop_input_kernel,
                     depthwise_backprop_filter_kernel),
                    _depthwise_out_channels, cost=10.0)
define_op("MaxPool", infer=_pool_infer("MaxPool", False), kernel=max_pool_forward,
          grad=_max_pool_grad, cost=5.0)
define_op("MaxPoolGrad", infer=_max_pool_grad_infer("MaxPoolGrad"),
          kernel=max_pool_grad_kernel, grad=_max_pool_grad_grad, cost=10.0)
define_op("MaxPoolGradGrad", infer=_max_pool_grad_infer("MaxPoolGradGrad"),
          kernel=max_pool_grad_grad_kernel, grad=_max_pool_grad_grad_grad, cost=10.0)
define_op("AvgPool", infer=_pool_infer("AvgPool", True), kernel=avg_pool_forward,
          grad=_avg_pool_grad, cost=5.0)
define_op("AvgPoolGrad", infer=_avg_pool_grad_infer, kernel=avg_pool_grad_kernel,
          grad=_avg_pool_grad_grad, cost=5.0)


# ---- argument handling for the builders ------------------------------------------------

def _check_format(data_format, supported):
    """graphflow runs convolutions channels-last only; other layouts are refused clearly."""
    if data_format is not None and data_format not in supported:
        raise ValueError(
            f"data_format={data_format!r} is not supported: graphflow's convolution and "
            f"pooling run in {supported[0]} layout only (transpose the input to it)"
        )


def _spatial(value, n, what):
    """An int or a list of 1, n or n+2 ints (TF1 accepts each) as an (n+2)-tuple."""
    values = [int(v) for v in ([value] if np.ndim(value) == 0 else value)]
    if len(values) == 1:
        values = values * n
    if len(values) == n:
        values = [1] + values + [1]
    if len(values) != n + 2:
        raise ValueError(f"{what} must be an int or a list of 1, {n} or {n + 2} ints, "
                         f"got {value}")
    if values[0] != 1 or values[-1] != 1:
        raise ValueError(f"{what} {values}: windows in the batch and depth dimensions are "
                         "not supported (the first and last entries must be 1)")
    if min(values) < 1:
        raise ValueError(f"{what} must be positive, got {values}")
    return tuple(values)


def _padding_attrs(padding, explicit_ok=True):
    """TF's (padding, explicit_paddings) attrs from a padding string or, where TF allows
    it (conv2d), 4 [before, after] pairs with zeros for the batch and depth dims.
    """
    if isinstance(padding, str) and padding.upper() in ("SAME", "VALID"):
        return {"padding": padding.upper(), "explicit_paddings": ()}
    pairs = None if isinstance(padding, str) or not explicit_ok else np.asarray(padding)
    if (pairs is None or pairs.shape != (4, 2) or pairs.dtype.kind not in "iu"
            or pairs.min() < 0 or pairs[[0, 3]].any()):
        allowed = "'SAME', 'VALID' or 4 [before, after] pairs" if explicit_ok else \
            "'SAME' or 'VALID'"
        raise ValueError(f"padding must be {allowed}, got {padding!r}")
    return {"padding": "EXPLICIT", "explicit_paddings": tuple(int(p) for p in pairs.flat)}


def _conv_attrs_from(strides, padding, dilations, explicit_ok=True):
    attrs = _padding_attrs(padding, explicit_ok)
    attrs["strides"] = _spatial(strides, 2, "strides")
    attrs["dilations"] = _spatial(1 if dilations is None else dilations, 2, "dilations")
    return attrs


def _pick(first, second, first_name, second_name):
    """TF1's argument aliases (``filter``/``filters``, ``value``/``input``): one of two."""
    if first is not None and second is not None:
        raise ValueError(f"pass only one of {first_name} and {second_name}")
    if first is None and second is None:
        raise ValueError(f"{first_name} is required")
    return first if first is not None else second


def _sizes_tensor(sizes, what):
    """A shape argument (a list or an int32 tensor) as a 1-D int32 tensor."""
    if hasattr(sizes, "op") or hasattr(sizes, "_as_graph_element"):
        return convert_to_tensor(sizes)
    sizes = TensorShape(sizes).as_list() if isinstance(sizes, TensorShape) else sizes
    if np.ndim(sizes) != 1 or len(sizes) != 4:
        raise ValueError(f"{what} must have 4 entries, got {sizes}")
    return constant(np.asarray(sizes, dtype=np.int32), dtype=_dtypes.int32)


# ---- conv2d family -------------------------------------------------------------------------

def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """2-D convolution (cross-correlation, as in TF) of NHWC ``input`` with a
    [height, width, in_channels, out_channels] filter. ``padding`` is "SAME", "VALID" or
    explicit [before, after] pairs per dim; ``use_cudnn_on_gpu`` is accepted and ignored.
    """
    _check_format(data_format, ("NHWC",))
    x, w = tensor_pair(input, _pick(filter, filters, "filter", "filters"))
    return make("Conv2D", (x, w), _conv_attrs_from(strides, padding, dilations), name=name)


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):
    """The gradient of conv2d wrt its input, for an input of shape ``input_sizes``."""
    _check_format(data_format, ("NHWC",))
    w, dy = tensor_pair(_pick(filter, filters, "filter", "filters"), out_backprop)
    return make("Conv2DBackpropInput", (_sizes_tensor(input_sizes, "input_sizes"), w, dy),
                _conv_attrs_from(strides, padding, dilations), name=name)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of conv2d wrt its filter, of shape ``filter_sizes``."""
    _check_format(data_format, ("NHWC",))
    x, dy = tensor_pair(input, out_backprop)
    return make("Conv2DBackpropFilter", (x, _sizes_tensor(filter_sizes, "filter_sizes"), dy),
                _conv_attrs_from(strides, padding, dilations), name=name)


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None,  # noqa: A002
                     filters=None, dilations=None):
    """The transpose of conv2d (a "deconvolution"): exactly conv2d's gradient wrt its
    input, so ``filter`` is [height, width, output_channels, in_channels].
    """
    _check_format(data_format, ("NHWC",))
    with name_scope(name, "conv2d_transpose") as scope:
        return conv2d_backprop_input(
            output_shape, _pick(filter, filters, "filter", "filters"),
            _pick(value, input, "value", "input"), strides, padding, dilations=dilations,
            name=scope)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """Dilated ("atrous") convolution with stride 1: conv2d with dilations ``rate``."""
    if int(rate) < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    return conv2d(value, filters, 1, padding, dilations=int(rate), name=name)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """1-D convolution of an NWC ``value`` with a [width, in_channels, out_channels]
    filter, run as conv2d on a height-1 image.
    """
    _check_format(data_format, ("NWC", "NHWC"))
    if not isinstance(padding, str):
        raise ValueError(f"conv1d: padding must be 'SAME' or 'VALID', got {padding!r}")
    value = _pick(value, input, "value", "input")
    stride = _spatial(stride, 1, "stride")
    dilations = _spatial(1 if dilations is None else dilations, 1, "dilations")
    with name_scope(name, "conv1d") as scope:
        x, w = tensor_pair(value, filters)
        x, w = array_ops.expand_dims(x, 1), array_ops.expand_dims(w, 0)
        y = conv2d(x, w, (1, 1) + stride[1:], padding, dilations=(1, 1) + dilations[1:])
        return array_ops.squeeze(y, [1], name=scope)


def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None,  # noqa: A002
                name=None, data_format=None, filters=None, dilations=None):
    """N-D convolution for N = 1 or 2, chosen by the filter's rank (TF1 ``convolution``)."""
    w = convert_to_tensor(_pick(filter, filters, "filter", "filters"))
    dilation_rate = dilation_rate if dilations is None else dilations
    rank = w.shape.ndims
    if rank == 3:
        return conv1d(input, w, 1 if strides is None else strides, padding,
                      data_format=data_format, dilations=dilation_rate, name=name)
    if rank == 4:
        return conv2d(input, w, 1 if strides is None else strides, padding,
                      data_format=data_format, dilations=dilation_rate, name=name)
    raise ValueError(f"convolution supports 1-D and 2-D filters (rank 3 or 4), got a filter "
                     f"of shape {w.shape}")


# ---- depthwise and separable ---------------------------------------------------------------

def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=(1, 1, 1, 1), name=None):
    """Per-channel convolution: filter [h, w, in_channels, multiplier] gives
    in_channels * multiplier outputs, channel c's block holding c's own filters.
    """
    _check_format(data_format, ("NHWC",))
    return make("DepthwiseConv2dNative", tensor_pair(input, filter),
                _conv_attrs_from(strides, padding, dilations, explicit_ok=False), name=name)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                           padding, data_format="NHWC",
                                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native wrt its input."""
    _check_format(data_format, ("NHWC",))
    return make("DepthwiseConv2dNativeBackpropInput",
                (_sizes_tensor(input_sizes, "input_sizes"), *tensor_pair(filter, out_backprop)),
                _conv_attrs_from(strides, padding, dilations, explicit_ok=False), name=name)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                            padding, data_format="NHWC",
                                            dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native wrt its filter."""
    _check_format(data_format, ("NHWC",))
    x, dy = tensor_pair(input, out_backprop)
    return make("DepthwiseConv2dNativeBackpropFilter",
                (x, _sizes_tensor(filter_sizes, "filter_sizes"), dy),
                _conv_attrs_from(strides, padding, dilations, explicit_ok=False), name=name)


depthwise_conv2d_backprop_input = depthwise_conv2d_native_backprop_input
depthwise_conv2d_backprop_filter = depthwise_conv2d_native_backprop_filter


def _rate(rate, dilations, strides):
    """TF1's depthwise/separable ``rate``: dilation that may not be combined with strides."""
    rate = rate if rate is not None else dilations
    rate = _spatial(1 if rate is None else rate, 2, "rate")
    if max(rate) > 1 and max(_spatial(strides, 2, "strides")) > 1:
        raise ValueError("strides > 1 not supported in conjunction with rate > 1")
    return rate


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None):
    """Depthwise 2-D convolution with an optional dilation ``rate`` (TF1 signature)."""
    _check_format(data_format, ("NHWC",))
    rate = _rate(rate, dilations, strides)
    with name_scope(name, "depthwise") as scope:
        return depthwise_conv2d_native(input, filter, strides, padding, dilations=rate,
                                       name=scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     rate=None, name=None, data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 convolution mixing its channels."""
    _check_format(data_format, ("NHWC",))
    rate = _rate(rate, dilations, strides)
    pointwise = convert_to_tensor(pointwise_filter)
    dims = pointwise.shape.dims
    if dims is not None and (len(dims) != 4 or dims[0] not in (1, None)
                             or dims[1] not in (1, None)):
        raise ValueError(f"separable_conv2d: pointwise_filter must have shape "
                         f"[1, 1, in, out], got {pointwise.shape}")
    with name_scope(name, "separable_conv2d") as scope:
        depthwise = depthwise_conv2d_native(input, depthwise_filter, strides, padding,
                                            dilations=rate, name="depthwise")
        return conv2d(depthwise, pointwise, 1, "VALID", name=scope)


# ---- pooling -------------------------------------------------------------------------------

def _pool(op_type, value, ksize, strides, padding, data_format, name):
    _check_format(data_format, ("NHWC",))
    attrs = {"ksize": _spatial(ksize, 2, "ksize"), "strides": _spatial(strides, 2, "strides")}
    attrs["padding"] = _padding_attrs(padding, explicit_ok=False)["padding"]
    return make(op_type, (convert_to_tensor(value),), attrs, name=name)


def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):  # noqa: A002
    """Max over each ksize window of an NHWC tensor (padding never wins)."""
    return _pool("MaxPool", _pick(value, input, "value", "input"), ksize, strides, padding,
                 data_format, name)


def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):  # noqa: A002
    """Mean over each ksize window; with SAME padding only real elements are counted."""
    return _pool("AvgPool", _pick(value, input, "value", "input"), ksize, strides, padding,
                 data_format, name)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return max_pool(input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return avg_pool(input, ksize, strides, padding, data_format, name)


def _pool1d(pool2d, input, ksize, strides, padding, data_format, name, default_name):  # noqa: A002
    """A 1-D pool over NWC input, as the 2-D pool of a height-1 image."""
    _check_format(data_format, ("NWC",))
    ksize, strides = _spatial(ksize, 1, "ksize"), _spatial(strides, 1, "strides")
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
    if dilation_rate is not None and max(_spatial(dilation_rate, n, "dilation_rate")) > 1:
        raise ValueError("pool: dilation_rate > 1 is not supported by graphflow")
    strides = 1 if strides is None else strides
    if n == 1:
        pool1d = max_pool1d if pooling_type == "MAX" else avg_pool1d
        return pool1d(input, window_shape, strides, padding, data_format or "NWC", name)
    pool2d = max_pool if pooling_type == "MAX" else avg_pool
    return pool2d(input, window_shape, strides, padding, data_format or "NHWC", name)
