"""Graph-to-graph rewrites (the optimizer). See optimizer.py for the order of passes."""

from .optimizer import PASS_NAMES, optimize_graph

__all__ = ["optimize_graph", "PASS_NAMES"]
