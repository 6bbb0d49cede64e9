"""Runtime: plans, the sequential and pool runners, memory planning, tracing, numerics.

The sequential runner is the reference; the pool runner is checked against it with
``all_heavy()``, which makes every step of plans compiled inside it a pool task, so small
graphs exercise the pool as hard as large ones would.
"""

import contextlib
import gc
import json
import threading
import time
import tracemalloc
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphflow as gf
from graphflow.debugging import add_check_numerics_ops, check_numerics
from graphflow.errors import InvalidArgumentError
from graphflow.ops.op_utils import infer_unary, make
from graphflow.ops.registry import define_op
from graphflow.runtime import schedule
from graphflow.runtime.plan import compile_plan
from graphflow.runtime.sequential import run_sequential
from graphflow.runtime.state import RunState
from graphflow.runtime.tracing import RunMetadata, RunOptions
from tests.helpers import check_gradient

SLEEPS = []  # one entry per executed TestRuntimeSleep step


def _sleep_kernel(x, seconds):
    SLEEPS.append(seconds)
    time.sleep(seconds)
    return x.copy()


def _raise_kernel(x):
    raise ValueError("deliberate failure")


NESTED_RUNS = []  # the function TestRuntimeNested calls: a Session.run of another graph


def _nested_kernel(x):
    return x + NESTED_RUNS[-1]()


define_op("TestRuntimeSleep", infer=infer_unary, kernel=_sleep_kernel)
define_op("TestRuntimeRaise", infer=infer_unary, kernel=_raise_kernel)
define_op("TestRuntimeNested", infer=infer_unary, kernel=_nested_kernel)


@contextlib.contextmanager
def all_heavy():
    """Plans compiled inside send every step to the pool (when threads > 1)."""
    with mock.patch.object(schedule, "HEAVY_WORK", -1):
        yield


def session(threads, **config):
    """A session running the graph as built: these tests look at the runtime's own plans,
    so the optimizer (tested in test_passes.py) stays off unless a test turns it on."""
    config.setdefault("optimize", False)
    return gf.Session(config=gf.ConfigProto(inter_op_parallelism_threads=threads, **config))


def compiled_plan(sess):
    """The plan of the fetch structure ``sess`` compiled last."""
    return list(sess._calls.values())[-1].plan


def traced_run(sess, fetches, feed_dict=None):
    metadata = RunMetadata()
    out = sess.run(fetches, feed_dict, options=RunOptions(trace_level=RunOptions.FULL_TRACE),
                   run_metadata=metadata)
    return out, metadata


# ---- random DAGs ----------------------------------------------------------------------

_KINDS = {
    "add": (2, np.add, gf.add), "mul": (2, np.multiply, gf.multiply),
    "sub": (2, np.subtract, gf.subtract), "max": (2, np.maximum, gf.maximum),
    "neg": (1, np.negative, gf.negative), "tanh": (1, np.tanh, gf.tanh),
    "matmul": (2, np.matmul, gf.matmul),
    "addn": (3, lambda a, b, c: a + b + c, lambda a, b, c: gf.add_n([a, b, c])),
}


@st.composite
def dags(draw):
    """Nodes as (kind, input indices, control indices); negative indices are feeds."""
    nodes = []
    for i in range(draw(st.integers(1, 20))):
        kind = draw(st.sampled_from(sorted(_KINDS)))
        inputs = [draw(st.integers(-2, i - 1)) for _ in range(_KINDS[kind][0])]
        control = draw(st.lists(st.integers(0, i - 1), max_size=2)) if i else []
        nodes.append((kind, inputs, control))
    fetched = draw(st.lists(st.integers(0, len(nodes) - 1), min_size=1, max_size=3))
    return nodes, fetched


def build_dag(nodes):
    feeds = [gf.placeholder(gf.float64, [4, 4]) for _ in range(2)]
    tensors = []
    for kind, inputs, control in nodes:
        args = [feeds[-k - 1] if k < 0 else tensors[k] for k in inputs]
        with gf.control_dependencies([tensors[c].op for c in control]):
            tensors.append(_KINDS[kind][2](*args))
    return feeds, tensors


