"""Graph pictures: clusters, styles, edges, optimized views and Jupyter display."""

import shutil

import numpy as np
import pytest

import graphflow as gf


def small_model():
    x = gf.placeholder(gf.float32, [None, 3], name="x")
    with gf.name_scope("dense"):
        w = gf.Variable(np.ones((3, 2), np.float32), name="w")
        y = gf.nn.relu(gf.matmul(x, w))
    with gf.control_dependencies([y]):
        done = gf.no_op(name="done")
    return x, w, y, done


def test_to_dot_clusters_styles_and_edges():
    _, _, y, done = small_model()
    source = gf.viz.to_dot(gf.get_default_graph()).source
    assert "cluster_dense" in source
    assert "VariableV2" in source and "#ffe0b2" in source  # variables styled apart
    assert "invhouse" in source  # placeholders
    assert "style=dashed" in source  # the control edge into `done`
    assert "float32(?, 2)" in source  # shapes on labels and edges
    only_y = gf.viz.to_dot([y]).source
    assert "done" not in only_y and "Relu" in only_y
    assert "float32(?, 2)" not in gf.viz.to_dot([y], show_shapes=False).source


def test_mimebundle_falls_back_to_text_without_graphviz(monkeypatch):
    small_model()
    graph = gf.get_default_graph()
    if shutil.which("dot"):
        assert "<svg" in graph._repr_mimebundle_()["image/svg+xml"]

    def missing(*args, **kwargs):
        raise gf.viz.dot.graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(gf.viz.dot.graphviz.Digraph, "pipe", missing)
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "dense/MatMul (MatMul)" in bundle["text/plain"] and "Graphviz" in bundle["text/plain"]


def test_tensor_lists_display_as_pictures_in_ipython():
    interactive = pytest.importorskip("IPython.core.interactiveshell")
    if not shutil.which("dot"):
        pytest.skip("rendering needs Graphviz's dot")
    _, w, y, _ = small_model()
    shell = interactive.InteractiveShell.instance()
    try:
        gf.viz.register_jupyter_display()
        data, _ = shell.display_formatter.format([y, w])
        assert "<svg" in data["image/svg+xml"]
        data, _ = shell.display_formatter.format([1, 2])
        assert "image/svg+xml" not in data
    finally:
        interactive.InteractiveShell.clear_instance()
