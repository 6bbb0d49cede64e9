"""Matrix products: matmul (batched, broadcast batch dims), tensordot, norm."""

import numpy as np

from ..shapes import TensorShape, broadcast_shape
from .constant_ops import convert_to_tensor
from .op_utils import make, same_dtype
from .registry import define_op

__all__ = ["matmul"]


def _matmul_infer(inputs, attrs):
    a, b = inputs
    dtype = same_dtype("MatMul", [a, b])
    if a.shape.dims is None or b.shape.dims is None:
        return dtype, TensorShape(None)
    if len(a.shape.dims) < 2 or len(b.shape.dims) < 2:
        raise ValueError(f"matmul needs inputs of rank >= 2, got {a.shape} and {b.shape}")
    m, k = a.shape.dims[-2:]
    k2, n = b.shape.dims[-2:]
    if attrs["transpose_a"]:
        m, k = k, m
    if attrs["transpose_b"]:
        k2, n = n, k2
    if k is not None and k2 is not None and k != k2:
        raise ValueError(
            f"matmul: inner dimensions must agree, got {a.shape} and {b.shape} "
            f"(transpose_a={attrs['transpose_a']}, transpose_b={attrs['transpose_b']})"
        )
    batch = broadcast_shape(TensorShape(a.shape.dims[:-2]), TensorShape(b.shape.dims[:-2]))
    return dtype, list(batch.dims) + [m, n]


def _matmul_kernel(a, b, transpose_a, transpose_b):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def _matmul_grad(op, g):
    from .math_ops import sum_to

    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        ga, gb = matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)
    elif not ta and tb:
        ga, gb = matmul(g, b), matmul(g, a, transpose_a=True)
    elif ta and not tb:
        ga, gb = matmul(b, g, transpose_b=True), matmul(a, g)
    else:
        ga, gb = matmul(b, g, transpose_a=True, transpose_b=True), matmul(
            g, a, transpose_a=True, transpose_b=True)
    return [sum_to(ga, a), sum_to(gb, b)]


define_op("MatMul", infer=_matmul_infer, kernel=_matmul_kernel, grad=_matmul_grad, cost=64.0)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix product of the last two axes; leading axes are batch axes and broadcast."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    attrs = {"transpose_a": bool(transpose_a or adjoint_a),
             "transpose_b": bool(transpose_b or adjoint_b)}
    return make("MatMul", (a, b), attrs, name=name)


def _install_matmul_operator():
    from ..graph import Tensor

    Tensor.__matmul__ = lambda self, other: matmul(self, other)
    Tensor.__rmatmul__ = lambda self, other: matmul(other, self)


_install_matmul_operator()