def reference_dag(nodes, feed_values):
    values = []
    for kind, inputs, _ in nodes:
        args = [feed_values[-k - 1] if k < 0 else values[k] for k in inputs]
        values.append(_KINDS[kind][1](*args))
    return values


@settings(max_examples=30, deadline=None)
@given(dags(), st.integers(0, 2**31 - 1))
def test_random_dags_run_in_dependency_order_once_with_identical_bits(dag, seed):
    nodes, fetched = dag
    with gf.Graph().as_default():
        feeds, tensors = build_dag(nodes)
        rng = np.random.default_rng(seed)
        feed_values = [rng.uniform(-1, 1, (4, 4)) for _ in feeds]
        feed_dict = dict(zip(feeds, feed_values, strict=True))
        fetches = [tensors[k] for k in fetched]
        expected = [reference_dag(nodes, feed_values)[k] for k in fetched]
        for threads in (1, 2, 3, 4):
            with all_heavy():
                sess = session(threads)
                got, metadata = traced_run(sess, fetches, feed_dict)
            assert compiled_plan(sess).parallel == (threads > 1)
            for g, e in zip(got, expected, strict=True):
                np.testing.assert_array_equal(g, e)
            if threads == 1:
                reference_bits = [g.tobytes() for g in got]
            assert [g.tobytes() for g in got] == reference_bits
            check_trace_order(compiled_plan(sess), metadata)


def check_trace_order(plan, metadata):
    """Every plan step ran exactly once, after the steps it depends on had finished."""
    stats = {n.node_name: n for n in metadata.step_stats.dev_stats[0].node_stats}
    assert len(stats) == len(metadata.step_stats.dev_stats[0].node_stats)
    assert set(stats) == {op.name for op in plan.ops}
    for op in plan.ops:
        start = stats[op.name].all_start_micros
        for pred in [t.op for t in op.inputs] + list(op.control_inputs):
            if pred.name in stats:
                p = stats[pred.name]
                assert p.all_start_micros + p.all_end_rel_micros <= start + 0.5


# ---- runner choice and scheduling -----------------------------------------------------

def matmul_chains(count, length, n=256):
    x = gf.placeholder(gf.float64, [n, n])
    outs = []
    for _ in range(count):
        y = x
        for _ in range(length):
            y = gf.matmul(y, x)
        outs.append(y)
    return x, outs


def test_runner_is_chosen_per_plan_from_the_work_that_can_overlap():
    x, (a, b) = matmul_chains(2, 3)
    feed = {x: np.eye(256)}
    for threads, fetches, parallel in ((4, [a, b], True), (4, a, False), (1, [a, b], False)):
        sess = session(threads)
        sess.run(fetches, feed)
        assert compiled_plan(sess).parallel is parallel
    sess = session(4, check_numerics=True)
    sess.run([a, b], feed)
    assert not compiled_plan(sess).parallel


def test_pool_results_equal_sequential_on_real_heavy_branches():
    x, outs = matmul_chains(3, 2, n=384)
    total = gf.add_n(outs)
    value = np.random.default_rng(1).uniform(-1, 1, (384, 384)) / 16
    reference = session(1).run(total, {x: value})
    sess = session(3)
    assert sess.run(total, {x: value}).tobytes() == reference.tobytes()
    assert compiled_plan(sess).parallel


def test_stateful_ops_run_in_plan_order_for_any_thread_count():
    v = gf.Variable(np.float64(1.0))
    doubled = v.assign(v * 2.0)
    with gf.control_dependencies([doubled]):
        plus = v.assign_add(3.0)
    updates = gf.group(doubled, plus, v.assign_add(10.0))
    results = []
    for threads in (1, 2, 4):
        with all_heavy():
            sess = session(threads)
            sess.run(v.initializer)
            sess.run(updates)
        results.append(sess.run(v))
    assert results == [results[0]] * 3


