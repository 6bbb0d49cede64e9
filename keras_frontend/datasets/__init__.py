"""Datasets with Keras's loaders: mnist, fashion_mnist, cifar10, and offline digits."""

from . import cifar10, digits, fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist", "cifar10", "digits"]
