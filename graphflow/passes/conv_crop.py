"""conv_crop: a VALID convolution computes only the outputs its VALID max pools read.

A VALID max pool drops the trailing rows and columns that no window reaches: 2x2 pooling
of an 11x11 convolution output reads the first 10x10, so 17% of the convolution, and of
its two gradients, is computed for nothing. The pass slices the convolution's input to
the rows and columns those outputs read, and follows the change through the training
graph (the gradient ops are already built when passes run):

  a = conv(x)             -> a' = conv(x[:, :h, :w])       (FusedConv2D or Conv2D, VALID)
  p = max_pool(a)         -> max_pool(a')                  (same windows, same result)
  d = max_pool_grad(a, p, g)  -> d' = max_pool_grad(a', p, g)   (d without its zero border)
  conv2d_backprop_filter(x, s, d) -> conv2d_backprop_filter(x[:, :h, :w], s, d')
  conv2d_backprop_input(s, f, d)  -> pad(conv2d_backprop_input(shape(x[:, :h, :w]), f, d'))
  bias_add_grad(d)        -> bias_add_grad(d')

Exact: the dropped outputs receive no gradient from a VALID max pool, so every sum over
them adds zeros. The rewrite applies only when every use of ``a`` and of each ``d`` is in
that list and none of them is fetched, and the spatial sizes are static.
"""

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Operation
from .pipeline import readers, run_rule_pass

_CONVS = ("Conv2D", "FusedConv2D")
_CONV_ATTRS = ("strides", "padding", "dilations")
_POOL_ATTRS = ("ksize", "strides", "padding")


def conv_crop(program):
    consumers = readers(program)
    fetched = {f for f in program.fetches if not isinstance(f, Operation)}
    fetched |= {t for f in program.fetches if isinstance(f, Operation) for t in f.outputs}
    cropped = {}  # source MaxPoolGrad output -> (sliced input in the new graph, input h, w)

    def rule(rw, op):
        if op.type in _CONVS:
            return _crop_conv(rw, op, consumers, fetched, cropped)
        grads = [t for t in op.inputs if t in cropped]
        return bool(grads) and _follow_gradient(rw, op, cropped[grads[0]])

    return run_rule_pass(program, rule)


def _static_hw(t):
    dims = t.shape.dims
    if dims is None or len(dims) != 4 or None in dims[1:3]:
        return None
    return dims[1], dims[2]


def _pool_reach(pool, size, axis):
    """How many leading rows (axis 1) or columns (axis 2) of its input a VALID pool reads."""
    k, s = pool.attrs["ksize"][axis], pool.attrs["strides"][axis]
    return ((size - k) // s) * s + k


def _crop_conv(rw, conv, consumers, fetched, cropped):
    a, x = conv.outputs[0], conv.inputs[0]
    out_hw, in_hw = _static_hw(a), _static_hw(x)
    if (conv.attrs["padding"] != "VALID" or out_hw is None or in_hw is None or a in fetched
            or conv.control_inputs):
        return False
    uses = consumers.get(a, [])
    pools = [u for u in uses if u.type == "MaxPool" and u.attrs["padding"] == "VALID"
             and u.inputs[0] is a]
    pooled = {p.outputs[0]: p for p in pools}
    grads = [u for u in uses if u.type == "MaxPoolGrad" and u.inputs[0] is a
             and u.inputs[1] in pooled and u.inputs[2] is not a
             and all(u.attrs[k] == pooled[u.inputs[1]].attrs[k] for k in _POOL_ATTRS)]
    if not pools or len(pools) + len(grads) != len(uses):
        return False
    reach = [max(_pool_reach(p, out_hw[axis], axis + 1) for p in pools) for axis in (0, 1)]
    if reach == list(out_hw):
        return False
    for d in (g.outputs[0] for g in grads):
        if d in fetched or not all(_follows(u, d, conv) for u in consumers.get(d, [])):
            return False
    strides, dilations = conv.attrs["strides"], conv.attrs["dilations"]
    f_hw = (conv.inputs[1].shape.dims or [None, None])[:2]
    if None in f_hw:
        return False
    need = [(reach[i] - 1) * strides[i + 1] + (f_hw[i] - 1) * dilations[i + 1] + 1
            for i in (0, 1)]
    sliced = _emit_slice(rw, rw.new(x), need, conv)
    new = rw.emit(conv.type, [sliced] + [rw.new(t) for t in conv.inputs[1:]],
                  dict(conv.attrs), conv)
    rw.alias(conv, new.outputs, f"'{conv.name}' computes the {reach[0]}x{reach[1]} of its "
                                f"{out_hw[0]}x{out_hw[1]} outputs that its max pools read")
    for g in grads:
        cropped[g.outputs[0]] = (sliced, in_hw)
    return True


def _follows(op, d, conv):
    """Whether ``op``, a use of the pool gradient ``d``, can take the cropped gradient."""
    if op.control_inputs:
        return False
    same_conv = all(op.attrs.get(k) == conv.attrs[k] for k in _CONV_ATTRS)
    if op.type == "Conv2DBackpropFilter":
        return same_conv and op.inputs[0] is conv.inputs[0] and op.inputs[2] is d
    if op.type == "Conv2DBackpropInput":
        return same_conv and op.inputs[2] is d
    return op.type == "BiasAddGrad" and op.attrs.get("data_format") in (None, "NHWC")


def _follow_gradient(rw, op, crop):
    """Rewrites a use of a cropped pool gradient (BiasAddGrad needs no change)."""
    sliced, in_hw = crop
    if op.type == "BiasAddGrad":
        return False
    if op.type == "Conv2DBackpropFilter":
        new = rw.emit(op.type, [sliced, rw.new(op.inputs[1]), rw.new(op.inputs[2])],
                      dict(op.attrs), op)
        rw.alias(op, new.outputs)
        return True
    sizes = rw.emit("Shape", [sliced], {"out_type": _dtypes.int32}, op, "_sizes")
    dx = rw.emit(op.type, [sizes.outputs[0], rw.new(op.inputs[1]), rw.new(op.inputs[2])],
                 dict(op.attrs), op)
    hw = sliced.shape.dims[1:3]
    pads = np.array([[0, 0], [0, in_hw[0] - hw[0]], [0, in_hw[1] - hw[1]], [0, 0]], np.int32)
    padded = rw.emit("PadV2", [dx.outputs[0], _const(rw, pads, _dtypes.int32, op, "_pads"),
                               _const(rw, np.zeros((), op.outputs[0].dtype.np_dtype),
                                      op.outputs[0].dtype, op, "_zero")], {}, op, "_pad")
    rw.alias(op, padded.outputs)
    return True


def _emit_slice(rw, x, hw, like):
    begin = _const(rw, np.zeros(4, np.int32), _dtypes.int32, like, "_crop_begin")
    size = _const(rw, np.array([-1, hw[0], hw[1], -1], np.int32), _dtypes.int32, like,
                  "_crop_size")
    return rw.emit("Slice", [x, begin, size], {}, like, "_crop").outputs[0]


def _const(rw, value, dtype, like, suffix):
    value.flags.writeable = False
    return rw.emit("Const", (), {"value": value, "dtype": dtype}, like, suffix).outputs[0]
