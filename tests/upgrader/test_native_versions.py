"""Names rebound to successive graph tensors (upgrader/native/versions.py): versions, folding, naming, blockers.

End to end (real TF 2.21 and tfcompat v2 print what TF1 printed): fixtures/programs/v1/native_reassign.py;
rewrites: fixtures/upgrade/native_reassign/.
"""
from __future__ import annotations

from upgrader.engine import upgrade_source
from upgrader.native.model import analyze

HEAD = "import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None])\n"
RUN = "with tf.Session() as sess:\n    print(sess.run({}, {{x: [1.0, 2.0]}}))\n"


def _native(source: str) -> tuple[str, list[str]]:
    result = upgrade_source(source, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_each_version_is_an_entity_and_later_reads_see_the_last() -> None:
    prog = analyze(HEAD + "h = tf.square(x)\nh = h + 1.0\nh = tf.sqrt(h)\n" + RUN.format("h"))
    chain = prog.chains["h"]
    assert chain.keys == ["h", "h_1", "h_2"] and chain.folded == {"h", "h_1"}
    assert prog.entities["h_2"].deps == ("h_1",) and prog.entities["h_2"].func == "h"
    assert not prog.blockers


def test_version_keys_avoid_the_users_names() -> None:
    prog = analyze(HEAD + "h_1 = 3.0\nh = tf.square(x)\nh = h * h_1\n" + RUN.format("h"))
    assert prog.chains["h"].keys == ["h", "h_1_"]


def test_constant_versions_fold_into_the_function_that_reads_them() -> None:
    code, blocked = _native(HEAD + "c = tf.constant(2.0)\nc = c * 3.0\nc = c * x\n" + RUN.format("c"))
    assert not blocked
    assert "def c(x):\n    x = tf.convert_to_tensor(x, tf.float32)\n    c = tf.constant(2.0)\n    c = c * 3.0\n" \
           "    return c * x\n" in code


def test_all_constant_versions_stay_as_written() -> None:
    code, blocked = _native(HEAD + "c = tf.constant(2.0)\nd = c * 3.0\nc = c + 1.0\ny = c * x\n" + RUN.format("[d, y]"))
    assert not blocked
    assert "c = tf.constant(2.0)\nd = c * 3.0\nc = c + 1.0\n" in code and "return c * x" in code


def test_constant_version_read_by_a_function_called_later_gets_its_own_name() -> None:
    code, blocked = _native(HEAD + "c = tf.constant(2.0)\ny = c * x\nc = c + 1.0\n" + RUN.format("[y, c]"))
    assert not blocked
    assert "c_0 = tf.constant(2.0)\n" in code and "return c_0 * x\n" in code and "c = c_0 + 1.0\n" in code


def test_constant_versions_read_in_order_by_session_code_keep_the_name() -> None:
    code, blocked = _native("import tensorflow as tf\n\nsess = tf.Session()\nv = tf.constant(2.0)\n"
                            "a = sess.run(v * 2.0)\nv = tf.constant(3.0)\nb = sess.run(v)\nprint(a, b)\n")
    assert not blocked
    assert "v = tf.constant(2.0)\na = (v * 2.0).numpy()\nv = tf.constant(3.0)\nb = v.numpy()\n" in code


def test_placeholder_versions_get_functions_of_their_own() -> None:
    code, blocked = _native("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None], name='p')\n"
                            "x = tf.reshape(x, [-1, 1])\nx = x * 2.0\n"
                            "with tf.Session() as sess:\n    print(sess.run(x, {'p:0': [1.0]}))\n")
    assert not blocked
    assert "def x_1(x):" in code and "def x_2(x):\n    return x_1(x) * 2.0" in code and "x_2([1.0])" in code


def test_unnamed_layers_of_a_chain_take_the_tf_layers_names() -> None:
    code, blocked = _native(HEAD.replace("[None]", "[None, 3]") + "h = tf.layers.dense(x, 4)\nh = tf.layers.dense(h, 2)\n"
                            + RUN.format("h").replace("[1.0, 2.0]", "[[1.0, 2.0, 3.0]]"))
    assert not blocked
    assert "dense = tf.keras.layers.Dense(4)\ndense_1 = tf.keras.layers.Dense(2)\n" in code
    assert "    h = dense(x)\n    return dense_1(h)\n" in code


def test_blockers_name_what_the_user_wrote() -> None:
    _, blocked = _native(HEAD + "h = tf.square(x)\nh = h + 1.0\nprint(h.name)\n" + RUN.format("h"))
    assert blocked and "'h' (a graph tensor) is used outside sess.run (h.name" in blocked[0] and "h_1" not in blocked[0]


def test_a_variable_bound_again_gives_each_variable_its_own_name() -> None:
    code, blocked = _native(HEAD + "w = tf.Variable(1.0)\ny = x * w\nw = tf.Variable(2.0)\n" + RUN.format("[y, w]"))
    assert not blocked
    assert "w_0 = tf.Variable(1.0)\n" in code and "return x * w_0\n" in code and "\nw = tf.Variable(2.0)\n" in code
    assert "print([y([1.0, 2.0]).numpy(), w.numpy()])" in code


def test_gradients_bound_again_give_each_list_its_own_name() -> None:
    code, blocked = _native(HEAD + "w = tf.Variable(1.0)\nloss = tf.reduce_sum(tf.square(x * w))\n"
                            "opt = tf.train.GradientDescentOptimizer(0.1)\ngv = opt.compute_gradients(loss, [w])\n"
                            "gv = [(0.5 * g, v) for g, v in gv]\ntrain = opt.apply_gradients(gv)\n"
                            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                            "    sess.run(train, {x: [1.0, 2.0]})\n    print(w.eval())\n")
    assert not blocked, blocked
    assert "    gv_0 = list(zip(gradients, variables))\n    gv = [(0.5 * g, v) for g, v in gv_0]\n" in code


def test_python_values_are_not_graph_versions() -> None:
    _, blocked = _native(HEAD + "h = tf.square(x)\nh = tf.placeholder(tf.float32)\n" + RUN.format("h"))
    assert "'h' is rebound to a graph placeholder" in blocked[0]


def test_a_function_defined_before_the_rebinding_blocks() -> None:
    prog = analyze(HEAD + "h = tf.square(x)\nshow = lambda sess: sess.run(h, {x: [1.0]})\nh = tf.sqrt(h)\n" + RUN.format("h"))
    assert any(b.line == 5 and "which version it reads depends on when it is called" in b.reason for b in prog.blockers)


def test_a_first_version_bound_with_others_keeps_the_name_and_nothing_folds() -> None:
    prog = analyze("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 4, 2])\n"
                   "cell = tf.nn.rnn_cell.BasicRNNCell(3)\n"
                   "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
                   "outputs = outputs[:, -1]\noutputs = outputs * 2.0\n" + RUN.format("outputs"))
    chain = prog.chains["outputs"]
    assert not chain.folded and [prog.entities[k].func for k in chain.keys] == ["outputs", "outputs_1", "outputs_2"]
