"""Pictures of graphs: Graphviz export."""

from .dot import compare, mimebundle, to_dot

__all__ = ["to_dot", "compare", "mimebundle"]
