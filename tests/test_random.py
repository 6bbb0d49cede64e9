"""Random ops: distributions, TF1's seed rule, determinism across sessions, shapes."""

import numpy as np
import pytest

import graphflow as gf
from tests.helpers import check_static, evaluate


def run_twice(t, feed=None):
    """Two runs in one session (the stream advances) and one in a fresh session."""
    with gf.Session() as sess:
        first, second = sess.run(t, feed), sess.run(t, feed)
    with gf.Session() as sess:
        again = sess.run(t, feed)
    return first, second, again


@pytest.mark.parametrize("build", [
    lambda: gf.random_normal([3, 4], seed=1),
    lambda: gf.truncated_normal([3, 4], seed=1),
    lambda: gf.random_uniform([3, 4], seed=1),
    lambda: gf.random_uniform([3, 4], maxval=100, dtype=gf.int64, seed=1),
    lambda: gf.random_shuffle(gf.constant(np.arange(10)), seed=1),
    lambda: gf.multinomial(gf.zeros([3, 5]), 8, seed=1),
])
def test_same_seeds_same_numbers_in_every_session_and_runs_advance(build):
    t = build()
    first, second, again = run_twice(t)
    check_static(t, first)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_get_seed_rule():
    g = gf.get_default_graph()
    assert gf.get_seed(None) == (None, None)
    assert gf.get_seed(7) == (87654321, 7)
    gf.set_random_seed(5)
    assert g.seed == 5
    assert gf.get_seed(7) == (5, 7)
    seed, seed2 = gf.get_seed(None)
    assert seed == 5 and seed2 == g.version
    gf.set_random_seed(0)
    assert gf.get_seed(0) == (0, 2**31 - 1)
    assert gf.get_seed(2**31 + 3) == (0, 4)


def build_seeded_pair():
    gf.set_random_seed(42)
    return gf.random_normal([5]), gf.random_normal([5])


def test_graph_seed_gives_reproducible_programs_and_distinct_ops():
    with gf.Graph().as_default():
        a1, b1 = build_seeded_pair()
        va1, vb1 = evaluate([a1, b1], graph=a1.graph)
    with gf.Graph().as_default():
        a2, b2 = build_seeded_pair()
        va2, vb2 = evaluate([a2, b2], graph=a2.graph)
    np.testing.assert_array_equal(va1, va2)
    np.testing.assert_array_equal(vb1, vb2)
    assert not np.array_equal(va1, vb1)


def test_different_op_seeds_differ():
    a, b = gf.random_uniform([50], seed=1), gf.random_uniform([50], seed=2)
    va, vb = evaluate([a, b])
    assert not np.array_equal(va, vb)


def test_ops_sharing_seeds_have_their_own_streams():
    """Two ops with equal seeds must not interleave draws from one generator."""
    a, b = gf.random_normal([4], seed=3), gf.random_normal([4], seed=3)
    with gf.Session() as sess:
        va_alone = sess.run(a)
    with gf.Session() as sess:
        sess.run(b)
        va_after_b = sess.run(a)
    np.testing.assert_array_equal(va_alone, va_after_b)


def test_same_numbers_at_every_thread_count():
    """Independent random branches may run concurrently; each keeps its own stream."""
    gf.set_random_seed(11)
    branches = [gf.reduce_sum(gf.random_normal([64, 64]) * float(i)) for i in range(6)]
    branches.append(gf.random_uniform([8], seed=5) + gf.random_uniform([8], seed=5))
    results = []
    for threads in (1, 4):
        config = gf.ConfigProto(inter_op_parallelism_threads=threads)
        with gf.Session(config=config) as sess:
            results.append([sess.run(branches) for _ in range(3)])
    for one, many in zip(results[0], results[1], strict=True):
        for a, b in zip(one, many, strict=True):
            np.testing.assert_array_equal(a, b)


def test_normal_statistics_and_parameters():
    x = evaluate(gf.random_normal([20000], mean=3.0, stddev=2.0, seed=4))
    assert abs(x.mean() - 3.0) < 0.05 and abs(x.std() - 2.0) < 0.05
    x64 = gf.random_normal([2], dtype=gf.float64, seed=1)
    assert x64.dtype == gf.float64 and evaluate(x64).dtype == np.float64
    half = evaluate(gf.random_normal([3], dtype=gf.float16, seed=1))
    assert half.dtype == np.float16


