"""Compiling a subgraph into a flat execution plan.

All analysis happens here, once per (fetches, feeds) signature: which ops are needed,
in what order, where each value lives (a slot in a flat list), which kernel to call with
which bound attributes, after which step each value is dead, which steps may write into a
dead input's buffer, and, for plans worth running on a thread pool, the dependency counts
and costs the pool runner reads. Running a plan is then a loop over precomputed tuples.
Every pass below is linear in the number of ops (plus a sort), so compile time grows
linearly with the graph.
"""

import functools
import gc
import threading
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError, format_site
from ..graph import Operation
from . import memory, numerics
from .schedule import build_schedule, worth_a_pool


@dataclass
class Step:
    """One kernel call: ``outputs = fn(*values[inputs])``; then ``values[frees]`` drop."""

    op: Operation
    fn: object
    inputs: tuple
    outputs: tuple
    frees: tuple


class Plan:
    """A compiled, immutable program for one (fetches, feeds) signature of one graph.

    ``schedule`` is None for plans the sequential runner executes; otherwise it holds what
    the pool runner needs. ``inplace`` maps step index -> the input position it overwrites;
    ``shared`` holds the fetched slots whose values may alias a constant or session state.
    """

    def __init__(self, steps, slot_of, feed_slots, fetch_slots, ops, inplace, schedule,
                 shared):
        self.steps = steps
        self.slot_of = slot_of  # tensor -> slot, for every tensor the plan touches
        self.num_slots = len(slot_of)
        self.feed_slots = feed_slots  # [(tensor, slot)]
        self.fetch_slots = fetch_slots  # slot per fetched tensor, None for an op
        self.ops = ops
        self.inplace = inplace
        self.schedule = schedule
        self.shared = shared
        # The runners' loops read plain tuples, not dataclass attributes.
        self.program = [(s.fn, s.inputs, s.outputs[0] if len(s.outputs) == 1 else None,
                         s.outputs, s.frees) for s in steps]

    @property
    def parallel(self):
        return self.schedule is not None


def needed_ops(fetch_elements, fed):
    """Ops the fetches depend on through data and control edges, stopping at fed tensors.

    An op whose outputs are all fed is not run, even when reached by a control edge or
    fetched as an op.
    """
    needed = set()
    stack = []
    for el in fetch_elements:
        if isinstance(el, Operation):
            if not (el.outputs and all(t in fed for t in el.outputs)):
                stack.append(el)
        elif el not in fed:
            stack.append(el.op)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        for t in op.inputs:
            if t not in fed and t.op not in needed:
                stack.append(t.op)
        for c in op.control_inputs:
            if c not in needed and not (c.outputs and all(t in fed for t in c.outputs)):
                stack.append(c)
    return sorted(needed, key=lambda op: op._index)


def compile_plan(fetch_elements, feed_tensors, state, threads=1, check_numerics=False):
    """Builds a Plan computing ``fetch_elements`` (tensors or ops) from ``feed_tensors``.

    With ``threads > 1`` the plan gets a pool schedule when enough heavy work can overlap;
    ``check_numerics`` wraps every floating output in a NaN/Inf check (and keeps the plan
    sequential, so the op reported is the first in execution order).
    """
    with _GC_PAUSE:
        return _compile(fetch_elements, feed_tensors, state, threads, check_numerics)


class _GcPause:
    """Pauses the cyclic garbage collector while any thread compiles (re-entrant).

    Compiling allocates many long-lived containers; the collections they trigger rescan
    the whole graph each time, which made compile time grow faster than the graph.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc_info):
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


_GC_PAUSE = _GcPause()


def _compile(fetch_elements, feed_tensors, state, threads, check_numerics):
    fed = set(feed_tensors)
    ops = needed_ops(fetch_elements, fed)
    slot_of, feed_slots = _assign_slots(ops, feed_tensors, fed)
    fetch_slots = [None if isinstance(el, Operation) else slot_of[el] for el in fetch_elements]
    keep = {s for s in fetch_slots if s is not None}
    ins = [tuple(slot_of[t] for t in op.inputs) for op in ops]
    outs = [tuple(slot_of[t] for t in op.outputs) for op in ops]
    frees = memory.frees_per_step(ins, outs, keep)
    inplace = memory.plan_inplace(ops, ins, outs, keep, len(feed_slots))
    steps = []
    for i, op in enumerate(ops):
        fn = bind_kernel(op, state, inplace.get(i))
        if check_numerics:
            fn = numerics.checked_kernel(fn, op)
        steps.append(Step(op, fn, ins[i], outs[i], frees[i]))
    schedule = None
    if threads > 1 and not check_numerics:
        schedule = build_schedule(ops, ins, outs, keep, len(slot_of))
        if not worth_a_pool(ops, schedule):
            schedule = None
    shared = memory.shared_slots(ops, ins, outs) & keep
    return Plan(steps, slot_of, feed_slots, fetch_slots, ops, inplace, schedule, shared)


def _assign_slots(ops, feed_tensors, fed):
    """Slots for feeds (first, in feed order), then for op outputs in plan order."""
    slot_of = {}
    feed_slots = []
    for t in feed_tensors:
        slot_of[t] = len(slot_of)
        feed_slots.append((t, slot_of[t]))
    for op in ops:
        if op.type == "Placeholder" and any(t not in fed for t in op.outputs):
            raise _unfed_placeholder(op)
        for t in op.outputs:
            if t not in slot_of:
                slot_of[t] = len(slot_of)
    return slot_of, feed_slots


def _unfed_placeholder(op):
    t = op.outputs[0]
    return InvalidArgumentError(
        op=op,
        message=(
            f"You must feed a value for placeholder tensor '{t.name}' with dtype "
            f"{t.dtype.name} and shape {t.shape} (placeholder defined at "
            f"{format_site(op.source)})"
        ),
    )


def bind_kernel(op, state, inplace_position=None):
    """The op's kernel with its attributes (and the session state, if needed) bound.

    With ``inplace_position`` (set by memory planning only for plain ufunc kernels) the
    kernel writes its result into that argument's buffer.
    """
    op_def = op.op_def
    if inplace_position is not None:
        return memory.inplace_kernel(op_def.kernel, inplace_position)
    attrs = {k: v for k, v in op.attrs.items() if not k.startswith("_")}
    args = (state,) if op_def.needs_state else ()
    if not attrs and not args:
        return op_def.kernel
    return functools.partial(op_def.kernel, *args, **attrs)


def feed_converter(tensor):
    """A function that checks and converts one fed value for ``tensor``, naming it on error.

    A numpy array of the right dtype passes through uncopied (read-only ones included);
    the runtime never writes into a fed buffer.
    """
    np_dtype = tensor.dtype.np_dtype
    dims = tensor.shape.dims
    name = tensor.name

    def convert(value):
        try:
            arr = np.asarray(value, dtype=np_dtype)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"Cannot feed value to tensor '{name}' of dtype {np_dtype.name}: {e}"
            ) from None
        if dims is not None:
            shape = arr.shape
            if len(shape) != len(dims) or any(
                d is not None and d != s for d, s in zip(dims, shape, strict=True)
            ):
                raise ValueError(
                    f"Cannot feed value of shape {shape} for Tensor '{name}', which has "
                    f"shape {tensor.shape}"
                )
        return arr

    return convert
