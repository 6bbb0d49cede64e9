"""``graphflow.keras`` is keras_frontend: ``import graphflow as tf; tf.keras.Sequential``.

Every keras_frontend submodule is registered under ``graphflow.keras.*`` too, so
``from graphflow.keras.layers import Dense`` gives the very same classes.
"""

import importlib
import pkgutil
import sys

import keras_frontend

_SUBMODULES = ["activations", "applications", "backend", "callbacks", "constraints",
               "datasets", "initializers", "layers", "losses", "metrics", "models", "ops",
               "optimizers", "regularizers", "saving", "utils"]


def _alias_all():
    """Registers each keras_frontend module (recursively) under this package's name."""
    for name in _SUBMODULES:
        module = importlib.import_module(f"keras_frontend.{name}")
        sys.modules[f"{__name__}.{name}"] = module
        for info in pkgutil.walk_packages(getattr(module, "__path__", []),
                                          prefix=f"keras_frontend.{name}."):
            sub = importlib.import_module(info.name)
            sys.modules[__name__ + info.name[len("keras_frontend"):]] = sub


_alias_all()
sys.modules[__name__] = keras_frontend