def test_compile_plan_and_run_sequential_serve_sub_plans():
    x = gf.placeholder(gf.float32, [2])
    y = x * 3.0 + 1.0
    plan = compile_plan([y], [x], RunState())
    values = [None] * plan.num_slots
    ((_, slot),) = plan.feed_slots
    values[slot] = np.array([1.0, 2.0], np.float32)
    run_sequential(plan, values)
    np.testing.assert_array_equal(values[plan.fetch_slots[0]], [4.0, 7.0])


def test_compile_leaves_the_garbage_collector_enabled_even_when_it_fails():
    x = gf.placeholder(gf.float32, [2], name="unfed")
    with pytest.raises(InvalidArgumentError, match="must feed a value.*unfed"):
        compile_plan([x * 2.0], [], RunState())
    assert gc.isenabled()


# ---- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 2])
def test_failing_node_cancels_the_run_and_names_the_op(threads):
    x = gf.placeholder(gf.float64, [4])
    bad = make("TestRuntimeRaise", (x,), name="bad")
    line = _line() - 1
    slow = [make("TestRuntimeSleep", (x,), {"seconds": 0.05}) for _ in range(6)]
    out = gf.add_n(slow + [bad + 1.0])
    threads_before = threading.active_count()
    del SLEEPS[:]
    with all_heavy():
        sess = session(threads)
        start = time.perf_counter()
        with pytest.raises(InvalidArgumentError) as info:
            sess.run(out, {x: np.zeros(4)})
    assert time.perf_counter() - start < 2.0
    message = str(info.value)
    assert "deliberate failure" in message and "'bad' (type TestRuntimeRaise)" in message
    assert "input shapes [(4,)]" in message and f"test_runtime.py:{line}" in message
    assert info.value.op is bad.op
    assert len(SLEEPS) < 6  # the run stopped early, skipping queued steps
    assert sess.run(x * 2.0, {x: np.ones(4)}).tolist() == [2.0] * 4
    with pytest.raises(InvalidArgumentError):
        sess.run(out, {x: np.zeros(4)})
    assert threading.active_count() <= threads_before + threads


def _line():
    import inspect

    return inspect.currentframe().f_back.f_lineno


# ---- memory ---------------------------------------------------------------------------

def elementwise_chain(x, length):
    y = x
    for i in range(length):
        y = y * 1.0001 if i % 2 else y + 0.5
    return y


def reference_chain(value, length):
    y = value
    for i in range(length):
        y = y * 1.0001 if i % 2 else y + 0.5
    return y


def peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("threads", [1, 2])
def test_long_elementwise_chain_holds_a_few_arrays(threads):
    x = gf.placeholder(gf.float64, [1 << 16])
    y = elementwise_chain(x, 30)
    value = np.random.default_rng(0).uniform(size=1 << 16)
    value.flags.writeable = False  # the runtime must never write into a feed
    with all_heavy():
        sess = session(threads)
        sess.run(y, {x: value})
    assert compiled_plan(sess).inplace  # the chain reuses dead buffers
    peak = peak_bytes(lambda: sess.run(y, {x: value}))
    assert peak <= 4 * value.nbytes
    np.testing.assert_array_equal(sess.run(y, {x: value}), reference_chain(value, 30))


def test_values_are_freed_after_last_use_without_inplace_kernels():
    x = gf.placeholder(gf.float64, [1 << 16])
    y = x
    for _ in range(30):
        y = gf.rsqrt(y)  # not a ufunc kernel: every step allocates
    value = np.random.default_rng(0).uniform(1, 2, size=1 << 16)
    sess = session(1)
    sess.run(y, {x: value})
    assert not compiled_plan(sess).inplace
    assert peak_bytes(lambda: sess.run(y, {x: value})) <= 4 * value.nbytes


