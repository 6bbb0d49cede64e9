"""Writes the Keras 3 files that test_saving.py loads: run in this folder with Keras 3.

    python make_keras3_files.py

cnn.keras is a trained Sequential CNN (Conv2D, BatchNormalization, Dropout, Dense),
rnn.keras a functional model (Embedding, LSTM, Bidirectional GRU, SimpleRNN, Concatenate),
masked.keras the same kinds of layers behind Embedding(mask_zero=True) with padded inputs;
keras3_outputs.npz holds inputs and Keras's predictions on them.
"""

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


if __name__ == "__main__":
    main()
