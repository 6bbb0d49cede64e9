"""Initializers (TF1 ``tf.*_initializer`` and ``tf.initializers``).

An initializer is a callable ``init(shape, dtype=None, partition_info=None)`` that builds
the graph ops computing a variable's first value. Random initializers use the random ops,
so their values follow TF1's graph/op seed rules and differ per session run like any
random op. ``get_config()`` returns exactly the constructor's arguments.
"""

import math
import types

import numpy as np

from . import dtypes as _dtypes
from .ops import array_ops, random_ops
from .ops.constant_ops import constant, convert_to_tensor
from .ops.math_ops import multiply
from .ops.op_utils import make
from .ops.registry import define_op
from .shapes import as_shape

__all__ = [
    "Initializer", "zeros_initializer", "ones_initializer", "constant_initializer",
    "random_normal_initializer", "random_uniform_initializer", "truncated_normal_initializer",
    "variance_scaling_initializer", "glorot_uniform_initializer", "glorot_normal_initializer",
    "orthogonal_initializer", "identity_initializer", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "initializers",
]


class Initializer:
    """Base class: subclasses build the initial value in
    ``__call__(shape, dtype=None, partition_info=None)``."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _dims(shape):
    return as_shape(shape).as_list()


def _float_dtype(dtype, who):
    dtype = _dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{who} expects a floating-point dtype, got {dtype.name}")
    return dtype


class zeros_initializer(Initializer):  # noqa: N801 - TF1's public name
    """All zeros."""

    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(_dims(shape), dtype or self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class ones_initializer(Initializer):  # noqa: N801
    """All ones."""

    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(_dims(shape), dtype or self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class constant_initializer(Initializer):  # noqa: N801
    """A scalar broadcast to the shape, or a list/array with exactly as many elements
    as the shape (reshaped to it), as TF1's ``Constant``."""

    def __init__(self, value=0, dtype=_dtypes.float32, verify_shape=False):
        self.value = value
        self.dtype = _dtypes.as_dtype(dtype)
        self.verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _dtypes.as_dtype(dtype or self.dtype)
        dims = _dims(shape)
        value = np.asarray(self.value, dtype=dtype.np_dtype)
        if value.size == 1:
            value = np.full(dims, value.reshape(()), dtype=dtype.np_dtype)
        elif self.verify_shape and list(value.shape) != dims:
            raise TypeError(f"Expected Tensor's shape: {tuple(dims)}, got {value.shape}.")
        elif value.size != int(np.prod(dims)):
            raise ValueError(f"constant_initializer: {value.size} values cannot fill a "
                             f"tensor of shape {tuple(dims)}")
        return constant(value.reshape(dims), dtype=dtype)

    def get_config(self):
        return {"value": self.value, "dtype": self.dtype.name,
                "verify_shape": self.verify_shape}


class random_normal_initializer(Initializer):  # noqa: N801
    """Normal samples with ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dtypes.float32):
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype or self.dtype, "random_normal_initializer")
        return random_ops.random_normal(_dims(shape), self.mean, self.stddev, dtype,
                                        seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


class truncated_normal_initializer(random_normal_initializer):  # noqa: N801
    """Normal samples redrawn when more than two standard deviations from the mean."""

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype or self.dtype, "truncated_normal_initializer")
        return random_ops.truncated_normal(_dims(shape), self.mean, self.stddev, dtype,
                                           seed=self.seed)


class random_uniform_initializer(Initializer):  # noqa: N801
    """Uniform samples in ``[minval, maxval)``."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=_dtypes.float32):
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(_dims(shape), self.minval, self.maxval,
                                         dtype or self.dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed,
                "dtype": self.dtype.name}


def _compute_fans(dims):
    """(fan_in, fan_out): rows and columns of a matrix, times the receptive field size
    of a convolution kernel (all dimensions but the last two)."""
    if not dims:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    receptive = int(np.prod(dims[:-2])) if len(dims) > 2 else 1
    return dims[-2] * receptive, dims[-1] * receptive


# Standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


