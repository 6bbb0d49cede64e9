"""``keras.applications.vgg19``."""

from .vgg import VGG19, preprocess_input

__all__ = ["VGG19", "preprocess_input"]
