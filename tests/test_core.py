"""Graph IR, session semantics and autodiff walker basics."""

import collections

import numpy as np
import pytest

import graphflow as gf
from tests.helpers import check_gradient, evaluate


def test_names_scopes_and_lookup():
    with gf.name_scope("layer"):
        a = gf.constant(1.0, name="a")
        b = gf.constant(2.0, name="a")
    assert a.name == "layer/a:0" and b.name == "layer/a_1:0"
    g = gf.get_default_graph()
    assert g.get_tensor_by_name("layer/a:0") is a
    assert g.get_operation_by_name("layer/a_1") is b.op
    with pytest.raises(KeyError):
        g.get_operation_by_name("nope")


def test_shape_error_names_op_shapes_and_user_line():
    x = gf.placeholder(gf.float32, [2, 3])
    y = gf.placeholder(gf.float32, [4])
    with pytest.raises(ValueError) as err:
        x + y  # noqa: B018
    msg = str(err.value)
    assert "(2, 3)" in msg and "(4,)" in msg and "Add" in msg
    assert "test_core.py" in msg


def test_dtype_mismatch_is_an_error():
    x = gf.constant(1.0, dtype=gf.float32)
    y = gf.constant(1.0, dtype=gf.float64)
    with pytest.raises(TypeError, match="float32, float64"):
        gf.add(x, y)


def test_fetch_structures():
    a = gf.constant(1.0)
    b = gf.constant([2, 3])
    Pair = collections.namedtuple("Pair", "x y")
    out = evaluate({"a": a, "rest": [b, (a, Pair(a, b))], "op": gf.no_op()})
    assert out["a"] == 1.0 and out["op"] is None
    np.testing.assert_array_equal(out["rest"][0], [2, 3])
    assert isinstance(out["rest"][1], tuple) and out["rest"][1][1].y.tolist() == [2, 3]


def test_feed_any_tensor_skips_its_producers():
    x = gf.placeholder(gf.float32, [])
    y = x * 2.0
    z = y + 1.0
    assert evaluate(z, {y: 10.0}) == 11.0
    assert evaluate(z, {"Placeholder:0": 1.0}) == 3.0


def test_unfed_placeholder_and_bad_feed_shape():
    x = gf.placeholder(gf.float32, [None, 2], name="inp")
    with pytest.raises(gf.errors.InvalidArgumentError, match="inp"):
        evaluate(x * 2.0)
    with pytest.raises(ValueError, match="inp:0"):
        evaluate(x * 2.0, {x: np.zeros((2, 3))})


def test_runtime_error_names_op_and_line():
    x = gf.placeholder(gf.float32, None)
    y = gf.reshape(x, [3, 3])
    with pytest.raises(gf.errors.InvalidArgumentError) as err:
        evaluate(y, {x: np.zeros(4)})
    assert "Reshape" in str(err.value) and "test_core.py" in str(err.value)


def test_control_dependencies_run_once_in_order():
    v = gf.Variable(0.0, name="counter")
    inc = v.assign_add(1.0)
    with gf.control_dependencies([inc]):
        out = gf.identity(gf.constant(5.0))
    with gf.Session() as sess:
        sess.run(v.initializer)
        sess.run([out, inc])
        assert sess.run(v) == 1.0


def test_uninitialized_variable_error_names_it():
    v = gf.Variable([1.0, 2.0], name="weights")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.FailedPreconditionError, match="weights"):
            sess.run(v * 2.0)


def test_variable_state_lives_in_each_session():
    v = gf.Variable(1.0)
    inc = v.assign_add(1.0)
    with gf.Session() as s1, gf.Session() as s2:
        s1.run(v.initializer)
        s2.run(v.initializer)
        s1.run(inc)
        assert s1.run(v) == 2.0 and s2.run(v) == 1.0


def test_closed_session_refuses_to_run():
    sess = gf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed"):
        sess.run(gf.constant(1))


def test_eval_uses_default_session():
    t = gf.constant(3.0) * 2.0
    with gf.Session():
        assert t.eval() == 6.0


def test_gradients_sum_paths_and_unconnected_is_none():
    x = gf.placeholder(gf.float64, [])
    unrelated = gf.placeholder(gf.float64, [])
    y = x * x + x
    gx, gu = gf.gradients(y, [x, unrelated])
    assert gu is None
    assert evaluate(gx, {x: 3.0}) == 7.0


def test_gradients_stop_gradient_and_integers():
    x = gf.placeholder(gf.float64, [])
    y = gf.stop_gradient(x * 2.0) * x
    (gx,) = gf.gradients(y, x)
    assert evaluate(gx, {x: 3.0}) == 6.0
    i = gf.placeholder(gf.int32, [])
    assert gf.gradients(gf.cast(i, gf.float32) * 2.0, i) == [None]


def test_broadcast_gradient_reduces_to_input_shape():
    check_gradient(lambda a, b: a * b + b, [np.random.rand(3, 4), np.random.rand(4)])
    check_gradient(lambda a, b: a / b, [np.random.rand(2, 1, 3), np.random.rand(4, 1) + 1])


def test_plan_cache_is_independent_of_feed_order():
    a = gf.placeholder(gf.float32, [])
    b = gf.placeholder(gf.float32, [])
    c = a - b
    with gf.Session() as sess:
        assert sess.run(c, {a: 3.0, b: 1.0}) == 2.0
        assert sess.run(c, {b: 1.0, a: 3.0}) == 2.0
        assert len(sess._calls) == 1


def test_finalized_graph_refuses_new_ops():
    g = gf.Graph()
    with g.as_default():
        gf.constant(1.0)
        g.finalize()
        with pytest.raises(RuntimeError, match="finalized"):
            gf.constant(2.0)


def test_reads_under_control_dependencies_see_the_assignment():
    v = gf.Variable(1.0, name="v")
    add = gf.assign_add(v, 10.0)
    with gf.control_dependencies([add]):
        after = gf.identity(v)
        scaled = v * 1.0
    (grad,) = gf.gradients(scaled, [v])
    with gf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 11.0
        assert sess.run(scaled) == 21.0
        assert sess.run(grad) == 1.0
        sess.run(gf.assign(v, 5.0))
        assert sess.run(v) == 5.0
