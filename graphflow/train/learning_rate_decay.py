"""Learning-rate schedules: scalar tensors of the global step, as in TF1.

Each returns a float tensor (the learning rate's dtype) that an optimizer accepts as its
``learning_rate``; the value changes as the global step advances.
"""

import math

from ..graph import name_scope
from ..ops import math_ops
from ..ops.constant_ops import convert_to_tensor

__all__ = ["exponential_decay", "piecewise_constant", "polynomial_decay",
           "natural_exp_decay", "inverse_time_decay", "cosine_decay"]


def _required(global_step, fn_name):
    if global_step is None:
        raise ValueError(f"global_step is required for {fn_name}.")


def _progress(learning_rate, global_step, decay_steps, staircase):
    """``global_step / decay_steps`` in the learning rate's dtype, floored if staircase."""
    dtype = learning_rate.dtype
    p = math_ops.cast(global_step, dtype) / math_ops.cast(decay_steps, dtype)
    return math_ops.floor(p) if staircase else p


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * decay_rate ^ (global_step / decay_steps)``."""
    _required(global_step, "exponential_decay")
    with name_scope(name, "ExponentialDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        rate = math_ops.cast(decay_rate, lr.dtype)
        p = _progress(lr, global_step, decay_steps, staircase)
        return math_ops.multiply(lr, math_ops.pow(rate, p), name=name)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)``."""
    _required(global_step, "natural_exp_decay")
    with name_scope(name, "NaturalExpDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        rate = math_ops.cast(decay_rate, lr.dtype)
        p = _progress(lr, global_step, decay_steps, staircase)
        return math_ops.multiply(lr, math_ops.exp(-rate * p), name=name)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``."""
    _required(global_step, "inverse_time_decay")
    with name_scope(name, "InverseTimeDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        rate = math_ops.cast(decay_rate, lr.dtype)
        p = _progress(lr, global_step, decay_steps, staircase)
        return math_ops.divide(lr, 1.0 + rate * p, name=name)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """From ``learning_rate`` to ``end_learning_rate`` over ``decay_steps`` along
    ``(1 - step / decay_steps) ^ power``; with ``cycle`` the horizon extends by multiples
    of ``decay_steps`` instead of holding the end value.
    """
    _required(global_step, "polynomial_decay")
    with name_scope(name, "PolynomialDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = lr.dtype
        step = math_ops.cast(global_step, dtype)
        steps = math_ops.cast(decay_steps, dtype)
        end = math_ops.cast(end_learning_rate, dtype)
        if cycle:
            # A step of 0 still uses one period, so the rate starts at learning_rate.
            periods = math_ops.ceil(step / steps)
            periods = math_ops.where(math_ops.equal(step, 0.0), 1.0, periods)
            steps = steps * periods
        else:
            step = math_ops.minimum(step, steps)
        fraction = math_ops.pow(1.0 - step / steps, math_ops.cast(power, dtype))
        return math_ops.add((lr - end) * fraction, end, name=name)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """Half a cosine from ``learning_rate`` down to ``alpha * learning_rate`` over
    ``decay_steps``, then constant.
    """
    _required(global_step, "cosine_decay")
    with name_scope(name, "CosineDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = lr.dtype
        steps = math_ops.cast(decay_steps, dtype)
        step = math_ops.minimum(math_ops.cast(global_step, dtype), steps)
        cosine = 0.5 * (1.0 + math_ops.cos(math.pi * step / steps))
        alpha = math_ops.cast(alpha, dtype)
        return math_ops.multiply(lr, (1.0 - alpha) * cosine + alpha, name=name)


def piecewise_constant(x, boundaries, values, name=None):
    """``values[0]`` while ``x <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < x <= boundaries[i]``, and ``values[-1]`` after the last boundary.
    """
    if len(boundaries) != len(values) - 1:
        raise ValueError(
            "The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant"):
        x = convert_to_tensor(x)
        values = [convert_to_tensor(v) for v in values]
        for v in values[1:]:
            if v.dtype != values[0].dtype:
                raise ValueError(
                    f"Values must have elements all with the same dtype ({values[0].dtype.name}"
                    f" vs {v.dtype.name}).")
        result = values[-1]
        for boundary, value in reversed(list(zip(boundaries, values[:-1], strict=True))):
            bound = math_ops.cast(convert_to_tensor(boundary), x.dtype)
            result = math_ops.where(math_ops.less_equal(x, bound), value, result)
        return result
