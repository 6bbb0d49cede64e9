"""arithmetic: algebraic identities, stability rewrites and affine-chain collapsing.

Rules, each a small function of (rewriter, op) returning True when it rewrote the op:
  identity(x), stop_gradient(x), unfed placeholder_with_default(x) -> x
  x*1, 1*x, x+0, 0+x, x-0, x/1 -> x       (only when the constant changes no shape/dtype)
  -(-x) -> x
  reshape(reshape(x, s1), s2) -> reshape(x, s2);  reshape(x, shape(x)) -> x
  log(1 + x) -> log1p(x);  exp(x) - 1 -> expm1(x);  log(softmax(x)) -> log_softmax(x)
  chains of 3+ ops +,-,*,/ by scalar constants -> one x*a + b
  relu_grad(max_pool_grad(x, p, g), x) -> max_pool_grad(x, p, relu_grad(g, p))
  bias_add_grad(max_pool_grad(x, p, g)) -> bias_add_grad(g)      (channels last)
The graph's gradient ops are already built when this runs, so rewrites need no gradients.

Three rewrites are exact in real arithmetic but not always in floating point, as in other
graph optimizers: ``x + 0 -> x`` turns -0.0 into +0.0's sign behaviour, and collapsing an
affine chain reassociates it (the composite constants are computed in float64, so the
collapsed form is usually *more* accurate, e.g. ``((x + 1e8) - 1e8) * 2`` in float32 gives
``2x`` where the chain gives 0). The bias gradient of a max-pool gradient sums the same
numbers in another order. ``ConfigProto(disabled_passes=["arithmetic"])`` keeps the graph
exactly as written.
"""

import numpy as np

from ..graph import Operation
from .pipeline import run_rule_pass

_PASS_THROUGH = {"Identity", "StopGradient", "PlaceholderWithDefault"}
_AFFINE = {"Add", "Sub", "Mul", "RealDiv"}


def arithmetic(program):
    uses = _use_counts(program)
    forms = {}  # source tensor -> (base destination tensor, scale, shift, ops folded)

    def rule(rw, op):
        for r in (_pass_through, _neutral_element, _double_negation, _reshape_chain,
                  _stable_logs):
            if r(rw, op):
                return True
        return (_affine(rw, op, forms, uses) or _relu_grad_before_max_pool_grad(rw, op, uses)
                or _bias_grad_of_max_pool_grad(rw, op))

    return run_rule_pass(program, rule)


def _use_counts(program):
    from ..runtime.plan import needed_ops

    counts = {}
    for op in needed_ops(program.fetches, set(program.feeds)):
        for t in op.inputs:
            counts[t] = counts.get(t, 0) + 1
    for f in program.fetches:
        if not isinstance(f, Operation):
            counts[f] = counts.get(f, 0) + 2
    return counts


def _const_value(t):
    return t.op.attrs["value"] if t.op.type == "Const" else None


def _same_signature(a, b):
    return a.dtype == b.dtype and a.shape.dims is not None and a.shape.dims == b.shape.dims \
        and None not in a.shape.dims


def _keeps_shape(x, c, out):
    """Whether combining ``x`` with constant ``c`` leaves x's shape and dtype unchanged."""
    if x.dtype != out.dtype or x.shape.ndims is None:
        return False
    if c.size == 1 and c.ndim <= x.shape.ndims:
        return True
    return _same_signature(x, out)


def _pass_through(rw, op):
    if op.type in _PASS_THROUGH and not op.control_inputs:
        rw.alias(op, [rw.new(op.inputs[0])], f"removed {op.type} '{op.name}'")
        return True
    return False


def _neutral_element(rw, op):
    if op.type not in _AFFINE or op.control_inputs:
        return False
    x, y = (rw.new(t) for t in op.inputs)
    out = op.outputs[0]
    candidates = [(x, _const_value(y))]
    if op.type in ("Add", "Mul"):
        candidates.append((y, _const_value(x)))
    neutral = 0 if op.type in ("Add", "Sub") else 1
    for keep, c in candidates:
        if c is not None and np.all(c == neutral) and _keeps_shape(keep, c, out):
            rw.alias(op, [keep], f"{op.type} by {neutral} removed at '{op.name}'")
            return True
    return False


def _double_negation(rw, op):
    if op.type != "Neg" or op.control_inputs:
        return False
    inner = rw.new(op.inputs[0]).op
    if inner.type == "Neg":
        rw.alias(op, [inner.inputs[0]], f"double negation removed at '{op.name}'")
        return True
    return False


def _reshape_chain(rw, op):
    if op.type != "Reshape" or op.control_inputs:
        return False
    x, shape = (rw.new(t) for t in op.inputs)
    if _same_signature(x, op.outputs[0]):
        rw.alias(op, [x], f"no-op reshape removed at '{op.name}'")
        return True
    if x.op.type == "Reshape":
        new = rw.emit("Reshape", (x.op.inputs[0], shape), {}, op)
        rw.alias(op, new.outputs, f"reshape chain collapsed at '{op.name}'")
        return True
    return False


