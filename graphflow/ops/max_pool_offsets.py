"""A max pool that records where each window's maximum was, and the gradient that uses it.

The optimizer (passes/pool_offsets.py) puts these in place of a MaxPool and the
MaxPoolGrad ops of a training graph, as TF's oneDNN kernels keep a "workspace": MaxPoolGrad
would compare the whole pool input with the pooled output again, reading the input back
from memory long after the forward pass wrote it (5.5 MB for the seed CNN's first layer,
the slowest part of its backward pass). The forward pass reads that input anyway, and
marks each output's first maximum with its window offset: one byte per pooled element.
The gradient then needs only the offsets and the pooled gradient.

Offsets count the window's positions in row-major order (0 .. KH*KW-1, so at most 256
positions) and, as MaxPoolGrad does, name the FIRST maximum: later positions win only when
strictly greater. A window holding NaN pools to NaN, as MaxPool does; its gradient goes to
the largest element before the first NaN, where MaxPoolGrad (finding no element equal to
NaN) drops it. VALID windows only (padding would need its own marks).
"""

import numpy as np

from .. import dtypes as _dtypes
from ..runtime.intra_op import split_rows
from .op_utils import REALS, float_dtype
from .pooling_ops import pool_infer, tile_the_input
from .registry import define_op
from .window_utils import NO_DILATION, dims4, geometry

MAX_WINDOW = 256  # offsets are uint8


def max_pool_with_offsets(x, ksize, strides, padding):
    """(MaxPool of ``x``, uint8 window offset of each output's first maximum)."""
    geo = geometry(x.shape, ksize[1:3], strides, NO_DILATION, padding)
    y = np.empty((x.shape[0], geo.oh, geo.ow, x.shape[3]), dtype=x.dtype)
    offsets = np.empty(y.shape, dtype=np.uint8)
    split_rows(lambda a, b: _pool_into(x[a:b], geo, y[a:b], offsets[a:b]), x.shape[0], x.size)
    return y, offsets


def _pool_into(x, geo, y, offsets):
    greater = np.empty(y.shape, dtype=bool)
    marks = np.empty(y.shape, dtype=np.uint8)
    for k, (_, _, rows, cols) in enumerate(geo.offsets()):
        window = x[:, rows, cols, :]
        if k == 0:
            np.copyto(y, window)
            offsets.fill(0)
            continue
        # k exceeds every earlier offset, so max(offsets, k * greater) marks exactly the
        # outputs this position wins (np.copyto with where= is ~20x slower).
        np.greater(window, y, out=greater)
        np.maximum(y, window, out=y)
        np.multiply(greater.view(np.uint8), np.uint8(k), out=marks)
        np.maximum(offsets, marks, out=offsets)


def max_pool_grad_from_offsets(offsets, dy, ksize, strides, padding, input_hw):
    """MaxPoolGrad from the forward pass's offsets: each element of ``dy`` goes to the input
    element its offset names; an input of spatial size ``input_hw``."""
    shape = (dy.shape[0], *input_hw, dy.shape[3])
    geo = geometry(shape, ksize[1:3], strides, NO_DILATION, padding)
    tiles = tile_the_input(geo)
    covered = tiles and (geo.oh * geo.kh, geo.ow * geo.kw) == tuple(input_hw)
    dx = np.empty(shape, dtype=dy.dtype) if covered else np.zeros(shape, dtype=dy.dtype)
    split_rows(lambda a, b: _route_into(offsets[a:b], dy[a:b], geo, dx[a:b], tiles),
               shape[0], dx.size)
    return dx


def _route_into(offsets, dy, geo, dx, tiles):
    """Tiling windows write each input element they cover once; overlapping ones add."""
    hit = np.empty(dy.shape, dtype=bool)
    routed = None if tiles else np.empty(dy.shape, dtype=dy.dtype)
    for k, (_, _, rows, cols) in enumerate(geo.offsets()):
        np.equal(offsets, k, out=hit)
        if tiles:
            np.multiply(dy, hit, out=dx[:, rows, cols, :])
        else:
            dx[:, rows, cols, :] += np.multiply(dy, hit, out=routed)


def _with_offsets_infer(inputs, attrs):
    dtype, shape = pool_infer("MaxPoolWithOffsets", REALS)(inputs, attrs)
    return [(dtype, shape), (_dtypes.uint8, shape)]


def _grad_infer(inputs, attrs):
    offsets, dy = inputs
    dtype = float_dtype("MaxPoolGradFromOffsets", [dy])
    n, _, _, c = dims4(dy, "grad", "MaxPoolGradFromOffsets")
    return dtype, (n, *attrs["input_hw"], c)


define_op("MaxPoolWithOffsets", infer=_with_offsets_infer, kernel=max_pool_with_offsets,
          cost=5.0)
define_op("MaxPoolGradFromOffsets", infer=_grad_infer, kernel=max_pool_grad_from_offsets,
          cost=10.0)
