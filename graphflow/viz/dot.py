"""Graphviz export of a graph or of the subgraph some fetches need.

One node per op labelled with its name, type and output shapes; solid edges for data,
dashed for control dependencies; name scopes become nested clusters so large models stay
readable; variables and placeholders are styled apart from computation.
"""

import graphviz

from ..graph import Graph, Operation, Tensor
from ..runtime.plan import needed_ops

_STYLES = {
    "VariableV2": {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffe0b2"},
    "Placeholder": {"shape": "invhouse", "style": "filled", "fillcolor": "#c8e6c9"},
    "PlaceholderWithDefault": {"shape": "invhouse", "style": "filled", "fillcolor": "#c8e6c9"},
    "Const": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "fontsize": "9"},
}
_DEFAULT_STYLE = {"shape": "box", "style": "rounded,filled", "fillcolor": "#e3f2fd"}


def to_dot(graph_or_fetches, show_shapes=True, rankdir="TB"):
    """A ``graphviz.Digraph`` of a whole Graph, or of the ops that the given fetches need."""
    ops = _ops_of(graph_or_fetches)
    dot = graphviz.Digraph("graphflow", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"fontsize": "8", "color": "#555555"})
    tree = {}
    for op in ops:
        node = tree
        for part in op.name.split("/")[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(None, []).append(op)
    _add_scope(dot, tree, "", show_shapes)
    included = set(ops)
    for op in ops:
        for t in op.inputs:
            if t.op in included:
                label = _shape_label(t) if show_shapes else ""
                dot.edge(_node_id(t.op), _node_id(op), label=label)
        for c in op.control_inputs:
            if c in included:
                dot.edge(_node_id(c), _node_id(op), style="dashed", color="#999999")
    return dot


def _ops_of(graph_or_fetches):
    if isinstance(graph_or_fetches, Graph):
        return graph_or_fetches.get_operations()
    fetches = graph_or_fetches
    if not isinstance(fetches, (list, tuple)):
        fetches = [fetches]
    elements = []
    for f in fetches:
        if hasattr(f, "_as_graph_element"):
            f = f._as_graph_element()
        if not isinstance(f, (Tensor, Operation)):
            raise TypeError(f"to_dot: expected a Graph, Tensor or Operation, got {type(f)}")
        elements.append(f)
    return needed_ops(elements, set())


def _add_scope(dot, tree, prefix, show_shapes):
    for op in tree.get(None, []):
        style = _STYLES.get(op.type, _DEFAULT_STYLE)
        dot.node(_node_id(op), _op_label(op, show_shapes), **style)
    for scope, sub in tree.items():
        if scope is None:
            continue
        full = f"{prefix}{scope}"
        with dot.subgraph(name=f"cluster_{full}") as cluster:
            cluster.attr(label=scope, style="rounded,dashed", color="#90a4ae",
                         fontsize="10")
            _add_scope(cluster, sub, full + "/", show_shapes)


def _node_id(op):
    return op.name.replace(":", "_")


def _op_label(op, show_shapes):
    short = op.name.rsplit("/", 1)[-1]
    lines = [short] if short == op.type else [short, op.type]
    if show_shapes and op.outputs and op.type not in ("NoOp",):
        lines.append(", ".join(_shape_label(t) for t in op.outputs[:3]))
    return "\n".join(lines)


def _shape_label(t):
    return f"{t.dtype.name}{t.shape}"


def mimebundle(graph_or_fetches):
    """Jupyter display data: an SVG picture, with a text listing as the fallback."""
    ops = _ops_of(graph_or_fetches)
    text = "\n".join(f"{op.name} ({op.type}) -> "
                     + ", ".join(_shape_label(t) for t in op.outputs) for op in ops)
    bundle = {"text/plain": text or "<empty graph>"}
    try:
        bundle["image/svg+xml"] = to_dot(graph_or_fetches).pipe(format="svg").decode("utf-8")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError):
        bundle["text/plain"] += "\n(install Graphviz's `dot` program to see a picture)"
    return bundle
