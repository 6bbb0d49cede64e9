"""InputLayer and Input: a placeholder that starts a model's graph."""

import graphflow as gf

from .. import backend
from .base import Layer, Node


class InputLayer(Layer):
    """Holds the placeholder a model is fed through (or wraps a given tensor)."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, name=None, input_shape=None, batch_input_shape=None,
                 optional=False, ragged=None, **kwargs):
        super().__init__(name=name or backend.unique_object_name("input_layer"), dtype=dtype,
                         **kwargs)
        shape = shape if shape is not None else input_shape
        if batch_shape is None:
            batch_shape = batch_input_shape
        if batch_shape is None:
            if shape is None and input_tensor is None:
                raise ValueError("You must pass a `shape` argument to Input/InputLayer.")
            if shape is not None:
                batch_shape = (batch_size,) + tuple(shape)
        if input_tensor is None:
            graph = backend.input_graph()
            with graph.as_default():
                input_tensor = gf.placeholder(gf.as_dtype(self.dtype), batch_shape,
                                              name=self.name)
        else:
            batch_shape = backend.int_shape(input_tensor)
        self.batch_shape = tuple(batch_shape)
        self._batch_input_shape = self.batch_shape
        self.built = True
        node = Node(self, None, input_tensor, {})
        self._inbound_nodes.append(node)
        backend.graph_state(input_tensor.graph).history[input_tensor] = node

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("sparse", None)
        config.pop("ragged", None)
        config.pop("optional", None)
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input tensor (a placeholder) to build a functional model from."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                       name=name, input_tensor=tensor)
    return layer.output
