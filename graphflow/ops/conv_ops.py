"""Convolutions (``tf.nn.conv2d``, ``depthwise_conv2d``...) in NHWC layout, on numpy.

Speed comes from never looping over pixels or the batch:

- A convolution is im2col + a matrix product: the zero-padded input is viewed as patches
  [N*OH*OW, KH*KW*C] through stride tricks, copied a few images at a time into one reused
  buffer, and multiplied by the filter reshaped to [KH*KW*C, OC]. The gradient wrt the
  filter is the transposed product of the same patches with the output gradient.
- The gradient wrt the input multiplies the output gradient by the filter's transpose one
  kernel offset at a time, into one reused [N*OH*OW, C] block, and adds each block back
  into the input's shape at its offset (a strided slice): the blocks never exist all at
  once (9x the input for a 3x3 filter), and np.add.at would be many times slower.
- Depthwise convolution (and pooling, in pooling_ops) loop over kernel offsets the same way.

Gradients are registered ops (Conv2DBackpropInput, Conv2DBackpropFilter...), as in TF, so
gradient graphs are ordinary graphs that passes can rewrite. Shapes follow TF's rules (see
window_utils): "SAME" gives ceil(in / stride) outputs and puts the odd padding pixel after;
"VALID" uses only full windows. The pooling builders live in pooling_ops and are
re-exported here, so ``tf.nn`` and ``conv_ops.max_pool`` keep working.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..graph import name_scope
from ..runtime.intra_op import split_rows
from . import array_ops
from .constant_ops import convert_to_tensor
from .op_utils import deprecated_alias, float_dtype, make, tensor_pair
from .pooling_ops import avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d, max_pool2d, pool
from .registry import define_op
from .window_utils import (
    agree,
    check_format,
    check_out_hw,
    crop,
    dims4,
    geometry,
    out_hw,
    pad,
    padded_zeros,
    padding_attrs,
    sizes4,
    sizes_tensor,
    spatial,
)

__all__ = [
    "conv1d", "conv2d", "conv2d_transpose", "conv2d_backprop_input", "conv2d_backprop_filter",
    "atrous_conv2d", "convolution", "depthwise_conv2d", "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter",
    "depthwise_conv2d_backprop_input", "depthwise_conv2d_backprop_filter", "separable_conv2d",
    "max_pool", "max_pool2d", "max_pool1d", "avg_pool", "avg_pool2d", "avg_pool1d", "pool",
]


# ---- im2col ---------------------------------------------------------------------------

# Bytes of patches copied and multiplied at a time. Against one 9 MB patch matrix (a
# 13x13x32 input, batch 64) copied whole and then multiplied, three chunks through one
# reused buffer measured 10-15% faster alone (forward and filter gradient), and the seed
# CNN's whole training step 4-6% faster (chunks of 2, 4 and 8 MB tried).
CHUNK_BYTES = 1 << 22


def _images_per_chunk(n, bytes_per_image):
    """Images per chunk: at most CHUNK_BYTES of patches, and chunks of even size."""
    step = max(1, CHUNK_BYTES // max(bytes_per_image, 1))
    chunks = -(-n // step)
    return -(-n // chunks) if chunks else 1


def patch_chunks(x, geo):
    """The patches of ``x`` a few images at a time: yields ``(begin, end, patches)``, the
    [(end - begin)*OH*OW, KH*KW*C] matrix of images begin..end (row: one output pixel's
    window), in one buffer reused from chunk to chunk.

    The copy follows the faster memory order: patch-major (each copied run is the C
    channels of one pixel) when there are several channels; kernel-offset-major (each run
    is a row of the input) for one channel, yielded as a transposed view, which matmul
    takes without another copy. Large copies split the images over two threads.
    """
    xp = pad(x, geo.pads)
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    per_image, k = geo.oh * geo.ow, geo.kh * geo.kw * c
    step = _images_per_chunk(n, per_image * k * xp.itemsize)
    buffer = np.empty(step * per_image * k, dtype=x.dtype)
    if c == 1:
        view = as_strided(xp, (geo.kh, geo.kw, n, geo.oh, geo.ow),
                          (sh * geo.dh, sw * geo.dw, sn, sh * geo.sh, sw * geo.sw),
                          writeable=False)
    else:
        view = as_strided(xp, (n, geo.oh, geo.ow, geo.kh, geo.kw, c),
                          (sn, sh * geo.sh, sw * geo.sw, sh * geo.dh, sw * geo.dw, sc),
                          writeable=False)
    for begin in range(0, n, step):
        end = min(begin + step, n)
        size = (end - begin) * per_image * k
        if c == 1:
            blocks = buffer[:size].reshape(geo.kh, geo.kw, end - begin, geo.oh, geo.ow)
            _copy_images(blocks, view[:, :, begin:end], axis=2)
            yield begin, end, buffer[:size].reshape(k, -1).T
        else:
            blocks = buffer[:size].reshape((end - begin,) + view.shape[1:])
            _copy_images(blocks, view[begin:end], axis=0)
            yield begin, end, buffer[:size].reshape(-1, k)


def _copy_images(dst, src, axis):
    """``np.copyto(dst, src)``, the images (along ``axis``) split over two threads when
    the copy is large."""
    def copy(begin, end):
        images = (slice(None),) * axis + (slice(begin, end),)
        np.copyto(dst[images], src[images])

    split_rows(copy, dst.shape[axis], dst.size)


# ---- conv2d kernels --------------------------------------------------------------------

def _check_shape(name, got, expected):
    if tuple(got) != tuple(expected):
        raise ValueError(f"{name} has shape {tuple(got)}, expected {tuple(expected)}")


def conv2d_forward(x, w, strides, padding, dilations, explicit_paddings=(), finish=None):
    """Conv2D: patches times the filter as one [KH*KW*C, OC] matrix, chunk by chunk.
    ``finish(rows)`` (a fused op's bias and activation) runs on each chunk's output rows
    while they are still in cache."""
    geo = geometry(x.shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    oc = w.shape[3]
    per_image = geo.oh * geo.ow
    out = np.empty((x.shape[0] * per_image, oc), dtype=np.result_type(x, w))
    matrix = w.reshape(-1, oc)
    for begin, end, patches in patch_chunks(x, geo):
        rows = out[begin * per_image:end * per_image]
        np.matmul(patches, matrix, out=rows)
        if finish is not None:
            finish(rows)
    return out.reshape(x.shape[0], geo.oh, geo.ow, oc)


def conv2d_backprop_input_kernel(input_sizes, w, dy, strides, padding, dilations,
                                 explicit_paddings=()):
    """Conv2DBackpropInput: for each kernel offset, dy times that offset's filter
    transposed, added into the (padded) input gradient at the offset. One block buffer is
    reused, so it stays in cache between its product and its add; all offsets' blocks at
    once (one batched matmul, then col2im) measured ~10% slower inside a training step.
    """
    in_shape = tuple(int(d) for d in input_sizes)
    geo = geometry(in_shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    kh, kw, c, oc = w.shape
    _check_shape("out_backprop", dy.shape, (in_shape[0], geo.oh, geo.ow, oc))
    dy2 = dy.reshape(-1, oc)
    per_offset = w.reshape(kh * kw, c, oc)
    block = np.empty((dy2.shape[0], c), dtype=np.result_type(dy, w))
    image_block = block.reshape(in_shape[0], geo.oh, geo.ow, c)
    dxp = padded_zeros(in_shape, geo, block.dtype)
    for k, (_, _, rows, cols) in enumerate(geo.offsets()):
        np.matmul(dy2, per_offset[k].T, out=block)
        dxp[:, rows, cols, :] += image_block
    return crop(dxp, geo.pads, in_shape)


def conv2d_backprop_filter_kernel(x, filter_sizes, dy, strides, padding, dilations,
                                  explicit_paddings=()):
    """Conv2DBackpropFilter: the patches' transpose times dy, summed over chunks."""
    f_shape = tuple(int(d) for d in filter_sizes)
    geo = geometry(x.shape, f_shape[:2], strides, dilations, padding, explicit_paddings)
    _check_shape("out_backprop", dy.shape, (x.shape[0], geo.oh, geo.ow, f_shape[3]))
    rows = dy.reshape(-1, f_shape[3])
    per_image = geo.oh * geo.ow
    dw = np.zeros((f_shape[0] * f_shape[1] * f_shape[2], f_shape[3]), np.result_type(x, dy))
    for begin, end, patches in patch_chunks(x, geo):
        dw += patches.T @ rows[begin * per_image:end * per_image]
    return dw.reshape(f_shape)


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
    geo = geometry(x.shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    xp = pad(x, geo.pads)
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
    geo = geometry(in_shape, w.shape[:2], strides, dilations, padding, explicit_paddings)
    c, m = in_shape[3], w.shape[3]
    _check_shape("out_backprop", dy.shape, (in_shape[0], geo.oh, geo.ow, c * m))
    blocks = _per_multiplier(dy, c, m)
    dxp = padded_zeros(in_shape, geo, dy.dtype)
    product = np.empty(blocks.shape[1:], dtype=dy.dtype)
    for i, j, rows, cols in geo.offsets():
        for q in range(m):
            dxp[:, rows, cols, :] += np.multiply(blocks[q], w[i, j, :, q], out=product)
    return crop(dxp, geo.pads, in_shape)


def depthwise_backprop_filter_kernel(x, filter_sizes, dy, strides, padding, dilations,
                                     explicit_paddings=()):
    f_shape = tuple(int(d) for d in filter_sizes)
    geo = geometry(x.shape, f_shape[:2], strides, dilations, padding, explicit_paddings)
    c, m = x.shape[3], f_shape[3]
    _check_shape("out_backprop", dy.shape, (x.shape[0], geo.oh, geo.ow, c * m))
    blocks = _per_multiplier(dy, c, m)
    xp = pad(x, geo.pads)
    dw = np.empty(f_shape, dtype=dy.dtype)
    for i, j, rows, cols in geo.offsets():
        window = xp[:, rows, cols, :]
        for q in range(m):
            dw[i, j, :, q] = np.einsum("nhwc,nhwc->c", window, blocks[q])
    return dw


# ---- shape inference -------------------------------------------------------------------

def _conv_infer(op_type, out_channels):
    """Inference for Conv2D and DepthwiseConv2dNative, which differ in the output depth."""
    def infer(inputs, attrs):
        x, w = inputs
        dtype = float_dtype(op_type, [x, w])
        xd, wd = dims4(x, "input", op_type), dims4(w, "filter", op_type)
        agree(op_type, xd[3], f"input depth of input shape {x.shape}", wd[2],
              f"in_channels of filter shape {w.shape}")
        oh, ow = out_hw(op_type, xd, wd[:2], attrs)
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
        dtype = float_dtype(op_type, [w, dy])
        xd, wd = sizes4(sizes, "input_sizes", op_type), dims4(w, "filter", op_type)
        dyd = dims4(dy, "out_backprop", op_type)
        agree(op_type, xd[3], "input_sizes depth", wd[2], f"in_channels of filter shape {w.shape}")
        agree(op_type, dyd[3], f"depth of out_backprop shape {dy.shape}",
              out_channels(xd[3] if xd[3] is not None else wd[2], wd),
              f"the output depth of filter shape {w.shape}")
        check_out_hw(op_type, xd, wd[:2], dyd, attrs)
        batch = xd[0] if xd[0] is not None else dyd[0]
        return dtype, (batch, xd[1], xd[2], xd[3] if xd[3] is not None else wd[2])

    return infer


def _backprop_filter_infer(op_type, out_channels):
    def infer(inputs, attrs):
        x, sizes, dy = inputs
        dtype = float_dtype(op_type, [x, dy])
        xd, wd = dims4(x, "input", op_type), sizes4(sizes, "filter_sizes", op_type)
        dyd = dims4(dy, "out_backprop", op_type)
        agree(op_type, xd[3], f"input depth of input shape {x.shape}", wd[2],
              "filter_sizes in_channels")
        agree(op_type, dyd[3], f"depth of out_backprop shape {dy.shape}",
              out_channels(xd[3], wd), "the output depth of filter_sizes")
        check_out_hw(op_type, xd, wd[:2], dyd, attrs)
        return dtype, wd

    return infer


# ---- gradients (built from the ops above) ----------------------------------------------

def conv_grads(forward, backprop_input, backprop_filter):
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


def _define_conv_family(types, kernels, out_channels, cost):
    """Registers a forward convolution op and its two backprop ops."""
    forward, backprop_input, backprop_filter = types
    infers = (_conv_infer(forward, out_channels),
              _backprop_input_infer(backprop_input, out_channels),
              _backprop_filter_infer(backprop_filter, out_channels))
    for op_type, infer, kernel, grad in zip(types, infers, kernels, conv_grads(*types),
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


# ---- argument handling for the builders ------------------------------------------------

def _conv_attrs_from(strides, padding, dilations, explicit_ok=True):
    attrs = padding_attrs(padding, explicit_ok)
    attrs["strides"] = spatial(strides, 2, "strides")
    attrs["dilations"] = spatial(1 if dilations is None else dilations, 2, "dilations")
    return attrs


def _sizes_tensor(sizes, what):
    """A 2-D op's shape argument as a 1-D int32 tensor of 4 entries."""
    return sizes_tensor(sizes, 4, what)


# ---- conv2d family -------------------------------------------------------------------------

def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """2-D convolution (cross-correlation, as in TF) of NHWC ``input`` with a
    [height, width, in_channels, out_channels] filter. ``padding`` is "SAME", "VALID" or
    explicit [before, after] pairs per dim; ``use_cudnn_on_gpu`` is accepted and ignored.
    """
    check_format(data_format, ("NHWC",))
    x, w = tensor_pair(input, deprecated_alias("filters", filters, "filter", filter, required=True))
    return make("Conv2D", (x, w), _conv_attrs_from(strides, padding, dilations), name=name)


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):
    """The gradient of conv2d wrt its input, for an input of shape ``input_sizes``."""
    check_format(data_format, ("NHWC",))
    w = deprecated_alias("filters", filters, "filter", filter, required=True)
    w, dy = tensor_pair(w, out_backprop)
    return make("Conv2DBackpropInput", (_sizes_tensor(input_sizes, "input_sizes"), w, dy),
                _conv_attrs_from(strides, padding, dilations), name=name)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of conv2d wrt its filter, of shape ``filter_sizes``."""
    check_format(data_format, ("NHWC",))
    x, dy = tensor_pair(input, out_backprop)
    return make("Conv2DBackpropFilter", (x, _sizes_tensor(filter_sizes, "filter_sizes"), dy),
                _conv_attrs_from(strides, padding, dilations), name=name)


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None,  # noqa: A002
                     filters=None, dilations=None):
    """The transpose of conv2d (a "deconvolution"): exactly conv2d's gradient wrt its
    input, so ``filter`` is [height, width, output_channels, in_channels].
    """
    check_format(data_format, ("NHWC",))
    w = deprecated_alias("filters", filters, "filter", filter, required=True)
    value = deprecated_alias("input", input, "value", value, required=True)
    with name_scope(name, "conv2d_transpose") as scope:
        return conv2d_backprop_input(output_shape, w, value, strides, padding,
                                     dilations=dilations, name=scope)


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
    check_format(data_format, ("NWC", "NHWC"))
    if not isinstance(padding, str):
        raise ValueError(f"conv1d: padding must be 'SAME' or 'VALID', got {padding!r}")
    value = deprecated_alias("input", input, "value", value, required=True)
    stride = spatial(stride, 1, "stride")
    dilations = spatial(1 if dilations is None else dilations, 1, "dilations")
    with name_scope(name, "conv1d") as scope:
        x, w = tensor_pair(value, filters)
        x, w = array_ops.expand_dims(x, 1), array_ops.expand_dims(w, 0)
        y = conv2d(x, w, (1, 1) + stride[1:], padding, dilations=(1, 1) + dilations[1:])
        return array_ops.squeeze(y, [1], name=scope)


def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None,  # noqa: A002
                name=None, data_format=None, filters=None, dilations=None):
    """N-D convolution for N = 1 or 2, chosen by the filter's rank (TF1 ``convolution``)."""
    w = convert_to_tensor(deprecated_alias("filters", filters, "filter", filter, required=True))
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
    check_format(data_format, ("NHWC",))
    return make("DepthwiseConv2dNative", tensor_pair(input, filter),
                _conv_attrs_from(strides, padding, dilations, explicit_ok=False), name=name)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                           padding, data_format="NHWC",
                                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native wrt its input."""
    check_format(data_format, ("NHWC",))
    return make("DepthwiseConv2dNativeBackpropInput",
                (_sizes_tensor(input_sizes, "input_sizes"), *tensor_pair(filter, out_backprop)),
                _conv_attrs_from(strides, padding, dilations, explicit_ok=False), name=name)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                            padding, data_format="NHWC",
                                            dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native wrt its filter."""
    check_format(data_format, ("NHWC",))
    x, dy = tensor_pair(input, out_backprop)
    return make("DepthwiseConv2dNativeBackpropFilter",
                (x, _sizes_tensor(filter_sizes, "filter_sizes"), dy),
                _conv_attrs_from(strides, padding, dilations, explicit_ok=False), name=name)


depthwise_conv2d_backprop_input = depthwise_conv2d_native_backprop_input
depthwise_conv2d_backprop_filter = depthwise_conv2d_native_backprop_filter


def _rate(rate, dilations, strides):
    """TF1's depthwise/separable ``rate``: dilation that may not be combined with strides."""
    rate = rate if rate is not None else dilations
    rate = spatial(1 if rate is None else rate, 2, "rate")
    if max(rate) > 1 and max(spatial(strides, 2, "strides")) > 1:
        raise ValueError("strides > 1 not supported in conjunction with rate > 1")
    return rate


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None):
    """Depthwise 2-D convolution with an optional dilation ``rate`` (TF1 signature)."""
    check_format(data_format, ("NHWC",))
    rate = _rate(rate, dilations, strides)
    with name_scope(name, "depthwise") as scope:
        return depthwise_conv2d_native(input, filter, strides, padding, dilations=rate,
                                       name=scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     rate=None, name=None, data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 convolution mixing its channels."""
    check_format(data_format, ("NHWC",))
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


