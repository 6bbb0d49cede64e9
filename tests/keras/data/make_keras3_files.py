"""Writes the Keras 3 files that test_saving.py loads: run in this folder with Keras 3.

    python make_keras3_files.py

cnn.keras is a trained Sequential CNN (Conv2D, BatchNormalization, Dropout, Dense),
rnn.keras a functional model (Embedding, LSTM, Bidirectional GRU, SimpleRNN, Concatenate),
masked.keras the same kinds of layers behind Embedding(mask_zero=True) with padded inputs;
keras3_outputs.npz holds inputs and Keras's predictions on them; keras3_training.npz holds
a small MLP's weights after three training steps with each optimizer (from the same start),
and loss and metric values on fixed arrays; keras3_layers.json/.npz list layer
configurations with their weights, an input and Keras's output.
"""

import json

import keras
import numpy as np
from keras import layers


def cnn(rng):
    model = keras.Sequential([
        keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu", padding="same"),
        layers.BatchNormalization(), layers.MaxPooling2D(), layers.Dropout(0.2),
        layers.Flatten(), layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = rng.random((16, 8, 8, 1)).astype("float32")
    model.fit(x, rng.integers(0, 3, 16), epochs=2, verbose=0)
    return model, x


def rnn(rng):
    inp = keras.Input((5,), dtype="int32")
    embedded = layers.Embedding(20, 4)(inp)
    seq = layers.LSTM(3, return_sequences=True)(embedded)
    merged = layers.Concatenate()([layers.Bidirectional(layers.GRU(2))(seq),
                                   layers.SimpleRNN(2)(embedded)])
    model = keras.Model(inp, layers.Dense(2)(merged))
    model.compile("rmsprop", "mse")
    x = rng.integers(0, 20, (6, 5)).astype("int32")
    model.fit(x, rng.random((6, 2)), epochs=1, verbose=0)
    return model, x


def masked(rng):
    inp = keras.Input((5,), dtype="int32")
    embedded = layers.Embedding(10, 3, mask_zero=True)(inp)
    seq = layers.LSTM(2, return_sequences=True)(embedded)
    model = keras.Model(inp, [layers.GlobalAveragePooling1D()(seq),
                              layers.Bidirectional(layers.GRU(2))(embedded)])
    model.compile("adam", ["mse", "mse"])
    return model, np.array([[0, 0, 3, 4, 5], [3, 4, 5, 0, 0]], "int32")


OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.1),
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: keras.optimizers.Adam(0.01),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: keras.optimizers.AdamW(0.01),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda: keras.optimizers.Adagrad(0.1),
    "adadelta": lambda: keras.optimizers.Adadelta(1.0),
    "adamax": lambda: keras.optimizers.Adamax(0.01),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
}


def training(rng):
    """Weights after three steps of each optimizer, and losses and metrics on fixed data."""
    out = {"x": rng.random((16, 4)).astype("float32"),
           "y": rng.integers(0, 3, 16).astype("int32")}
    start = None
    for name, make in OPTIMIZERS.items():
        model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="tanh"),
                                  layers.Dense(3, activation="softmax")])
        if start is None:
            start = model.get_weights()
            for i, w in enumerate(start):
                out[f"start_{i}"] = w
        model.set_weights(start)
        model.compile(make(), "sparse_categorical_crossentropy")
        for _ in range(3):
            model.train_on_batch(out["x"], out["y"])
        for i, w in enumerate(model.get_weights()):
            out[f"{name}_{i}"] = w
    y_true = rng.integers(0, 2, (20, 1)).astype("float32")
    y_prob = rng.random((20, 1)).astype("float32")
    out.update(y_true=y_true, y_prob=y_prob)
    for name, metric in (("auc", keras.metrics.AUC()), ("auc_pr", keras.metrics.AUC(curve="PR")),
                         ("precision", keras.metrics.Precision()),
                         ("recall", keras.metrics.Recall())):
        metric.update_state(y_true, y_prob)
        out[f"metric_{name}"] = np.float32(metric.result())
    labels = np.eye(3, dtype="float32")[rng.integers(0, 3, 20)]
    probs = rng.dirichlet(np.ones(3), 20).astype("float32")
    out.update(labels=labels, probs=probs)
    for name, loss in (("categorical_crossentropy", keras.losses.CategoricalCrossentropy()),
                       ("kl_divergence", keras.losses.KLDivergence()),
                       ("huber", keras.losses.Huber()),
                       ("msle", keras.losses.MeanSquaredLogarithmicError()),
                       ("mape", keras.losses.MeanAbsolutePercentageError()),
                       ("hinge", keras.losses.Hinge()),
                       ("binary_crossentropy", keras.losses.BinaryCrossentropy()),
                       ("smoothed", keras.losses.CategoricalCrossentropy(label_smoothing=0.1))):
        out[f"loss_{name}"] = np.float32(loss(labels, probs))
    return out


