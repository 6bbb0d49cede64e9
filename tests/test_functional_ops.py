"""Higher-order functions (map_fn, scan, foldl, foldr) and reverse_sequence."""

import numpy as np
import pytest

import graphflow as gf
from tests.helpers import check_gradient, check_op, evaluate

RNG = np.random.default_rng(0)


# ---- reverse_sequence ------------------------------------------------------------------------

def _reverse_sequence_reference(x, lengths, seq_axis, batch_axis):
    out = x.copy()
    for b, n in enumerate(lengths):
        index = [slice(None)] * x.ndim
        index[batch_axis], index[seq_axis] = b, slice(0, n)
        out[tuple(index)] = np.flip(x[tuple(index)], axis=seq_axis - (batch_axis < seq_axis))
    return out


@pytest.mark.parametrize("seq_axis, batch_axis", [(0, 1), (1, 0), (2, 0), (-1, 1)])
def test_reverse_sequence_against_numpy(seq_axis, batch_axis):
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    size = x.shape[batch_axis]
    lengths = RNG.integers(0, x.shape[seq_axis] + 1, size).astype(np.int64)
    check_op(lambda a, n: gf.reverse_sequence(a, n, seq_axis, batch_axis), [x, lengths],
             lambda a, n: _reverse_sequence_reference(a, n, seq_axis % 3, batch_axis))


def test_reverse_sequence_gradient_and_old_argument_names():
    x = RNG.standard_normal((4, 3, 2))
    lengths = np.array([4, 0, 2], np.int32)
    check_gradient(lambda a, n: gf.reverse_sequence(a, n, seq_axis=0, batch_axis=1),
                   [x, lengths], wrt=[0])
    out = gf.reverse_sequence(gf.constant(x), lengths, seq_dim=0, batch_dim=1)
    np.testing.assert_allclose(evaluate(out), _reverse_sequence_reference(x, lengths, 0, 1))
    assert out.shape.as_list() == [4, 3, 2] and out.dtype == gf.float64


def test_reverse_sequence_errors():
    x = gf.placeholder(gf.float32, [2, 3])
    with pytest.raises(ValueError, match="seq_axis is required"):
        gf.reverse_sequence(x, [1, 2])
    with pytest.raises(ValueError, match="both 'seq_axis' and 'seq_dim'"):
        gf.reverse_sequence(x, [1, 2], seq_axis=1, seq_dim=1)
    with pytest.raises(ValueError, match="must differ"):
        gf.reverse_sequence(x, [1, 2], seq_axis=0)
    with pytest.raises(ValueError, match="3 entries"):
        gf.reverse_sequence(x, [1, 2, 3], seq_axis=1)
    with pytest.raises(ValueError, match="1-D integer"):
        gf.reverse_sequence(x, [1.0, 2.0], seq_axis=1)
    out = gf.reverse_sequence(x, gf.placeholder(gf.int32, [None]), seq_axis=1)
    with pytest.raises(gf.errors.InvalidArgumentError, match="do not fit"):
        evaluate(out, {x: np.zeros((2, 3)), out.op.inputs[1]: [1, 4]})
