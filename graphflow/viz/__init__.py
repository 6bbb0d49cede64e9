"""Pictures of graphs: Graphviz export."""

from .dot import compare, mimebundle, register_jupyter_display, to_dot

__all__ = ["to_dot", "compare", "mimebundle", "register_jupyter_display"]

register_jupyter_display()
