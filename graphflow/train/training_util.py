"""The global step: one int64 scalar variable per graph counting training steps."""

from .. import dtypes as _dtypes
from ..graph import get_default_graph
from ..variables import GraphKeys, Variable

__all__ = ["get_global_step", "create_global_step", "get_or_create_global_step",
           "global_step", "assert_global_step"]


def get_global_step(graph=None):
    """The graph's global step: the GLOBAL_STEP collection's variable, else a tensor named
    ``global_step:0``; None when there is none.
    """
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        raise TypeError("Multiple tensors in global_step collection.")
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    assert_global_step(step)
    return step


def assert_global_step(global_step_tensor):
    """Checks that ``global_step_tensor`` is an integer scalar."""
    if not global_step_tensor.dtype.is_integer:
        raise TypeError(
            f"Existing \"global_step\" does not have integer type: {global_step_tensor.dtype}")
    if global_step_tensor.shape.ndims not in (0, None):
        raise TypeError(
            f"Existing \"global_step\" is not scalar: {global_step_tensor.shape}")


def create_global_step(graph=None):
    """Creates the global step variable (0, int64, not trainable); fails if one exists."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("\"global_step\" already exists.")
    with graph.as_default(), graph.name_scope(""), graph.control_dependencies(None):
        return Variable(0, dtype=_dtypes.int64, trainable=False, name="global_step",
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def global_step(sess, global_step_tensor):
    """The current value of the global step as a Python int."""
    return int(sess.run(global_step_tensor))
