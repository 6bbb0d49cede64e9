"""Weight regularizers: each maps a weight variable to a scalar penalty tensor."""

import graphflow as gf

from .serialization import deserialize_object, get_object, serialize_object

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "get", "serialize", "deserialize"]


class Regularizer:
    """Base class: ``regularizer(w)`` returns a scalar penalty tensor."""

    def __call__(self, x):
        return gf.constant(0.0)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        terms = []
        if self.l1:
            terms.append(self.l1 * gf.reduce_sum(gf.abs(x)))
        if self.l2:
            terms.append(self.l2 * gf.reduce_sum(gf.square(x)))
        return gf.add_n(terms) if terms else gf.constant(0.0, dtype=x.dtype)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|w|)``."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(w**2)``."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """``factor * mean(|W W^T - diag|)`` over the rows (or columns) of a 2-D kernel."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor, self.mode = factor, mode

    def __call__(self, x):
        if self.mode == "columns":
            x = gf.transpose(x)
        norms = gf.sqrt(gf.reduce_sum(gf.square(x), axis=1, keepdims=True))
        unit = x / gf.maximum(norms, 1e-7)
        n = x.shape.as_list()[0]
        product = gf.matmul(unit, unit, transpose_b=True)
        off_diag = product * (1.0 - gf.eye(n, dtype=x.dtype))
        return self.factor * gf.reduce_sum(gf.abs(off_diag)) / float(n * (n - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1(l1=0.01):  # noqa: E741 - Keras's name
    return L1(l1)


def l2(l2=0.01):
    return L2(l2)


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer}
_ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}


def get(identifier):
    return get_object(identifier, _CLASSES, _ALIASES, "regularizer")


def serialize(regularizer):
    return serialize_object(regularizer, "keras.regularizers")


def deserialize(config):
    return deserialize_object(config, _CLASSES, "regularizer")