def test_inplace_never_touches_fetched_shared_constant_or_variable_buffers():
    n = 1 << 14
    x = gf.placeholder(gf.float64, [n])
    c = gf.constant(np.arange(n, dtype=np.float64))
    v = gf.Variable(np.ones(n))
    shared = x * 2.0
    early = shared + 1.0
    late = elementwise_chain(early, 6)
    other = shared * 3.0
    from_const = (c + 0.0) * 2.0
    from_var = (v + 0.0) * 2.0
    value = np.arange(n, dtype=np.float64)
    sess = session(1)
    sess.run(v.initializer)
    got = sess.run([early, late, other, from_const, from_var], {x: value})
    assert compiled_plan(sess).inplace
    np.testing.assert_array_equal(got[0], value * 2.0 + 1.0)
    np.testing.assert_array_equal(got[1], reference_chain(value * 2.0 + 1.0, 6))
    np.testing.assert_array_equal(got[2], value * 2.0 * 3.0)
    np.testing.assert_array_equal(got[3], np.arange(n) * 2.0)
    np.testing.assert_array_equal(got[4], np.full(n, 2.0))
    np.testing.assert_array_equal(sess.run(v), np.ones(n))
    np.testing.assert_array_equal(value, np.arange(n))


def test_small_arrays_and_broadcasting_results_are_not_computed_in_place():
    x = gf.placeholder(gf.float64, [8])
    wide = gf.placeholder(gf.float64, [None, 1 << 14])
    small = elementwise_chain(x, 4)
    grown = (wide * 2.0) + gf.ones([4, 1 << 14], gf.float64)
    sess = session(1)
    sess.run([small, grown], {x: np.ones(8), wide: np.ones((1, 1 << 14))})
    assert not compiled_plan(sess).inplace


# ---- tracing --------------------------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 2])
def test_full_trace_records_each_node_with_shapes_bytes_and_threads(threads):
    x = gf.placeholder(gf.float32, [3, 4])
    y = gf.matmul(x, x, transpose_b=True, name="gram")
    z = gf.add(y, 1.0, name="shifted")
    with all_heavy():
        sess = session(threads)
        _, metadata = traced_run(sess, z, {x: np.ones((3, 4), np.float32)})
    nodes = metadata.step_stats.dev_stats[0].node_stats
    assert sorted(n.node_name for n in nodes) == sorted(op.name for op in compiled_plan(sess).ops)
    gram = next(n for n in nodes if n.node_name == "gram")
    assert gram.op_type == "MatMul" and gram.output_shapes == [(3, 3)]
    assert gram.output_bytes == [36] and gram.all_end_rel_micros >= 0
    main = threading.get_ident()
    assert all((n.thread_id == main) == (threads == 1) for n in nodes)
    trace = json.loads(metadata.chrome_trace())
    events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert sorted(e["args"]["name"] for e in events) == sorted(n.node_name for n in nodes)
    for e in events:
        assert e["dur"] >= 0 and isinstance(e["tid"], int) and e["ts"] > 0
    assert {e["name"] for e in events} >= {"MatMul", "Add"}


def test_plain_runs_execute_the_untraced_program():
    x = gf.placeholder(gf.float64, [2])
    y = x + x
    sess = session(1)
    _, metadata = traced_run(sess, y, {x: np.ones(2)})
    assert metadata.step_stats.dev_stats[0].node_stats
    assert compiled_plan(sess).program[0][0] is np.add
    sess.run(y, {x: np.ones(2)}, options=RunOptions(), run_metadata=RunMetadata())


def test_trace_of_a_failed_run_keeps_the_finished_nodes():
    x = gf.placeholder(gf.float64, [2])
    y = gf.exp(x, name="before")
    bad = make("TestRuntimeRaise", (y,))
    metadata = RunMetadata()
    with pytest.raises(InvalidArgumentError):
        gf.Session().run(bad, {x: np.ones(2)}, run_metadata=metadata,
                         options=RunOptions(trace_level=RunOptions.FULL_TRACE))
    assert [n.node_name for n in metadata.step_stats.dev_stats[0].node_stats] == ["before"]


# ---- numerics -------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("value,kind", [(-1.0, "NaN"), (0.0, "Inf"), ([0.0, -1.0], "Inf and NaN")])
def test_check_numerics_op_reports_nan_and_inf(value, kind):
    x = gf.placeholder(gf.float64)
    checked = check_numerics(gf.log(x), "log of x")
    with pytest.raises(InvalidArgumentError, match=f"log of x : Tensor had {kind} values"):
        gf.Session().run(checked, {x: value})


