"""Pictures of graphs: Graphviz export."""

from .dot import to_dot

__all__ = ["to_dot"]