def _stable_logs(rw, op):
    if op.type == "Log" and rw.new(op.inputs[0]).op.type == "Softmax":
        softmax = rw.new(op.inputs[0]).op
        new = rw.emit("LogSoftmax", softmax.inputs, dict(softmax.attrs), op)
        rw.alias(op, new.outputs, f"log(softmax) -> log_softmax at '{op.name}'")
        return True
    if op.type == "Log":
        inner = rw.new(op.inputs[0]).op
        if inner.type == "Add":
            for a, b in (inner.inputs, inner.inputs[::-1]):
                c = _const_value(a)
                if c is not None and c.size == 1 and c.reshape(()) == 1 and \
                        _keeps_shape(b, c, op.outputs[0]):
                    new = rw.emit("Log1p", (b,), {}, op)
                    rw.alias(op, new.outputs, f"log(1+x) -> log1p at '{op.name}'")
                    return True
    if op.type == "Sub":
        x, one = (rw.new(t) for t in op.inputs)
        c = _const_value(one)
        if x.op.type == "Exp" and c is not None and c.size == 1 and c.reshape(()) == 1 \
                and _keeps_shape(x, c, op.outputs[0]):
            new = rw.emit("Expm1", (x.op.inputs[0],), {}, op)
            rw.alias(op, new.outputs, f"exp(x)-1 -> expm1 at '{op.name}'")
            return True
    return False


def _affine(rw, op, forms, uses):
    """Folds +,-,*,/ by a scalar constant into the affine form of its other operand."""
    if op.type not in _AFFINE or op.control_inputs or not op.outputs[0].dtype.is_floating:
        return False
    a_src, b_src = op.inputs
    a, b = rw.new(a_src), rw.new(b_src)
    ca, cb = _const_value(a), _const_value(b)
    out = op.outputs[0]
    if cb is not None and cb.size == 1 and _keeps_shape(a, cb, out):
        src, c, const_first = a_src, cb.reshape(()), False
    elif ca is not None and ca.size == 1 and _keeps_shape(b, ca, out) and op.type != "RealDiv":
        src, c, const_first = b_src, ca.reshape(()), True
    else:
        return False
    inherited = src in forms and uses.get(src, 0) == 1
    base, scale, shift, count = forms[src] if inherited else (rw.new(src), 1.0, 0.0, 0)
    c = float(c)
    if op.type == "Add":
        shift = shift + c
    elif op.type == "Sub" and not const_first:
        shift = shift - c
    elif op.type == "Sub":
        scale, shift = -scale, c - shift
    elif op.type == "Mul":
        scale, shift = scale * c, shift * c
    else:
        scale, shift = scale / c, shift / c
    forms[out] = (base, scale, shift, count + 1)
    if count + 1 < 3:
        return False  # one or two ops are already as short as x*a + b; longer chains collapse
    result = base
    if scale != 1:
        result = _scalar_op(rw, "Mul", result, scale, op, "_scale")
    if shift != 0:
        result = _scalar_op(rw, "Add", result, shift, op, "_shift")
    rw.alias(op, [result], f"affine chain folded into '{op.name}'")
    return True


def _scalar_op(rw, op_type, x, value, like, suffix):
    arr = np.array(value, dtype=x.dtype.np_dtype)
    arr.flags.writeable = False
    c = rw.emit("Const", (), {"value": arr, "dtype": x.dtype}, like, suffix + "_c")
    return rw.emit(op_type, (x, c.outputs[0]), {}, like, suffix).outputs[0]


def _relu_grad_before_max_pool_grad(rw, op, uses):
    """Applies a ReluGrad on the pooled side of a MaxPoolGrad, where the tensors are a
    window's size smaller (4x for 2x2 pooling): the backward pass of relu then max-pool.

    Exact for any values: MaxPoolGrad routes ``g`` only to elements where ``x`` equals the
    pooled ``p``, and there ReluGrad's ``x > 0`` is ``p > 0``; elements it does not route
    to are zero either way.
    """
    if op.type != "ReluGrad" or op.control_inputs or uses.get(op.inputs[0], 0) != 1:
        return False
    routed, x = (rw.new(t) for t in op.inputs)
    pool_grad = routed.op
    if pool_grad.type != "MaxPoolGrad" or pool_grad.control_inputs \
            or pool_grad.inputs[0] is not x:
        return False
    _, pooled, g = pool_grad.inputs
    masked = rw.emit("ReluGrad", (g, pooled), {}, op, "_pooled")
    new = rw.emit("MaxPoolGrad", (x, pooled, masked.outputs[0]), dict(pool_grad.attrs), op)
    rw.alias(op, new.outputs, f"ReluGrad moved before MaxPoolGrad at '{op.name}'")
    return True


def _bias_grad_of_max_pool_grad(rw, op):
    """Sums a bias gradient over the pooled gradient, a window's size smaller (4x for 2x2
    pooling), instead of over the max-pool gradient it is routed into.

    MaxPoolGrad sends each element of ``g`` to exactly one input element (its window's
    first maximum) and adds where windows overlap, so every channel's total is the same.
    """
    if op.type != "BiasAddGrad" or op.control_inputs \
            or op.attrs.get("data_format") not in (None, "NHWC", "N...C"):
        return False
    pool_grad = rw.new(op.inputs[0]).op
    if pool_grad.type != "MaxPoolGrad" or pool_grad.control_inputs:
        return False
    new = rw.emit("BiasAddGrad", (pool_grad.inputs[2],), dict(op.attrs), op)
    rw.alias(op, new.outputs, f"BiasAddGrad summed before MaxPoolGrad at '{op.name}'")
    return True
