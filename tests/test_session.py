"""Session: plan cache, feeds, concurrent runs, graph growth, callables, run options."""

import inspect
import threading
import warnings
from unittest import mock

import numpy as np
import pytest

import graphflow as gf
import graphflow.session as session_module
from graphflow.runtime import schedule
from graphflow.runtime.tracing import RunMetadata, RunOptions


def _line():
    return inspect.currentframe().f_back.f_lineno


def test_one_plan_serves_any_order_of_fetches_and_feeds():
    a = gf.placeholder(gf.float32, [], name="a")
    b = gf.placeholder(gf.float32, [], name="b")
    s, d = a + b, a - b
    with gf.Session() as sess:
        assert sess.run([s, d], {a: 3.0, b: 1.0}) == [4.0, 2.0]
        assert sess.run([d, s], {b: 1.0, a: 3.0}) == [2.0, 4.0]
        assert sess.run({"d": d, "s": s}, {"a:0": 3.0, "b:0": 1.0}) == {"d": 2.0, "s": 4.0}
        assert sess.run((s, d), {b: 1.0, a: 3.0}) == (4.0, 2.0)
        assert len(sess._plans) == 1
        sess.run(s, {a: 1.0, b: 1.0})
        assert len(sess._plans) == 2


def test_steady_state_runs_do_not_compile():
    x = gf.placeholder(gf.float64, [])
    y = x * 2.0
    with gf.Session() as sess, mock.patch.object(
            session_module, "compile_plan", wraps=session_module.compile_plan) as compile_plan:
        for k in range(5):
            assert sess.run(y, {x: float(k)}) == 2.0 * k
        assert compile_plan.call_count == 1


def test_feeds_of_the_right_dtype_are_not_copied():
    x = gf.placeholder(gf.float32, [None, 3])
    y = gf.identity(x)
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    value.flags.writeable = False
    with gf.Session() as sess:
        assert sess.run(y, {x: value}) is value
        assert sess.run(x, {x: value}) is value
        converted = sess.run(y, {x: value.astype(np.float64)})
        assert converted.dtype == np.float32


def test_feed_errors_name_the_tensor():
    x = gf.placeholder(gf.float32, [2], name="pts")
    with gf.Session() as sess:
        with pytest.raises(ValueError, match="pts:0"):
            sess.run(x * 2.0, {x: np.zeros(3)})
        with pytest.raises(gf.errors.InvalidArgumentError, match="must feed a value.*pts"):
            sess.run(x * 2.0)


@pytest.mark.parametrize("threads", [1, 4])
def test_eight_threads_running_one_session_each_get_their_answer(threads):
    x = gf.placeholder(gf.float64, [8, 8])
    branches = [gf.matmul(x, x) + float(k) for k in range(4)]
    out = gf.add_n(branches)
    config = gf.ConfigProto(inter_op_parallelism_threads=threads)
    with mock.patch.object(schedule, "HEAVY_WORK", -1), gf.Session(config=config) as sess:
        sess.run(out, {x: np.eye(8)})
        errors = []

        def worker(k):
            value = np.full((8, 8), float(k))
            expected = 4 * (value @ value) + 6.0
            for _ in range(25):
                got = sess.run([out, x], {x: value})
                if not (np.array_equal(got[0], expected) and got[1] is value):
                    errors.append(k)

        threads_ = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads_:
            t.start()
        for t in threads_:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads_)
        assert errors == []
        assert list(sess._calls.values())[-1].plan.parallel is (threads > 1)


def test_growing_graph_between_runs_warns_once_naming_the_line():
    x = gf.placeholder(gf.float32, [])
    with gf.Session() as sess:
        sess.run(x + 1.0, {x: 1.0})
        with pytest.warns(UserWarning, match="gained new ops") as record:
            for k in range(2 * session_module.GROWTH_WARNING_RUNS):
                y = x * float(k)
                line = _line() - 1
                sess.run(y, {x: 1.0})
        assert len(record) == 1
        assert f"test_session.py:{line}" in str(record[0].message)
        assert record[0].filename == __file__


def test_static_graph_does_not_warn():
    x = gf.placeholder(gf.float32, [])
    y = x + 1.0
    with gf.Session() as sess, warnings.catch_warnings():
        warnings.simplefilter("error")
        for k in range(3 * session_module.GROWTH_WARNING_RUNS):
            sess.run(y, {x: float(k)})


def test_finalized_graph_refuses_new_ops():
    g = gf.Graph()
    with g.as_default():
        x = gf.placeholder(gf.float32, [])
        y = x + 1.0
        g.finalize()
        with pytest.raises(RuntimeError, match="finalized"):
            x * 2.0
        with gf.Session(graph=g) as sess:
            assert sess.run(y, {x: 1.0}) == 2.0


