"""keras_frontend: a Keras-like frontend whose layers emit graphflow graph nodes.

``from keras_frontend.models import Sequential`` reads like Keras; each model owns a
graphflow Graph and Session, and fit/evaluate/predict run cached plans batch by batch.
``graphflow.keras`` is this same package.
"""

from . import (
    activations,
    applications,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    regularizers,
    saving,
    utils,
)
from .layers import Input, Layer
from .models import Model, Sequential, load_model

__version__ = "3.0.0"

__all__ = ["activations", "applications", "backend", "callbacks", "constraints", "datasets",
           "initializers", "layers", "losses", "metrics", "models", "ops", "optimizers",
           "regularizers", "saving", "utils", "Input", "Layer", "Model", "Sequential",
           "load_model"]
