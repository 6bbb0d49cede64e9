"""Memory planning: when each value dies, and which steps may write into a dead input.

Two rules keep a long chain of elementwise ops down to a handful of live arrays:

- A value is dropped right after the step that reads it last (its ``frees``), unless it is
  fetched.
- An elementwise step whose kernel is a numpy ufunc may write its result into one of its
  inputs (``ufunc(a, b, out=a)``) when that input is a buffer nobody else can see: it was
  made fresh by a ufunc step of this plan or by an op in ``FRESH_OUTPUT_TYPES`` (so it
  is never a feed, a constant, a variable's value or a view of one), it is not fetched,
  this step is its only reader, and it has the result's dtype and, provably from the
  static shapes, the result's shape.

"Only reader" (not merely "last reader") is what makes the rule safe for the thread-pool
runner too: no other step can be reading the buffer while it is overwritten.
"""

import numpy as np

# Nominal length of a dimension unknown at compile time, for size estimates only.
NOMINAL_DIM = 64

# Below this many elements numpy's small-block allocator is cheaper than the out= keyword.
INPLACE_MIN_ELEMENTS = 8192

# Op types whose kernels always return newly allocated arrays (besides plain ufuncs): their
# results are nobody else's buffers, so fetching them needs no copy and later elementwise
# steps may overwrite them. Listed only after reading each kernel.
FRESH_OUTPUT_TYPES = frozenset({
    "MatMul", "FusedMatMul", "FusedConv2D", "FusedElementwise", "Conv2D", "Sigmoid", "Relu",
    "Relu6", "ReluGrad", "BiasAdd", "Softmax", "LogSoftmax", "SoftmaxGrad",
    "SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits",
})


def nominal_elements(shape):
    """The element count of ``shape``, counting unknown dims (or rank) as NOMINAL_DIM."""
    if shape.dims is None:
        return NOMINAL_DIM
    n = 1
    for d in shape.dims:
        n *= NOMINAL_DIM if d is None else d
    return n


def consumer_counts(ins):
    """How many distinct steps read each slot (``ins``: input slots per step)."""
    counts = {}
    for slots in ins:
        for s in set(slots):
            counts[s] = counts.get(s, 0) + 1
    return counts


def frees_per_step(ins, outs, keep):
    """For each step, the slots it reads last or produces unread, minus the kept ones."""
    last_use = {}
    for i, slots in enumerate(ins):
        for s in slots:
            last_use[s] = i
    frees = []
    for i, (reads, writes) in enumerate(zip(ins, outs, strict=True)):
        dead = {s for s in reads if last_use[s] == i}
        dead.update(s for s in writes if s not in last_use)
        frees.append(tuple(sorted(dead - keep)) if dead else ())
    return frees


def ufunc_kernel(op):
    """The op's kernel if it is a unary or binary numpy ufunc called without attributes."""
    op_def = op.op_def
    kernel = op_def.kernel
    if (not op_def.elementwise or op_def.needs_state or not isinstance(kernel, np.ufunc)
            or kernel.nin > 2 or kernel.nout != 1 or len(op.outputs) != 1):
        return None
    if any(not k.startswith("_") for k in op.attrs):
        return None
    return kernel


def plan_inplace(ops, ins, outs, keep, num_fed):
    """Maps step index -> input position whose buffer that step may overwrite.

    Slots below ``num_fed`` hold feeds; they are never fresh, even if an op (fetched as an
    op) also writes one.
    """
    readers = consumer_counts(ins)
    fresh = set()  # slots holding arrays that a step of this plan allocated
    chosen = {}
    for i, op in enumerate(ops):
        is_ufunc = ufunc_kernel(op) is not None
        if is_ufunc:
            position = _reusable_input(op, ins[i], keep, readers, fresh)
            if position is not None:
                chosen[i] = position
        if is_ufunc or op.type in FRESH_OUTPUT_TYPES:
            # Only rank >= 1 results: on 0-d inputs numpy returns a scalar, not an array.
            fresh.update(s for s, t in zip(outs[i], op.outputs, strict=True)
                         if t.shape.ndims and s >= num_fed)
    return chosen


def shared_slots(ops, ins, outs):
    """Slots whose value may be, or view, a constant's value or the session's state.

    A fetched value in one of them is copied before it is returned, so that a caller
    writing into a result can neither fail on a read-only constant nor change a variable.
    Kernels other than ufuncs and ``FRESH_OUTPUT_TYPES`` may return views of their
    inputs, so sharing flows through them.
    """
    shared = set()
    for i, op in enumerate(ops):
        if op.type == "Const" or op.op_def.needs_state:
            shared.update(outs[i])
        elif (ufunc_kernel(op) is None and op.type not in FRESH_OUTPUT_TYPES
                and any(s in shared for s in ins[i])):
            shared.update(outs[i])
    return shared


def _reusable_input(op, slots, keep, readers, fresh):
    out = op.outputs[0]
    for position, (s, t) in enumerate(zip(slots, op.inputs, strict=True)):
        if (s in fresh and s not in keep and readers[s] == 1 and t.dtype == out.dtype
                and nominal_elements(t.shape) >= INPLACE_MIN_ELEMENTS
                and all(_fits_into(o.shape, t.shape) for o in op.inputs if o is not t)):
            return position
    return None


def _fits_into(other, target):
    """True when broadcasting ``other`` against ``target`` can never grow ``target``."""
    if other.dims is None or target.dims is None or len(other.dims) > len(target.dims):
        return False
    for o, d in zip(reversed(other.dims), reversed(target.dims), strict=False):
        if o != 1 and (o is None or d is None or o != d):
            return False
    return True


def inplace_kernel(ufunc, position):
    """``ufunc`` writing its result into argument ``position``."""
    if ufunc.nin == 1:
        return lambda a: ufunc(a, out=a)
    if position == 0:
        return lambda a, b: ufunc(a, b, out=a)
    return lambda a, b: ufunc(a, b, out=b)
