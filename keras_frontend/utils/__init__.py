"""Utilities: to_categorical, normalize, set_random_seed, Sequence, Progbar, plot_model."""

import random

import numpy as np

from .. import backend
from .progbar import Progbar
from .sequence import PyDataset, Sequence

__all__ = ["to_categorical", "normalize", "set_random_seed", "Sequence", "PyDataset",
           "Progbar", "plot_model", "model_to_dot", "get_file"]


def to_categorical(x, num_classes=None):
    """One-hot rows for integer class labels (a trailing axis of 1 is dropped)."""
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(np.max(x)) + 1
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1.0
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def set_random_seed(seed):
    """Seeds Python's, numpy's and keras_frontend's generators (weights, dropout)."""
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    backend.set_seed(int(seed))


def model_to_dot(model, show_shapes=False, **kwargs):
    from .plotting import model_to_dot as _to_dot

    return _to_dot(model, show_shapes=show_shapes, **kwargs)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_ops=False, **kwargs):
    """A Graphviz picture of the model's layers (or, with ``show_ops``, of its ops)."""
    from .plotting import plot_model as _plot

    return _plot(model, to_file=to_file, show_shapes=show_shapes, show_dtype=show_dtype,
                 show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi,
                 show_ops=show_ops)


def get_file(fname=None, origin=None, file_hash=None, cache_subdir="datasets", **kwargs):
    from ..datasets.cache import get_file as _get_file

    return _get_file(fname, origin, file_hash=file_hash, cache_subdir=cache_subdir)
