"""Control flow: no_op, group, tuple, with_dependencies, cond, case and while_loop.

``cond`` and ``while_loop`` build functional ops (``If``, ``While``). Each branch or loop
body is traced once into the graph as ordinary ops; the functional op keeps, as attribute
data, the tensors the function computes and the outside tensors it reads (its captures,
which are also the op's inputs). At run time the kernel compiles each function once per
session into a sub-plan fed with the captures and runs only what is taken. Nothing
outside consumes a function's ops, so the main plan never schedules them.

Note: this module defines TF1's ``tuple``, so the builtin is spelled ``builtins.tuple``.
"""

import builtins
import contextlib
import weakref

import numpy as np

from .. import dtypes as _dtypes
from ..graph import Operation, Tensor, get_default_graph
from .constant_ops import convert_to_tensor
from .registry import define_op

__all__ = ["no_op", "group", "tuple", "with_dependencies", "cond", "case", "while_loop",
           "Assert", "init_scope"]

define_op("NoOp", infer=lambda inputs, attrs: [], kernel=lambda: (), cost=0.0)


def no_op(name=None):
    return get_default_graph().create_op("NoOp", (), name=name or "NoOp")


def group(*inputs, name=None):
    """An op that runs after all of ``inputs`` (tensors or ops) and produces nothing."""
    ops = []
    for x in _flatten(inputs):
        if hasattr(x, "_as_graph_element"):
            x = x._as_graph_element()
        ops.append(x.op if isinstance(x, Tensor) else x)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.as_default(), graph.control_dependencies(ops):
        return graph.create_op("NoOp", (), name=name or "group_deps")


def _flatten(items):
    for x in items:
        if isinstance(x, (list, builtins.tuple, set)):
            yield from _flatten(x)
        elif isinstance(x, dict):
            yield from _flatten(list(x.values()))
        elif x is not None:
            yield x


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF1's public name
    """Returns tensors equal to ``tensors`` that are only available once all are computed."""
    from .array_ops import identity

    gate = group(*[t for t in tensors if t is not None], *(control_inputs or []),
                 name=name or "tuple")
    out = []
    graph = gate.graph
    for t in tensors:
        if t is None:
            out.append(None)
            continue
        with graph.control_dependencies([gate]):
            out.append(identity(t) if isinstance(t, Tensor) else group(t))
    return out


def with_dependencies(dependencies, output_tensor, name=None):
    from .array_ops import identity

    graph = output_tensor.graph
    with graph.control_dependencies(dependencies):
        if isinstance(output_tensor, Operation):
            return group(output_tensor, name=name)
        return identity(output_tensor, name=name)


# ---- nested structures ---------------------------------------------------------------------

def _is_nested(x):
    return isinstance(x, (list, builtins.tuple, dict))


def nest_flatten(structure):
    """The leaves of a nest of lists, tuples, namedtuples and dicts (dicts by sorted key)."""
    if isinstance(structure, dict):
        return [leaf for k in sorted(structure) for leaf in nest_flatten(structure[k])]
    if isinstance(structure, (list, builtins.tuple)):
        return [leaf for item in structure for leaf in nest_flatten(item)]
    return [structure]


def nest_pack(structure, flat):
    """``flat`` (leaves in ``nest_flatten`` order) packed into the shape of ``structure``."""
    leaves = iter(flat)
    packed = _pack(structure, leaves)
    if next(leaves, _END) is not _END:
        raise ValueError("nest_pack: more values than the structure has leaves")
    return packed


_END = object()


def _pack(structure, leaves):
    if isinstance(structure, dict):
        items = {k: _pack(structure[k], leaves) for k in sorted(structure)}
        return type(structure)((k, items[k]) for k in structure)
    if isinstance(structure, (list, builtins.tuple)):
        items = [_pack(s, leaves) for s in structure]
        if hasattr(structure, "_fields"):
            return type(structure)(*items)
        return type(structure)(items)
    value = next(leaves, _END)
    if value is _END:
        raise ValueError("nest_pack: fewer values than the structure has leaves")
    return value


