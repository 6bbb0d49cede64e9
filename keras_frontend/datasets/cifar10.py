"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images of 10 classes."""

import os
import tarfile

import numpy as np

from .cache import cache_dir, get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_FOLDER = "cifar-10-batches-py"


def _extracted():
    folder = os.path.join(cache_dir(), _FOLDER)
    if not os.path.isdir(folder):
        archive = get_file("cifar-10-python.tar.gz", origin=ORIGIN, file_hash=SHA256)
        with tarfile.open(archive) as tar:
            tar.extractall(cache_dir(), filter="data")
    return folder


def _load_batch(path):
    """A CIFAR batch file is a pickle of plain dicts and lists (the data set's own format,
    which Keras reads the same way)."""
    import pickle

    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")  # noqa: S301 - the dataset's own format
    data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return data.transpose(0, 2, 3, 1), np.asarray(batch[b"labels"], dtype=np.uint8)


def load_data():
    """``(x_train, y_train), (x_test, y_test)`` with images channels-last, labels (n, 1)."""
    folder = _extracted()
    parts = [_load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts]).reshape(-1, 1)
    x_test, y_test = _load_batch(os.path.join(folder, "test_batch"))
    return (x_train, y_train), (x_test, y_test.reshape(-1, 1))
