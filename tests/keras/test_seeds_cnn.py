"""The convolutional seed listings run as written (MNIST replaced by a small file): the
slowest keras_frontend tests, marked ``slow``."""

import pytest

from .conftest import run_seed, write_mnist

pytestmark = pytest.mark.slow


def test_04_tf_keras_cnn_mnist(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(write_mnist(tmp_path, 128, 32)))
    out = run_seed("04_tf_keras_cnn_mnist.py", capsys)
    assert "Epoch 10/10" in out and "Test accuracy:" in out


def test_02_cnn_mnist(tmp_path, monkeypatch, capsys):
    # The listing keeps the last 5,000 training images for validation.
    monkeypatch.setenv("KERAS_HOME", str(write_mnist(tmp_path, 5000 + 64, 32)))
    out = run_seed("02_cnn_mnist.py", capsys)
    assert "val_accuracy" in out and "Test accuracy:" in out


def test_06_transfer_vgg16(capsys):
    out = run_seed("06_transfer_vgg16.py", capsys)
    assert "Test accuracy:" in out
