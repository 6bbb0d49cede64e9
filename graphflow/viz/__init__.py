"""Pictures of graphs: Graphviz export."""

from .dot import mimebundle, to_dot

__all__ = ["to_dot", "mimebundle"]
