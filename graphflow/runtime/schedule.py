"""What the thread-pool runner needs, computed once per plan: dependencies and costs.

Each step waits for the steps that produce its inputs, for its control inputs, and, if it
is stateful, for the previous stateful step: variable updates and random draws then happen
in the plan's order whatever the thread count, so results are the same bits for any pool
size. Each step's work is estimated as the registry's ``cost`` trait times the largest
tensor it touches; heavy steps go to the pool, the rest run inline on the dispatching
thread, because handing a node to another thread costs tens of microseconds. Stateful
steps always run inline: they are chained one after another, so a hand-off could only add
its cost (a training step's optimizer updates measured ~10% slower on the pool).
"""

from dataclasses import dataclass

from .memory import nominal_elements

# Work (cost x elements) from which a step is worth a thread hand-off: about the time
# numpy needs for an elementwise op on 64k floats.
HEAVY_WORK = 65536


@dataclass(frozen=True)
class Schedule:
    """Dependency counts and memory bookkeeping for one plan; runs copy the lists."""

    successors: tuple  # per step: steps waiting for it
    pending: list  # per step: how many steps it waits for
    roots: tuple  # steps that wait for nothing
    heavy: tuple  # per step: run on a pool thread
    refs: list  # per slot: how many steps read it
    releases: tuple  # per step: input slots to count down (unique, never fetched ones)
    unused: tuple  # per step: outputs that nobody reads or fetches


def step_work(op):
    """Estimated cost of one step: the op's cost trait times the largest tensor it touches."""
    tensors = (*op.inputs, *op.outputs)
    if not tensors:
        return 0.0
    return op.op_def.cost * max(nominal_elements(t.shape) for t in tensors)


def predecessors(ops, ins, outs):
    """For each step, the distinct earlier steps it must wait for."""
    producer = {s: i for i, slots in enumerate(outs) for s in slots}
    index = {op: i for i, op in enumerate(ops)}
    preds = []
    last_stateful = None
    for i, op in enumerate(ops):
        p = {producer[s] for s in ins[i] if s in producer}
        p.update(index[c] for c in op.control_inputs if c in index)
        if op.op_def.stateful:
            if last_stateful is not None:
                p.add(last_stateful)
            last_stateful = i
        preds.append(p)
    return preds


def build_schedule(ops, ins, outs, keep, num_slots):
    """The Schedule of ``ops`` (in plan order) with input and output slots per step."""
    preds = predecessors(ops, ins, outs)
    successors = [[] for _ in ops]
    for i, p in enumerate(preds):
        for j in p:
            successors[j].append(i)
    refs = [0] * num_slots
    releases = []
    for reads in ins:
        reads = set(reads)
        for s in reads:
            refs[s] += 1
        releases.append(tuple(sorted(reads - keep)))
    unused = tuple(tuple(s for s in writes if not refs[s] and s not in keep) for writes in outs)
    return Schedule(
        successors=tuple(tuple(s) for s in successors),
        pending=[len(p) for p in preds],
        roots=tuple(i for i in reversed(range(len(ops))) if not preds[i]),
        heavy=tuple(step_work(op) >= HEAVY_WORK and not op.op_def.stateful for op in ops),
        refs=refs,
        releases=tuple(releases),
        unused=unused,
    )


def parallel_slack(ops, schedule):
    """Heavy work that can overlap: all heavy work minus the heaviest dependency chain.

    Linear in the plan's size (one pass in plan order, which is topological); zero for a
    plan whose heavy steps all lie on one chain, where a pool could only add hand-offs.
    """
    chain = [0.0] * len(ops)
    total = 0.0
    for i, op in enumerate(ops):
        w = step_work(op) if schedule.heavy[i] else 0.0
        total += w
        chain[i] += w
        for j in schedule.successors[i]:
            chain[j] = max(chain[j], chain[i])
    return total - max(chain, default=0.0)


# Overlappable work a plan needs per pool hand-off, in HEAVY_WORK units, before a pool
# pays: the cost model is coarse (it overestimates matmuls several times), so the margin is
# wide. Measured: an MLP training step (slack 2.6M over 8 heavy steps) ran ~10% slower on
# the pool, two chains of 384x384 matmuls (75M over 16) ran 1.9x faster.
HANDOFF_WORK = 16


def worth_a_pool(ops, schedule):
    """True when the work that can overlap pays for every hand-off to the pool."""
    heavy_steps = max(sum(schedule.heavy), 1)
    return parallel_slack(ops, schedule) >= HEAVY_WORK * HANDOFF_WORK * heavy_steps
