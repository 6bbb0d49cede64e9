"""Conv2D forward + backward: a graphflow Session against the bare numpy kernels.

Two layers of a small MNIST convnet (3x3 filters, batch 64, SAME padding):
28x28x1 -> 32 and 13x13x32 -> 64. The "kernels" column calls conv_ops' im2col kernel
functions directly (forward, backprop-input, backprop-filter); the "session" column runs
the same three ops through ``Session.run`` on a graph built with ``tf.gradients``, so the
ratio is graphflow's overhead on top of the numpy work. A last row does the same for the
seed CNN's first 2x2 max pool (26x26x32, stride 2, VALID) and its MaxPoolGrad.

Run from the repository root: ``python -m bench.bench_conv [--repeats N]``. A script,
not a test.
"""

import argparse
import functools
import time

import numpy as np

import graphflow as tf
from graphflow.ops import conv_ops, pooling_ops

LAYERS = [  # (name, input NHWC, out channels)
    ("28x28x1 -> 32", (64, 28, 28, 1), 32),
    ("13x13x32 -> 64", (64, 13, 13, 32), 64),
]
STRIDES, PADDING, DILATIONS = (1, 1, 1, 1), "SAME", (1, 1, 1, 1)
POOL_SHAPE, POOL_WINDOW = (64, 26, 26, 32), (1, 2, 2, 1)


def median_seconds(fn, repeats):
    fn()  # warm up: compile the plan, fault in the buffers
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def kernels_step(x, w, dy):
    """Forward, gradient wrt input and gradient wrt filter, straight on numpy."""
    conv_ops.conv2d_forward(x, w, STRIDES, PADDING, DILATIONS)
    conv_ops.conv2d_backprop_input_kernel(np.array(x.shape), w, dy, STRIDES, PADDING,
                                          DILATIONS)
    conv_ops.conv2d_backprop_filter_kernel(x, np.array(w.shape), dy, STRIDES, PADDING,
                                           DILATIONS)


def session_step(x, w, dy):
    """The same work as a graph: conv2d and its two gradient ops, in one Session.run."""
    graph = tf.Graph()
    with graph.as_default():
        xp = tf.placeholder(tf.float32, [None, *x.shape[1:]])
        wv = tf.constant(w)
        y = tf.nn.conv2d(xp, wv, STRIDES, PADDING)
        grads = tf.gradients(y, [xp, wv], grad_ys=[tf.constant(dy)])
    sess = tf.Session(graph=graph)
    return lambda: sess.run([y] + grads, {xp: x})


def pool_kernels_step(x, y, dy):
    """MaxPool and MaxPoolGrad, straight on numpy."""
    pooling_ops.max_pool_forward(x, POOL_WINDOW, POOL_WINDOW, "VALID")
    pooling_ops.max_pool_grad_kernel(x, y, dy, POOL_WINDOW, POOL_WINDOW, "VALID")


def pool_session_step(x, dy):
    """The same work as a graph: max_pool and its gradient op, in one Session.run."""
    graph = tf.Graph()
    with graph.as_default():
        xp = tf.placeholder(tf.float32, [None, *x.shape[1:]])
        y = tf.nn.max_pool(xp, POOL_WINDOW, POOL_WINDOW, "VALID")
        grads = tf.gradients(y, [xp], grad_ys=[tf.constant(dy)])
    sess = tf.Session(graph=graph)
    return lambda: sess.run([y] + grads, {xp: x})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'layer':<16}{'kernels ms':>12}{'session ms':>12}{'ratio':>8}")
    for name, shape, out_channels in LAYERS:
        x = rng.standard_normal(shape, dtype=np.float32)
        w = rng.standard_normal((3, 3, shape[3], out_channels), dtype=np.float32)
        dy = rng.standard_normal(shape[:3] + (out_channels,), dtype=np.float32)
        bare = median_seconds(functools.partial(kernels_step, x, w, dy), args.repeats)
        run = median_seconds(session_step(x, w, dy), args.repeats)
        print(f"{name:<16}{bare * 1e3:>12.2f}{run * 1e3:>12.2f}{run / bare:>8.2f}")
    x = rng.standard_normal(POOL_SHAPE, dtype=np.float32)
    y = pooling_ops.max_pool_forward(x, POOL_WINDOW, POOL_WINDOW, "VALID")
    dy = rng.standard_normal(y.shape, dtype=np.float32)
    bare = median_seconds(functools.partial(pool_kernels_step, x, y, dy), args.repeats)
    run = median_seconds(pool_session_step(x, dy), args.repeats)
    print(f"{'max pool 2x2':<16}{bare * 1e3:>12.2f}{run * 1e3:>12.2f}{run / bare:>8.2f}")


if __name__ == "__main__":
    main()
