"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Inputs are channels-last (Keras's default ``data_format``); kernels have Keras's layout,
which is also graphflow's (TF1's): ``(*kernel_size, in_channels, filters)``.
"""

import graphflow as gf

from .. import activations, constraints, initializers, regularizers
from .base import Layer
from .core import kernel_and_bias_args, set_kernel_and_bias_args


def normalize_tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received "
                         f"{name}={value}")
    return value


def normalize_padding(padding):
    padding = padding.lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same' (or "
                         f"'causal' for Conv1D). Received: padding={padding}")
    return padding


def _check_channels_last(data_format):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"Only data_format='channels_last' is supported, got {data_format}")
    return "channels_last"


class BaseConv(Layer):
    """Shared arguments and weights of the convolution layers."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters) if filters is not None else None
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = _check_channels_last(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if groups != 1:
            raise ValueError(f"Grouped convolutions (groups={groups}) are not supported; "
                             "use groups=1 or DepthwiseConv2D.")
        self.groups = groups
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_kernel_and_bias_args(self, kernel_initializer, bias_initializer, kernel_regularizer,
                                 bias_regularizer, kernel_constraint, bias_constraint)

    def _check_input(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                             f"expected ndim={self.rank + 2}, found ndim={len(input_shape)}")
        if input_shape[-1] is None:
            raise ValueError("the channel axis (last) of the input must be known")
        return input_shape[-1]

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def build(self, input_shape):
        channels = self._check_input(input_shape)
        self.kernel = self.add_weight(self._kernel_shape(channels), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")

    def _finish(self, x):
        if self.bias is not None:
            x = gf.nn.bias_add(x, self.bias)
        return self.activation(x)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=list(self.kernel_size),
                      strides=list(self.strides), padding=self.padding,
                      data_format=self.data_format, dilation_rate=list(self.dilation_rate),
                      groups=self.groups, activation=activations.serialize(self.activation),
                      use_bias=self.use_bias)
        config.update(kernel_and_bias_args(self))
        return config


class Conv1D(BaseConv):
    """Temporal convolution over (batch, steps, channels); padding may be 'causal'."""

    rank = 1

    def call(self, inputs):
        x = inputs
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = gf.pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        x = gf.nn.conv1d(x, self.kernel, stride=self.strides[0], padding=padding.upper(),
                         dilations=self.dilation_rate[0])
        return self._finish(x)


class Conv2D(BaseConv):
    """Spatial convolution over (batch, rows, cols, channels)."""

    rank = 2

    def call(self, inputs):
        x = gf.nn.conv2d(inputs, self.kernel, strides=[1, *self.strides, 1],
                         padding=self.padding.upper(), dilations=[1, *self.dilation_rate, 1])
        return self._finish(x)


def deconv_length(length, stride, kernel, padding, output_padding):
    """Keras's output length of a transposed convolution."""
    if length is None:
        return None
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


class Conv2DTranspose(BaseConv):
    """The gradient of a Conv2D used forwards: upsamples by ``strides``."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        if self.dilation_rate != (1, 1):
            raise ValueError("Conv2DTranspose supports dilation_rate=(1, 1) only.")
        self.output_padding = None if output_padding is None else normalize_tuple(
            output_padding, 2, "output_padding")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def call(self, inputs):
        _, h, w, _ = inputs.shape.as_list()
        pads = self.output_padding or (None, None)
        out_h = deconv_length(h, self.strides[0], self.kernel_size[0], self.padding, pads[0])
        out_w = deconv_length(w, self.strides[1], self.kernel_size[1], self.padding, pads[1])
        batch = gf.shape(inputs)[0]
        output_shape = gf.stack([batch, out_h, out_w, self.filters])
        x = gf.nn.conv2d_transpose(inputs, self.kernel, output_shape,
                                   strides=[1, *self.strides, 1],
                                   padding=self.padding.upper())
        x.set_shape([None, out_h, out_w, self.filters])
        return self._finish(x)

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = None if self.output_padding is None else list(
            self.output_padding)
        return config


class DepthwiseConv2D(BaseConv):
    """One ``depth_multiplier``-channel filter per input channel."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        channels = self._check_input(input_shape)
        self.filters = channels * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            self.kernel_size + (channels, self.depth_multiplier), self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="depthwise_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")

    def call(self, inputs):
        x = gf.nn.depthwise_conv2d(inputs, self.depthwise_kernel, [1, *self.strides, 1],
                                   self.padding.upper(), dilations=list(self.dilation_rate))
        return self._finish(x)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer",
                    "kernel_constraint"):
            config.pop(key)
        config.update(depth_multiplier=self.depth_multiplier,
                      depthwise_initializer=initializers.serialize(self.kernel_initializer),
                      depthwise_regularizer=regularizers.serialize(self.kernel_regularizer),
                      depthwise_constraint=constraints.serialize(self.kernel_constraint))
        return config


class SeparableConv2D(BaseConv):
    """A depthwise convolution followed by a 1x1 pointwise one."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = self._check_input(input_shape)
        self.depthwise_kernel = self.add_weight(
            self.kernel_size + (channels, self.depth_multiplier), self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            (1, 1, channels * self.depth_multiplier, self.filters), self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint,
            name="pointwise_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")

    def call(self, inputs):
        x = gf.nn.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                   [1, *self.strides, 1], self.padding.upper(),
                                   dilations=list(self.dilation_rate))
        return self._finish(x)

    def get_config(self):
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config.update(
            depth_multiplier=self.depth_multiplier,
            depthwise_initializer=initializers.serialize(self.kernel_initializer),
            pointwise_initializer=initializers.serialize(self.pointwise_initializer),
            depthwise_regularizer=regularizers.serialize(self.kernel_regularizer),
            pointwise_regularizer=regularizers.serialize(self.pointwise_regularizer),
            depthwise_constraint=constraints.serialize(self.kernel_constraint),
            pointwise_constraint=constraints.serialize(self.pointwise_constraint))
        return config
