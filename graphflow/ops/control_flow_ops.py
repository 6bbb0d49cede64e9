"""Control flow: no_op, group, tuple, with_dependencies."""

import builtins

from ..graph import Operation, Tensor, get_default_graph
from .registry import define_op

__all__ = ["no_op", "group", "tuple", "with_dependencies"]

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
