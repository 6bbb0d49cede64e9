"""Every listing in shared/seed_examples runs as written (MNIST replaced by a small file)."""

import os
import runpy
import sys

import pytest

from .conftest import write_mnist

SEEDS = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "..", "shared",
                     "seed_examples")


def run_seed(name, capsys):
    path = os.path.join(SEEDS, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not in this checkout")
    runpy.run_path(path, run_name="__main__")
    return capsys.readouterr().out


def test_01_mlp_binary(capsys):
    out = run_seed("01_mlp_binary.py", capsys)
    assert "Epoch 10/10" in out
    assert "test accuracy:" in out


def test_03_tf_keras_regression(capsys):
    out = run_seed("03_tf_keras_regression.py", capsys)
    assert out.count("Epoch 1000/1000") == 2


def test_04_tf_keras_cnn_mnist(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(write_mnist(tmp_path, 128, 32)))
    out = run_seed("04_tf_keras_cnn_mnist.py", capsys)
    assert "Epoch 10/10" in out and "Test accuracy:" in out


def test_02_cnn_mnist(tmp_path, monkeypatch, capsys):
    # The listing keeps the last 5,000 training images for validation.
    monkeypatch.setenv("KERAS_HOME", str(write_mnist(tmp_path, 5000 + 64, 32)))
    out = run_seed("02_cnn_mnist.py", capsys)
    assert "val_accuracy" in out and "Test accuracy:" in out


def test_05_autoencoder(capsys):
    out = run_seed("05_autoencoder.py", capsys)
    assert "Epoch 100/100" in out


def test_06_transfer_vgg16(capsys):
    out = run_seed("06_transfer_vgg16.py", capsys)
    assert "Test accuracy:" in out


def test_07_sparse_dense(capsys):
    out = run_seed("07_sparse_dense.py", capsys)
    assert "Epoch 5/5" in out


def test_graphflow_keras_is_keras_frontend():
    from graphflow.keras.layers import Dense

    import graphflow as tf
    import keras_frontend
    from graphflow.keras import layers, models

    assert tf.keras is keras_frontend
    assert layers is keras_frontend.layers and models is keras_frontend.models
    assert Dense is keras_frontend.layers.Dense
    assert sys.modules["graphflow.keras.layers"] is keras_frontend.layers
