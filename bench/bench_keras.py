"""keras_frontend against Keras 3 (TensorFlow backend), measured in the same run.

    python bench/bench_keras.py [--repeats N] [--no-peer] [--blas-threads N]

Three numbers, as issue 5 asks: a single-sample ``predict`` of a 784-256-10 Dense model,
the seed CNN's training step (28x28x1 images, batch 64) and the MLP's training step, each
as the median milliseconds per call. Keras 3 is the peer when it is installed; its
numbers come from the same process and machine, so the ratios are meaningful.

numpy's BLAS (OpenBLAS) starts one thread per core; on a busy machine those threads fight
graphflow's own runner threads and small matmuls get many times slower. ``--blas-threads 1``
limits them (through threadpoolctl) for the measurement; TensorFlow is not affected.
"""

import argparse
import statistics
import time

import numpy as np


def median_ms(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def mlp(keras):
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def cnn(keras):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.Flatten(),
        layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def measure(keras, repeats):
    rng = np.random.default_rng(0)
    one = rng.random((1, 784)).astype("float32")
    x_mlp = rng.random((64, 784)).astype("float32")
    y_mlp = rng.integers(0, 10, 64)
    x_cnn = rng.random((64, 28, 28, 1)).astype("float32")
    y_cnn = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]
    dense = mlp(keras)
    conv = cnn(keras)
    return {
        "predict(1 sample), 784-256-10": median_ms(lambda: dense.predict(one, verbose=0),
                                                   repeats),
        "train step, seed CNN, batch 64": median_ms(
            lambda: conv.train_on_batch(x_cnn, y_cnn), max(repeats // 4, 5)),
        "train step, MLP, batch 64": median_ms(lambda: dense.train_on_batch(x_mlp, y_mlp),
                                               repeats),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--no-peer", action="store_true", help="skip Keras 3")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit numpy's BLAS threads while measuring keras_frontend")
    args = parser.parse_args()
    import keras_frontend

    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=args.blas_threads, user_api="blas"):
            ours = measure(keras_frontend, args.repeats)
    else:
        ours = measure(keras_frontend, args.repeats)
    peer = None
    if not args.no_peer:
        try:
            import keras
        except ImportError:
            print("Keras 3 is not installed: showing keras_frontend alone.")
        else:
            peer = measure(keras, args.repeats)
    header = f"{'benchmark':34} {'keras_frontend':>15}"
    print(header if peer is None else f"{header} {'Keras 3':>10} {'ratio':>8}")
    for name, ms in ours.items():
        if peer is None:
            print(f"{name:34} {ms:12.3f} ms")
        else:
            print(f"{name:34} {ms:12.3f} ms {peer[name]:7.2f} ms {ms / peer[name]:8.3f}")


if __name__ == "__main__":
    main()
