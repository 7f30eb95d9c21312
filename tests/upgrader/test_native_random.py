"""Random constant tensors run more than once (upgrader/native/random_constants.py): drawn on each call.

End to end (TF 2.21 and tfcompat print TF1's numbers): fixtures/programs/v1/native_random_draws.py.
"""
from __future__ import annotations

from upgrader.engine import upgrade_source

HEAD = "import tensorflow as tf\n\nc = tf.random_uniform([2], seed=3)\n"


def _native(source: str) -> tuple[str, list[str]]:
    result = upgrade_source(source, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_a_random_tensor_run_twice_becomes_a_tf_function_called_at_each_run() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    print(sess.run(c))\n    print(sess.run(c * 2.0))\n")
    assert not blocked
    assert "@tf.function\ndef c():\n    return tf.random.uniform([2], seed=3)\n" in code
    assert code.endswith("print(c().numpy())\nprint((c() * 2.0).numpy())\n")


def test_two_runs_in_one_statement_draw_twice() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    print(sess.run(c), sess.run(c))\n")
    assert not blocked and "print(c().numpy(), c().numpy())" in code


def test_a_tensor_computed_from_a_drawn_one_is_a_plain_function_reading_its_stream() -> None:
    code, blocked = _native(HEAD + "d = c + 1.0\nwith tf.Session() as sess:\n"
                            "    for _ in range(3):\n        print(sess.run(d))\n")
    assert not blocked
    assert "@tf.function\ndef c():" in code and "\n\n\ndef d():\n    return c() + 1.0\n" in code
    assert "@tf.function\ndef d" not in code   # a nested tf.function would give c a second stream


def test_random_constants_sharing_an_op_seed_get_a_stream_each_even_when_run_once() -> None:
    code, blocked = _native(HEAD + "e = tf.random_uniform([2], seed=3)\nf = tf.random_normal([2], seed=4)\n"
                            "with tf.Session() as sess:\n    print(sess.run(c), sess.run(e), sess.run(f))\n")
    assert not blocked
    assert "def c():" in code and "def e():" in code and "f = tf.random.normal([2], seed=4)" in code
    assert "print(c().numpy(), e().numpy(), f.numpy())" in code


def test_a_later_session_starts_the_numbers_over() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    print(sess.run(c))\n"
                            "sess = tf.Session()\nprint(sess.run(c))\n")
    assert not blocked
    assert code.endswith("print(c().numpy())\nc = tf.function(c.python_function)  # a new session: c's random "
                         "numbers start over\nprint(c().numpy())\n")


def test_one_run_reading_a_draw_twice_blocks() -> None:
    _, blocked = _native(HEAD + "d = c * 2.0\nwith tf.Session() as sess:\n    print(sess.run([c, d]))\n"
                         "    print(sess.run(c))\n")
    assert len(blocked) == 1 and "'c' is a random tensor and the run at line 6 reads it more than once" in blocked[0]


def test_a_drawn_tensor_that_draws_and_reads_another_blocks() -> None:
    _, blocked = _native(HEAD + "d = c + tf.random_normal([2])\nwith tf.Session() as sess:\n"
                         "    print(sess.run(d))\n    print(sess.run(d))\n")
    assert len(blocked) == 1 and "'d' draws numbers of its own from it" in blocked[0]


def test_a_random_tensor_run_once_stays_computed_once() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    print(sess.run(c))\n")
    assert not blocked and "c = tf.random.uniform([2], seed=3)\n" in code and "print(c.numpy())" in code