class variance_scaling_initializer(Initializer):  # noqa: N801
    """Samples with variance ``scale / n``, ``n`` the fan-in, fan-out or their average.

    ``distribution`` is "truncated_normal" (also spelled "normal", as in TF1),
    "untruncated_normal" or "uniform" (in ``[-sqrt(3 * scale / n), +...]``).
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("normal", "truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=_dtypes.float32):
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        if distribution.lower() not in self._DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution.lower()
        self.seed = seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype or self.dtype, "variance_scaling_initializer")
        dims = _dims(shape)
        fan_in, fan_out = _compute_fans(dims)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return random_ops.truncated_normal(dims, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(dims, 0.0, math.sqrt(variance), dtype,
                                            seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random_ops.random_uniform(dims, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class glorot_uniform_initializer(variance_scaling_initializer):  # noqa: N801
    """Xavier uniform: limit ``sqrt(6 / (fan_in + fan_out))``; TF1's default for
    ``get_variable``."""

    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class glorot_normal_initializer(variance_scaling_initializer):  # noqa: N801
    """Xavier normal: truncated normal with variance ``2 / (fan_in + fan_out)``."""

    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


def he_normal(seed=None):
    return variance_scaling_initializer(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    return variance_scaling_initializer(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    return variance_scaling_initializer(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    return variance_scaling_initializer(1.0, "fan_in", "uniform", seed)


def _orthogonal_factor(a):
    """The orthogonal factor of ``a`` (rows >= columns), its signs fixed by ``diag(r)`` so
    the result is uniformly distributed over orthogonal matrices."""
    q, r = np.linalg.qr(a)
    return (q * np.sign(np.diag(r))).astype(a.dtype, copy=False)


define_op("OrthogonalFactor", infer=lambda inputs, attrs: (inputs[0].dtype, inputs[0].shape),
          kernel=_orthogonal_factor)


class orthogonal_initializer(Initializer):  # noqa: N801
    """A (scaled by ``gain``) random orthogonal matrix, flattened over all dimensions but
    the last; rows or columns are orthonormal, whichever there are fewer of."""

    def __init__(self, gain=1.0, seed=None, dtype=_dtypes.float32):
        self.gain, self.seed = gain, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype or self.dtype, "orthogonal_initializer")
        dims = _dims(shape)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        rows, cols = int(np.prod(dims[:-1])), dims[-1]
        normal = random_ops.random_normal([max(rows, cols), min(rows, cols)], dtype=dtype,
                                          seed=self.seed)
        q = make("OrthogonalFactor", (normal,))
        if rows < cols:
            q = array_ops.transpose(q)
        return multiply(array_ops.reshape(q, dims), convert_to_tensor(self.gain, dtype=dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class identity_initializer(Initializer):  # noqa: N801
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0, dtype=_dtypes.float32):
        self.gain = gain
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _dtypes.as_dtype(dtype or self.dtype)
        dims = _dims(shape)
        if len(dims) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        return constant(self.gain * np.eye(*dims), dtype=dtype)

    def get_config(self):
        return {"gain": self.gain, "dtype": self.dtype.name}


def _variables_initializer(var_list, name="init"):
    from .variables import variables_initializer

    return variables_initializer(var_list, name=name)


def _global_variables_initializer():
    from .variables import global_variables_initializer

    return global_variables_initializer()


def _local_variables_initializer():
    from .variables import local_variables_initializer

    return local_variables_initializer()


initializers = types.SimpleNamespace(
    zeros=zeros_initializer, ones=ones_initializer, constant=constant_initializer,
    random_normal=random_normal_initializer, random_uniform=random_uniform_initializer,
    truncated_normal=truncated_normal_initializer,
    variance_scaling=variance_scaling_initializer,
    glorot_uniform=glorot_uniform_initializer, glorot_normal=glorot_normal_initializer,
    orthogonal=orthogonal_initializer, identity=identity_initializer, he_normal=he_normal,
    he_uniform=he_uniform, lecun_normal=lecun_normal, lecun_uniform=lecun_uniform,
    variables=_variables_initializer, global_variables=_global_variables_initializer,
    local_variables=_local_variables_initializer,
)
initializers.__doc__ = "TF1's ``tf.initializers`` namespace."
