"""Activation functions by Keras name; each builds graphflow ops on a symbolic tensor."""

import graphflow as gf

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
    "softmax", "log_softmax", "softplus", "softsign", "swish", "silu", "tanh", "exponential",
    "linear", "mish", "get", "serialize", "deserialize",
]


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's relu; the plain case is one graphflow op."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return gf.nn.relu(x)
    out = gf.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        out = gf.minimum(out, max_value)
    return out


def relu6(x):
    return gf.nn.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    return gf.nn.leaky_relu(x, alpha=negative_slope)


def elu(x, alpha=1.0):
    out = gf.nn.elu(x)
    return out if alpha == 1.0 else gf.where(x > 0, out, alpha * out)


def selu(x):
    return gf.nn.selu(x)


def gelu(x, approximate=False):
    if approximate:
        inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + gf.tanh(inner))
    return 0.5 * x * (1.0 + gf.erf(x * 0.7071067811865476))


def sigmoid(x):
    return gf.sigmoid(x)


def hard_sigmoid(x):
    """Keras 3: relu6(x + 3) / 6."""
    return gf.clip_by_value(x / 6.0 + 0.5, 0.0, 1.0)


def softmax(x, axis=-1):
    return gf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return gf.nn.log_softmax(x, axis=axis)


def softplus(x):
    return gf.nn.softplus(x)


def softsign(x):
    return gf.nn.softsign(x)


def swish(x):
    return x * gf.sigmoid(x)


silu = swish


def tanh(x):
    return gf.tanh(x)


def exponential(x):
    return gf.exp(x)


def mish(x):
    return x * gf.tanh(gf.nn.softplus(x))


def linear(x):
    return x


_BY_NAME = {fn.__name__: fn for fn in (
    relu, relu6, leaky_relu, elu, selu, gelu, sigmoid, hard_sigmoid, softmax, log_softmax,
    softplus, softsign, swish, tanh, exponential, linear, mish)}
_BY_NAME["silu"] = swish


def get(identifier):
    """An activation from a name (None means linear) or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"Unknown activation function: '{identifier}'. Known: "
                             f"{sorted(_BY_NAME)}") from None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")


def serialize(fn):
    """Keras stores built-in activations by their name."""
    name = getattr(fn, "__name__", None)
    if name in _BY_NAME:
        return name
    if hasattr(fn, "get_config"):
        return {"module": "keras.layers", "class_name": type(fn).__name__,
                "config": fn.get_config(), "registered_name": None}
    raise ValueError(f"Cannot serialize activation {fn!r}: use a named activation.")


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    return get(config.get("config", {}).get("name", config.get("class_name")))
