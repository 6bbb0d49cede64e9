"""Fixtures for the keras_frontend tests: a fresh frontend state and a tiny MNIST file."""

import os
import runpy

import numpy as np
import pytest

import keras_frontend as keras


@pytest.fixture(autouse=True)
def fresh_keras_session():
    """Each test starts with Keras's default names and a seeded generator."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield


def write_mnist(folder, n_train, n_test, seed=0):
    """A small random ``mnist.npz`` with MNIST's keys, dtypes and image size."""
    rng = np.random.default_rng(seed)
    datasets = folder / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    np.savez(datasets / "mnist.npz",
             x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, n_train).astype(np.uint8),
             x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, n_test).astype(np.uint8))
    return folder


SEEDS = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "..", "shared",
                     "seed_examples")


def run_seed(name, capsys):
    """Runs a seed listing as a script and returns what it printed."""
    path = os.path.join(SEEDS, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not in this checkout")
    runpy.run_path(path, run_name="__main__")
    return capsys.readouterr().out
