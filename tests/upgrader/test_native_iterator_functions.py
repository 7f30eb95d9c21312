"""A def that builds a dataset and returns its iterator's get_next(): session_inline.py writes it into its one caller.

The end-to-end check (the converted program prints what TF1 printed, the data's end ending a `while True`
loop as StopIteration) is the fixture program native_iterator_function; these are the edges.
"""
from __future__ import annotations

import ast

from upgrader.engine import upgrade_source
from upgrader.native.session_inline import inline_sessions

TF = "import tensorflow as tf\n\n"
MAKE = ("def batches(n):\n    ds = tf.data.Dataset.range(n).batch(2)\n    it = ds.make_one_shot_iterator()\n"
        "    return it.get_next()\n\n\n")
RUN = "    with tf.Session() as sess:\n        print(sess.run(b))\n"


def test_an_input_function_called_once_is_inlined_and_its_element_pulled_with_next() -> None:
    code = TF + MAKE + "def main():\n    b = batches(5)\n" + RUN + "\n\nmain()\n"
    out = upgrade_source(code, "native")
    assert not [d for d in out.warnings if d.rule == "native"], out.warnings
    assert "    n = 5\n    ds = tf.data.Dataset.range(n).batch(2)\n    it = iter(ds)\n" in out.code
    assert "b = next(it)\n" in out.code and "def batches" not in out.code


def test_an_input_function_called_twice_makes_two_iterators_and_stays() -> None:
    code = TF + MAKE + "def main():\n    b = batches(5)\n    c = batches(3)\n" + RUN + "\n\nmain()\n"
    assert inline_sessions(code, ast.parse(code)) is None


def test_a_function_iterating_a_dataset_it_is_given_is_not_inlined() -> None:
    """graph_blocks.py hoists `image = ds.make_one_shot_iterator().get_next()` under an if into such a def."""
    code = TF + ("def first(ds):\n    x = ds.make_one_shot_iterator().get_next()\n    return x\n\n\n"
                 "d = tf.data.Dataset.range(3)\nx = first(d)\nwith tf.Session() as sess:\n    print(sess.run(x))\n")
    assert inline_sessions(code, ast.parse(code)) is None


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_source(code, "native").warnings if d.rule == "native"]


PROGRAM = "x = tf.placeholder(tf.float32, [])\ny = pick(x)\nwith tf.Session() as sess:\n    print(sess.run(y, {x: 2.0}))\n"


def test_a_helper_whose_tf_cond_branches_are_computing_lambdas_converts() -> None:
    code = TF + "def pick(t):\n    return tf.cond(t > 1.0, lambda: t * 2.0, lambda: -t)\n\n\n" + PROGRAM
    assert not _blockers(code)


def test_other_lambdas_in_graph_functions_still_block() -> None:
    variable = "def pick(t):\n    return tf.cond(t > 1.0, lambda: t * tf.Variable(2.0), lambda: -t)\n\n\n"
    mapped = "def pick(t):\n    f = lambda v: tf.square(v)\n    return f(t)\n\n\n"
    for helper in (variable, mapped):
        assert any("nested functions" in m for m in _blockers(TF + helper + PROGRAM)), helper


ELEMENTS = "ds = tf.data.Dataset.from_tensor_slices(([1, 2], [3.0, 4.0]))\na, b = ds.make_one_shot_iterator().get_next()\n"


def test_elements_fetched_into_their_own_names_hold_the_data_after_the_session() -> None:
    code = TF + ELEMENTS + "with tf.Session() as sess:\n    a, b = sess.run([a, b])\nprint(a)\nprint(b)\n"
    out = upgrade_source(code, "native")
    assert not [d for d in out.warnings if d.rule == "native"], out.warnings
    assert "a, b = next(iterator)\na_value, b_value = a.numpy(), b.numpy()\nprint(a_value)\n" in out.code


def test_elements_fetched_into_their_own_names_in_a_loop_stay() -> None:
    """TF1 fetches the NumPy data itself on the second pass (TypeError): not a program to convert."""
    code = TF + ELEMENTS + "with tf.Session() as sess:\n    for i in range(2):\n        a, b = sess.run([a, b])\n" \
                           "        print(a)\n"
    assert _blockers(code)


REBOUND = "x = tf.constant([1.0, 2.0])\nx = double(x) + 1.0\nwith tf.Session() as sess:\n    print(sess.run(x))\n"


def test_a_function_binding_its_own_local_of_a_rebound_graph_name_does_not_read_the_global() -> None:
    """versions.py: `x` inside `double` is double's local, so which module-level `x` exists does not matter."""
    code = TF + "def double(v):\n    x = v * 2.0\n    return x\n\n\n" + REBOUND
    out = upgrade_source(code, "native")
    assert not [d for d in out.warnings if d.rule == "native"] and "print(x.numpy())" in out.code, out.code


def test_a_function_reading_the_global_version_of_a_rebound_name_still_blocks() -> None:
    """A comprehension's `x` is its own: the `x` read after it is the module's, whose version depends on the call."""
    code = TF + "def double(v):\n    y = [x for x in range(2)]\n    return v * 2.0 + x\n\n\n" + REBOUND
    assert any("is read inside this functiondef and rebound" in m for m in _blockers(code))
