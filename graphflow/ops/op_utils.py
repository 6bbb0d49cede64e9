"""Shared pieces of op definitions: common inference rules and argument handling."""

from .. import dtypes as _dtypes
from ..graph import Tensor, get_default_graph
from .constant_ops import constant_value, convert_to_tensor

# ---- which dtypes an op accepts ----------------------------------------------------------

class Accepts:
    """A named dtype predicate, so a rejected dtype gets a message that says what fits."""

    def __init__(self, what, test):
        self.what, self.test = what, test

    def check(self, op_type, dtype):
        if not self.test(dtype):
            raise TypeError(f"{op_type} requires {self.what} input, got {dtype.name}")


FLOATS = Accepts("a floating-point", lambda d: d.is_floating)
REALS = Accepts("an integer or floating-point", lambda d: d.is_integer or d.is_floating)
ADDABLE = Accepts("a numeric or string", lambda d: REALS.test(d) or d == _dtypes.string)
BOOLS = Accepts("a bool", lambda d: d.is_bool)
INTEGERS = Accepts("an integer", lambda d: d.is_integer)
ANY = Accepts("any", lambda d: True)


def same_dtype(op_type, tensors):
    """The common dtype of ``tensors``; TF1 never mixes dtypes implicitly."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dtype:
            names = ", ".join(t.dtype.name for t in tensors)
            raise TypeError(f"{op_type} expects inputs of one dtype, got {names}")
    return dtype


def same_shape(what, tensors):
    """The merged static shape of ``tensors``, which must all be compatible (``what`` names
    them in the error, e.g. "add_n inputs")."""
    shape = tensors[0].shape
    for t in tensors[1:]:
        if not shape.is_compatible_with(t.shape):
            raise ValueError(f"{what} must have one shape, got {shape} and {t.shape}")
        shape = shape.merge_with(t.shape)
    return shape


def float_dtype(op_type, tensors):
    """The common dtype of ``tensors``, which must be floating-point (losses, convolutions,
    transcendental functions: TF registers their kernels for float types only)."""
    dtype = same_dtype(op_type, tensors)
    FLOATS.check(op_type, dtype)
    return dtype


def infer_unary(inputs, attrs):
    (x,) = inputs
    return x.dtype, x.shape


def infer_float(op_type):
    """Inference for a float-only op whose output is shaped like its first input."""
    def infer(inputs, attrs):
        x = inputs[0]
        FLOATS.check(op_type, x.dtype)
        return x.dtype, x.shape

    return infer


# ---- argument handling -------------------------------------------------------------------

def deprecated_alias(name, value, old_name, old_value, default=None, required=False):
    """An argument TF1 also accepts under an older name (``dim`` for ``axis``, ``filter``
    for ``filters``...): either spelling may be given, both is an error (TF's
    ``deprecated_argument_lookup``). Neither gives ``default``, or an error if ``required``.
    """
    if value is not None and old_value is not None:
        raise ValueError(f"Cannot specify both '{name}' and '{old_name}'")
    value = old_value if value is None else value
    if value is None and required:
        raise ValueError(f"{name} is required")
    return default if value is None else value


def static_value(value, what):
    """A build-time argument (Python value or constant tensor) as a numpy array.

    Attributes such as axes and permutations must be known when the op is built, since
    shape inference and gradient rules depend on them.
    """
    found = constant_value(value)
    if found is None:
        raise ValueError(f"{what} must be known when the graph is built, got {value!r}")
    return found


def tensor_pair(x, y):
    """Converts two operands, giving a Python number the other operand's dtype."""
    if _is_tensorlike(x):
        x = convert_to_tensor(x)
        with x.graph.as_default():
            y = convert_to_tensor(y, preferred_dtype=x.dtype)
    elif _is_tensorlike(y):
        y = convert_to_tensor(y)
        with y.graph.as_default():
            x = convert_to_tensor(x, preferred_dtype=y.dtype)
    else:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, preferred_dtype=x.dtype)
    return x, y


def _is_tensorlike(v):
    return isinstance(v, Tensor) or hasattr(v, "_as_graph_element")


def graph_of(*values):
    """The graph the tensors among ``values`` belong to, or the default graph."""
    for v in values:
        if isinstance(v, Tensor):
            return v.graph
    return get_default_graph()


def make(op_type, inputs, attrs=None, name=None):
    """Adds one op on ``inputs`` to their graph and returns its only output."""
    graph = inputs[0].graph if inputs else get_default_graph()
    return graph.create_op(op_type, inputs, attrs, name=name).outputs[0]


def normalize_axis(axis, ndims, op_type):
    if ndims is None:
        return axis
    if not -ndims <= axis < ndims:
        raise ValueError(f"{op_type}: axis {axis} is out of range for a tensor of rank {ndims}")
    return axis % ndims
