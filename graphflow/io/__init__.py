"""Saving graphs as data: GraphDef (JSON), meta graphs, and reading them back safely."""

from .graph_def import GraphDef, as_graph_def, import_graph_def
from .meta_graph import export_meta_graph, import_meta_graph, write_graph

__all__ = ["GraphDef", "as_graph_def", "import_graph_def", "export_meta_graph",
           "import_meta_graph", "write_graph"]
