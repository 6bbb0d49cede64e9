"""Shared pieces of op definitions: common inference rules and argument handling."""

from ..graph import Tensor, get_default_graph
from .constant_ops import convert_to_tensor


def same_dtype(op_type, tensors):
    """The common dtype of ``tensors``; TF1 never mixes dtypes implicitly."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dtype:
            names = ", ".join(t.dtype.name for t in tensors)
            raise TypeError(f"{op_type} expects inputs of one dtype, got {names}")
    return dtype


def infer_unary(inputs, attrs):
    (x,) = inputs
    return x.dtype, x.shape


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
