"""Programs inside functions and graph blocks: function_body.py, session_inline.py, default_graphs.py.

The end-to-end checks (converted programs printing what TF1 printed) are the fixture programs
native_main_helpers, native_two_mains, native_main_graph_block, native_default_graphs and
native_build_then_train; these are the cases where native mode must leave the code alone.
"""
from __future__ import annotations

import ast

import pytest

from upgrader.engine import upgrade_source
from upgrader.native.default_graphs import default_graphs
from upgrader.native.session_inline import inline_sessions

TF = "import tensorflow as tf\n\n"


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_source(code, "native").warnings if d.rule == "native"]


def test_a_main_program_folds_back_under_its_def_with_its_docstring_and_callers() -> None:
    code = TF + ('def main(n=3):\n    """Doubles."""\n    x = tf.placeholder(tf.float32, [None])\n    y = 2.0 * x\n'
                 "    with tf.Session() as sess:\n        print(sess.run(y, {x: [1.0] * n}))\n\n\nmain()\n")
    out = upgrade_source(code, "native").code
    assert 'def main(n=3):\n    """Doubles."""\n\n    def y(x):\n' in out
    assert "    print(y([1.0] * n).numpy())\n\n\nmain()\n" in out
    assert "tfcompat" not in out   # the markers are gone


def test_a_session_opened_on_tensors_the_function_is_given_is_not_a_program_of_its_own() -> None:
    code = TF + ("def show(t):\n    with tf.Session() as sess:\n        print(sess.run(t))\n\n\n"
                 "show(tf.constant(1.0))\nshow(tf.constant(2.0))\n")
    assert _blockers(code) and upgrade_source(code, "native").code.count("compat.v1.Session") == 1


SESSION_FN = "def fit(x, loss):\n    with tf.Session() as sess:\n        print(sess.run(loss, {x: 1.0}))\n\n\n"
BUILD = "def main():\n    x = tf.placeholder(tf.float32, [])\n    loss = x * 2.0\n"


@pytest.mark.parametrize("caller", [
    BUILD + "    fit(x, loss)\n    fit(x, loss)\n",            # called twice: not one program
    BUILD + "    print = 1\n    fit(x, loss)\n",               # the global `print` it reads is the caller's local
    BUILD + "    fit(x, loss=loss * 1.0, extra=1)\n",          # an argument it does not take
    BUILD + "    f = fit\n    f(x, loss)\n",                   # referenced other than by the call
], ids=["twice", "name_clash", "bad_keyword", "aliased"])
def test_session_functions_stay_where_inlining_would_change_the_program(caller: str) -> None:
    code = TF + SESSION_FN + caller
    assert inline_sessions(code, ast.parse(code)) is None


def test_an_inlined_function_s_own_names_that_the_caller_uses_are_renamed() -> None:
    code = TF + SESSION_FN + BUILD + "    sess = 1\n    fit(x, loss)\n    print(sess)\n"
    out = inline_sessions(code, ast.parse(code))
    assert out == TF + BUILD + ("    sess = 1\n    with tf.Session() as sess_:\n        print(sess_.run(loss, {x: 1.0}))\n"
                                "    print(sess)\n")


def test_an_inlined_session_function_binds_its_parameters_and_returns_into_the_target() -> None:
    build = "def main():\n    x = tf.placeholder(tf.float32, [])\n    cost = x * 2.0\n"
    code = TF + ("def fit(x, loss, steps=2):\n    with tf.Session() as sess:\n        v = sess.run(loss, {x: steps})\n"
                 "    return v\n\n\n" + build + "    value = fit(x, cost * 3.0)\n    print(value)\n")
    out = inline_sessions(code, ast.parse(code))
    assert out == TF + (build + "    loss = cost * 3.0\n    steps = 2\n    with tf.Session() as sess:\n"
                        "        v = sess.run(loss, {x: steps})\n    value = v\n    print(value)\n")


GRAPH = "g = tf.Graph()\nwith g.as_default():\n    x = tf.placeholder(tf.float32, [])\n    y = x * 2.0\n"
RUN = "with tf.Session(graph=g) as sess:\n    print(sess.run(y, {x: 1.0}))\n"


@pytest.mark.parametrize("code", [
    TF + GRAPH + "g.finalize()\n" + RUN,                                          # the graph object itself is used
    TF + GRAPH + "with g.as_default():\n    z = y + 1.0\n" + RUN,                 # one graph entered twice
    TF + "c = tf.constant(1.0)\n" + GRAPH + RUN,                                  # graph code outside the block
    TF + GRAPH + "h = tf.Graph()\nwith h.as_default():\n    a = tf.constant(1.0)\n"
    "with tf.Session(graph=g) as sess:\n    print(sess.run(y, {x: 1.0}))\n",     # a session on g after h's block
], ids=["finalize", "reentered", "outside", "interleaved"])
def test_graph_blocks_stay_when_the_graph_is_more_than_scoping(code: str) -> None:
    assert default_graphs(code, ast.parse(code)) is None


def test_one_graph_block_unwraps_in_place_and_its_session_loses_graph() -> None:
    code = TF + GRAPH + RUN
    assert default_graphs(code, ast.parse(code)) == TF + (
        "x = tf.placeholder(tf.float32, [])\ny = x * 2.0\nwith tf.Session() as sess:\n    print(sess.run(y, {x: 1.0}))\n")


def test_graph_blocks_one_after_another_are_split_by_resets_and_graph_code_leaves_the_session() -> None:
    code = TF + ("with tf.Graph().as_default(), tf.Session() as s1:\n    a = tf.placeholder(tf.float32)\n"
                 "    print(s1.run(a * 2.0, {a: 1.0}))\nwith tf.Graph().as_default():\n    b = tf.constant(3.0)\n"
                 "    with tf.Session() as s2:\n        print(s2.run(b))\n")
    assert default_graphs(code, ast.parse(code)) == TF + (
        "a = tf.placeholder(tf.float32)\nwith tf.Session() as s1:\n    print(s1.run(a * 2.0, {a: 1.0}))\n"
        "tf.reset_default_graph()\nb = tf.constant(3.0)\nwith tf.Session() as s2:\n    print(s2.run(b))\n")
    assert not _blockers(code)


def test_a_main_guard_that_only_calls_main_is_left_to_the_function_it_calls() -> None:
    from upgrader.native.main_guard import main_guard
    code = TF + "def main():\n    pass\n\n\nif __name__ == '__main__':\n    main()\n    tf.app.run()\n"
    assert main_guard(code, ast.parse(code), lambda text: []) is None


def test_a_program_under_the_main_guard_stays_guarded() -> None:
    code = TF + ("if __name__ == '__main__':\n    x = tf.placeholder(tf.float32, [None])\n    y = 2.0 * x\n"
                 "    with tf.Session() as sess:\n        print(sess.run(y, {x: [1.0]}))\n")
    out = upgrade_source(code, "native").code
    assert "\nif __name__ == '__main__':\n    def y(x):\n" in out and out.endswith(
        "\n    print(y([1.0]).numpy())\n")