LAYER_SPECS = [
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 5, 5, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="valid"),
     (2, 4, 4, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=2, strides=1, padding="same"), (1, 4, 4, 2)),
    ("Conv1D", dict(filters=3, kernel_size=3, padding="causal", dilation_rate=2), (2, 7, 2)),
    ("Conv1D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 7, 2)),
    ("Conv2D", dict(filters=3, kernel_size=3, dilation_rate=2, padding="same"), (1, 7, 7, 2)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, strides=2, padding="same",
                             depth_multiplier=2), (1, 7, 7, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, strides=1, padding="same", depth_multiplier=2),
     (1, 5, 5, 3)),
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (1, 7, 7, 2)),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (1, 7, 7, 2)),
    ("AveragePooling1D", dict(pool_size=2, padding="same"), (1, 5, 2)),
    ("LayerNormalization", dict(axis=-1), (2, 3, 4)),
    ("LayerNormalization", dict(rms_scaling=True), (2, 5)),
    ("BatchNormalization", dict(axis=-1), (4, 3, 3, 2)),
    ("GRU", dict(units=3, reset_after=False, return_sequences=True), (2, 4, 3)),
    ("GRU", dict(units=3, go_backwards=True, return_state=True), (2, 4, 3)),
    ("LSTM", dict(units=2, go_backwards=True, return_sequences=True), (2, 4, 3)),
    ("SimpleRNN", dict(units=2, activation="relu"), (2, 4, 3)),
    ("Dense", dict(units=3, activation="gelu"), (2, 4)),
    ("Dense", dict(units=3, activation="selu"), (2, 4)),
    ("Dense", dict(units=3, activation="elu"), (2, 4)),
    ("Dense", dict(units=3, activation="softplus"), (2, 4)),
    ("Dense", dict(units=3, activation="swish"), (2, 4)),
    ("Dense", dict(units=3, activation="hard_sigmoid"), (2, 4)),
    ("Dense", dict(units=3, activation="leaky_relu"), (2, 4)),
    ("Dense", dict(units=3, activation="softsign"), (2, 4)),
    ("Dense", dict(units=3, activation="relu6"), (2, 4)),
    ("Dense", dict(units=3, activation="mish"), (2, 4)),
    ("Dense", dict(units=3, activation="log_softmax"), (2, 4)),
    ("UpSampling2D", dict(size=(2, 3)), (1, 2, 2, 2)),
    ("Reshape", dict(target_shape=(2, -1)), (2, 3, 4)),
]


def layer_outputs(rng):
    """Each layer of LAYER_SPECS on a random input; normalization layers get random stats."""
    out = {}
    for i, (name, kwargs, shape) in enumerate(LAYER_SPECS):
        layer = getattr(layers, name)(**kwargs)
        x = rng.standard_normal(shape).astype("float32")
        layer(x)
        if name in ("LayerNormalization", "BatchNormalization"):
            layer.set_weights([rng.random(w.shape).astype("float32") + 0.5
                               for w in layer.get_weights()])
        y = layer(x)
        for j, w in enumerate(layer.get_weights()):
            out[f"{i}_w{j}"] = np.asarray(w)
        out[f"{i}_x"] = x
        for j, value in enumerate(y if isinstance(y, (list, tuple)) else [y]):
            out[f"{i}_y{j}"] = np.asarray(value)
    return out


def main():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    outputs = {}
    for name, build in (("cnn", cnn), ("rnn", rnn), ("masked", masked)):
        model, x = build(rng)
        model.save(f"{name}.keras")
        predictions = model.predict(x, verbose=0)
        outputs[f"{name}_x"] = x
        for i, y in enumerate(predictions if isinstance(predictions, list) else [predictions]):
            outputs[f"{name}_y{i}"] = y
    np.savez("keras3_outputs.npz", **outputs)
    np.savez("keras3_training.npz", **training(rng))
    np.savez("keras3_layers.npz", **layer_outputs(rng))
    with open("keras3_layers.json", "w") as f:
        json.dump(LAYER_SPECS, f, indent=1)


if __name__ == "__main__":
    main()
