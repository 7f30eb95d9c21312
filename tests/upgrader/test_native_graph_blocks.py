"""A top-level for/if building one graph value becomes a function called once (native/graph_blocks.py)."""
from __future__ import annotations

import ast

from upgrader.native.graph_blocks import wrap_blocks

HEAD = "import tensorflow as tf\nw = tf.Variable(1.0)\nx = tf.placeholder(tf.float32, [])\n"


def _wrap(code: str) -> str:
    return wrap_blocks(code, ast.parse(code))


def test_an_accumulating_loop_moves_in_with_its_start_value() -> None:
    code = HEAD + "total = 0.0\nfor k in range(3):\n    total += w * k\nprint(total)\n"
    assert _wrap(code) == HEAD + ("\n\ndef build_total():\n    total = 0.0\n    for k in range(3):\n        total += w * k\n"
                                  "    return total\n\n\ntotal = build_total()\nprint(total)\n")


def test_a_branch_on_python_data_takes_the_graph_tensors_it_reads_as_parameters() -> None:
    code = HEAD + "y = x * w\nif MODE == 'a':\n    loss = tf.abs(y)\nelse:\n    loss = tf.square(y)\nprint(loss)\n"
    assert "def build_loss(y):\n    if MODE == 'a':" in _wrap(code) and "loss = build_loss(y)\n" in _wrap(code)


def test_blocks_that_make_variables_run_a_session_or_bind_two_used_values_stay() -> None:
    for block in ("for k in range(2):\n    v = tf.Variable(k)\nprint(v)\n",
                  "for k in range(2):\n    out = sess.run(w)\nprint(out)\n",
                  "if True:\n    a = w * 2\n    b = w * 3\nprint(a, b)\n"):
        assert _wrap(HEAD + block) == HEAD + block


def test_a_loop_handing_the_session_on_is_session_code_not_a_graph_value() -> None:
    code = (HEAD + "sess = tf.Session()\nmodels = []\nfor k in range(2):\n    models.append(Model(sess, k))\n"
            "print([m.name for m in models], k)\n")
    assert _wrap(code) == code


def test_a_comprehension_reusing_the_loop_name_does_not_read_the_block_value() -> None:
    code = HEAD + "for k in range(2):\n    h = w * k\nprint(h, [k for k in range(3)])\n"
    assert "def build_h():" in _wrap(code)
