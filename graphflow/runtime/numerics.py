"""``ConfigProto(check_numerics=True)``: a NaN/Inf check after every floating output.

The check wraps kernels when a plan is compiled, so a session without the option runs the
plain kernels and pays nothing.
"""

from ..debugging import nonfinite_kind
from ..errors import InvalidArgumentError


def checked_kernel(fn, op):
    """``fn`` followed by a check of each floating output of ``op``; ``fn`` if it has none."""
    floating = [k for k, t in enumerate(op.outputs) if t.dtype.is_floating]
    if not floating:
        return fn
    single = len(op.outputs) == 1

    def call(*args):
        result = fn(*args)
        for k in floating:
            kind = nonfinite_kind(result if single else result[k])
            if kind is not None:
                raise InvalidArgumentError(
                    op=op,
                    message=(f"check_numerics: output {k} has {kind} values; this is the "
                             "first op in execution order to produce any"),
                )
        return result

    return call