def test_check_numerics_passes_finite_values_and_gradients():
    x = gf.placeholder(gf.float32, [2])
    assert gf.Session().run(check_numerics(x * 2.0, "ok"), {x: [1, 2]}).tolist() == [2, 4]
    with pytest.raises(TypeError, match="floating"):
        check_numerics(gf.constant([1, 2]), "ints")
    check_gradient(lambda t: check_numerics(t * t, "square"), [np.array([0.5, -2.0])])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_add_check_numerics_ops_names_the_first_bad_tensor():
    x = gf.placeholder(gf.float64, [2])
    y = gf.log(x, name="logx")
    z = gf.exp(y * 1e3, name="big")
    check = add_check_numerics_ops()
    sess = gf.Session()
    np.testing.assert_allclose(sess.run([z, check], {x: [1.0, 1.0]})[0], [1.0, 1.0])
    with pytest.raises(InvalidArgumentError, match="logx:0 : Tensor had NaN values"):
        sess.run([z, check], {x: [-1.0, 1.0]})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_config_check_numerics_names_the_first_op_and_user_line():
    x = gf.placeholder(gf.float64, [2])
    y = gf.log(x, name="first_bad")
    line = _line() - 1
    z = gf.sqrt(y * 2.0)
    with pytest.raises(InvalidArgumentError) as info:
        session(2, check_numerics=True).run(z, {x: [-1.0, 1.0]})
    message = str(info.value)
    assert "NaN" in message and "'first_bad' (type Log)" in message
    assert f"test_runtime.py:{line}" in message
    assert np.isnan(gf.Session().run(z, {x: [-1.0, 1.0]})[0])  # off by default


def test_a_run_started_inside_a_pool_kernel_does_not_deadlock():
    with gf.Graph().as_default() as inner_graph:
        ix, branches = matmul_chains(2, 1)
    inner = gf.Session(graph=inner_graph, config=gf.ConfigProto(inter_op_parallelism_threads=2))
    NESTED_RUNS.append(lambda: inner.run(branches, {ix: np.eye(256)})[0][0, 0])
    x = gf.placeholder(gf.float64, [2])
    outs = [make("TestRuntimeNested", (x,)) for _ in range(4)]
    results = []

    def run_twice():
        with all_heavy():
            sess = session(2)
            results.append(sess.run(outs, {x: np.zeros(2)}))
        results.append(sess.run(outs, {x: np.zeros(2)}))

    runner = threading.Thread(target=run_twice, daemon=True)
    runner.start()
    runner.join(timeout=20)
    assert not runner.is_alive(), "nested pool runs deadlocked"
    assert [[r.tolist() for r in result] for result in results] == [[[1.0, 1.0]] * 4] * 2


def test_training_step_gives_the_same_bits_on_the_pool():
    rng = np.random.default_rng(3)
    x = gf.placeholder(gf.float64, [None, 6])
    w1 = gf.Variable(rng.standard_normal((6, 5)))
    w2 = gf.Variable(rng.standard_normal((5, 1)))
    hidden = gf.tanh(gf.matmul(x, w1) + 0.1)
    loss = gf.reduce_mean(gf.square(gf.matmul(hidden, w2) - 1.0))
    grads = gf.gradients(loss, [w1, w2])
    step = gf.group(w1.assign_sub(0.1 * grads[0]), w2.assign_sub(0.1 * grads[1]))
    batch = rng.standard_normal((8, 6))
    results = []
    for threads in (1, 3):
        with all_heavy():
            sess = session(threads)
            sess.run([w1.initializer, w2.initializer])
            for _ in range(3):
                sess.run(step, {x: batch})
        assert compiled_plan(sess).parallel is (threads > 1)
        results.append([sess.run(v).tobytes() for v in (w1, w2)])
    assert results[0] == results[1]