def test_truncated_normal_bounds():
    x = evaluate(gf.truncated_normal([20000], mean=1.0, stddev=0.5, seed=5))
    assert x.min() >= 0.0 and x.max() <= 2.0
    assert abs(x.mean() - 1.0) < 0.02
    # The standard normal truncated at +-2 has standard deviation ~0.8796.
    assert abs(x.std() - 0.5 * 0.8796) < 0.01


def test_uniform_ranges_and_dtypes():
    x = evaluate(gf.random_uniform([10000], minval=-2.0, maxval=3.0, seed=6))
    assert x.dtype == np.float32 and x.min() >= -2.0 and x.max() < 3.0
    assert abs(x.mean() - 0.5) < 0.05
    ints = gf.random_uniform([1000], minval=5, maxval=8, dtype=gf.int32, seed=7)
    v = evaluate(ints)
    assert v.dtype == np.int32 and set(np.unique(v)) == {5, 6, 7}
    with pytest.raises(ValueError, match="maxval"):
        gf.random_uniform([2], dtype=gf.int32)
    bad = gf.random_uniform([2], minval=3, maxval=3, dtype=gf.int32)
    with pytest.raises(gf.errors.InvalidArgumentError, match="minval < maxval"):
        evaluate(bad)


def test_shuffle_permutes_first_axis():
    value = np.arange(12).reshape(6, 2)
    out = evaluate(gf.random_shuffle(value, seed=8))
    assert out.shape == (6, 2)
    assert sorted(out[:, 0].tolist()) == [0, 2, 4, 6, 8, 10]
    np.testing.assert_array_equal(out[:, 1], out[:, 0] + 1)  # rows stay whole


def test_multinomial_frequencies():
    logits = np.log(np.array([[0.2, 0.0, 0.8], [0.5, 0.5, 0.0]], np.float32) + 1e-30)
    samples = gf.multinomial(logits, 4000, seed=9)
    assert samples.shape.as_list() == [2, 4000] and samples.dtype == gf.int64
    v = evaluate(samples)
    counts = [np.bincount(row, minlength=3) / 4000 for row in v]
    np.testing.assert_allclose(counts[0], [0.2, 0.0, 0.8], atol=0.03)
    np.testing.assert_allclose(counts[1], [0.5, 0.5, 0.0], atol=0.03)
    small = gf.multinomial(logits, 3, output_dtype=gf.int32)
    assert evaluate(small).dtype == np.int32


def test_shapes_from_tensors_and_unknown_batch():
    x = gf.placeholder(gf.float32, [None, 3])
    noise = gf.random_normal(gf.shape(x), seed=1)
    assert noise.shape.as_list() == [None, 3]
    assert evaluate(noise, {x: np.zeros((5, 3))}).shape == (5, 3)
    n = gf.placeholder(gf.int32, [])
    mixed = gf.random_uniform([n, 2], seed=2)
    assert mixed.shape.as_list() == [None, 2]
    assert evaluate(mixed, {n: 4}).shape == (4, 2)
    fixed = gf.truncated_normal(gf.TensorShape([2, 2]))
    assert fixed.shape.as_list() == [2, 2]


def test_names_and_errors():
    t = gf.random_normal([2], mean=1.0, name="noise")
    assert t.op.name == "noise" and t.op.type == "Add"
    unit = gf.random_normal([2], name="unit")  # no scale or shift ops for N(0, 1)
    assert unit.op.name == "unit" and unit.op.type == "RandomStandardNormal"
    scaled = gf.random_uniform([2], maxval=gf.constant(2.0), name="scaled")
    assert scaled.op.type == "Add" and scaled.op.inputs[0].op.type == "Mul"
    with pytest.raises(TypeError):
        gf.random_normal([2], dtype=gf.int32)
    with pytest.raises(TypeError, match="integer"):
        gf.random_normal(gf.constant([2.0]))
    with pytest.raises(ValueError, match="2-D"):
        gf.multinomial(gf.zeros([3]), 2)


def test_unseeded_ops_differ_between_sessions_and_seeded_ones_do_not():
    unseeded = gf.random_uniform([4])
    seeded = gf.random_uniform([4], seed=3)
    with gf.Session() as s1, gf.Session() as s2:
        a, b = s1.run([unseeded, seeded]), s2.run([unseeded, seeded])
    assert not np.array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
