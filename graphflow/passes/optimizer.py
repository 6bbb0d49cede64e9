"""``optimize_graph``: the pass pipeline, its order, and its fixed-point driver."""

from ..graph import Operation, Tensor
from .arithmetic import arithmetic
from .constant_folding import constant_folding
from .conv_crop import conv_crop
from .cse import cse
from .dense_fusion import dense_fusion
from .fusion import fusion
from .pipeline import OptimizeResult, PassRun, Program, count_ops
from .pool_offsets import pool_offsets
from .prune import prune

# Simplifying passes repeat until nothing changes; fusion passes run once at the end,
# because fused ops are opaque to the simplifiers.
SIMPLIFY = (("prune", prune), ("constant_folding", constant_folding), ("arithmetic", arithmetic),
            ("cse", cse))
LOWER = (("dense_fusion", dense_fusion), ("conv_crop", conv_crop), ("pool_offsets", pool_offsets),
         ("fusion", fusion))
PASS_NAMES = tuple(name for name, _ in SIMPLIFY + LOWER)
MAX_ROUNDS = 8


def optimize_graph(fetches, feeds=(), config=None):
    """Returns an OptimizeResult for ``fetches`` given ``feeds``; the input graph is untouched.

    ``config`` (a ConfigProto) can disable single passes with ``disabled_passes``.
    """
    fetch_list = fetches if isinstance(fetches, (list, tuple)) else [fetches]
    fetch_list = [_element(f) for f in fetch_list]
    feed_list = [_element(f) for f in feeds]
    graph = (fetch_list[0].graph if fetch_list else None)
    disabled = set(getattr(config, "disabled_passes", ()) or ())
    unknown = disabled - set(PASS_NAMES)
    if unknown:
        raise ValueError(f"Unknown optimizer passes {sorted(unknown)}; known: {PASS_NAMES}")
    program = Program(graph, fetch_list, feed_list)
    report = []
    for _ in range(MAX_ROUNDS):
        changed = False
        for name, fn in SIMPLIFY:
            if name in disabled:
                continue
            program, run = _run(name, fn, program)
            report.append(run)
            changed |= bool(run.changes) or run.ops_before != run.ops_after
        if not changed:
            break
    for name, fn in LOWER:
        if name not in disabled:
            program, run = _run(name, fn, program)
            report.append(run)
    return OptimizeResult(program.graph, program.fetches, program.feeds, report)


def _run(name, fn, program):
    before = count_ops(program)
    new, changes = fn(program)
    return new, PassRun(name, before, count_ops(new), list(changes))


def _element(f):
    if hasattr(f, "_as_graph_element"):
        f = f._as_graph_element()
    if not isinstance(f, (Tensor, Operation)):
        raise TypeError(f"optimize_graph: expected Tensors or Operations, got {f!r}")
    return f
