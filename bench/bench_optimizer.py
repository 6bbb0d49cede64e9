"""Optimizer benchmark: what the graph optimizer buys, against numpy and TensorFlow 1.x.

1. ``sigmoid(x*1.5+0.3) * tanh(x) + x*x`` on 4M float32: graphflow optimized and
   unoptimized vs the same expression in eager numpy (target: optimized >= 1.5x faster)
   and vs TensorFlow's graph mode when installed (target: no slower).
2. A 1000-op alternating add/multiply chain on 16 floats, optimized, vs TensorFlow 1.x
   graph mode (target: no slower).
3. The MLP training step of bench_mlp (784-256-128-10, Adam, batch 128) with the optimizer
   on and off (target: not slower with it on).
Each case interleaves the contenders and prints medians and ratios from the same run.

Run from the repository root: ``python -m bench.bench_optimizer [--repeat 15]``.
"""

import argparse
import statistics
import time

import numpy as np

import graphflow as gf


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(contenders, repeat):
    """Median seconds per contender, running them in turns so noise hits all alike."""
    times = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def tensorflow_v1():
    try:
        import tensorflow as tf
    except ImportError:
        return None
    tf.compat.v1.disable_eager_execution()
    return tf.compat.v1


def graphflow_expression(optimize):
    graph = gf.Graph()
    with graph.as_default():
        x = gf.placeholder(gf.float32, [None])
        y = gf.sigmoid(x * 1.5 + 0.3) * gf.tanh(x) + x * x
    sess = gf.Session(graph=graph, config=gf.ConfigProto(optimize=optimize))
    return lambda v: sess.run(y, {x: v})


def tensorflow_expression(tf1):
    graph = tf1.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf1.float32, [None])
        y = tf1.sigmoid(x * 1.5 + 0.3) * tf1.tanh(x) + x * x
    sess = tf1.Session(graph=graph)
    return lambda v: sess.run(y, {x: v})


def numpy_expression(v):
    return 1 / (1 + np.exp(-(v * np.float32(1.5) + np.float32(0.3)))) * np.tanh(v) + v * v


def chain(module, optimize=None):
    graph = module.Graph()
    with graph.as_default():
        x = module.placeholder(module.float32, [16])
        h = x
        for _ in range(500):
            h = h + 1.0
            h = h * 0.5
    if optimize is None:
        sess = module.Session(graph=graph)
    else:
        sess = module.Session(graph=graph, config=gf.ConfigProto(optimize=optimize))
    return lambda v: sess.run(h, {x: v})


def report(title, times, reference, targets=()):
    print(f"\n{title}")
    for name, t in times.items():
        print(f"  {name:28s} {t * 1e3:9.3f} ms   {reference} / this = "
              f"{times[reference] / t:5.2f}x")
    for text in targets:
        print(f"  target: {text}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-tensorflow", action="store_true")
    args = parser.parse_args(argv)
    tf1 = None if args.no_tensorflow else tensorflow_v1()

    values = np.random.default_rng(0).random(4_000_000, dtype=np.float32)
    runs = {"numpy (eager)": numpy_expression, "graphflow optimized": graphflow_expression(True),
            "graphflow unoptimized": graphflow_expression(False)}
    if tf1 is not None:
        runs["tensorflow 1.x graph"] = tensorflow_expression(tf1)
    for run in runs.values():  # compiles plans and checks every contender's answer
        np.testing.assert_allclose(run(values), numpy_expression(values), rtol=1e-5, atol=1e-6)
    contenders = {name: (lambda run=run: run(values)) for name, run in runs.items()}
    report("sigmoid(x*1.5+0.3)*tanh(x)+x*x on 4M float32", interleaved(contenders, args.repeat),
           "numpy (eager)", ["optimized >= 1.5x faster than numpy; no slower than TF1"])

    small = np.ones(16, np.float32)
    chains = {"graphflow optimized": chain(gf, True), "graphflow unoptimized": chain(gf, False)}
    if tf1 is not None:
        chains["tensorflow 1.x graph"] = chain(tf1)
    for fn in chains.values():
        fn(small)
    reference = "tensorflow 1.x graph" if tf1 is not None else "graphflow unoptimized"
    report("1000-op add/multiply chain on 16 floats",
           interleaved({k: (lambda f=f: f(small)) for k, f in chains.items()}, args.repeat * 20),
           reference, ["optimized no slower than TF1 graph mode"])

    from bench.bench_mlp import init_params, make_data

    params = init_params(0)
    xs, ys = make_data(1, 8)
    steps = {}
    for optimize in (True, False):
        graph = gf.Graph()
        with graph.as_default():
            x = gf.placeholder(gf.float32, [None, 784])
            y = gf.placeholder(gf.int64, [None])
            weights = [gf.Variable(p) for p in params]
            h = x
            for i in range(0, len(weights), 2):
                h = gf.matmul(h, weights[i]) + weights[i + 1]
                if i + 2 < len(weights):
                    h = gf.nn.relu(h)
            loss = gf.reduce_mean(gf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                                logits=h))
            train = gf.train.AdamOptimizer(1e-3).minimize(loss)
            sess = gf.Session(graph=graph, config=gf.ConfigProto(optimize=optimize))
            sess.run(gf.global_variables_initializer())
        counter = iter(range(10**9))

        def step(sess=sess, train=train, x=x, y=y, counter=counter):
            i = next(counter) % len(xs)
            sess.run(train, {x: xs[i], y: ys[i]})

        step()
        steps["optimizer on" if optimize else "optimizer off"] = step
    report("MLP training step (784-256-128-10, Adam, batch 128)",
           interleaved(steps, args.repeat * 4), "optimizer off",
           ["optimizer on no slower than off"])


if __name__ == "__main__":
    main()
