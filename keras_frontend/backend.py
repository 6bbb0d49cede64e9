"""Backend state: one Session per graph, the graph new ``Input`` layers go to, names, seeds.

Each model owns a graphflow Graph (a Sequential makes its own; a functional model uses the
graph its tensors live in), and every graph used by keras_frontend gets one Session that
holds its variables' values. Models that share layers share a graph, so they share those
values, which is what ``Model(input, encoded)`` after training an autoencoder expects.
"""

import re
import weakref

import numpy as np

import graphflow as gf

_STATE_KEY = "_keras_frontend_state"
_EPSILON = 1e-7
_FLOATX = "float32"


class GraphState:
    """What the frontend keeps per graph: its Session and the layer-call history."""

    def __init__(self, graph):
        self.graph = graph
        self.session = gf.Session(graph=graph)
        self.history = {}  # Tensor -> the Node (layer call) that made it
        self.masks = {}  # Tensor -> its Keras mask (bool, (batch, timesteps)), if any
        self.claimed = False  # a Model was built on this graph: new Inputs go elsewhere


def graph_state(graph):
    """The frontend state of ``graph``, created on first use (kept in a graph collection)."""
    items = graph.get_collection_ref(_STATE_KEY)
    if not items:
        items.append(GraphState(graph))
    return items[0]


class _Globals:
    """Process-wide frontend state that ``clear_session`` resets."""

    def __init__(self):
        self.input_graph = None
        self.name_counts = {}
        self.rng = np.random.default_rng()
        self.adopted = weakref.WeakKeyDictionary()  # Input placeholder -> its twin elsewhere


_globals = _Globals()


def input_graph():
    """The graph a new ``Input`` goes to: the current one, unless a model claimed it.

    Several ``Input``s made before a ``Model`` share one graph (multi-input models); once a
    model is built the next ``Input`` starts a fresh graph, so building models in a loop
    keeps memory flat without ``clear_session``.
    """
    graph = _globals.input_graph
    if graph is None or graph_state(graph).claimed:
        graph = gf.Graph()
        _globals.input_graph = graph
    return graph


def resolve(tensor):
    """The tensor, or the twin of an ``Input`` placeholder adopted into another graph."""
    return _globals.adopted.get(tensor, tensor)


def is_input(tensor):
    """Whether ``tensor`` is an ``Input`` placeholder (made by an InputLayer)."""
    node = graph_state(tensor.graph).history.get(tensor)
    return node is not None and node.inputs is None


def call_graph(tensors, preferred=None):
    """The graph a layer call on ``tensors`` builds in: ``preferred`` (where the layer's
    weights are), else the graph of the tensors that are not bare Inputs."""
    if preferred is not None:
        return preferred
    graphs = []
    for t in tensors:
        if not is_input(t) and t.graph not in graphs:
            graphs.append(t.graph)
    if len(graphs) > 1:
        raise ValueError("A layer was called on tensors from different models' graphs; build "
                         "them from the same Inputs.")
    return graphs[0] if graphs else tensors[0].graph


def into_graph(tensors, graph):
    """``tensors`` in ``graph``: an ``Input`` placeholder from another graph gets a twin
    placeholder there (fed in its place), so ``base_model(keras.Input(...))`` works though
    the base model was built in a graph of its own. Other tensors cannot move."""
    out = []
    for t in tensors:
        t = resolve(t)
        if t.graph is not graph:
            if not is_input(t):
                raise ValueError(
                    f"Tensor {t.name} belongs to another model's graph: a layer or model "
                    "with weights can only be called on tensors of its own graph or on "
                    "`Input` tensors.")
            node = graph_state(t.graph).history[t]
            with graph.as_default():
                twin = gf.placeholder(t.dtype, t.shape, name=t.op.name)
            graph_state(graph).history[twin] = node
            _globals.adopted[t] = twin
            t = twin
        out.append(t)
    return out


def clear_session(free_memory=True):
    """Forgets the current input graph, layer-name counters and the random generator."""
    _globals.input_graph = None
    _globals.name_counts.clear()


def unique_object_name(prefix):
    """``dense``, ``dense_1``, ... per prefix, as Keras names layers and models."""
    count = _globals.name_counts.get(prefix, 0)
    _globals.name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def snake_case(name):
    """``Conv2DTranspose`` -> ``conv2d_transpose``, Keras's default layer names."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def set_seed(seed):
    """Reseeds the generator that initializers and random layers draw from."""
    _globals.rng = np.random.default_rng(seed)


def rng():
    return _globals.rng


def next_seed():
    """A fresh op-level seed for a random graph op, reproducible under ``set_seed``."""
    return int(_globals.rng.integers(0, 2**31 - 1))


def epsilon():
    return _EPSILON


def floatx():
    return _FLOATX


def is_symbolic(x):
    return isinstance(x, gf.Tensor)


def int_shape(x):
    """The static shape of a tensor as a tuple with None for unknown dims."""
    dims = x.shape.dims
    return None if dims is None else tuple(dims)


def count_params(weights):
    return int(sum(int(np.prod(w.shape.as_list())) for w in weights))
