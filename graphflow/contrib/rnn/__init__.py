"""``tf.contrib.rnn``: the RNN cells and functions of ``tf.nn``, under their old path."""

from ...nn.rnn import *  # noqa: F401,F403
from ...nn.rnn_cell import *  # noqa: F401,F403
