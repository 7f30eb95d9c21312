"""Several statements on one line (`x = ...; y = ...`, `if c: a; b`) no longer keep a file in compat form.

Native mode splits such lines first (native/statement_lines.py); the split is the same program, so the
conversion prints what TF1 printed, and the file keeps its line endings.
"""
from __future__ import annotations

import ast

import pytest

from tests.upgrader.multi_file import run_old_and_new
from upgrader.engine import upgrade_source
from upgrader.native.statement_lines import one_statement_per_line

PROGRAM = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2]); y = tf.placeholder(tf.float32, [None, 1])  # inputs
w = tf.Variable([[0.5], [-0.25]]); b = tf.Variable(0.0)
loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
xs = np.array([[1.0, 2.0], [3.0, 1.0]], np.float32); ys = np.array([[1.0], [2.0]], np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(4):
        l, _ = sess.run([loss, step], {x: xs, y: ys})
        if i % 2 == 0: print("step", i); print("loss", round(float(l), 5))
    print("w", np.round(sess.run(w).ravel(), 5).tolist())
"""


def test_lines_are_split_one_statement_each_keeping_the_comment_on_the_last():
    split = one_statement_per_line(PROGRAM, ast.parse(PROGRAM))
    assert "x = tf.placeholder(tf.float32, [None, 2])\ny = tf.placeholder(tf.float32, [None, 1])  # inputs\n" in split
    assert 'if i % 2 == 0:\n            print("step", i)\n            print("loss", round(float(l), 5))\n' in split
    assert one_statement_per_line(split, ast.parse(split)) is None   # nothing left to split
    one_each = "if ready: go()\nx = 1\n"
    assert one_statement_per_line(one_each, ast.parse(one_each)) is None   # a one-statement suite stays


def test_a_program_with_shared_lines_converts_and_keeps_crlf():
    result = upgrade_source(PROGRAM.replace("\n", "\r\n"), "native")
    assert not [d for d in result.warnings if d.rule == "native"], [d.message for d in result.warnings]
    assert "placeholder" not in result.code and "Session" not in result.code and "compat" not in result.code
    assert result.code.count("\r\n") == result.code.count("\n")


def test_the_conversion_prints_what_tf1_printed(tmp_path):
    pytest.importorskip("tensorflow")
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": PROGRAM})
    assert tf1.stdout == tf2.stdout
    assert "loss" in tf2.stdout and "w [" in tf2.stdout
