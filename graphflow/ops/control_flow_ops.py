"""Control flow builders: no_op, group, tuple, with_dependencies, Assert, init_scope, cond,
case, while_loop, and the higher-order map_fn, scan, foldl and foldr.

``cond`` and ``while_loop`` trace their functions into functional ``If`` and ``While`` ops
(graphflow/ops/functional_ops.py), which run only what is taken; ``case`` nests conds,
and the higher-order functions are while_loops over the leading dimension of ``elems``.

Note: this module defines TF1's ``tuple``, so the builtin is spelled ``builtins.tuple``.
"""

import builtins
import contextlib

import numpy as np

from .. import dtypes as _dtypes
from .. import nest
from ..graph import Operation, Tensor, get_default_graph
from .constant_ops import convert_to_tensor

# FunctionBody is imported for graph_def.py, which reads it from this module.
from .functional_ops import FunctionBody, build_if, build_while  # noqa: F401
from .registry import define_op

# rnn_cell.py imports the nest helpers by these names from this module.
nest_flatten, nest_map, nest_pack = nest.flatten, nest.map_structure, nest.pack_sequence_as

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
            result = build_if(graph, pred, true_fn, false_fn, "If")
    return result if strict else _unpack_singleton(result)


def _unpack_singleton(result):
    if isinstance(result, (list, builtins.tuple)) and len(result) == 1:
        return result[0]
    return result


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
    flat_init = [convert_to_tensor(v) for v in nest.flatten(loop_vars)]
    if not flat_init:
        raise ValueError("No loop variables provided")
    graph = flat_init[0].graph
    with graph.as_default(), graph.name_scope(name or "while"):
        limit = None
        if maximum_iterations is not None:
            limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if not limit.dtype.is_integer or limit.shape.ndims not in (None, 0):
                raise ValueError(f"maximum_iterations must be an integer scalar, got "
                                 f"{limit.dtype.name} of shape {limit.shape}")
        outputs = build_while(graph, cond, body, loop_vars, flat_init, shape_invariants,
                              limit, back_prop)
    if not return_same_structure and len(outputs) == 1:
        return outputs[0]
    return nest.pack_sequence_as(loop_vars, outputs)


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
