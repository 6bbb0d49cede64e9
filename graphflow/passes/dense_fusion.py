"""dense_fusion: matmul/conv2d + bias + activation, and softmax + cross-entropy, as one kernel.

Patterns (each intermediate must be used only by the next op of the pattern, and not be
fetched):
  act(bias_add(matmul(a, w), b))  -> FusedMatMul(a, w, b, activation=act)
  act(bias_add(conv2d(x, f), b))  -> FusedConv2D(x, f, b, activation=act)
  -sum(labels * log_softmax(z), axis=-1) -> SoftmaxCrossEntropyWithLogits(z, labels)[0]
``bias_add`` is BiasAdd, or Add with a 1-D bias of the last dimension's size; ``act`` may
be absent. The fused kernels add the bias and apply the activation in place on the
product, so the two full-size temporaries in between are never made.
"""

from ..ops import registry
from ..ops.conv_ops import conv2d_forward
from ..ops.epilogue import epilogue
from ..ops.registry import define_op
from .pipeline import readers, run_rule_pass

ACTIVATIONS = ("Relu", "Sigmoid", "Tanh")


def dense_fusion(program):
    consumers = readers(program)
    fetched = set(program.fetches)

    def only_feeds(t, op):
        """``t`` goes nowhere but into ``op`` (so it may disappear inside a fused kernel)."""
        return (t not in fetched and t.op not in fetched and consumers.get(t) == [op]
                and not op.control_inputs)

    def rule(rw, op):
        return _fuse_product(rw, op, only_feeds) or _fuse_xent(rw, op, only_feeds)

    return run_rule_pass(program, rule)


def _bias_of(op):
    """(product tensor, bias tensor) when ``op`` adds a 1-D bias over the last axis."""
    if op.type == "BiasAdd" and op.attrs.get("data_format") in (None, "NHWC", "NWC", "N...C"):
        return op.inputs
    if op.type == "Add":
        for x, b in (op.inputs, op.inputs[::-1]):
            if (b.shape.ndims == 1 and x.shape.ndims and b.shape.dims[0] is not None
                    and b.shape.dims[0] == x.shape.dims[-1] and x.dtype == b.dtype):
                return x, b
    return None


def _fuse_product(rw, op, only_feeds):
    activation = op.type if op.type in ACTIVATIONS else ""
    bias_op = op.inputs[0].op if activation else op
    if activation and not only_feeds(op.inputs[0], op):
        return False
    pair = _bias_of(bias_op)
    if pair is None:
        return False
    product, bias = pair
    if not only_feeds(product, bias_op) or bias_op.control_inputs:
        return False
    prod_op = product.op
    if prod_op.control_inputs or prod_op.type not in ("MatMul", "Conv2D"):
        return False
    attrs = dict(prod_op.attrs, activation=activation)
    inputs = [rw.new(t) for t in prod_op.inputs] + [rw.new(bias)]
    new = rw.emit("Fused" + prod_op.type, inputs, attrs, op)
    rw.alias(op, new.outputs, f"{prod_op.type} + bias{' + ' + activation if activation else ''}"
                              f" fused at '{op.name}'")
    return True


def _fuse_xent(rw, op, only_feeds):
    if op.type != "Neg":
        return False
    total = op.inputs[0].op
    if total.type != "Sum" or total.attrs["keepdims"] or not only_feeds(op.inputs[0], op):
        return False
    product = total.inputs[0]
    if product.op.type != "Mul" or not only_feeds(product, total):
        return False
    for labels, log_p in (product.op.inputs, product.op.inputs[::-1]):
        if log_p.op.type == "LogSoftmax" and labels.shape.ndims == log_p.shape.ndims:
            rank = log_p.shape.ndims
            axis = log_p.op.attrs["axis"] % rank if rank else None
            if axis is None or total.attrs["axis"] != (axis,) or axis != rank - 1:
                continue
            # Equal static dims only: labels of shape [1, C] broadcast against [None, C]
            # logits in the unfused graph, which the fused op's inference would not see.
            if labels.shape.dims != log_p.shape.dims or labels.dtype != log_p.dtype:
                continue
            logits = log_p.op.inputs[0]
            new = rw.emit("SoftmaxCrossEntropyWithLogits", [rw.new(logits), rw.new(labels)],
                          {"axis": axis}, op)
            rw.alias(op, new.outputs[:1], f"softmax cross-entropy fused at '{op.name}'")
            return True
    return False


# ---- fused kernels ---------------------------------------------------------------------

def _fused_matmul(a, w, bias, transpose_a, transpose_b, activation):
    return epilogue(registry.get("MatMul").kernel(a, w, transpose_a, transpose_b), bias,
                    activation)


def _fused_conv2d(x, f, bias, activation, **conv_attrs):
    return conv2d_forward(x, f, **conv_attrs, finish=lambda rows: epilogue(rows, bias,
                                                                           activation))


def _infer_like(op_type):
    def infer(inputs, attrs):
        attrs = {k: v for k, v in attrs.items() if k != "activation"}
        return registry.get(op_type).infer(inputs[:2], attrs)

    return infer


define_op("FusedMatMul", infer=_infer_like("MatMul"), kernel=_fused_matmul, cost=64.0)
define_op("FusedConv2D", infer=_infer_like("Conv2D"), kernel=_fused_conv2d, cost=64.0)
