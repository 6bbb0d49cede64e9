"""The optimizer: named passes run in a fixed order, to a fixed point, on a copy.

Each pass is a function ``Program -> (Program, changes)``. A ``Program`` is the graph plus
the fetches and feeds that matter; every pass rebuilds the needed subgraph, so pruning
happens on every pass and nothing a pass leaves dead survives the next one. The report
records, per pass run, the op counts before and after and what changed, so users and
tests can see what the optimizer did.
"""

from dataclasses import dataclass, field

from ..graph import Operation
from ..runtime.plan import needed_ops
from .rewriter import rewrite


@dataclass
class Program:
    graph: object
    fetches: list  # Tensors or Operations of ``graph``
    feeds: list  # Tensors of ``graph`` that are fed


@dataclass
class PassRun:
    name: str
    ops_before: int
    ops_after: int
    changes: list = field(default_factory=list)

    def __str__(self):
        head = f"{self.name}: {self.ops_before} -> {self.ops_after} ops"
        return "\n".join([head] + [f"  - {c}" for c in self.changes])


@dataclass
class OptimizeResult:
    """What ``optimize_graph`` returns: the new graph, the fetches and feeds in it, a report."""

    graph: object
    fetches: list
    feeds: list
    report: list

    def __str__(self):
        return "\n".join(str(r) for r in self.report)


def run_rule_pass(program, rule):
    """Rebuilds ``program``'s needed ops, letting ``rule(rw, op)`` rewrite each."""
    ops = needed_ops(program.fetches, set(program.feeds))
    rw = rewrite(program.graph, ops, rule, feeds=program.feeds)
    fetches = [_new_op(rw, f) if isinstance(f, Operation) else rw.new(f)
               for f in program.fetches]
    feeds = [rw.new(t) for t in program.feeds]
    return Program(rw.dst, fetches, feeds), rw.changes


def readers(program):
    """Per tensor, the needed ops that read it (once per input slot)."""
    out = {}
    for op in needed_ops(program.fetches, set(program.feeds)):
        for t in op.inputs:
            out.setdefault(t, []).append(op)
    return out


def _new_op(rw, op):
    """The destination op to run for a fetched source op: its copy, the op that replaced
    it when a rule rewrote it away, or the placeholder standing for it when it is fed."""
    if op in rw.op_map:
        return rw.op_map[op]
    if op in rw.stand_ins:
        return rw.stand_ins[op][0]
    return rw.new(op.outputs[0]).op


def count_ops(program):
    return len(needed_ops(program.fetches, set(program.feeds)))
