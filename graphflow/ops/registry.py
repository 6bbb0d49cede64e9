"""The one registry of op definitions.

Every op type is described once, by an ``OpDef``:

- ``infer(inputs, attrs)`` returns ``(dtype, shape)`` for a one-output op or a list of them.
  ``inputs`` are symbolic Tensors; raise ValueError/TypeError with a plain message and the
  graph adds the op's name, type, input shapes and the user's line.
- ``kernel(*arrays, **attrs)`` computes the outputs from numpy arrays: one array, or a
  tuple for multi-output ops. Kernels are pure functions of their arguments; ops marked
  ``needs_state`` get the session's ``RunState`` as the first argument instead. Attributes
  whose names start with ``_`` are metadata and are not passed to the kernel.
  A kernel's outputs must match ``infer`` exactly in dtype, and in shape where known.
- ``grad(op, *output_grads)`` builds graph ops for the gradient of each input (a list, None
  for inputs with no gradient). Output grads that nothing flowed into are None.
- traits: ``stateful`` (never folded, merged or pruned away when it has effects),
  ``elementwise`` (output shape is the broadcast of the inputs; fusable), ``commutative``,
  and ``cost`` (rough flops per output element, for the scheduler).

Nothing here knows about sessions, passes or the frontend: it is data the other layers read.
"""

from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class OpDef:
    type: str
    infer: Callable
    kernel: Callable
    grad: Optional[Callable] = None
    stateful: bool = False
    needs_state: bool = False
    elementwise: bool = False
    commutative: bool = False
    cost: float = 1.0
    default_name: str = ""


_REGISTRY = {}


def define_op(op_type, *, infer, kernel, grad=None, stateful=False, needs_state=False,
              elementwise=False, commutative=False, cost=1.0, name=None):
    """Registers an op type; ops are named after their type unless named, as in TF."""
    if op_type in _REGISTRY:
        raise ValueError(f"Op type {op_type} is already registered")
    op_def = OpDef(op_type, infer, kernel, grad, stateful, needs_state, elementwise,
                   commutative, cost, name or op_type)
    _REGISTRY[op_type] = op_def
    return op_def


def get(op_type):
    try:
        return _REGISTRY[op_type]
    except KeyError:
        raise KeyError(f"No op type named {op_type} is registered") from None


def registered_types():
    return sorted(_REGISTRY)
