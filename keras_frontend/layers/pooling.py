"""Pooling and resizing layers: Max/AveragePooling1D/2D, global pooling, UpSampling2D,
ZeroPadding2D, Cropping2D (channels-last)."""

import graphflow as gf

from .base import Layer
from .conv import _check_channels_last, normalize_padding, normalize_tuple


class _Pooling(Layer):
    """Max or average pooling over ``pool_size`` windows (``rank`` spatial axes)."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides if strides is not None else self.pool_size,
                                       self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = _check_channels_last(data_format)

    def call(self, inputs):
        if inputs.shape.ndims != self.rank + 2:
            raise ValueError(f"expected an input of rank {self.rank + 2} (batch, "
                             f"{'steps' if self.rank == 1 else 'rows, cols'}, channels), got "
                             f"rank {inputs.shape.ndims}")
        pool = gf.nn.max_pool if self.mode == "max" else gf.nn.avg_pool
        if self.rank == 1:
            pool = gf.nn.max_pool1d if self.mode == "max" else gf.nn.avg_pool1d
            return pool(inputs, self.pool_size[0], self.strides[0], self.padding.upper())
        return pool(inputs, ksize=[1, *self.pool_size, 1], strides=[1, *self.strides, 1],
                    padding=self.padding.upper())

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides),
                      padding=self.padding, data_format=self.data_format)
        return config


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps."""

    rank, mode = 1, "max"


class AveragePooling1D(_Pooling):
    """Mean over windows of ``pool_size`` steps."""

    rank, mode = 1, "avg"


class MaxPooling2D(_Pooling):
    """Max over ``pool_size`` windows of rows and columns."""

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows of rows and columns."""

    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class _GlobalPooling(Layer):
    """Reduces all spatial axes (``keepdims`` keeps them as size 1)."""

    rank = 2
    reduce = staticmethod(gf.reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _check_channels_last(data_format)
        self.keepdims = keepdims

    def call(self, inputs):
        if inputs.shape.ndims != self.rank + 2:
            raise ValueError(f"expected an input of rank {self.rank + 2}, got rank "
                             f"{inputs.shape.ndims}")
        return self.reduce(inputs, axis=list(range(1, self.rank + 1)), keepdims=self.keepdims)

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps."""

    rank, reduce = 1, staticmethod(gf.reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps (the unmasked ones, with a mask)."""

    rank, reduce = 1, staticmethod(gf.reduce_mean)

    def call(self, inputs, mask=None):
        """The mean over the timesteps the mask keeps (all of them without a mask)."""
        if mask is None:
            return super().call(inputs)
        keep = gf.expand_dims(gf.cast(mask, inputs.dtype), -1)
        total = gf.reduce_sum(inputs * keep, axis=1, keepdims=self.keepdims)
        count = gf.reduce_sum(keep, axis=1, keepdims=self.keepdims)
        return total / gf.maximum(count, 1.0)


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over rows and columns."""

    rank, reduce = 2, staticmethod(gf.reduce_max)


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over rows and columns."""

    rank, reduce = 2, staticmethod(gf.reduce_mean)


def _known_dims(x, layer):
    dims = x.shape.as_list()
    if len(dims) != 4 or any(d is None for d in dims[1:]):
        raise ValueError(f"{layer} expects a rank-4 input (batch, rows, cols, channels) with "
                         f"known rows, cols and channels, got {tuple(dims)}")
    return dims


class UpSampling2D(Layer):
    """Repeats rows and columns ``size`` times (nearest neighbour)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = _check_channels_last(data_format)
        if interpolation != "nearest":
            raise ValueError(f"UpSampling2D supports interpolation='nearest', got "
                             f"{interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs):
        _, h, w, c = _known_dims(inputs, "UpSampling2D")
        sh, sw = self.size
        x = gf.reshape(inputs, [-1, h, 1, w, 1, c])
        x = gf.tile(x, [1, 1, sh, 1, sw, 1])
        return gf.reshape(x, [-1, h * sh, w * sw, c])

    def get_config(self):
        config = super().get_config()
        config.update(size=list(self.size), data_format=self.data_format,
                      interpolation=self.interpolation)
        return config


def _pairs(value, name):
    """Keras's ((top, bottom), (left, right)) from an int, two ints or two pairs."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    if len(value) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value}")
    return tuple(normalize_tuple(v, 2, name) if not isinstance(v, int) else (v, v)
                 for v in value)


class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros: ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding")
        self.data_format = _check_channels_last(data_format)

    def call(self, inputs):
        return gf.pad(inputs, [[0, 0], list(self.padding[0]), list(self.padding[1]), [0, 0]])

    def get_config(self):
        config = super().get_config()
        config.update(padding=[list(p) for p in self.padding], data_format=self.data_format)
        return config


class Cropping2D(Layer):
    """Removes ((top, bottom), (left, right)) rows and columns."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping")
        self.data_format = _check_channels_last(data_format)

    def call(self, inputs):
        _, h, w, c = _known_dims(inputs, "Cropping2D")
        (top, bottom), (left, right) = self.cropping
        if top + bottom >= h or left + right >= w:
            raise ValueError(f"cropping {self.cropping} is too large for rows={h}, cols={w}")
        return gf.slice(inputs, [0, top, left, 0], [-1, h - top - bottom, w - left - right, c])

    def get_config(self):
        config = super().get_config()
        config.update(cropping=[list(p) for p in self.cropping], data_format=self.data_format)
        return config
