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
_FUSED_STYLE = {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#e1bee7"}


def to_dot(graph_or_fetches, optimized=False, show_shapes=True, rankdir="TB"):
    """A ``graphviz.Digraph`` of a whole Graph, or of the ops that the given fetches need.

    ``optimized=True`` draws the graph the optimizer makes of it (fused ops list their
    members).
    """
    if optimized:
        graph_or_fetches = optimized_graph(graph_or_fetches)
    dot = graphviz.Digraph("graphflow", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"fontsize": "8", "color": "#555555"})
    _draw(dot, _ops_of(graph_or_fetches), show_shapes, "")
    return dot


def compare(fetches, feeds=(), show_shapes=True):
    """The graph the fetches need and the optimizer's version of it, side by side."""
    from ..passes import optimize_graph

    fetch_list = _elements(fetches)
    result = optimize_graph(fetch_list, list(feeds))
    dot = graphviz.Digraph("compare", graph_attr={"rankdir": "TB", "fontname": "Helvetica"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"fontsize": "8", "color": "#555555"})
    for title, prefix, ops in (("original", "a_", needed_ops(fetch_list, set(feeds))),
                               ("optimized", "b_", result.graph.get_operations())):
        with dot.subgraph(name=f"cluster_{title}") as side:
            side.attr(label=f"{title} ({len(ops)} ops)", style="rounded", color="#607d8b")
            _draw(side, ops, show_shapes, prefix)
    return dot


def optimized_graph(graph_or_fetches):
    """The optimizer's graph for some fetches, or for a whole graph's final ops."""
    from ..passes import optimize_graph

    if isinstance(graph_or_fetches, Graph):
        fetches = sinks(graph_or_fetches)
    else:
        fetches = _elements(graph_or_fetches)
    return optimize_graph(fetches).graph


def sinks(graph):
    """The ops of ``graph`` whose outputs nothing consumes: what a whole graph computes."""
    consumed = {t.op for op in graph.get_operations() for t in op.inputs}
    consumed.update(c for op in graph.get_operations() for c in op.control_inputs)
    return [op for op in graph.get_operations() if op not in consumed]


def _draw(dot, ops, show_shapes, prefix):
    tree = {}
    for op in ops:
        node = tree
        for part in op.name.split("/")[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(None, []).append(op)
    _add_scope(dot, tree, "", show_shapes, prefix)
    included = set(ops)
    for op in ops:
        for t in op.inputs:
            if t.op in included:
                label = _shape_label(t) if show_shapes else ""
                dot.edge(prefix + _node_id(t.op), prefix + _node_id(op), label=label)
        for c in op.control_inputs:
            if c in included:
                dot.edge(prefix + _node_id(c), prefix + _node_id(op), style="dashed",
                         color="#999999")


def _elements(fetches):
    if not isinstance(fetches, (list, tuple)):
        fetches = [fetches]
    elements = []
    for f in fetches:
        if hasattr(f, "_as_graph_element"):
            f = f._as_graph_element()
        if not isinstance(f, (Tensor, Operation)):
            raise TypeError(f"expected a Graph, Tensor or Operation, got {type(f).__name__}")
        elements.append(f)
    return elements


def _ops_of(graph_or_fetches):
    if isinstance(graph_or_fetches, Graph):
        return graph_or_fetches.get_operations()
    return needed_ops(_elements(graph_or_fetches), set())


def _add_scope(dot, tree, scope_prefix, show_shapes, id_prefix):
    for op in tree.get(None, []):
        style = _FUSED_STYLE if op.type.startswith("Fused") else _STYLES.get(op.type,
                                                                            _DEFAULT_STYLE)
        dot.node(id_prefix + _node_id(op), _op_label(op, show_shapes), **style)
    for scope, sub in tree.items():
        if scope is None:
            continue
        full = f"{scope_prefix}{scope}"
        with dot.subgraph(name=f"cluster_{id_prefix}{full}") as cluster:
            cluster.attr(label=scope, style="rounded,dashed", color="#90a4ae",
                         fontsize="10")
            _add_scope(cluster, sub, full + "/", show_shapes, id_prefix)


def _node_id(op):
    return op.name.replace(":", "_")


def _op_label(op, show_shapes):
    short = op.name.rsplit("/", 1)[-1]
    lines = [short] if short == op.type else [short, op.type]
    members = op.attrs.get("_members")
    if members:  # an elementwise fusion: name what it computes
        lines.append("= " + " > ".join(m.rsplit("(", 1)[-1].rstrip(")") for m in members))
    elif op.type in ("FusedMatMul", "FusedConv2D"):
        activation = op.attrs.get("activation")
        lines.append(f"= {op.type[5:]} + bias" + (f" + {activation}" if activation else ""))
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


def register_jupyter_display():
    """In a running IPython, lists and tuples of tensors/ops display as their graph's
    picture (a Python list cannot carry a display hook of its own)."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/svg+xml"]
    for kind in (list, tuple):
        formatter.for_type(kind, _svg_of_elements)


def _svg_of_elements(items):
    if not items or not all(isinstance(x, (Tensor, Operation)) or hasattr(x, "_as_graph_element")
                            for x in items):
        return None  # not a list of graph elements: IPython shows it as usual
    try:
        return to_dot(list(items)).pipe(format="svg").decode("utf-8")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError):
        return None
