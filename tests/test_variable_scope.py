"""variable_scope / get_variable reuse rules, and the initializers."""

import numpy as np
import pytest

import graphflow as gf
from graphflow import init_ops
from graphflow.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_variable,
    get_variable_scope,
    no_regularizer,
    variable_scope,
)
from tests.helpers import evaluate


def test_names_follow_the_variable_scope_not_the_name_scope():
    with gf.name_scope("ns"), variable_scope("scope"):
        w = get_variable("w", [2, 3])
        c = gf.constant(1.0, name="c")
    assert w.name == "scope/w:0" and w.shape.as_list() == [2, 3]
    assert c.name == "ns/scope/c:0"
    assert w in gf.trainable_variables() and w in gf.global_variables()


def test_reuse_rules():
    with variable_scope("s"):
        w = get_variable("w", [2])
    with pytest.raises(ValueError, match="Variable s/w already exists, disallowed. Did you "
                                         "mean to set reuse=True"):
        with variable_scope("s"):
            get_variable("w", [2])
    with variable_scope("s", reuse=True):
        assert get_variable("w") is w
        with variable_scope("inner", reuse=False):
            assert get_variable_scope().reuse is True
        with pytest.raises(ValueError, match="Variable s/v does not exist"):
            get_variable("v", [2])
        with pytest.raises(ValueError, match="specified shape \\(3,\\) and found shape"):
            get_variable("w", [3])
    with variable_scope("s") as scope:
        scope.reuse_variables()
        assert get_variable("w") is w
    with variable_scope("s", reuse=AUTO_REUSE):
        assert get_variable("w") is w
        assert get_variable("fresh", [1]).name == "s/fresh:0"


def test_reentering_a_scope_object_and_default_names():
    with variable_scope("outer") as outer:
        a = gf.constant(0.0, name="a")
    with variable_scope(outer, reuse=True) as again:
        b = gf.constant(0.0, name="b")
        assert isinstance(again, VariableScope) and again.name == "outer" and again.reuse
    assert a.name == "outer/a:0" and b.name == "outer/b:0"
    names = []
    for _ in range(2):
        with variable_scope(None, default_name="dense"):
            names.append(get_variable("kernel", [1]).name)
    assert names == ["dense/kernel:0", "dense_1/kernel:0"]
    with variable_scope("again"):
        c = gf.constant(0.0, name="c")
    with variable_scope("again", reuse=True):
        d = gf.constant(0.0, name="d")
    assert c.name == "again/c:0" and d.name == "again_1/d:0"
    with pytest.raises(TypeError, match="default_name is None"):
        variable_scope(None)
    with pytest.raises(ValueError, match="reuse=True cannot be used"):
        variable_scope(None, default_name="x", reuse=True)


def test_scope_defaults_initializer_dtype_and_regularizer():
    with variable_scope("s", initializer=init_ops.constant_initializer(2.0),
                        regularizer=lambda v: gf.reduce_sum(v) * 0.5, dtype=gf.float64):
        w = get_variable("w", [3])
        b = get_variable("b", [2], initializer=init_ops.ones_initializer(),
                         regularizer=no_regularizer)
    assert w.dtype == gf.float64
    losses = gf.get_collection(gf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1 and losses[0].name.startswith("s/w/Regularizer/")
    got = evaluate([w, b, losses[0]])
    np.testing.assert_array_equal(got[0], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(got[1], [1.0, 1.0])
    assert got[2] == 3.0


def test_initializer_values_and_errors():
    v = get_variable("v", initializer=np.arange(3.0))
    i = get_variable("i", [2], dtype=gf.int32)
    t = get_variable("t", initializer=gf.constant([[1, 2]]))
    assert v.dtype == gf.float32 and t.shape.as_list() == [1, 2]
    got = evaluate([v, i, t])
    np.testing.assert_array_equal(got[0], [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(got[1], [0, 0])
    with pytest.raises(ValueError, match="do not specify shape"):
        get_variable("c", [3], initializer=gf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"must be fully defined"):
        get_variable("u", [None, 2])
    with pytest.raises(ValueError, match="An initializer for variable s of string"):
        get_variable("s", [1], dtype=gf.string)


def test_custom_getter_wraps_creation():
    seen = []

    def getter(next_getter, name, *args, **kwargs):
        seen.append(name)
        return next_getter(name, *args, **kwargs)

    with variable_scope("g", custom_getter=getter):
        get_variable("w", [1])
    assert seen == ["g/w"]


@pytest.mark.parametrize("init, check", [
    (init_ops.zeros_initializer(), lambda a: np.all(a == 0)),
    (init_ops.ones_initializer(), lambda a: np.all(a == 1)),
    (init_ops.constant_initializer([1, 2, 3, 4, 5, 6]),
     lambda a: a.tolist() == [[1, 2, 3], [4, 5, 6]]),
    (init_ops.random_uniform_initializer(-0.1, 0.1, seed=1),
     lambda a: a.min() >= -0.1 and a.max() < 0.1),
    (init_ops.truncated_normal_initializer(stddev=0.5, seed=1),
     lambda a: np.abs(a).max() <= 1.0),
    (init_ops.glorot_uniform_initializer(seed=2),
     lambda a: np.abs(a).max() <= np.sqrt(6.0 / 5.0)),
])
def test_initializers_shapes_and_ranges(init, check):
    value = evaluate(init([2, 3]))
    assert value.shape == (2, 3) and value.dtype == np.float32
    assert check(value)


def test_identity_initializer():
    value = evaluate(init_ops.identity_initializer(gain=2.0)([2, 3]))
    np.testing.assert_array_equal(value, 2.0 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        init_ops.identity_initializer()([2, 2, 2])


def test_variance_scaling_statistics():
    fan_in, fan_out = 400, 100
    for dist, scale in (("truncated_normal", 2.0), ("untruncated_normal", 1.0),
                        ("uniform", 3.0)):
        init = init_ops.variance_scaling_initializer(scale, "fan_in", dist, seed=3)
        value = evaluate(init([fan_in, fan_out], dtype=gf.float64))
        np.testing.assert_allclose(value.var(), scale / fan_in, rtol=0.1)
    with pytest.raises(ValueError, match="Invalid `mode`"):
        init_ops.variance_scaling_initializer(mode="fan")
    conv = init_ops.variance_scaling_initializer(1.0, "fan_out", "uniform", seed=1)
    value = evaluate(conv([3, 3, 8, 50]))
    np.testing.assert_allclose(value.var(), 1.0 / (9 * 50), rtol=0.1)


def test_orthogonal_initializer():
    for shape in ([6, 4], [4, 6], [2, 3, 4]):
        q = evaluate(init_ops.orthogonal_initializer(gain=1.5, seed=4)(shape))
        assert list(q.shape) == shape
        flat = q.reshape(-1, shape[-1]) / 1.5
        small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-5)


def test_seeded_initializers_repeat_across_graphs():
    values = []
    for _ in range(2):
        with gf.Graph().as_default() as g:
            gf.set_random_seed(7)
            w = get_variable("w", [3, 3])
            values.append(evaluate(w, graph=g))
    np.testing.assert_array_equal(values[0], values[1])


def test_initializers_namespace_and_config():
    init = init_ops.initializers.truncated_normal(stddev=0.2, seed=5)
    assert isinstance(init, init_ops.truncated_normal_initializer)
    config = init.get_config()
    assert config == {"mean": 0.0, "stddev": 0.2, "seed": 5, "dtype": "float32"}
    again = type(init).from_config(config)
    assert again.stddev == 0.2
