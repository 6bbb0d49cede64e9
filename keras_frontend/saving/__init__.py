"""Saving: the Keras 3 ``.keras`` format and ``.weights.h5`` files."""

from .config import deserialize_layer as deserialize_keras_object
from .config import serialize_layer as serialize_keras_object
from .saving_lib import load_model, load_weights, save_model, save_weights

__all__ = ["save_model", "load_model", "save_weights", "load_weights",
           "serialize_keras_object", "deserialize_keras_object"]
