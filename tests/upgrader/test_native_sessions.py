"""Several sessions in one script (upgrader/native/sessions.py) and random constant tensors (random_constants.py).

End to end (TF 2.21 and tfcompat print what TF1 printed): fixtures/programs/v1/native_sessions.py.
"""
from __future__ import annotations

from upgrader.engine import upgrade_source

HEAD = "import tensorflow as tf\n\nw = tf.Variable(1.0)\nstep = w.assign_add(1.0)\n"


def _native(source: str) -> tuple[str, list[str]]:
    result = upgrade_source(source, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_a_later_session_resets_only_the_variables_something_changed() -> None:
    code, blocked = _native(HEAD + "v = tf.Variable(tf.zeros([2]))\n"
                            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                            "    print(sess.run(step))\n"
                            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                            "    print(sess.run([w, v]))\n")
    assert not blocked
    assert "print(step().numpy())\nw.assign(1.0)\nprint([w.numpy(), v.numpy()])" in code
    assert "v.assign" not in code and "initializer" not in code


def test_a_variable_initializer_run_resets_that_variable_and_keeps_the_indentation() -> None:
    code, blocked = _native(HEAD + "sess = tf.Session()\nsess.run(w.initializer)\nsess.run(step)\nsess.close()\n"
                            "with tf.Session() as sess:\n\tif True:\n\t\tsess.run(w.initializer)\n\t\tprint(sess.run(w))\n")
    assert not blocked
    assert "step()\nif True:\n\tw.assign(1.0).numpy()\n\tprint(w.numpy())\n" in code


def test_a_later_session_with_another_name_is_spelled_with_the_first_name() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    sess.run(w.initializer)\n    print(sess.run(w))\n"
                            "with tf.Session() as s2:\n    s2.run(w.initializer)\n    print(s2.run(step))\n")
    assert not blocked and "s2" not in code and code.endswith("print(w.numpy())\nw.assign(1.0)\nprint(step().numpy())\n")


def test_sessions_open_at_the_same_time_block() -> None:
    _, blocked = _native(HEAD + "s1 = tf.Session()\ns2 = tf.Session()\ns1.run(w.initializer)\ns2.run(w.initializer)\n"
                         "print(s1.run(step), s2.run(step))\n")
    assert blocked == ["native conversion blocked (file kept in compat form): two sessions open at once ('s2' is the "
                       "second): each TF1 session has its own variable state, which native code gives a second session "
                       "as copies of its variables, but 's2' runs 'step', a graph value built on the first session's "
                       "variables (name only variables in its runs, or use one session)"]


def test_sessions_open_at_once_after_an_earlier_session_convert_with_a_copy_of_the_variables() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    sess.run(w.initializer)\n    print(sess.run(w))\n"
                         "w = tf.Variable(1.0)\ns1 = tf.Session()\ns2 = tf.Session()\ns1.run(w.initializer)\n"
                         "s2.run(w.initializer)\nprint(s1.run(w.assign_add(1.0)), s2.run(w))\n")
    assert not blocked   # s2 runs on a copy of w (native/session_copies.py); s1 is spelled with the first name
    assert code.endswith("w = tf.Variable(1.0)\nw_s2 = tf.Variable(1.0)\n\nprint(w.assign_add(1.0).numpy(), "
                         "w_s2.numpy())\n")


def test_a_reset_that_cannot_be_restated_blocks() -> None:
    _, blocked = _native("import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\nw = tf.Variable(1.0)\n"
                         "train = tf.train.AdamOptimizer(0.1).minimize(tf.square(x * w))\n"
                         "for _ in range(2):\n    pass\n"
                         "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                         "    sess.run(train, {x: 1.0})\n"
                         "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                         "    print(sess.run(w))\n")
    assert any("a later session re-initialises 'w', which an earlier one changed: its optimizer "
               "(tf.train.AdamOptimizer) keeps per-variable state that TF1 resets too" in b for b in blocked)


def test_a_random_constant_run_once_stays_a_value_and_run_twice_is_drawn_on_each_call() -> None:
    src = "import tensorflow as tf\n\nc = tf.random_uniform([], seed=2)\nwith tf.Session() as sess:\n    print(sess.run(c))\n"
    code, blocked = _native(src)
    assert not blocked and "print(c.numpy())" in code
    code, blocked = _native(src + "    print(sess.run(c))\n")   # more in tests/upgrader/test_native_random.py
    assert not blocked and code.endswith("print(c().numpy())\nprint(c().numpy())\n")
    code, blocked = _native(src.replace("    print", "    for _ in range(2):\n        print"))
    assert not blocked and "for _ in range(2):\n    print(c().numpy())" in code


def test_a_random_constant_read_by_one_function_is_drawn_inside_it_and_by_two_blocks() -> None:
    src = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [2])\n"
           "noise = tf.random_normal([2])\ny = x + noise\n"
           "with tf.Session() as sess:\n    print(sess.run(y, {x: [1.0, 2.0]}).shape)\n")
    code, blocked = _native(src)   # more in tests/upgrader/test_native_random_readers.py
    assert not blocked and "def y(x):\n    noise = tf.random.normal([2])\n" in code
    _, blocked = _native(src.replace("y = x + noise\n", "y = x + noise\nz = x * noise\n"))
    assert len(blocked) == 1 and "'noise' is a random tensor and 'y' reads it and runs on every call" in blocked[0]


def test_a_graph_name_bound_to_data_takes_a_name_of_its_own_from_there_on() -> None:
    code, blocked = _native("import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32)\n"
                            "y = x * 2.0\nwith tf.Session() as sess:\n    if len(\"ab\") == 2:\n"
                            "        y = sess.run(y, {x: 1.0})\n    print(y)\n"
                            "x = np.ones(2)\nprint(x + y)\n")
    assert not blocked
    assert "y_value = y(1.0).numpy()\nprint(y_value)\nx_value = np.ones(2)\n" \
           "print(x_value + y_value)\n" in code


def test_session_options_are_data_and_a_session_nothing_uses_is_dropped() -> None:
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    sess.run(w.initializer)\n    print(sess.run(step))\n"
                            "config = tf.ConfigProto()\nconfig.allow_soft_placement = True\n"
                            "spare = tf.Session(config=config)\nwith tf.Session() as sess:\n"
                            "    sess.run(w.initializer)\n    print(sess.run(w))\n")
    assert not blocked and "spare" not in code and "tf.config.set_soft_device_placement(True)\n" in code
    code, blocked = _native(HEAD + "config = tf.ConfigProto()\nconfig.inter_op_parallelism_threads = 2\n"
                            "with tf.Session(config=config) as sess:\n    sess.run(w.initializer)\n")
    assert len(blocked) == 1 and blocked[0].startswith(   # not "'config' (a graph tensor) is used outside sess.run"
        "native conversion blocked (file kept in compat form): tf.ConfigProto field 'inter_op_parallelism_threads'")
    code, blocked = _native(HEAD + "with tf.Session() as sess:\n    sess.run(w.initializer)\n    print(sess.run(step))\n"
                            "spare = tf.Session()\nwith tf.Session() as sess:\n    sess.run(w.initializer)\n"
                            "    print(sess.run(w))\n")
    assert not blocked and "spare" not in code and code.endswith("w.assign(1.0)\nprint(w.numpy())\n")
