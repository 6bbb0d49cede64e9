"""``keras.applications.vgg16``."""

from .vgg import VGG16, preprocess_input

__all__ = ["VGG16", "preprocess_input"]
