"""Compiling a subgraph into a flat execution plan.

All analysis happens here, once per (fetches, feeds) signature: which ops are needed,
in what order, where each value lives (a slot in a flat list), which kernel to call with
which bound attributes, and after which step each value is dead. Running a plan is then
a loop over precomputed tuples.
"""

import functools
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError, format_site
from ..graph import Operation


@dataclass
class Step:
    """One kernel call: ``outputs = fn(*values[inputs])``; then ``values[frees]`` drop."""

    op: Operation
    fn: object
    inputs: tuple
    outputs: tuple
    frees: tuple


class Plan:
    """A compiled, reusable program for one (fetches, feeds) signature of one graph."""

    def __init__(self, steps, num_slots, feed_slots, fetch_slots, ops):
        self.steps = steps
        self.num_slots = num_slots
        self.feed_slots = feed_slots  # [(tensor, slot)]
        self.fetch_slots = fetch_slots  # slot per fetched tensor, None for an op
        self.ops = ops
        # The runner's loop reads plain tuples, not dataclass attributes.
        self.program = [(s.fn, s.inputs, s.outputs[0] if len(s.outputs) == 1 else None,
                         s.outputs, s.frees) for s in steps]


def needed_ops(fetch_elements, fed):
    """Ops the fetches depend on through data and control edges, stopping at fed tensors."""
    needed = set()
    stack = []
    for el in fetch_elements:
        if isinstance(el, Operation):
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
            if c not in needed:
                stack.append(c)
    return sorted(needed, key=lambda op: op._index)


def compile_plan(fetch_elements, feed_tensors, state):
    """Builds a Plan computing ``fetch_elements`` (tensors or ops) from ``feed_tensors``."""
    fed = set(feed_tensors)
    ops = needed_ops(fetch_elements, fed)
    slot_of = {}
    feed_slots = []
    for t in feed_tensors:
        slot_of[t] = len(slot_of)
        feed_slots.append((t, slot_of[t]))
    for op in ops:
        if op.type == "Placeholder" and any(t not in fed for t in op.outputs):
            t = op.outputs[0]
            raise InvalidArgumentError(
                op=op,
                message=(
                    f"You must feed a value for placeholder tensor '{t.name}' with dtype "
                    f"{t.dtype.name} and shape {t.shape} (placeholder defined at "
                    f"{format_site(op.source)})"
                ),
            )
        for t in op.outputs:
            if t not in slot_of:
                slot_of[t] = len(slot_of)

    fetch_slots = [None if isinstance(el, Operation) else slot_of[el] for el in fetch_elements]
    keep = set(s for s in fetch_slots if s is not None)
    last_use = {}
    for i, op in enumerate(ops):
        for t in op.inputs:
            last_use[slot_of[t]] = i
    steps = []
    for i, op in enumerate(ops):
        outs = tuple(slot_of[t] for t in op.outputs)
        ins = tuple(slot_of[t] for t in op.inputs)
        dead = {s for s in ins if last_use.get(s) == i}
        dead.update(s for s in outs if s not in last_use)  # produced but never consumed
        frees = tuple(sorted(s for s in dead if s not in keep))
        steps.append(Step(op, bind_kernel(op, state), ins, outs, frees))
    return Plan(steps, len(slot_of), feed_slots, fetch_slots, ops)


def bind_kernel(op, state):
    """The op's kernel with its attributes (and the session state, if needed) bound."""
    op_def = op.op_def
    attrs = {k: v for k, v in op.attrs.items() if not k.startswith("_")}
    args = (state,) if op_def.needs_state else ()
    if not attrs and not args:
        return op_def.kernel
    return functools.partial(op_def.kernel, *args, **attrs)


def feed_converter(tensor):
    """A function that checks and converts one fed value for ``tensor``, naming it on error."""
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
                d is not None and d != s for d, s in zip(dims, shape)
            ):
                raise ValueError(
                    f"Cannot feed value of shape {shape} for Tensor '{name}', which has "
                    f"shape {tensor.shape}"
                )
        return arr

    return convert
