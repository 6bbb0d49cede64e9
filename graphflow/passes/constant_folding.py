"""constant_folding: evaluate pure ops whose inputs are all known while building the plan.

Folding calls the op's own kernel, so the math is never written twice. Stateful and random
ops never fold; outputs larger than ``MAX_FOLD_BYTES`` stay computed at run time so folding
cannot blow up memory (e.g. ``zeros([10000, 10000])``).
"""

import numpy as np

from ..ops.constant_ops import constant_value
from ..runtime.plan import bind_kernel
from .pipeline import run_rule_pass

MAX_FOLD_BYTES = 1 << 20
_NEVER_FOLD = {"Const", "Placeholder", "PlaceholderWithDefault", "NoOp"}
_STATIC_SHAPE_OPS = {"Shape", "Size", "Rank"}


def constant_folding(program):
    def rule(rw, op):
        if not _foldable(op):
            return False
        if op.type in _STATIC_SHAPE_OPS:
            value = constant_value(op.outputs[0])
            if value is None:
                return False
            results = [value]
        else:
            inputs = [rw.new(t) for t in op.inputs]
            if any(t.op.type != "Const" for t in inputs):
                return False
            if _too_big(op):
                return False
            try:
                out = bind_kernel(op, None)(*[t.op.attrs["value"] for t in inputs])
            except Exception:  # noqa: BLE001 - left to fail at run time, as unoptimized
                return False
            results = list(out) if len(op.outputs) > 1 else [out]
        if any(np.asarray(r).nbytes > MAX_FOLD_BYTES for r in results):
            return False
        consts = []
        for i, (t, value) in enumerate(zip(op.outputs, results, strict=True)):
            arr = np.array(value, dtype=t.dtype.np_dtype)
            arr.flags.writeable = False
            suffix = "" if len(results) == 1 else f"_{i}"
            c = rw.emit("Const", (), {"value": arr, "dtype": t.dtype}, op, suffix)
            consts.append(c.outputs[0])
        rw.alias(op, consts, f"folded {op.type} '{op.name}'")
        return True

    return run_rule_pass(program, rule)


def _foldable(op):
    d = op.op_def
    return not (d.stateful or d.needs_state or op.type in _NEVER_FOLD or op.control_inputs
                or not op.outputs)


def _too_big(op):
    for t in op.outputs:
        n = t.shape.num_elements()
        if n is not None and n * t.dtype.size > MAX_FOLD_BYTES:
            return True
    return False
