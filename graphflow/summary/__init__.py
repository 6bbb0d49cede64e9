"""``tf.summary``: summary ops and a FileWriter for TensorBoard (needs ``tensorboard``)."""

from .ops import histogram, image, merge, merge_all, scalar, text
from .writer import FileWriter, FileWriterCache

__all__ = ["scalar", "histogram", "image", "text", "merge", "merge_all", "FileWriter",
           "FileWriterCache"]
