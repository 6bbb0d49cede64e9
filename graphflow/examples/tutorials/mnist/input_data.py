"""The TF1 MNIST tutorial reader: ``read_data_sets(dir).train.next_batch(100)``.

Reads the four IDX files of MNIST (gzipped or not) from a folder. Nothing is downloaded:
when a file is missing, the error lists the exact file names to put in that folder.
"""

import collections
import gzip
import os

import numpy as np

from .... import dtypes as _dtypes

__all__ = ["DataSet", "Datasets", "read_data_sets", "extract_images", "extract_labels",
           "dense_to_one_hot"]

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
SOURCE = "https://storage.googleapis.com/cvdf-datasets/mnist/"

_IMAGES_MAGIC = 2051
_LABELS_MAGIC = 2049

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _read32(stream):
    return int(np.frombuffer(stream.read(4), dtype=">u4")[0])


def _read_exact(stream, count, name):
    data = stream.read(count)
    if len(data) != count:
        raise ValueError(f"MNIST file {name} is truncated: expected {count} bytes of data, "
                         f"got {len(data)}")
    return data


def extract_images(f):
    """A uint8 array [N, rows, cols, 1] from an open IDX3 image file (gzip or plain)."""
    name = getattr(f, "name", "<stream>")
    magic = _read32(f)
    if magic != _IMAGES_MAGIC:
        raise ValueError(f"Invalid magic number {magic} in MNIST image file: {name}")
    num, rows, cols = _read32(f), _read32(f), _read32(f)
    data = np.frombuffer(_read_exact(f, num * rows * cols, name), dtype=np.uint8)
    return data.reshape(num, rows, cols, 1)


def extract_labels(f, one_hot=False, num_classes=10):
    """A uint8 label vector [N] (or float32 one-hot [N, num_classes]) from an IDX1 file."""
    name = getattr(f, "name", "<stream>")
    magic = _read32(f)
    if magic != _LABELS_MAGIC:
        raise ValueError(f"Invalid magic number {magic} in MNIST label file: {name}")
    num = _read32(f)
    labels = np.frombuffer(_read_exact(f, num, name), dtype=np.uint8)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def dense_to_one_hot(labels_dense, num_classes):
    """Class indices [N] to one-hot rows [N, num_classes] (float32)."""
    labels_dense = np.asarray(labels_dense)
    one_hot = np.zeros((labels_dense.shape[0], num_classes), dtype=np.float32)
    one_hot[np.arange(labels_dense.shape[0]), labels_dense] = 1.0
    return one_hot


class DataSet:
    """Images and labels with epoch-aware, optionally shuffled mini-batches."""

    def __init__(self, images, labels, dtype=_dtypes.float32, reshape=True, seed=None):
        dtype = _image_dtype(dtype)
        if images.shape[0] != labels.shape[0]:
            raise ValueError(
                f"images.shape: {images.shape} labels.shape: {labels.shape}: the numbers of "
                "images and labels differ")
        if reshape:
            images = images.reshape(images.shape[0], -1)
        if dtype == _dtypes.float32:
            images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._num_examples = images.shape[0]
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._rng = np.random.default_rng(seed)

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, shuffle=True):
        """The next ``batch_size`` examples; an epoch's last batch is completed with the
        first examples of the next (reshuffled) epoch, as in TF1.
        """
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch += batch_size
            return (self._images[start:self._index_in_epoch],
                    self._labels[start:self._index_in_epoch])
        self._epochs_completed += 1
        rest_images = self._images[start:]
        rest_labels = self._labels[start:]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - rest_images.shape[0]
        end = self._index_in_epoch
        return (np.concatenate((rest_images, self._images[:end]), axis=0),
                np.concatenate((rest_labels, self._labels[:end]), axis=0))

    def _shuffle(self):
        perm = self._rng.permutation(self._num_examples)
        self._images = self._images[perm]
        self._labels = self._labels[perm]


def _image_dtype(dtype):
    dtype = _dtypes.as_dtype(dtype)
    if dtype not in (_dtypes.uint8, _dtypes.float32):
        raise TypeError(f"Invalid image dtype {dtype.name}, expected uint8 or float32")
    return dtype


def read_data_sets(train_dir, one_hot=False, dtype=_dtypes.float32, reshape=True,
                   validation_size=5000, seed=None):
    """``Datasets(train, validation, test)`` from the MNIST IDX files in ``train_dir``.

    The first ``validation_size`` training examples become the validation set.
    """
    dtype = _image_dtype(dtype)
    names = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
    paths = [_find(train_dir, name) for name in names]
    missing = [name for name, path in zip(names, paths, strict=True) if path is None]
    if missing:
        raise FileNotFoundError(_missing_message(train_dir, missing))
    train_images = _extract(paths[0], extract_images)
    train_labels = _extract(paths[1], extract_labels, one_hot=one_hot)
    test_images = _extract(paths[2], extract_images)
    test_labels = _extract(paths[3], extract_labels, one_hot=one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. "
                         f"Received: {validation_size}.")
    options = {"dtype": dtype, "reshape": reshape, "seed": seed}
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:],
                      **options),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size],
                           **options),
        test=DataSet(test_images, test_labels, **options),
    )


def _find(folder, gz_name):
    """The path of ``gz_name`` in ``folder``, or of its uncompressed form; None if neither."""
    for name in (gz_name, gz_name[:-len(".gz")]):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def _extract(path, extract, **kwargs):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        try:
            return extract(f, **kwargs)
        except (OSError, EOFError) as e:  # a damaged gzip stream
            raise ValueError(f"Cannot read MNIST file {path}: {e}") from None


def _missing_message(folder, missing):
    names = "\n".join(f"  {name}" for name in missing)
    return (
        f"MNIST files not found in {os.path.abspath(folder)}:\n{names}\n"
        f"Put these files there (gzipped, or unzipped without the .gz suffix); they are "
        f"published at {SOURCE}. graphflow does not download them."
    )
