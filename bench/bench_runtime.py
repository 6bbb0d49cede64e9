"""Runtime benchmarks: call overhead, dispatch, parallel branches, compile time, memory.

    python bench/bench_runtime.py [--quick]

Every number is a median over repeats, printed next to hand-written numpy doing the same
work and, when ``import tensorflow`` works, TensorFlow 1.x graph mode (tf.compat.v1),
measured in the same run so the ratios hold on any machine. BLAS is limited to one thread
so the parallel-branches case measures graphflow's pool, not BLAS's.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import graphflow as gf  # noqa: E402
from graphflow.runtime.plan import compile_plan  # noqa: E402
from graphflow.runtime.state import RunState  # noqa: E402

CONFIG = dict(optimize=False)


def median_seconds(fn, repeat, number=1):
    """Median over ``repeat`` timings of ``number`` calls, per call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def load_tf1():
    """tf.compat.v1 in graph mode, or None when TensorFlow is not importable."""
    try:
        import tensorflow as tf
    except Exception:  # any import failure just skips the comparison
        return None
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    return tf1


def report(name, ours_us, numpy_us, tf_us, unit="us"):
    line = f"{name:<34} graphflow {ours_us:9.2f} {unit}   numpy {numpy_us:9.2f} {unit} " \
           f"(x{ours_us / numpy_us:.2f})"
    if tf_us is not None:
        line += f"   tf1 {tf_us:9.2f} {unit} (x{ours_us / tf_us:.2f})"
    print(line)


def bench_call_overhead(tf1, repeat):
    """``run`` of a one-add graph on a fed scalar."""
    with gf.Graph().as_default():
        x = gf.placeholder(gf.float32, [])
        y = x + 1.0
        sess = gf.Session(config=gf.ConfigProto(**CONFIG))
        feed = {x: np.float32(2.0)}
        ours = median_seconds(lambda: sess.run(y, feed), repeat, 2000)
    value, one = np.float32(2.0), np.float32(1.0)
    numpy = median_seconds(lambda: np.add(value, one), repeat, 2000)
    tf_time = None
    if tf1 is not None:
        with tf1.Graph().as_default():
            tx = tf1.placeholder(tf1.float32, [])
            ty = tx + 1.0
            with tf1.Session() as tsess:
                tfeed = {tx: np.float32(2.0)}
                tf_time = median_seconds(lambda: tsess.run(ty, tfeed), repeat, 200)
    report("per-call overhead (1 add, scalar)", ours * 1e6, numpy * 1e6,
           None if tf_time is None else tf_time * 1e6)
    return ours * 1e6


def bench_dispatch(tf1, repeat, length=1000):
    """A ``length``-op elementwise chain on 16 floats, per op."""
    def chain(x):
        y = x
        for i in range(length):
            y = y * 1.0001 if i % 2 else y + 0.5
        return y

    value = np.ones(16, np.float32)
    with gf.Graph().as_default():
        x = gf.placeholder(gf.float32, [16])
        y = chain(x)
        sess = gf.Session(config=gf.ConfigProto(**CONFIG))
        ours = median_seconds(lambda: sess.run(y, {x: value}), repeat)
    half, factor = np.float32(0.5), np.float32(1.0001)

    def by_hand():
        v = value
        for i in range(length):
            v = v * factor if i % 2 else v + half
        return v

    numpy = median_seconds(by_hand, repeat)
    tf_time = None
    if tf1 is not None:
        with tf1.Graph().as_default():
            tx = tf1.placeholder(tf1.float32, [16])
            ty = chain(tx)
            with tf1.Session() as tsess:
                tf_time = median_seconds(lambda: tsess.run(ty, {tx: value}), repeat)
    report(f"dispatch per op ({length}-op chain)", ours / length * 1e6,
           numpy / length * 1e6, None if tf_time is None else tf_time / length * 1e6)
    return ours / length * 1e6


