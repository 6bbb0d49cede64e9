"""MLP training-step benchmark: graphflow against hand-written numpy (and Keras if present).

Model: 784-256-128-10, ReLU, sparse softmax cross-entropy (mean), Adam(1e-3), batch 128,
float32, random data. graphflow runs one training step per ``sess.run([train_op, loss])``;
the numpy baseline is the same forward/backward/Adam step written by hand with in-place
parameter updates. Both start from the same weights and see the same batches, and their
losses are compared as a sanity check. Steps of the two are interleaved in blocks, so a
noisy machine slows both alike. Prints the median wall and CPU time per step and the
ratios to numpy. CPU time is the whole process's, so once TensorFlow is loaded its idle
threads inflate every row: compare CPU times with ``--no-keras``.

Run from the repository root: ``python -m bench.bench_mlp [--steps 300] [--no-keras]``.
"""

import argparse
import os
import statistics
import time

import numpy as np

SIZES = (784, 256, 128, 10)
BATCH = 128
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def make_data(seed, batches):
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(batches, BATCH, SIZES[0])).astype(np.float32)
    ys = rng.integers(0, SIZES[-1], size=(batches, BATCH)).astype(np.int64)
    return xs, ys


def init_params(seed):
    """Glorot-uniform weights and zero biases: [W1, b1, W2, b2, W3, b3]."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return params


# ---- graphflow ---------------------------------------------------------------------------

def graphflow_step(params, threads=0):
    """A function running one graphflow training step on (x, y), returning the loss;
    ``threads`` is the session's inter-op pool size (0: one per core, 1: sequential).
    """
    import graphflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, SIZES[0]])
        y = tf.placeholder(tf.int64, [None])
        variables = [tf.Variable(p) for p in params]
        h = x
        for i in range(0, len(variables), 2):
            h = tf.matmul(h, variables[i]) + variables[i + 1]
            if i + 2 < len(variables):
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
        train_op = tf.train.AdamOptimizer(LR, BETA1, BETA2, EPS).minimize(loss)
        sess = tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=threads))
        sess.run(tf.global_variables_initializer())
    fetches = [train_op, loss]

    def step(xb, yb):
        return sess.run(fetches, {x: xb, y: yb})[1]

    return step


# ---- hand-written numpy ------------------------------------------------------------------

class NumpyMLP:
    """The same network, forward, backward and TF1-style Adam written directly in numpy."""

    def __init__(self, params):
        self.params = [p.copy() for p in params]
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = x @ w1
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2
        h2 += b2
        np.maximum(h2, 0, out=h2)
        logits = h2 @ w3
        logits += b3
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        sums = probs.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = float(np.mean(np.log(sums[:, 0]) - logits[rows, y]))
        probs /= sums  # d loss / d logits = (softmax - onehot) / batch
        probs[rows, y] -= 1.0
        probs *= np.float32(1.0 / len(y))
        d3 = probs
        dh2 = d3 @ w3.T
        dh2 *= h2 > 0
        dh1 = dh2 @ w2.T
        dh1 *= h1 > 0
        grads = [x.T @ dh1, dh1.sum(axis=0), h1.T @ dh2, dh2.sum(axis=0), h2.T @ d3,
                 d3.sum(axis=0)]
        self.adam(grads)
        return loss

    def adam(self, grads):
        self.t += 1
        lr_t = LR * np.sqrt(1 - BETA2 ** self.t) / (1 - BETA1 ** self.t)
        for p, m, v, g in zip(self.params, self.m, self.v, grads, strict=True):
            scratch = np.subtract(g, m)
            scratch *= 1 - BETA1
            m += scratch
            np.multiply(g, g, out=scratch)
            scratch -= v
            scratch *= 1 - BETA2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch += EPS
            np.divide(m, scratch, out=scratch)
            scratch *= lr_t
            p -= scratch


# ---- Keras (optional) ----------------------------------------------------------------------

def keras_step(params):
    """A Keras 3 / TensorFlow ``train_on_batch`` step, or None when not importable."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter
    try:
        import keras
    except ImportError:
        return None
    model = keras.Sequential([keras.Input((SIZES[0],))] + [
        keras.layers.Dense(n, activation="relu" if i < 2 else None)
        for i, n in enumerate(SIZES[1:])])
    model.set_weights(params)
    model.compile(optimizer=keras.optimizers.Adam(LR, beta_1=BETA1, beta_2=BETA2,
                                                  epsilon=EPS),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    def step(xb, yb):
        return float(model.train_on_batch(xb, yb))

    return step


# ---- timing --------------------------------------------------------------------------------

def time_steps(step, xs, ys, start, count, times):
    """Appends (wall, process CPU) seconds of each step; CPU time counts every thread."""
    for i in range(start, start + count):
        t0, c0 = time.perf_counter(), time.process_time()
        step(xs[i % len(xs)], ys[i % len(ys)])
        times.append((time.perf_counter() - t0, time.process_time() - c0))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--block", type=int, default=25, help="steps per interleaved block")
    parser.add_argument("--threads", default="0,1",
                        help="graphflow sessions to time, by inter-op pool size "
                             "(0: one thread per core, the default; 1: sequential runner)")
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args(argv)

    params = init_params(0)
    xs, ys = make_data(1, 16)
    runners = {f"graphflow[threads={t}]": graphflow_step(params, int(t))
               for t in args.threads.split(",")}
    runners["numpy"] = NumpyMLP(params).step
    check_losses(runners, xs, ys)
    if not args.no_keras:
        keras = keras_step(params)
        if keras is None:
            print("keras: not importable, skipped")
        else:
            runners["keras"] = keras
    times = {name: [] for name in runners}
    for step in runners.values():
        time_steps(step, xs, ys, 0, args.warmup, [])
    for start in range(0, args.steps, args.block):
        for name, step in runners.items():
            time_steps(step, xs, ys, start, min(args.block, args.steps - start), times[name])
    medians = {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
               for name, t in times.items()}
    print(f"{'':22s} {'wall':>9s} {'cpu':>9s}   median per step, ms")
    for name, (wall, cpu) in medians.items():
        print(f"{name:22s} {wall * 1e3:9.3f} {cpu * 1e3:9.3f}")
    wall_np, cpu_np = medians["numpy"]
    for name, (wall, cpu) in medians.items():
        if name != "numpy":
            target = "  (target <= 1.10)" if name.startswith("graphflow") else ""
            print(f"{name:22s} / numpy  wall {wall / wall_np:.3f}  cpu {cpu / cpu_np:.3f}"
                  + target)
    return medians


def check_losses(runners, xs, ys):
    """Every implementation computes the same losses over the first steps."""
    losses = {name: [step(xs[i], ys[i]) for i in range(3)] for name, step in runners.items()}
    for name, values in losses.items():
        np.testing.assert_allclose(values, losses["numpy"], rtol=1e-4, err_msg=name)


if __name__ == "__main__":
    main()
