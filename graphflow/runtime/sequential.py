"""The reference runner: executes a plan's steps in order on the calling thread.

Values live in a flat list indexed by slot; each step drops the values it was the last
user of, so a long chain holds only a few arrays at once. The pool runner must produce the
same values and is tested against this one. ``op_failure`` is the one place that turns a
kernel's exception into the error the user sees, for every runner.
"""

from ..errors import InvalidArgumentError, OpError, ResourceExhaustedError, format_site


def run_sequential(plan, values, program=None):
    """Runs ``plan`` on ``values`` (a list with feeds already in their slots).

    ``program`` replaces ``plan.program`` with an equivalent list of steps (the traced
    variant uses this); the plain path passes nothing.
    """
    program = plan.program if program is None else program
    get = values.__getitem__
    step = None
    try:
        for step in program:
            fn, ins, out, outs, frees = step
            result = fn(*map(get, ins))
            if out is not None:
                values[out] = result
            else:
                for o, v in zip(outs, result, strict=True):
                    values[o] = v
            for s in frees:
                values[s] = None
    except Exception as e:  # re-raised with the failing op's name, shapes and user line
        index = next(i for i, s in enumerate(program) if s is step)
        raise op_failure(plan, index, values, e) from e
    return values


def op_failure(plan, index, values, error):
    """An OpError that names the failing op, its type, input shapes and creation site."""
    op = plan.steps[index].op
    shapes = []
    for slot in plan.steps[index].inputs:
        v = values[slot]
        shapes.append(str(tuple(v.shape)) if hasattr(v, "shape") else "?")
    message = (
        f"{error}\n  while running op '{op.name}' (type {op.type}) with input shapes "
        f"[{', '.join(shapes)}], defined at {format_site(op.source)}"
    )
    cls = type(error) if isinstance(error, OpError) else _error_class(error)
    return cls(node_def=op.node_def, op=op, message=message)


def _error_class(error):
    if isinstance(error, MemoryError):
        return ResourceExhaustedError
    return InvalidArgumentError
