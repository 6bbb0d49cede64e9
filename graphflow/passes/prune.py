"""prune: keep only the ops the fetches need (data and control edges; feeds cut the graph)."""

from .pipeline import run_rule_pass


def prune(program):
    return run_rule_pass(program, lambda rw, op: False)
