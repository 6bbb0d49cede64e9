"""Models: Sequential, functional Model, load_model, clone_model, model_from_json."""

from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "load_model", "clone_model", "model_from_json"]


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    from ..saving.saving_lib import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    import json

    from ..saving.config import deserialize_layer

    return deserialize_layer(json.loads(json_string), custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A model with the same architecture and freshly initialized weights, in a new graph."""
    from .. import backend
    from ..saving.config import deserialize_layer, serialize_layer

    backend._globals.input_graph = None
    return deserialize_layer(serialize_layer(model))