def bench_parallel(repeat, n=384, length=8):
    """Two independent chains of ``length`` matmuls: 2 pool threads against 1.

    The same chains hand-written in two Python threads show the speedup this machine
    allows at the moment (other load on the cores lowers both).
    """
    with gf.Graph().as_default():
        x = gf.placeholder(gf.float64, [n, n])
        outs = []
        for _ in range(2):
            y = x
            for _ in range(length):
                y = gf.matmul(y, x) * (1.0 / n)
            outs.append(y)
        value = np.random.default_rng(0).uniform(size=(n, n))
        times = {}
        for threads in (1, 2):
            config = gf.ConfigProto(inter_op_parallelism_threads=threads, **CONFIG)
            run = functools.partial(gf.Session(config=config).run, outs, {x: value})
            times[threads] = median_seconds(run, repeat)
    scale = 1.0 / n

    def chain():
        v = value
        for _ in range(length):
            v = (v @ value) * scale

    def by_hand():
        chain()
        chain()

    def by_hand_threaded():
        workers = [threading.Thread(target=chain) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    numpy = median_seconds(by_hand, repeat)
    numpy_threaded = median_seconds(by_hand_threaded, repeat)
    print(f"{'parallel branches (2x8 matmul 384)':<34} 1 thread {times[1] * 1e3:8.2f} ms   "
          f"2 threads {times[2] * 1e3:8.2f} ms   speedup x{times[1] / times[2]:.2f}   "
          f"numpy by hand {numpy * 1e3:8.2f} ms, in 2 threads x{numpy / numpy_threaded:.2f}")
    return times[1] / times[2], numpy / numpy_threaded


def bench_compile(sizes):
    """Plan compile time for DAGs of ``sizes`` nodes (each node adds two earlier ones).

    Best of three; CPU time is reported too because it is steadier on a shared machine.
    """
    per_node = {}
    for size in sizes:
        with gf.Graph().as_default():
            x = gf.placeholder(gf.float32, [4])
            nodes = [x, x * 2.0]
            rng = np.random.default_rng(0)
            while len(nodes) < size:
                a, b = rng.integers(max(0, len(nodes) - 50), len(nodes), 2)
                nodes.append(gf.add(nodes[a], nodes[b]))
            fetch = gf.add_n(nodes[-8:])
            wall, cpu = [], []
            for _ in range(3):
                start, start_cpu = time.perf_counter(), time.process_time()
                compile_plan([fetch], [x], RunState(), threads=2)
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        per_node[size] = min(cpu) / size * 1e6
        print(f"{'plan compile, ' + str(size) + ' nodes':<34} {min(wall) * 1e3:9.1f} ms wall "
              f"{min(cpu) * 1e3:9.1f} ms cpu   {per_node[size]:6.2f} us/node (cpu)")
    return per_node


def bench_memory(mb=32, length=30):
    """Peak traced memory of a ``length``-op elementwise chain on ``mb`` MB arrays."""
    value = np.random.default_rng(0).uniform(size=mb * (1 << 20) // 8)
    with gf.Graph().as_default():
        x = gf.placeholder(gf.float64, value.shape)
        y = x
        for i in range(length):
            y = y * 1.0001 if i % 2 else y + 0.5
        sess = gf.Session(config=gf.ConfigProto(**CONFIG))
        sess.run(y, {x: value})
        ours = traced_peak(lambda: sess.run(y, {x: value}))

    def by_hand():
        v = value
        for i in range(length):
            v = v * 1.0001 if i % 2 else v + 0.5
        return v

    numpy = traced_peak(by_hand)
    print(f"{'peak memory, ' + str(length) + '-op chain, ' + str(mb) + ' MB':<34} graphflow "
          f"{ours / value.nbytes:5.2f} arrays   numpy by hand {numpy / value.nbytes:5.2f} "
          "arrays")
    return ours / value.nbytes


def traced_peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller graphs")
    args = parser.parse_args()
    repeat = 5 if args.quick else 15
    tf1 = load_tf1()
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, "
          f"tensorflow {'not importable' if tf1 is None else 'tf.compat.v1 graph mode'}")
    overhead = bench_call_overhead(tf1, repeat)
    dispatch = bench_dispatch(tf1, repeat)
    speedup, ceiling = bench_parallel(repeat)
    per_node = bench_compile([1000, 10000] if args.quick else [1000, 10000, 100000])
    arrays = bench_memory(8 if args.quick else 32)
    sizes = sorted(per_node)
    print("\ntargets:")
    print(f"  call overhead <= 15 us: {overhead:.2f} us")
    print(f"  dispatch <= 2 us/op: {dispatch:.2f} us/op")
    print(f"  2 threads >= 1.6x faster than 1: x{speedup:.2f} (numpy in 2 threads: "
          f"x{ceiling:.2f})")
    print(f"  compile linear: us/node {sizes[-1]} vs {sizes[0]} nodes: "
          f"x{per_node[sizes[-1]] / per_node[sizes[0]]:.2f}; 10k nodes "
          f"{per_node[10000] * 10000 / 1e6:.3f} s cpu (< 1 s)")
    print(f"  peak memory <= 4 arrays: {arrays:.2f}")


if __name__ == "__main__":
    main()