def nest_map(fn, *structures):
    """``fn`` applied leafwise to structures of one shape, packed like the first."""
    flats = [nest_flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError("nest_map: the structures have different numbers of elements")
    return nest_pack(structures[0], [fn(*leaves) for leaves in zip(*flats, strict=True)])


def nest_same_structure(a, b):
    """Whether two nests have the same nesting (list and tuple count as the same kind)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and sorted(a) == sorted(b)
                and all(nest_same_structure(a[k], b[k]) for k in a))
    if _is_nested(a) or _is_nested(b):
        return (_is_nested(a) and _is_nested(b) and len(a) == len(b)
                and all(nest_same_structure(x, y) for x, y in zip(a, b, strict=True)))
    return True


# ---- tracing functions into the graph ------------------------------------------------------

class _FunctionContext:
    """The graph's control-flow context while a branch or loop body is being traced.

    It records the ops built (they belong to the function) and takes control inputs on
    outside ops off them: those move to the functional op itself, so a sub-plan never
    re-runs an outside op. ``borrowed`` ops (a forward branch, seen from its gradient) are
    neither inside nor outside: their values are lent by the forward op's run.
    """

    def __init__(self, graph, borrowed=()):
        self.graph = graph
        self.ops = set()
        self.borrowed = set(borrowed)
        self.outer_control = []
        self._outer = None

    def __enter__(self):
        self._outer = self.graph._context
        self.graph._context = self
        return self

    def __exit__(self, *exc):
        self.graph._context = self._outer

    def adapt(self, inputs, control):
        inside = []
        for c in control:
            if c in self.ops:
                inside.append(c)
            elif c not in self.borrowed and c not in self.outer_control:
                self.outer_control.append(c)
        return inputs, inside

    def record(self, op):
        self.ops.add(op)


def _trace(graph, fn, args=(), borrowed=()):
    """Calls ``fn(*args)`` in a new function context; returns (result, flat leaves, ctx).

    Leaves that are not Operations become tensors inside the context, so a Python
    constant returned by a branch is computed by the branch.
    """
    with _FunctionContext(graph, borrowed) as ctx:
        result = fn(*args)
        flat = [x if isinstance(x, Operation) else convert_to_tensor(x)
                for x in nest_flatten(result)]
    return result, flat, ctx


def _boundary(fetches, ctx, fed=()):
    """What computing ``fetches`` inside ``ctx`` reads from outside it.

    Returns (captures, borrowed): tensors made outside the function (fed to it as op
    inputs) and tensors of borrowed ops (lent by a forward run). Both are in creation
    order. Fetched outside ops become control inputs of the functional op.
    """
    fed = set(fed)
    captures, borrowed = set(), set()
    stack, seen = [], set()

    def visit(t):
        if t in fed:
            return
        if t.op in ctx.ops:
            stack.append(t.op)
        elif t.op in ctx.borrowed:
            borrowed.add(t)
        else:
            captures.add(t)

    for el in fetches:
        if isinstance(el, Tensor):
            visit(el)
        elif el in ctx.ops:
            stack.append(el)
        elif el not in ctx.outer_control:
            ctx.outer_control.append(el)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        for t in op.inputs:
            visit(t)
        stack.extend(c for c in op.control_inputs if c in ctx.ops)

    def order(ts):
        return sorted(ts, key=lambda t: (t.op._index, t.value_index))

    return order(captures), order(borrowed)


@contextlib.contextmanager
def init_scope():
    """Builds ops outside any cond or while_loop being traced, free of control
    dependencies (TF1's ``tf.init_scope``): variables made in a branch must exist, and be
    initialized, independently of the branch."""
    graph = get_default_graph()
    outer = graph._context
    graph._context = None
    try:
        with graph.control_dependencies(None):
            yield
    finally:
        graph._context = outer


class FunctionBody:
    """A traced function as graph data (attribute of an If/While op).

    ``outputs`` are the tensors it computes, ``ops`` the operations it must run,
    ``feeds`` the tensors fed to it (the functional op's inputs, in order). A gradient
    body also reads ``borrowed`` tensors, intermediate values of a forward body (its
    ``lender``) kept from the forward run; a forward body lists in ``lent`` the values it
    must keep (the list grows when a gradient of the op is built).
    """

    def __init__(self, outputs, ops, feeds, borrowed=(), lender=None):
        self.outputs = builtins.tuple(outputs)
        self.ops = builtins.tuple(ops)
        self.feeds = builtins.tuple(feeds)
        self.borrowed = builtins.tuple(borrowed)
        self.lender = lender
        self.lent = []

    def __repr__(self):
        names = ", ".join(t.name for t in self.outputs + self.ops)
        return f"FunctionBody([{names}], {len(self.feeds)} feeds)"

    def lend(self, tensors):
        self.lent.extend(t for t in tensors if t not in self.lent)

    def internal_ops(self):
        """The ops this body runs, which a gradient body borrows values from."""
        from ..runtime.plan import needed_ops

        return needed_ops(self.outputs + self.ops, set(self.feeds + self.borrowed))


class _SessionData:
    """Per-session sub-plans of function bodies and the values forward runs lent.

    ``lent`` maps a forward body to what its last run kept for gradients: a dict of
    tensor -> value for a cond branch, a list of per-iteration records for a loop body.
    """

    def __init__(self):
        self.plans = {}
        self.lent = {}


_SESSION_DATA = weakref.WeakKeyDictionary()  # RunState -> _SessionData


def _session_data(state):
    data = _SESSION_DATA.get(state)
    if data is None:
        data = _SESSION_DATA.setdefault(state, _SessionData())
    return data


def _run_body(state, body, values, borrowed_values=None):
    """Runs ``body`` on its feed ``values`` (and ``borrowed_values``, tensor -> value, for
    a gradient body). Returns (output values, the lent values as a dict, or None)."""
    from ..runtime.plan import compile_plan
    from ..runtime.sequential import run_sequential

    data = _session_data(state)
    key = (body, len(body.lent))
    plan = data.plans.get(key)
    if plan is None:
        plan = compile_plan(body.outputs + body.ops + builtins.tuple(body.lent),
                            body.feeds + body.borrowed, state)
        data.plans[key] = plan
    slots = [None] * plan.num_slots
    if body.borrowed:
        values = list(values) + [borrowed_values[t] for t in body.borrowed]
    for (_, slot), value in zip(plan.feed_slots, values, strict=True):
        slots[slot] = value
    run_sequential(plan, slots)
    out = [slots[s] for s in plan.fetch_slots if s is not None]
    n = len(body.outputs)
    lent = dict(zip(body.lent, out[n:], strict=True)) if body.lent else None
    return out[:n], lent


def _lent_by(state, body):
    """What the last run of forward ``body`` kept for its gradient in this session."""
    lent = _session_data(state).lent.get(body)
    if lent is None:
        raise RuntimeError("a gradient of cond or while_loop ran before its forward op")
    return lent


def _single_or_tuple(values):
    return values[0] if len(values) == 1 else builtins.tuple(values)


def _partial_gradients(ys, xs, grad_ys):
    """d(ys)/dx for each x, the other xs held fixed: a function's captures are separate
    inputs of its op even when one is computed from another outside the function, and
    the outer gradient pass adds the path between them itself."""
    from ..autodiff import gradients

    grads = gradients(ys, xs, grad_ys=grad_ys)
    for k, x in enumerate(xs):
        others = [o for o in xs if o is not x]
        if _reaches(x, others):
            grads[k] = gradients(ys, [x], grad_ys=grad_ys, stop_gradients=others)[0]
    return grads


def _reaches(x, targets):
    """Whether some tensor in ``targets`` is computed from ``x``."""
    targets = set(targets)
    if not targets:
        return False
    last = max(t.op._index for t in targets)  # ops made later cannot produce a target
    consumers = x.graph._consumers
    stack, seen = [x], set()
    while stack:
        for op in consumers.get(stack.pop(), ()):
            if op in seen or op._index > last:
                continue
            seen.add(op)
            for out in op.outputs:
                if out in targets:
                    return True
                stack.append(out)
    return False


# ---- cond ------------------------------------------------------------------------------------

def _if_infer(inputs, attrs):
    pred = inputs[0]
    if not pred.dtype.is_bool:
        raise TypeError(f"cond: pred must be a bool tensor, got {pred.dtype.name}")
    if pred.shape.ndims not in (None, 0):
        raise ValueError(f"cond: pred must be a scalar, got shape {pred.shape}")
    specs = []
    then_out, else_out = attrs["then_branch"].outputs, attrs["else_branch"].outputs
    for t, e in zip(then_out, else_out, strict=True):
        if t.dtype != e.dtype:
            raise TypeError(f"Outputs of true_fn and false_fn must have the same type: "
                            f"{t.dtype.name}, {e.dtype.name}")
        specs.append((t.dtype, _most_specific_shape(t.shape, e.shape)))
    return specs


def _most_specific_shape(a, b):
    """The most specific shape both branch outputs have (TF1's Merge output shape)."""
    if a.dims is None or b.dims is None or len(a.dims) != len(b.dims):
        return None
    return [x if x == y else None for x, y in zip(a.dims, b.dims, strict=True)]


def _if_kernel(state, pred, *inputs, then_branch, else_branch):
    body = then_branch if pred else else_branch
    borrowed = _lent_by(state, body.lender) if body.borrowed else None
    outputs, lent = _run_body(state, body, inputs, borrowed)
    if lent is not None:
        _session_data(state).lent[body] = lent
    return _single_or_tuple(outputs)


def _if_grad(op, *grads):
    """Another If on the same pred whose branches differentiate the forward branches.

    Each gradient branch reads the forward branch's intermediates from the forward run
    (borrowing them) instead of recomputing them, so stateful and random ops in a
    branch run once. Only floating captures get gradients.
    """
    from .array_ops import zeros_like

    pred, captures = op.inputs[0], op.inputs[1:]
    wrt = [c for c in captures if c.dtype.is_floating]
    pairs = [(i, g) for i, g in enumerate(grads)
             if g is not None and op.outputs[i].dtype.is_floating]
    if not wrt or not pairs:
        return [None] * len(op.inputs)

    def grad_fn(body):
        def fn():
            dxs = _partial_gradients([body.outputs[i] for i, _ in pairs], wrt,
                                     [g for _, g in pairs])
            return [d if d is not None else zeros_like(x) for d, x in zip(dxs, wrt, strict=True)]

        return fn

    then_body, else_body = op.attrs["then_branch"], op.attrs["else_branch"]
    with op.graph.control_dependencies([op]):  # the forward run lends its values
        outs = _build_if(op.graph, pred, grad_fn(then_body), grad_fn(else_body), "If",
                         lenders=(then_body, else_body))
    by_capture = dict(zip(wrt, outs, strict=True))
    return [None] + [by_capture.get(c) for c in captures]


define_op("If", infer=_if_infer, kernel=_if_kernel, grad=_if_grad, stateful=True,
          needs_state=True)


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``; only the taken branch runs.

    Both functions must return the same nested structure of tensors (or operations) of
    the same dtypes; output shapes are what both branches agree on. Unless ``strict``,
    a singleton list or tuple result is unpacked, as in TF1. A Python bool ``pred``
    simply calls the chosen function.
    """
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, (bool, np.bool_)):
        result = true_fn() if pred else false_fn()
    else:
        pred = convert_to_tensor(pred)
        graph = pred.graph
        with graph.as_default(), graph.name_scope(name or "cond"):
            result = _build_if(graph, pred, true_fn, false_fn, "If")
    return result if strict else _unpack_singleton(result)


def _unpack_singleton(result):
    if isinstance(result, (list, builtins.tuple)) and len(result) == 1:
        return result[0]
    return result


def _build_if(graph, pred, true_fn, false_fn, name, lenders=(None, None)):
    """Traces both branches and adds the If op; returns the then-branch's structure
    with each leaf replaced by the op's matching output (the op itself for operations)."""
    traced = []
    for fn, lender in zip((true_fn, false_fn), lenders, strict=True):
        borrowed = lender.internal_ops() if lender is not None else ()
        traced.append(_trace(graph, fn, borrowed=borrowed))
    (then_res, then_flat, then_ctx), (else_res, else_flat, else_ctx) = traced
    if then_res is None or else_res is None:
        raise ValueError("true_fn and false_fn must return a value (a tensor, an operation "
                         "or a structure of them)")
    if not nest_same_structure(then_res, else_res) or len(then_flat) != len(else_flat):
        raise ValueError("Outputs of true_fn and false_fn must have the same structure: "
                         f"{then_res!r} vs {else_res!r}")
    for t, e in zip(then_flat, else_flat, strict=True):
        if isinstance(t, Operation) != isinstance(e, Operation):
            raise TypeError(f"true_fn and false_fn return an operation and a tensor at the "
                            f"same position: {t!r} vs {e!r}")
    bodies = []
    captures = []
    for flat, ctx, lender in zip((then_flat, else_flat), (then_ctx, else_ctx), lenders,
                                 strict=True):
        fetches = [x for x in flat if isinstance(x, Tensor)]
        ops = [x for x in flat if isinstance(x, Operation)]
        caps, borrowed = _boundary(fetches + ops, ctx)
        captures.extend(c for c in caps if c not in captures)
        if lender is not None:
            lender.lend(borrowed)
        bodies.append((fetches, [o for o in ops if o in ctx.ops], borrowed, lender))
    attrs = {}
    for key, (fetches, ops, borrowed, lender) in zip(("then_branch", "else_branch"), bodies,
                                                     strict=True):
        attrs[key] = FunctionBody(fetches, ops, captures, borrowed, lender)
    with graph.control_dependencies(then_ctx.outer_control + else_ctx.outer_control):
        op = graph.create_op("If", (pred, *captures), attrs, name=name)
    outputs = iter(op.outputs)
    return nest_pack(then_res, [op if isinstance(x, Operation) else next(outputs)
                                for x in then_flat])


# ---- while_loop --------------------------------------------------------------------------

def _while_infer(inputs, attrs):
    return [(t.dtype, t.shape) for t in attrs["loop_body"].feeds[:attrs["num_vars"]]]


def _while_kernel(state, *inputs, cond_body, loop_body, num_vars, has_limit, back_prop):
    """Runs the body while the condition holds (and the iteration limit allows); when a
    gradient was built, keeps each iteration's record for it."""
    limit = inputs[-1] if has_limit else None
    values = list(inputs[:num_vars])
    captures = list(inputs[num_vars:len(inputs) - int(has_limit)])
    data = _session_data(state)
    records = [] if loop_body.lent else None
    i = 0
    while (limit is None or i < limit) and _run_body(state, cond_body, values + captures)[0][0]:
        before = dict(data.lent) if records is not None else None
        values, lent = _run_body(state, loop_body, values + captures)
        if records is not None:
            records.append((lent, _changed(before, data.lent)))
        i += 1
    if records is not None:
        data.lent[loop_body] = records
    return _single_or_tuple(values)


def _changed(before, after):
    """Entries of ``after`` that differ from ``before``: what functional ops nested in one
    loop iteration lent, restored when that iteration is differentiated."""
    return {k: v for k, v in after.items() if before.get(k) is not v}


def _while_grad(op, *grads):
    """A WhileGrad op running the body's gradient over the recorded iterations, last
    first, carrying the loop variables' gradients and summing the captures'."""
    from .array_ops import zeros_like
    from .constant_ops import placeholder

    loop_body, n = op.attrs["loop_body"], op.attrs["num_vars"]
    stand_ins, captures = loop_body.feeds[:n], loop_body.feeds[n:]
    var_idx = [i for i in range(n) if stand_ins[i].dtype.is_floating]
    wrt_caps = [c for c in captures if c.dtype.is_floating]
    if not op.attrs["back_prop"] or all(grads[i] is None for i in var_idx):
        return [None] * len(op.inputs)
    graph = op.graph
    borrowed = set(loop_body.internal_ops()) | {t.op for t in stand_ins}
    with _FunctionContext(graph, borrowed) as ctx:
        g_stand_ins = [placeholder(stand_ins[i].dtype, stand_ins[i].shape, name="grad_var")
                       for i in var_idx]
        xs = [stand_ins[i] for i in var_idx] + wrt_caps
        dxs = _partial_gradients([loop_body.outputs[i] for i in var_idx], xs, g_stand_ins)
        outs = [d if d is not None else zeros_like(x) for d, x in zip(dxs, xs, strict=True)]
    grad_caps, lent = _boundary(outs, ctx, fed=g_stand_ins)
    grad_caps = [c for c in grad_caps if c not in wrt_caps]
    loop_body.lend(lent)
    body = FunctionBody(outs, (), [*g_stand_ins, *wrt_caps, *grad_caps], lent, loop_body)
    g_in = [grads[i] if grads[i] is not None else zeros_like(op.outputs[i]) for i in var_idx]
    with graph.control_dependencies([op, *ctx.outer_control]):
        grad_op = graph.create_op("WhileGrad", [*g_in, *wrt_caps, *grad_caps],
                                  {"grad_body": body, "num_grads": len(var_idx),
                                   "num_wrt": len(wrt_caps)}, name="WhileGrad")
    result = [None] * len(op.inputs)
    for k, i in enumerate(var_idx):
        result[i] = grad_op.outputs[k]
    cap_grads = dict(zip(wrt_caps, grad_op.outputs[len(var_idx):], strict=True))
    for j, t in enumerate(op.inputs[n:n + len(captures)]):
        result[n + j] = cap_grads.get(t)
    return result


def _while_grad_infer(inputs, attrs):
    k = attrs["num_grads"] + attrs["num_wrt"]
    return [(t.dtype, t.shape) for t in inputs[:k]]


def _while_grad_kernel(state, *inputs, grad_body, num_grads, num_wrt):
    grads = list(inputs[:num_grads])
    wrt = inputs[num_grads:num_grads + num_wrt]
    rest = list(inputs[num_grads:])
    totals = [np.zeros_like(c) for c in wrt]
    data = _session_data(state)
    for lent, nested in reversed(_lent_by(state, grad_body.lender)):
        data.lent.update(nested)
        outs, _ = _run_body(state, grad_body, grads + rest, lent)
        grads = outs[:num_grads]
        totals = [a + b for a, b in zip(totals, outs[num_grads:], strict=True)]
    return _single_or_tuple(grads + totals)


define_op("WhileGrad", infer=_while_grad_infer, kernel=_while_grad_kernel, stateful=True,
          needs_state=True)
define_op("While", infer=_while_infer, kernel=_while_kernel, grad=_while_grad,
          stateful=True, needs_state=True)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true.

    ``loop_vars`` is a (nested) list or tuple of tensors; ``body`` returns the same
    structure with the same dtypes, and shapes that fit each variable's shape (or its
    ``shape_invariants`` entry, which may leave dimensions unknown). ``cond`` and
    ``body`` are traced once. At most ``maximum_iterations`` iterations run when given.
    A single loop variable comes back unpacked unless ``return_same_structure``.
    Gradients flow to floating loop variables and captures (unless ``back_prop`` is
    False): each iteration keeps the values the body's gradient needs.
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    flat_init = [convert_to_tensor(v) for v in nest_flatten(loop_vars)]
    if not flat_init:
        raise ValueError("No loop variables provided")
    graph = flat_init[0].graph
    with graph.as_default(), graph.name_scope(name or "while"):
        invariants = _loop_invariants(flat_init, shape_invariants)
        cond_body, loop_body, captures, control = _trace_loop(
            graph, cond, body, loop_vars, flat_init, invariants)
        inputs = [*flat_init, *captures]
        if maximum_iterations is not None:
            limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if not limit.dtype.is_integer or limit.shape.ndims not in (None, 0):
                raise ValueError(f"maximum_iterations must be an integer scalar, got "
                                 f"{limit.dtype.name} of shape {limit.shape}")
            inputs.append(limit)
        attrs = {"cond_body": cond_body, "loop_body": loop_body,
                 "num_vars": len(flat_init), "has_limit": maximum_iterations is not None,
                 "back_prop": bool(back_prop)}
        with graph.control_dependencies(control):
            op = graph.create_op("While", inputs, attrs, name="While")
    if not return_same_structure and len(op.outputs) == 1:
        return op.outputs[0]
    return nest_pack(loop_vars, op.outputs)


def _loop_invariants(flat_init, shape_invariants):
    """Each loop variable's shape across iterations, checked against its initial shape."""
    from ..shapes import as_shape

    if shape_invariants is None:
        return [t.shape for t in flat_init]
    invariants = [as_shape(s) for s in nest_flatten(shape_invariants)]
    if len(invariants) != len(flat_init):
        raise ValueError(f"shape_invariants has {len(invariants)} entries for "
                         f"{len(flat_init)} loop variables")
    for t, inv in zip(flat_init, invariants, strict=True):
        if not _shape_fits(t.shape, inv):
            raise ValueError(
                f"The shape invariant specified for {t.name} is not compatible with the "
                f"initial shape of the loop variable. It enters the loop with shape "
                f"{t.shape}, but the specified shape invariant is {inv}.")
    return invariants


def _shape_fits(shape, invariant):
    """Whether ``shape`` is at least as specific as ``invariant`` (TF1's rule)."""
    if invariant.dims is None:
        return True
    if shape.dims is None or len(shape.dims) != len(invariant.dims):
        return False
    return all(i is None or i == s for s, i in zip(shape.dims, invariant.dims, strict=True))


def _trace_loop(graph, cond, body, loop_vars, flat_init, invariants):
    """Traces ``cond`` and ``body`` on stand-in tensors for the loop variables.

    Returns the condition and body FunctionBodies (fed the loop variables, then the
    captures), the captures, and outside ops the functions depend on by control.
    """
    from .constant_ops import placeholder

    nested = isinstance(loop_vars, (list, builtins.tuple))
    with _FunctionContext(graph) as ctx:
        stand_ins = [placeholder(t.dtype, inv, name="loop_var")
                     for t, inv in zip(flat_init, invariants, strict=True)]
        packed = nest_pack(loop_vars, stand_ins)
        args = packed if nested else [packed]
        pred = convert_to_tensor(cond(*args))
        result = body(*args)
        if nested and not _is_nested(result):
            result = [result]
        flat_out = [convert_to_tensor(x) for x in nest_flatten(result)]
    if not pred.dtype.is_bool or pred.shape.ndims not in (None, 0):
        raise ValueError(f"while_loop: cond must return a boolean scalar, got "
                         f"{pred.dtype.name} of shape {pred.shape}")
    if not nest_same_structure(list(args), list(result) if nested else [result]) \
            or len(flat_out) != len(stand_ins):
        raise ValueError(f"body must return the structure of loop_vars: {loop_vars!r} vs "
                         f"{result!r}")
    _check_loop_outputs(flat_init, flat_out, invariants)
    captures, _ = _boundary([pred, *flat_out], ctx, fed=stand_ins)
    feeds = [*stand_ins, *captures]
    return (FunctionBody([pred], (), feeds), FunctionBody(flat_out, (), feeds), captures,
            ctx.outer_control)


def _check_loop_outputs(flat_init, flat_out, invariants):
    for t, out, inv in zip(flat_init, flat_out, invariants, strict=True):
        if out.dtype != t.dtype:
            raise TypeError(f"Input tensor '{t.name}' enters the loop with dtype "
                            f"{t.dtype.name}, but has dtype {out.dtype.name} after one "
                            f"iteration.")
        if not _shape_fits(out.shape, inv):
            raise ValueError(
                f"Input tensor '{t.name}' enters the loop with shape {inv}, but has shape "
                f"{out.shape} after one iteration. To allow the shape to vary across "
                f"iterations, use the `shape_invariants` argument of tf.while_loop to "
                f"specify a less-specific shape.")


# ---- Assert and case ---------------------------------------------------------------------

def _assert_kernel(condition, *data, summarize):
    if not condition:
        from ..errors import InvalidArgumentError

        shown = ", ".join(np.array2string(np.asarray(d).reshape(-1)[:summarize])
                          if not isinstance(d, (str, bytes)) else str(d) for d in data)
        raise InvalidArgumentError(message=f"assertion failed: [{shown}]")
    return ()


define_op("Assert", infer=lambda inputs, attrs: [], kernel=_assert_kernel, stateful=True)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF1's public name
    """An op that fails the run with ``data`` in the message when ``condition`` is false."""
    condition = convert_to_tensor(condition)
    if not condition.dtype.is_bool or condition.shape.ndims not in (None, 0):
        raise ValueError(f"Assert: condition must be a boolean scalar, got "
                         f"{condition.dtype.name} of shape {condition.shape}")
    with condition.graph.as_default():
        values = [convert_to_tensor(d) for d in data]
        return condition.graph.create_op("Assert", (condition, *values),
                                         {"summarize": summarize or 3}, name=name)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The result of the fn of the first true predicate, else of ``default``.

    Built as nested conds. Without ``default`` the last pair acts as the default, guarded
    by an assertion that its predicate holds; with ``exclusive`` an assertion checks
    that at most one predicate is true.
    """
    preds, fns = _case_pairs(pred_fn_pairs)
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    graph = preds[0].graph
    with graph.as_default(), graph.name_scope(name or "case"):
        if default is None:
            default, preds, fns = _asserting_default(preds, fns)
        fn = default
        for pred, action in reversed(list(zip(preds, fns, strict=True))):
            fn = _cond_fn(pred, action, fn, strict)
        if not exclusive:
            return fn()
        with graph.control_dependencies([_at_most_true(preds, 1, "exclusive=True")]):
            return fn()


def _cond_fn(pred, true_fn, false_fn, strict):
    return lambda: cond(pred, true_fn, false_fn, strict=strict)


def _case_pairs(pred_fn_pairs):
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = sorted(pred_fn_pairs.items(), key=lambda item: item[0].name)
    elif not isinstance(pred_fn_pairs, (list, builtins.tuple)):
        raise TypeError(f"'pred_fn_pairs' must be a list, tuple, or dict. Received: "
                        f"{type(pred_fn_pairs)}")
    if not pred_fn_pairs:
        raise ValueError("case: pred_fn_pairs must not be empty")
    for pair in pred_fn_pairs:
        if not isinstance(pair, builtins.tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received "
                            f"{pair}.")
        pred, fn = pair
        if not isinstance(pred, Tensor):
            raise TypeError(f"pred must be a Tensor, got: {pred}")
        if pred.dtype != _dtypes.bool:
            raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    preds, fns = zip(*pred_fn_pairs, strict=True)
    return list(preds), list(fns)


def _asserting_default(preds, fns):
    """The last pair as default action, failing when its predicate is false too."""
    pred, action = preds[-1], fns[-1]

    def default():
        checks = [Assert(pred, ["Input error: None of conditions evaluated as True"])]
        if len(preds) > 1:
            checks.append(_at_most_true(preds[:-1], 0, "default action was called"))
        with pred.graph.control_dependencies(checks):
            return action()

    return default, preds[:-1], fns[:-1]


def _at_most_true(preds, n, what):
    from .array_ops import stack
    from .math_ops import cast, less_equal
    from .reduction_ops import reduce_sum

    count = reduce_sum(cast(stack(preds), _dtypes.int32))
    names = ", ".join(p.name for p in preds)
    return Assert(less_equal(count, n),
                  [f"Input error: {what}: more than {n} conditions ({names}) evaluated as "
                   f"True"])
