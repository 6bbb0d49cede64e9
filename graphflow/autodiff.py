"""Reverse-mode differentiation over the graph.

The walker is deliberately small: find the ops between ``xs`` and ``ys``, visit them in
reverse creation order (a reverse topological order), and ask each op's registered gradient
rule for its inputs' gradients. Everything op-specific lives in the rules.
"""

from .ops import array_ops
from .ops.constant_ops import convert_to_tensor
from .ops.math_ops import add_n


def gradients(ys, xs, grad_ys=None, name="gradients", stop_gradients=None,
              colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None):
    """Symbolic d(sum(ys))/dx for each x in ``xs``; None where x does not affect ys.

    ``grad_ys`` weights each y (ones by default); ``stop_gradients`` are treated as
    constants. Integer and bool tensors get no gradient.
    """
    ys = _as_list(ys)
    xs = _as_list(xs)
    ys = [convert_to_tensor(y) for y in ys]
    xs = [x._as_graph_element() if hasattr(x, "_as_graph_element") else x for x in xs]
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    stops = {s._as_graph_element() if hasattr(s, "_as_graph_element") else s
             for s in _as_list(stop_gradients or [])}
    graph = ys[0].graph
    with graph.as_default(), graph.name_scope(name):
        between = _ops_between(ys, xs, stops)
        grads = {}  # tensor -> list of gradient contributions
        for y, gy in zip(ys, grad_ys, strict=True):
            if gy is None:
                gy = array_ops.ones_like(y)
            else:
                gy = convert_to_tensor(gy, dtype=y.dtype)
            grads.setdefault(y, []).append(gy)
        for op in sorted(between, key=lambda o: o._index, reverse=True):
            out_grads = [_total(grads.get(t)) for t in op.outputs]
            if all(g is None for g in out_grads) or op.op_def.grad is None:
                continue
            with graph.name_scope(op.name + "_grad"):
                in_grads = op.op_def.grad(op, *out_grads)
            if len(in_grads) != len(op.inputs):
                raise RuntimeError(
                    f"gradient rule of {op.type} returned {len(in_grads)} values for "
                    f"{len(op.inputs)} inputs"
                )
            for t, g in zip(op.inputs, in_grads, strict=True):
                if g is not None and _differentiable(t) and t not in stops:
                    grads.setdefault(t, []).append(g)
        return [_total(grads.get(x)) if _differentiable(x) else None for x in xs]


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _differentiable(t):
    return t.dtype.is_floating


def _total(contributions):
    """Sums the gradient contributions reaching one tensor (None when there are none)."""
    if not contributions:
        return None
    if len(contributions) == 1:
        return contributions[0]
    return add_n(contributions)


def _ops_between(ys, xs, stops):
    """Ops that lie on a path from some x to some y, not passing through a stop tensor."""
    reach_back = set()
    stack = [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in reach_back:
            continue
        reach_back.add(op)
        for t in op.inputs:
            if t not in stops:
                stack.append(t.op)
    graph = ys[0].graph
    forward = set()
    stack = [c for x in xs if x not in stops for c in graph._consumers.get(x, ())]
    while stack:
        op = stack.pop()
        if op in forward or op not in reach_back:
            continue
        forward.add(op)
        for t in op.outputs:
            if t not in stops:
                stack.extend(graph._consumers.get(t, ()))
    return forward
