"""Keras optimizers (Keras 3 names, defaults and update formulas) built from graph ops."""

from . import schedules
from .base import Optimizer
from .optimizers import (
                         SGD,
                         Adadelta,
                         Adagrad,
                         Adam,
                         Adamax,
                         AdamW,
                         Nadam,
                         RMSprop,
                         deserialize,
                         get,
                         serialize,
)

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "Nadam", "schedules", "get", "serialize", "deserialize"]
