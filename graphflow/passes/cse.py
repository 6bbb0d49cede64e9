"""cse: identical pure ops on identical inputs are computed once.

Two ops are identical when type, (already deduplicated) inputs, attributes and control
inputs match. Small constants are compared by value, so repeated literals merge too.
"""

import numpy as np

from .pipeline import run_rule_pass

_MAX_CONST_KEY_BYTES = 4096


def cse(program):
    seen = {}

    def rule(rw, op):
        d = op.op_def
        if d.stateful or d.needs_state or op.type in ("Placeholder", "NoOp"):
            return False
        key = _key(rw, op)
        if key is None:
            return False
        if key in seen:
            rw.alias(op, seen[key].outputs, f"merged '{op.name}' into '{seen[key].name}'")
            return True
        seen[key] = rw.copy(op)
        return True

    return run_rule_pass(program, rule)


def _key(rw, op):
    try:
        attrs = tuple(sorted((k, _hashable(v)) for k, v in op.attrs.items()))
        hash(attrs)
    except TypeError:
        return None
    inputs = tuple(id(rw.new(t)) for t in op.inputs)
    controls = tuple(sorted(id(rw.op_map.get(c)) for c in op.control_inputs))
    return (op.type, inputs, attrs, controls)


def _hashable(v):
    if isinstance(v, np.ndarray):
        if v.nbytes > _MAX_CONST_KEY_BYTES:
            return ("array-id", id(v))
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, tuple):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    if hasattr(v, "op") or hasattr(v, "outputs"):
        return ("graph-element", id(v))
    return v
