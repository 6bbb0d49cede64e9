"""``plot_model``: a Graphviz picture of a model's layers (the op-level picture of the same
graph is ``graphflow.viz.to_dot(model.outputs)``)."""

import os

from .. import backend, tree


def _shape_text(structure):
    shapes = tree.map_structure(backend.int_shape, structure)
    if isinstance(shapes, list):
        return ", ".join(str(s) for s in shapes)
    return str(shapes)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", dpi=200, **kwargs):
    """A ``graphviz.Digraph`` with one node per layer and one edge per tensor between them."""
    import graphviz

    dot = graphviz.Digraph(model.name, graph_attr={"rankdir": rankdir, "dpi": str(dpi)},
                           node_attr={"shape": "record", "fontname": "Helvetica",
                                      "fontsize": "11"})
    history = backend.graph_state(model._graph).history
    for t in model.inputs:
        node = history.get(t)
        name = node.layer.name if node is not None else t.op.name
        dot.node(f"in_{id(t)}", _label(name, "InputLayer", None, t, show_shapes, show_dtype,
                                       show_layer_names))
    for node in model._nodes:
        dot.node(str(id(node)), _label(node.layer.name, type(node.layer).__name__, node.inputs,
                                       node.outputs, show_shapes, show_dtype,
                                       show_layer_names))
    producers = {t: f"in_{id(t)}" for t in model.inputs}
    for node in model._nodes:
        for t in node.input_tensors:
            source = producers.get(t)
            if source is not None:
                dot.edge(source, str(id(node)))
        for t in node.output_tensors:
            producers.setdefault(t, str(id(node)))
    return dot


def _label(name, class_name, inputs, outputs, show_shapes, show_dtype, show_layer_names):
    title = f"{name} ({class_name})" if show_layer_names else class_name
    parts = [title]
    if show_shapes:
        in_text = _shape_text(inputs) if inputs is not None else _shape_text(outputs)
        parts.append(f"{{input: {in_text} | output: {_shape_text(outputs)}}}")
    if show_dtype:
        parts.append(tree.flatten(outputs)[0].dtype.name)
    escaped = [p.replace("(", "\\(").replace(")", "\\)") if i == 0 else p
               for i, p in enumerate(parts)]
    return "{" + " | ".join(escaped) + "}"


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", dpi=200, show_ops=False, **kwargs):
    """Writes the picture to ``to_file`` (format from its extension; ``.dot`` writes the
    Graphviz source) and returns the Digraph, which Jupyter displays inline. With
    ``show_ops=True`` it draws the graphflow ops the model's outputs need instead."""
    if show_ops:
        import graphflow as gf

        dot = gf.viz.to_dot(list(model.outputs), show_shapes=show_shapes, rankdir=rankdir)
    else:
        dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                           show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi)
    base, ext = os.path.splitext(to_file)
    fmt = ext[1:] or "png"
    if fmt == "dot":
        with open(to_file, "w") as f:
            f.write(dot.source)
    else:
        dot.render(filename=base, format=fmt, cleanup=True)
    return dot
