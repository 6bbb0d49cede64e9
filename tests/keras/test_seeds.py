"""The seed listings without convolutions run as written; test_seeds_cnn.py has the rest."""

import sys

from .conftest import run_seed


def test_01_mlp_binary(capsys):
    out = run_seed("01_mlp_binary.py", capsys)
    assert "Epoch 10/10" in out
    assert "test accuracy:" in out


def test_03_tf_keras_regression(capsys):
    out = run_seed("03_tf_keras_regression.py", capsys)
    assert out.count("Epoch 1000/1000") == 2


def test_05_autoencoder(capsys):
    out = run_seed("05_autoencoder.py", capsys)
    assert "Epoch 100/100" in out


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
