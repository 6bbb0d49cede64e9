"""Sequential: a plain stack of layers, built in a graph of its own."""

import graphflow as gf

from .. import backend
from ..layers.base import Layer
from ..layers.input_layer import InputLayer
from .model import Model


class Sequential(Model):
    """Layers applied one after another. With an input shape (``input_shape=`` on the first
    layer, or an ``Input``) it builds as layers are added; otherwise on the first data."""

    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, name=name or backend.unique_object_name("sequential"),
                       trainable=trainable)
        self._stack = []
        self._input_layer = None
        self._build_input_shape = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    @property
    def layers(self):
        return list(self._stack)

    def add(self, layer, rebuild=True):
        """Appends a layer (or an ``Input`` tensor / InputLayer as the first item)."""
        if isinstance(layer, gf.Tensor):
            node = backend.graph_state(layer.graph).history.get(layer)
            if node is None or not isinstance(node.layer, InputLayer):
                raise ValueError("Only an `Input` tensor can be added to a Sequential model.")
            layer = node.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer must be the first item of a Sequential model.")
            self._input_layer = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: "
                            f"layer={layer} of type {type(layer)}.")
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name '{layer.name}' is already the name of a layer in "
                             "this model.")
        self._stack.append(layer)
        if not rebuild:
            return
        if self.built:
            self._init_graph_network(self.inputs[0], layer(self.outputs[0]))
        else:
            self._maybe_build()

    def pop(self, rebuild=True):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        if self.built:
            if self._stack:
                last = self._stack[-1]
                self._init_graph_network(self.inputs[0], last._inbound_nodes[-1].outputs)
            else:
                self.built = False
        return layer

    def _maybe_build(self):
        """Builds as soon as the input shape is known (an InputLayer or input_shape=)."""
        if self.built or not self._stack:
            return
        if self._input_layer is not None:
            self._build_from_input(self._input_layer.output)
        elif self._stack and self._stack[0]._batch_input_shape is not None:
            first = self._stack[0]
            self._build_from_shape(first._batch_input_shape, first.dtype, first)

    def build(self, input_shape=None):
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        self._build_from_shape(tuple(input_shape), backend.floatx(),
                               self._stack[0] if self._stack else None)

    def _build_from_shape(self, batch_shape, dtype, first_layer):
        """A placeholder in the model's own graph (or the graph a prebuilt first layer is in)."""
        if not self._stack:
            return
        graph = first_layer._graph if first_layer is not None and first_layer.built and \
            first_layer._graph is not None else gf.Graph()
        with graph.as_default():
            name = backend.unique_object_name("input_layer")
            placeholder = gf.placeholder(gf.as_dtype(dtype if dtype else "float32"),
                                         batch_shape, name=name)
        self._input_layer = InputLayer(input_tensor=placeholder, name=name)
        self._build_input_shape = tuple(batch_shape)
        self._build_from_input(placeholder)

    def _build_from_input(self, input_tensor):
        x = input_tensor
        for layer in self._stack:
            x = layer(x)
        self._build_input_shape = backend.int_shape(input_tensor)
        self._init_graph_network(input_tensor, x)

    def _init_graph_network(self, inputs, outputs):
        super()._init_graph_network(inputs, outputs)
        self._layers = list(self._stack)

    def get_config(self):
        from ..saving.config import serialize_layer

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_layer(self._input_layer))
        layers.extend(serialize_layer(layer) for layer in self._stack)
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
                  "layers": layers}
        if self._build_input_shape is not None:
            config["build_input_shape"] = list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving.config import deserialize_layer

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects))
        if not model.built and config.get("build_input_shape"):
            model.build(config["build_input_shape"])
        return model
