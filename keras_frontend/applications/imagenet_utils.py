"""What the applications share: input handling, the top, pooling and weight files."""

import os

import numpy as np

from ..datasets.cache import cache_dir
from ..layers import Dense, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, Input

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def check_arguments(weights, include_top, classes):
    if not (weights in ("imagenet", None) or os.path.exists(str(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded. Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000. Received classes={classes}")


def model_input(input_tensor, input_shape, include_top, default_size, min_size, weights):
    """The model's input tensor: given, or an Input of ``input_shape`` (checked; ImageNet
    weights with the classifier need the size they were trained at)."""
    if input_tensor is not None:
        return input_tensor
    if input_shape is None:
        input_shape = (default_size, default_size, 3) if include_top or weights == "imagenet" \
            else (None, None, 3)
    input_shape = tuple(input_shape)
    if weights == "imagenet" and include_top and \
            input_shape[:2] != (default_size, default_size):
        raise ValueError(f"When setting `include_top=True`, `input_shape` should be "
                         f"{(default_size, default_size, 3)}. Received: "
                         f"input_shape={input_shape}")
    if len(input_shape) != 3 or any(d is not None and d < min_size for d in input_shape[:2]):
        raise ValueError(f"Input size must be at least {min_size}x{min_size} with 3 channels; "
                         f"Received: input_shape={input_shape}")
    return Input(shape=input_shape)


def top(x, include_top, pooling, classes, classifier_activation, hidden=()):
    """The classifier (Flatten, hidden Dense layers, predictions) or the pooling option."""
    if include_top:
        x = Flatten(name="flatten")(x) if hidden else GlobalAveragePooling2D(name="avg_pool")(x)
        for i, units in enumerate(hidden, 1):
            x = Dense(units, activation="relu", name=f"fc{i}")(x)
        return Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return GlobalAveragePooling2D()(x)
    if pooling == "max":
        return GlobalMaxPooling2D()(x)
    return x


def weights_path(weights, file_name, origin_folder=""):
    """The weights file: a given path, or the cached ImageNet file (a clear error if absent)."""
    if weights != "imagenet":
        return weights
    folder = cache_dir("models")
    path = os.path.join(folder, file_name)
    if os.path.exists(path):
        return path
    raise FileNotFoundError(
        f"The ImageNet weights file '{file_name}' is not on this machine. Download it from "
        f"{WEIGHTS_BASE}{origin_folder}{file_name} and put it in {folder} (that is, "
        f"{path}; set KERAS_HOME to use another folder than ~/.keras), or pass weights=None "
        "to build the network with random weights."
    )


def load_legacy_h5_weights(model, path):
    """Loads a Keras 2 HDF5 weights file (``layer_names`` / ``weight_names`` attributes),
    the format the ImageNet application weights are published in, by layer name."""
    import h5py

    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        names = [n.decode() if isinstance(n, bytes) else n for n in root.attrs["layer_names"]]
        by_name = {layer.name: layer for layer in model.layers}
        for name in names:
            group = root[name]
            weight_names = [n.decode() if isinstance(n, bytes) else n
                            for n in group.attrs["weight_names"]]
            if not weight_names:
                continue
            if name not in by_name:
                raise ValueError(f"Layer '{name}' of the weights file {path} is not in the "
                                 f"model.")
            by_name[name].set_weights([np.asarray(group[w]) for w in weight_names])


def load_weights(model, weights, file_name, origin_folder=""):
    if weights is None:
        return
    path = weights_path(weights, file_name, origin_folder)
    if str(path).endswith(".weights.h5") or str(path).endswith(".keras"):
        model.load_weights(path)
    else:
        load_legacy_h5_weights(model, path)
