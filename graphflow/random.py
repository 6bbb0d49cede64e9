"""``tf.random``: TF 1.15's namespaced spellings of the random ops."""

from .ops.random_ops import (
                             multinomial,
                             random_normal,
                             random_shuffle,
                             random_uniform,
                             set_random_seed,
                             truncated_normal,
)

normal = random_normal
uniform = random_uniform
shuffle = random_shuffle
categorical = multinomial

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "categorical", "multinomial",
           "set_random_seed"]
