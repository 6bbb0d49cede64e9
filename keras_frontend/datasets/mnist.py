"""MNIST handwritten digits: 60,000 training and 10,000 test 28x28 uint8 images."""

import numpy as np

from .cache import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """``(x_train, y_train), (x_test, y_test)`` from the cached ``mnist.npz``."""
    path = get_file(path, origin=ORIGIN, file_hash=SHA256)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
