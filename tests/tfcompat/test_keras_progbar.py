"""Keras's progress output: fit/evaluate/predict with verbose=1 (a bar redrawn in place, time per
step) and verbose=2 (a line per epoch), laid out as TensorFlow's Keras prints them; set_random_seed."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest

import tfcompat as tf

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIMES = re.compile(r"\d+(?:ms|us|s)/step|\b\d+s\b|\d+:\d\d(?::\d\d)?")
NUMBER = re.compile(r"(?<=: )-?\d+\.\d+(?:e[-+]\d+)?")


def _train(t, verbose):
    rng = np.random.RandomState(0)
    x = rng.rand(100, 3).astype("float32")
    y = x.sum(1, keepdims=True)
    model = t.keras.Sequential([t.keras.Input((3,)), t.keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile("sgd", "mse", metrics=["mae"])
    model.fit(x, y, batch_size=32, epochs=2, verbose=verbose)
    model.fit(x, y, batch_size=32, epochs=1, verbose=verbose)
    model.evaluate(x, y, verbose=verbose)
    model.predict(x, verbose=verbose)


def _screen(raw: str) -> list[str]:
    """The lines a terminal ends up showing: \\r and backspaces redraw, colours and times are masked."""
    lines = []
    for line in ANSI.sub("", raw).split("\n"):
        line = line.split("\r")[-1].replace("\b", "").rstrip()
        if line:
            lines.append(NUMBER.sub("<n>", TIMES.sub("<t>", line)))
    return lines


@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_evaluate_predict_print_what_keras_prints(oracle, capsys, verbose) -> None:
    _train(tf, verbose)
    ours = capsys.readouterr().out
    _train(oracle, verbose)
    theirs = capsys.readouterr().out
    assert _screen(ours) == _screen(theirs)
    if verbose == 1:
        assert "\r" in ours and "━" in ours and re.search(r"\d+(ms|us|s)/step - loss: \d", ours)


def test_verbose_2_is_one_line_per_epoch(capsys) -> None:
    _train(tf, 2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"4/4 - \d+s - \d+(ms|us|s)/step - loss: \d+\.\d{4} - mae: \d+\.\d{4}", lines[1])
    assert re.fullmatch(r"4/4 - \d+s - \d+(ms|us|s)/step", lines[-1])  # predict


def test_progbar_averages_what_is_not_stateful(capsys) -> None:
    bar = tf.keras.utils.Progbar(3, verbose=2, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.5)])
    bar.update(2, [("loss", 3.0), ("acc", 0.7)])
    bar.update(3, [("loss", 5.0), ("acc", 0.9)])
    assert capsys.readouterr().out.strip().endswith("loss: 5.0000 - acc: 0.9000")  # last update: as given
    bar = tf.keras.utils.Progbar(4, verbose=1, interval=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    shown = ANSI.sub("", capsys.readouterr().out).split("\r")[-1]
    assert shown.startswith("2/4 ") and "loss: 2.0000" in shown  # the mean over the steps so far


def test_set_random_seed_seeds_python_numpy_and_tensorflow(oracle) -> None:
    def draw(t):
        t.keras.utils.set_random_seed(3)
        return t.random.uniform([2]).numpy().tolist(), np.random.rand(), random.random()
    assert draw(tf) == draw(tf)
    ours, theirs = draw(tf), draw(oracle)
    assert ours[1:] == theirs[1:]
    np.testing.assert_allclose(ours[0], theirs[0])
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        tf.keras.utils.set_random_seed(1.5)
