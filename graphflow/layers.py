"""``tf.layers``: TF1's functional layers, creating their weights with ``get_variable``.

Each call opens a variable scope (``dense``, ``dense_1``... or ``name``), so weights get
TF1's names (``dense/kernel:0``) and ``reuse=True`` shares them, as classic programs expect.
Batch normalization puts its moving-average updates in ``GraphKeys.UPDATE_OPS``.
"""

import numpy as np

from .graph import get_default_graph
from .init_ops import ones_initializer, zeros_initializer
from .ops import array_ops, conv_ops, nn_ops
from .ops.constant_ops import convert_to_tensor
from .ops.control_flow_ops import cond
from .ops.linalg_ops import matmul, tensordot
from .ops.math_ops import where
from .variable_scope import get_variable, variable_scope
from .variables import GraphKeys

__all__ = ["dense", "conv1d", "conv2d", "conv2d_transpose", "max_pooling1d", "max_pooling2d",
           "average_pooling1d", "average_pooling2d", "dropout", "flatten",
           "batch_normalization"]


def _pair(v, name):
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"{name} must be an int or a pair, got {v}")
    return v


def _padding(padding):
    p = padding.upper()
    if p not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    return p


def _weights(kernel_shape, units, dtype, use_bias, kernel_initializer, bias_initializer,
             kernel_regularizer, bias_regularizer, trainable):
    """The ``kernel`` (and ``bias``) variables of a layer, in the current variable scope."""
    kernel = get_variable("kernel", kernel_shape, dtype=dtype, initializer=kernel_initializer,
                          regularizer=kernel_regularizer, trainable=trainable)
    if not use_bias:
        return kernel, None
    bias = get_variable("bias", [units], dtype=dtype,
                        initializer=bias_initializer or zeros_initializer(),
                        regularizer=bias_regularizer, trainable=trainable)
    return kernel, bias


def _finish(outputs, bias, activation):
    if bias is not None:
        outputs = nn_ops.bias_add(outputs, bias)
    return activation(outputs) if activation is not None else outputs


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
          trainable=True, name=None, reuse=None):
    """activation(inputs @ kernel + bias) over the last axis of ``inputs``."""
    x = convert_to_tensor(inputs)
    in_dim = x.shape.dims[-1] if x.shape.dims else None
    if in_dim is None:
        raise ValueError(f"dense: the last dimension of the inputs must be known, got {x.shape}")
    with variable_scope(name, default_name="dense", reuse=reuse):
        kernel, bias = _weights([in_dim, units], units, x.dtype, use_bias, kernel_initializer,
                                bias_initializer, kernel_regularizer, bias_regularizer,
                                trainable)
        out = matmul(x, kernel) if x.shape.ndims == 2 else tensordot(x, kernel, [[-1], [0]])
        return _finish(out, bias, activation)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    x = _channels_last(inputs, data_format, 4)
    kh, kw = _pair(kernel_size, "kernel_size")
    with variable_scope(name, default_name="conv2d", reuse=reuse):
        kernel, bias = _weights([kh, kw, x.shape.dims[-1], filters], filters, x.dtype,
                                use_bias, kernel_initializer, bias_initializer,
                                kernel_regularizer, bias_regularizer, trainable)
        sh, sw = _pair(strides, "strides")
        dh, dw = _pair(dilation_rate, "dilation_rate")
        out = conv_ops.conv2d(x, kernel, [1, sh, sw, 1], _padding(padding),
                              dilations=[1, dh, dw, 1])
        return _finish(out, bias, activation)


def conv1d(inputs, filters, kernel_size, strides=1, padding="valid",
           data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
           bias_regularizer=None, trainable=True, name=None, reuse=None, **unused):
    x = _channels_last(inputs, data_format, 3)
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    with variable_scope(name, default_name="conv1d", reuse=reuse):
        kernel, bias = _weights([k, x.shape.dims[-1], filters], filters, x.dtype, use_bias,
                                kernel_initializer, bias_initializer, kernel_regularizer,
                                bias_regularizer, trainable)
        stride = strides if isinstance(strides, int) else strides[0]
        rate = dilation_rate if isinstance(dilation_rate, int) else dilation_rate[0]
        out = conv_ops.conv1d(x, kernel, stride, _padding(padding), dilations=rate)
        return _finish(out, bias, activation)


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, trainable=True, name=None, reuse=None, **unused):
    x = _channels_last(inputs, data_format, 4)
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(strides, "strides")
    pad = _padding(padding)
    with variable_scope(name, default_name="conv2d_transpose", reuse=reuse):
        kernel, bias = _weights([kh, kw, filters, x.shape.dims[-1]], filters, x.dtype,
                                use_bias, kernel_initializer, bias_initializer,
                                kernel_regularizer, bias_regularizer, trainable)
        shape = array_ops.shape(x)
        h, w = _transposed_size(shape[1], kh, sh, pad), _transposed_size(shape[2], kw, sw, pad)
        out_shape = array_ops.stack([shape[0], h, w, filters])
        out = conv_ops.conv2d_transpose(x, kernel, out_shape, [1, sh, sw, 1], pad)
        return _finish(out, bias, activation)


