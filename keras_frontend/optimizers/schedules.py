"""Learning-rate schedules: ``schedule(step)`` on a graph step tensor (or a number)."""

import math

import numpy as np

import graphflow as gf

from ..serialization import deserialize_object, serialize_object

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "serialize", "deserialize"]


def _ops(step):
    """graphflow for a step tensor, numpy for a number: one formula serves both."""
    return gf if isinstance(step, gf.Tensor) else np


class LearningRateSchedule:
    """Base class: ``schedule(step)`` gives the learning rate at a step."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial * decay_rate ** (step / decay_steps)`` (floored when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        ops = _ops(step)
        p = step / float(self.decay_steps)
        if self.staircase:
            p = ops.floor(p)
        return self.initial_learning_rate * ops.pow(np.float32(self.decay_rate), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial / (1 + decay_rate * step / decay_steps)``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = step / float(self.decay_steps)
        if self.staircase:
            p = _ops(step).floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial`` to ``end_learning_rate`` over ``decay_steps``
    (restarting when ``cycle``)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle
        self.name = name

    def __call__(self, step):
        ops = _ops(step)
        if self.cycle:
            multiplier = ops.maximum(ops.ceil(step / float(self.decay_steps)), 1.0)
            decay_steps = self.decay_steps * multiplier
        else:
            decay_steps = float(self.decay_steps)
            step = ops.minimum(step, decay_steps)
        frac = 1.0 - step / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return span * ops.pow(frac, np.float32(self.power)) + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay from the peak to ``alpha * peak``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step):
        ops = _ops(step)
        peak = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        decay_step = ops.minimum(ops.maximum(step - self.warmup_steps, 0.0),
                                 float(self.decay_steps))
        cosine = 0.5 * (1.0 + ops.cos(math.pi * decay_step / float(self.decay_steps)))
        decayed = peak * ((1 - self.alpha) * cosine + self.alpha)
        if self.warmup_target is None or not self.warmup_steps:
            return decayed
        warm = self.initial_learning_rate + (peak - self.initial_learning_rate) * (
            step / float(self.warmup_steps))
        return ops.where(step < self.warmup_steps, warm + 0.0 * decayed, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries}, values={values}")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        ops = _ops(step)
        out = step * 0.0 + float(self.values[-1])
        for boundary, value in reversed(list(zip(self.boundaries, self.values, strict=False))):
            out = ops.where(step <= float(boundary), step * 0.0 + float(value), out)
        return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


_CLASSES = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PolynomialDecay,
                                    CosineDecay, PiecewiseConstantDecay)}


def serialize(schedule):
    return serialize_object(schedule, "keras.optimizers.schedules")


def deserialize(config):
    return deserialize_object(config, _CLASSES, "learning rate schedule")