def test_make_callable_runs_positionally_and_accepts_options():
    x = gf.placeholder(gf.float32, [])
    y = gf.placeholder(gf.float32, [])
    with gf.Session() as sess:
        f = sess.make_callable([x * y, x], [x, y])
        assert f(2.0, 3.0) == [6.0, 2.0]
        with pytest.raises(TypeError, match="takes 2 feed values"):
            f(1.0)
        traced = sess.make_callable(x * y, [x, y], accept_options=True)
        metadata = RunMetadata()
        assert traced(2.0, 4.0, options=RunOptions(trace_level=RunOptions.FULL_TRACE),
                      run_metadata=metadata) == 8.0
        assert [n.op_type for n in metadata.step_stats.dev_stats[0].node_stats] == ["Mul"]


def test_run_options_without_tracing_leave_metadata_empty():
    x = gf.placeholder(gf.float32, [])
    with gf.Session() as sess:
        metadata = RunMetadata()
        assert sess.run(x + 1.0, {x: 1.0}, options=RunOptions(),
                        run_metadata=metadata) == 2.0
        assert metadata.step_stats.dev_stats == []


def test_fetching_an_op_returns_none_and_runs_it():
    v = gf.Variable(1.0)
    with gf.Session() as sess:
        assert sess.run(v.initializer) is None
        assert sess.run([v.assign_add(2.0).op, v.initializer]) == [None, None]
        assert sess.run(v) == 3.0  # stateful ops run in graph order: init, then add


def test_fetched_constants_and_variables_are_returned_as_writable_copies():
    c = gf.constant([1.0, 2.0])
    v = gf.Variable([3.0, 4.0])
    x = gf.placeholder(gf.float32, [2])
    fresh = x * 2.0
    with gf.Session() as sess:
        sess.run(v.initializer)
        got_c, got_v, got_read, got_fresh = sess.run([c, v, v.read_value(), fresh],
                                                     {x: [1.0, 1.0]})
        got_c += 1.0
        got_v += 1.0
        got_read += 1.0
        single = sess.run(v)
        single += 1.0
        np.testing.assert_array_equal(sess.run(gf.stack([c, v])), [[1, 2], [3, 4]])
        assert got_fresh.flags.writeable
        sess.run(fresh, {x: [1.0, 1.0]})
        assert not list(sess._calls.values())[-1].copied  # fresh results are not copied


def _graph_with_counter(initial):
    """A graph declaring variable ``counter`` and an op adding one to it."""
    graph = gf.Graph()
    with graph.as_default():
        counter = gf.Variable(np.float32(initial), name="counter")
        bump = counter.assign_add(1.0)
    return graph, counter, bump


def test_sessions_sharing_variables_see_each_others_updates():
    g1, c1, bump1 = _graph_with_counter(0.0)
    g2, c2, bump2 = _graph_with_counter(0.0)
    first = gf.Session(graph=g1)
    first.run(c1.initializer)
    second = gf.Session(graph=g2, share_variables_with=first)  # no initializer run
    assert second.run(c2) == 0.0
    second.run(bump2)
    assert first.run(c1) == 1.0
    first.run(bump1)
    assert second.run(c2) == 2.0


def test_share_variables_with_keeps_compiled_plans_and_moves_missing_values():
    g1, c1, bump1 = _graph_with_counter(0.0)
    g2, c2, _ = _graph_with_counter(0.0)
    with g2.as_default():
        other = gf.Variable(np.float32(7.0), name="other")
    first, second = gf.Session(graph=g1), gf.Session(graph=g2)
    first.run(c1.initializer)
    second.run([c2.initializer, other.initializer])
    with g2.as_default():
        second.run(c2.assign(5.0))
    run_first = first.make_callable(bump1)  # compiled before sharing
    first.share_variables_with(second)
    run_first()
    assert second.run(c2) == 6.0  # the shared store's value won, then the update landed
    assert first.run(c1) == 6.0
    with g1.as_default():
        seen = gf.Variable(np.float32(0.0), name="other")  # declared only, never initialized
    assert first.run(seen) == 7.0


def test_sessions_keep_freed_memory_for_reuse():
    """After a Session exists, glibc keeps large freed blocks (no page faults per step)."""
    import sys

    from graphflow.runtime import allocator

    gf.Session().close()
    assert allocator._applied == sys.platform.startswith("linux")
    allocator.keep_freed_memory()  # idempotent
