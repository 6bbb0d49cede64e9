"""``tf.contrib``: the aliases classic TF1 tutorials import (``tf.contrib.rnn``)."""

from . import rnn  # noqa: F401
