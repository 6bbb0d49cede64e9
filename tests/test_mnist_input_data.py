"""The MNIST tutorial reader on small IDX files written by the test."""

import gzip
import os

import numpy as np
import pytest

import graphflow as tf
from graphflow.examples.tutorials.mnist import input_data

RNG = np.random.default_rng(0)
TRAIN_IMAGES = RNG.integers(0, 256, size=(12, 28, 28), dtype=np.uint8)
TRAIN_LABELS = RNG.integers(0, 10, size=12, dtype=np.uint8)
TEST_IMAGES = RNG.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
TEST_LABELS = RNG.integers(0, 10, size=5, dtype=np.uint8)


def idx_bytes(array, magic):
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + array.tobytes()


def write_mnist(folder, gz=True):
    files = {
        "train-images-idx3-ubyte": idx_bytes(TRAIN_IMAGES, 2051),
        "train-labels-idx1-ubyte": idx_bytes(TRAIN_LABELS, 2049),
        "t10k-images-idx3-ubyte": idx_bytes(TEST_IMAGES, 2051),
        "t10k-labels-idx1-ubyte": idx_bytes(TEST_LABELS, 2049),
    }
    for name, data in files.items():
        if gz:
            with gzip.open(os.path.join(folder, name + ".gz"), "wb") as f:
                f.write(data)
        else:
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)


@pytest.mark.parametrize("gz", [True, False])
def test_reads_splits_and_scales(tmp_path, gz):
    write_mnist(tmp_path, gz=gz)
    mnist = input_data.read_data_sets(str(tmp_path), validation_size=2)
    assert mnist.train.num_examples == 10
    assert mnist.validation.num_examples == 2 and mnist.test.num_examples == 5
    assert mnist.train.images.shape == (10, 784) and mnist.train.images.dtype == np.float32
    np.testing.assert_allclose(mnist.train.images, TRAIN_IMAGES[2:].reshape(10, 784) / 255.0,
                               rtol=1e-6)
    np.testing.assert_array_equal(mnist.validation.labels, TRAIN_LABELS[:2])
    np.testing.assert_array_equal(mnist.test.labels, TEST_LABELS)
    assert mnist.test.images.min() >= 0.0 and mnist.test.images.max() <= 1.0


def test_one_hot_uint8_and_unreshaped(tmp_path):
    write_mnist(tmp_path)
    mnist = input_data.read_data_sets(str(tmp_path), one_hot=True, dtype=tf.uint8,
                                      reshape=False, validation_size=0)
    assert mnist.train.images.shape == (12, 28, 28, 1)
    np.testing.assert_array_equal(mnist.train.images[..., 0], TRAIN_IMAGES)
    assert mnist.train.labels.shape == (12, 10)
    np.testing.assert_array_equal(mnist.train.labels.argmax(axis=1), TRAIN_LABELS)
    assert mnist.train.labels.sum() == 12
    with pytest.raises(TypeError, match="expected uint8 or float32"):
        input_data.read_data_sets(str(tmp_path), dtype=tf.int32)


def test_next_batch_covers_each_epoch_once(tmp_path):
    write_mnist(tmp_path)
    data = input_data.read_data_sets(str(tmp_path), validation_size=2, seed=3).train
    seen = []
    for _ in range(5):
        images, labels = data.next_batch(4)
        assert images.shape == (4, 784) and labels.shape == (4,)
        seen.append(images)
    # 20 examples drawn from 10: two epochs, each a permutation of the train set; as in
    # TF1, an epoch counts as completed when the next batch runs past its end.
    assert data.epochs_completed == 1
    drawn = np.concatenate(seen)
    for epoch in (drawn[:10], drawn[10:]):
        rows = sorted(map(bytes, (epoch * 255).round().astype(np.uint8)))
        assert rows == sorted(map(bytes, TRAIN_IMAGES[2:].reshape(10, 784)))
    data.next_batch(1)
    assert data.epochs_completed == 2
    ordered = input_data.read_data_sets(str(tmp_path), validation_size=2).train
    images, labels = ordered.next_batch(3, shuffle=False)
    np.testing.assert_array_equal(labels, TRAIN_LABELS[2:5])


def test_missing_files_name_exactly_what_to_add(tmp_path):
    write_mnist(tmp_path)
    os.remove(tmp_path / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError) as err:
        input_data.read_data_sets(str(tmp_path))
    message = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in message and str(tmp_path) in message
    assert "train-images" not in message


def test_bad_files_and_validation_size(tmp_path):
    write_mnist(tmp_path, gz=False)
    with pytest.raises(ValueError, match="between 0 and 12"):
        input_data.read_data_sets(str(tmp_path), validation_size=13)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(TEST_LABELS, 2049))
    with pytest.raises(ValueError, match="magic number 2049"):
        input_data.read_data_sets(str(tmp_path))
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(TEST_IMAGES, 2051)[:-10])
    with pytest.raises(ValueError, match="truncated"):
        input_data.read_data_sets(str(tmp_path))
