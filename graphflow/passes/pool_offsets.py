"""pool_offsets: a max pool that is differentiated records where its maxima are.

  p = max_pool(a);  max_pool_grad(a, p, g)
    -> p, offsets = max_pool_with_offsets(a);  max_pool_grad_from_offsets(offsets, g)

The gradient then reads one byte per pooled element instead of the whole pool input, long
evicted from cache by the time the backward pass runs, and ``a`` can be freed right after
the forward pass (ops/max_pool_offsets.py). Exact: both route each gradient element to its
window's first maximum. Applies to VALID pools of inputs with static height and width, and
windows of at most 256 positions.
"""

from ..ops import max_pool_offsets
from .pipeline import readers, run_rule_pass


def pool_offsets(program):
    consumers = readers(program)
    offsets = {}  # source MaxPool op -> its offsets tensor in the new graph

    def rule(rw, op):
        if op.type == "MaxPool":
            return _record_offsets(rw, op, consumers, offsets)
        pool = op.inputs[1].op if op.type == "MaxPoolGrad" else None
        if pool in offsets and _differentiates(op, pool):
            attrs = dict(pool.attrs, input_hw=tuple(pool.inputs[0].shape.dims[1:3]))
            new = rw.emit("MaxPoolGradFromOffsets", [offsets[pool], rw.new(op.inputs[2])],
                          attrs, op)
            rw.alias(op, new.outputs)
            return True
        return False

    return run_rule_pass(program, rule)


def _record_offsets(rw, pool, consumers, offsets):
    a, p = pool.inputs[0], pool.outputs[0]
    dims = a.shape.dims
    grads = [u for u in consumers.get(p, []) if _differentiates(u, pool)]
    if (not grads or pool.attrs["padding"] != "VALID" or dims is None or None in dims[1:3]
            or pool.attrs["ksize"][1] * pool.attrs["ksize"][2] > max_pool_offsets.MAX_WINDOW):
        return False
    new = rw.emit("MaxPoolWithOffsets", [rw.new(a)], dict(pool.attrs), pool)
    rw.alias(pool, new.outputs[:1], f"'{pool.name}' records its maxima for {len(grads)} "
                                    "MaxPoolGrad op(s)")
    offsets[pool] = new.outputs[1]
    return True


def _differentiates(op, pool):
    """``op`` is a MaxPoolGrad of ``pool``: same input, its output, same windows."""
    return (op.type == "MaxPoolGrad" and op.inputs[0] is pool.inputs[0]
            and op.inputs[1] is pool.outputs[0] and not op.control_inputs
            and all(op.attrs[k] == pool.attrs[k] for k in ("ksize", "strides", "padding")))
