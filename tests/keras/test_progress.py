"""The progress output, as text: Keras 3's format, with or without a terminal."""

import re

import numpy as np
import pytest

import keras_frontend as keras
from keras_frontend import layers
from keras_frontend.utils import progbar

BAR = "━" * 20
TIME = r"\d+(us|ms|s)/step"


def small_model():
    model = keras.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def data(n=100):
    rng = np.random.default_rng(0)
    x = rng.random((n, 3)).astype("float32")
    return x, (x[:, 0] > 0.5).astype("float32")


def test_fit_lines_without_a_terminal(capsys):
    x, y = data()
    small_model().fit(x, y, epochs=2, batch_size=32, validation_split=0.2)
    out = capsys.readouterr().out
    assert not re.search(r"[\x1b\r\b]", out), "no control characters off a terminal"
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pattern = (rf"^3/3 {BAR} \d+s {TIME} - accuracy: \d\.\d{{4}} - loss: \d\.\d{{4}} - "
               rf"val_accuracy: \d\.\d{{4}} - val_loss: \d\.\d{{4}}$")
    assert re.match(pattern, lines[1]), lines[1]
    assert re.match(pattern, lines[3]), lines[3]


def test_single_epoch_has_no_epoch_header(capsys):
    x, y = data()
    small_model().fit(x, y, epochs=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"4/4 {BAR}")


def test_verbose_2_and_0(capsys):
    x, y = data()
    model = small_model()
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.match(rf"^4/4 - \d+s - {TIME} - accuracy: \d\.\d{{4}} - loss: \d\.\d{{4}}$",
                    lines[1]), lines[1]
    model.fit(x, y, epochs=2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_and_predict_lines(capsys):
    x, y = data()
    model = small_model()
    model.evaluate(x, y)
    model.predict(x)
    lines = capsys.readouterr().out.splitlines()
    assert re.match(rf"^4/4 {BAR} \d+s {TIME} - accuracy: \d\.\d{{4}} - loss: \d\.\d{{4}}$",
                    lines[0]), lines[0]
    assert re.match(rf"^4/4 {BAR} \d+s {TIME}$", lines[1]), lines[1]


def test_terminal_redraws_in_place(capsys, monkeypatch):
    monkeypatch.setattr(progbar, "_interactive", lambda: True)
    x, y = data()
    small_model().fit(x, y, epochs=1, batch_size=10)
    out = capsys.readouterr().out
    assert "\r" in out and "\x1b[1m10/10\x1b[0m" in out and "\x1b[32m" in out
    assert out.endswith("\n")


def test_small_values_use_exponent_format():
    assert progbar.format_value(0.00001) == " 1.0000e-05"
    assert progbar.format_value(0.25) == " 0.2500"


@pytest.mark.parametrize("seconds,text", [(2.0, " 2s/step"), (0.012, " 12ms/step"),
                                          (0.0004, " 400us/step")])
def test_time_per_step_units(seconds, text):
    assert progbar.format_time_per_unit(seconds, "step") == text


def test_summary_matches_keras_layout(capsys):
    model = keras.Sequential([keras.Input((8,)), layers.Dense(10, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    x, y = np.ones((4, 8), "float32"), np.ones(4, "float32")
    model.fit(x, y, verbose=0)
    model.summary()
    expected = [
        'Model: "sequential"',
        "┏" + "━" * 33 + "┳" + "━" * 24 + "┳" + "━" * 15 + "┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡" + "━" * 33 + "╇" + "━" * 24 + "╇" + "━" * 15 + "┩",
        "│ dense (Dense)                   │ (None, 10)             │            90 │",
        "├" + "─" * 33 + "┼" + "─" * 24 + "┼" + "─" * 15 + "┤",
        "│ dense_1 (Dense)                 │ (None, 1)              │            11 │",
        "└" + "─" * 33 + "┴" + "─" * 24 + "┴" + "─" * 15 + "┘",
        " Total params: 305 (1.20 KB)",
        " Trainable params: 101 (404.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        " Optimizer params: 204 (820.00 B)",
    ]
    assert capsys.readouterr().out.splitlines() == expected
    with pytest.raises(ValueError, match="not yet been built"):
        keras.Sequential([layers.Dense(2)]).summary()