def _transposed_size(size, kernel, stride, padding):
    return size * stride if padding == "SAME" else size * stride + max(kernel - stride, 0)


def _channels_last(inputs, data_format, rank):
    x = convert_to_tensor(inputs)
    if data_format not in ("channels_last", "NHWC", "NWC"):
        raise ValueError(f"only data_format='channels_last' is supported, got {data_format!r}")
    if x.shape.ndims != rank or x.shape.dims[-1] is None:
        raise ValueError(f"expected a rank-{rank} input with a known channel dimension, "
                         f"got shape {x.shape}")
    return x


def _pool(kind, inputs, pool_size, strides, padding, data_format, rank, name):
    x = _channels_last(inputs, data_format, rank)
    if rank == 4:
        ph, pw = _pair(pool_size, "pool_size")
        sh, sw = _pair(strides, "strides")
        fn = conv_ops.max_pool if kind == "max" else conv_ops.avg_pool
        return fn(x, [1, ph, pw, 1], [1, sh, sw, 1], _padding(padding), name=name)
    p = pool_size if isinstance(pool_size, int) else pool_size[0]
    s = strides if isinstance(strides, int) else strides[0]
    fn = conv_ops.max_pool1d if kind == "max" else conv_ops.avg_pool1d
    return fn(x, p, s, _padding(padding), name=name)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    return _pool("max", inputs, pool_size, strides, padding, data_format, 4, name)


def average_pooling2d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    return _pool("avg", inputs, pool_size, strides, padding, data_format, 4, name)


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    return _pool("max", inputs, pool_size, strides, padding, data_format, 3, name)


def average_pooling1d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    return _pool("avg", inputs, pool_size, strides, padding, data_format, 3, name)


def flatten(inputs, name=None, data_format="channels_last"):
    x = convert_to_tensor(inputs)
    dims = x.shape.dims
    rest = int(np.prod(dims[1:])) if dims is not None and None not in dims[1:] else -1
    return array_ops.reshape(x, [-1, rest] if rest != -1 else
                             array_ops.stack([array_ops.shape(x)[0], -1]), name=name)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Dropout when ``training`` (a bool or a bool tensor), the identity otherwise."""
    x = convert_to_tensor(inputs)
    if isinstance(training, bool):
        return nn_ops.dropout(x, rate=rate, noise_shape=noise_shape, seed=seed, name=name) \
            if training else array_ops.identity(x, name=name)
    return cond(training,
                lambda: nn_ops.dropout(x, rate=rate, noise_shape=noise_shape, seed=seed),
                lambda: array_ops.identity(x), name=name)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, training=False,
                        trainable=True, name=None, reuse=None, **unused):
    """Batch statistics when ``training`` (moving averages updated through UPDATE_OPS),
    moving averages otherwise."""
    x = convert_to_tensor(inputs)
    rank = x.shape.ndims
    axis = axis % rank
    channels = x.shape.dims[axis]
    reduce_axes = [a for a in range(rank) if a != axis]
    param_shape = [channels]
    with variable_scope(name, default_name="batch_normalization", reuse=reuse):
        gamma = get_variable("gamma", param_shape, dtype=x.dtype,
                             initializer=gamma_initializer or ones_initializer(),
                             regularizer=gamma_regularizer, trainable=trainable) \
            if scale else None
        beta = get_variable("beta", param_shape, dtype=x.dtype,
                            initializer=beta_initializer or zeros_initializer(),
                            regularizer=beta_regularizer, trainable=trainable) \
            if center else None
        moving_mean = get_variable("moving_mean", param_shape, dtype=x.dtype,
                                   initializer=moving_mean_initializer or zeros_initializer(),
                                   trainable=False)
        moving_var = get_variable("moving_variance", param_shape, dtype=x.dtype,
                                  initializer=moving_variance_initializer or ones_initializer(),
                                  trainable=False)
        broadcast = [1] * rank
        broadcast[axis] = channels

        def normalize(mean, var):
            def shaped(t):
                return None if t is None else array_ops.reshape(t, broadcast)

            return nn_ops.batch_normalization(x, shaped(mean), shaped(var), shaped(beta),
                                              shaped(gamma), epsilon)

        if training is False:
            return normalize(moving_mean, moving_var)
        mean, var = nn_ops.moments(x, reduce_axes)
        # With a tensor ``training`` the updates always exist and use decay 0 when it is
        # false, so running UPDATE_OPS is harmless at inference, as in TF1.
        decay = 1.0 - momentum if training is True else where(
            convert_to_tensor(training), 1.0 - momentum, 0.0)
        for variable, batch_value in ((moving_mean, mean), (moving_var, var)):
            update = variable.assign_sub((variable - batch_value) * decay)
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, update)
        if training is True:
            return normalize(mean, var)
        return cond(training, lambda: normalize(mean, var),
                    lambda: normalize(moving_mean, moving_var))
