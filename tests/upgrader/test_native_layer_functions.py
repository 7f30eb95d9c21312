"""tf.layers calls inside layer functions (native/layer_functions.py): each becomes a Keras layer of the function's
tf.Module, TF1's layer names are replayed for reuse, and what falls back says why."""
from __future__ import annotations

import textwrap

from upgrader.engine import upgrade_source
from upgrader.native.model import analyze

HEAD = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 4])\n"
RUN = "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n    print(sess.run(a, {x: [[1.0] * 4]}))\n"


def _program(func: str, calls: str = "a = net(x)\n") -> str:
    return HEAD + textwrap.dedent(func) + textwrap.dedent(calls) + RUN


def _blockers(func: str, calls: str = "a = net(x)\n") -> list[str]:
    return [b.reason for b in analyze(_program(func, calls)).blockers]


def _sites(func: str, calls: str) -> list[tuple[str, bool]]:
    prog = analyze(_program(func, calls))
    assert not prog.blockers, prog.blockers
    return [(s.instance.name, s.new) for s in prog.functions.sites.values()]


MLP = '''
def net(x):
    h = tf.layers.dense(x, 8, activation=tf.nn.relu)
    return tf.layers.dense(h, 1)
'''

CNN = '''
def conv_net(x, n_classes, dropout, reuse, is_training):
    with tf.variable_scope('ConvNet', reuse=reuse):
        x = tf.reshape(x, shape=[-1, 2, 2, 1])
        conv1 = tf.layers.conv2d(x, 4, 1, activation=tf.nn.relu)
        conv1 = tf.layers.max_pooling2d(conv1, 2, 2)
        fc1 = tf.contrib.layers.flatten(conv1)
        fc1 = tf.layers.dense(fc1, 16)
        fc1 = tf.layers.dropout(fc1, rate=dropout, training=is_training)
        out = tf.layers.dense(fc1, n_classes)
    return out
'''
SHARED = "a = conv_net(x, 10, 0.25, reuse=False, is_training=True)\nb = conv_net(x, 10, 0.25, reuse=True, is_training=False)\n"


def test_a_function_calling_tf_layers_becomes_a_module_of_keras_layers() -> None:
    code = upgrade_source(_program(MLP), "native").code
    assert "class Net(tf.Module):" in code
    assert "self.dense = tf.keras.layers.Dense(8, activation=tf.nn.relu)" in code
    assert "self.dense_1 = tf.keras.layers.Dense(1)" in code   # TF1's names: dense, dense_1
    assert "h = self.dense(x)\n        return self.dense_1(h)" in code
    assert "tf.layers" not in code and "compat.v1" not in code


def test_the_module_lists_its_keras_layers_weights_for_training() -> None:
    program = _program(MLP).replace("with tf.Session()", "loss = tf.reduce_sum(a)\n"
                                    "train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\nwith tf.Session()")
    code = upgrade_source(program, "native").code
    assert "variables = [*a_layer.trainable_variables]" in code, code
    assert 'return super().trainable_variables + self._keras_weights("trainable_weights")' in code
    assert "for m in (self, *self.submodules)" in code   # nested modules' Keras layers too


def test_reuse_true_shares_the_instance_and_training_passes_through() -> None:
    code = upgrade_source(_program(CNN, SHARED), "native").code
    assert code.count("= ConvNet(10, 0.25)") == 1, code
    assert "conv_net = ConvNet(10, 0.25)" in code   # not 'ConvNet = ConvNet(...)': the scope's name is the class's
    assert "return conv_net(x, is_training=True)" in code and "return conv_net(x, is_training=False)" in code
    assert "def __call__(self, x, is_training):" in code
    assert "fc1 = self.dropout_1(fc1, training=is_training)" in code
    assert "self.flatten = tf.keras.layers.Flatten()" in code   # tf.contrib.layers.flatten respelled first
    assert "super().__init__(name='ConvNet')" in code


def test_tf1_layer_names_decide_what_is_shared() -> None:
    assert _sites(CNN.replace("contrib.layers", "layers"), SHARED) == [("conv_net", True), ("conv_net", False)]
    # no scope: the second call's layers are dense_2, dense_3 in TF1, new variables
    assert _sites(MLP, "a = net(x)\nb = net(x)\n") == [("a_layer", True), ("b_layer", True)]
    # a module-level scope entered again numbers its layers afresh, so reuse=True finds dense and dense_1
    assert _sites(MLP, 'with tf.variable_scope("m"):\n    a = net(x)\n'
                       'with tf.variable_scope("m", reuse=True):\n    b = net(x * 2.0)\n') == [("m", True), ("m", False)]


def test_a_second_call_without_reuse_is_tf1s_error() -> None:
    reasons = _blockers(CNN.replace("contrib.layers", "layers"), SHARED.replace("reuse=True", "reuse=False"))
    assert any("'ConvNet/conv2d/kernel' already exists" in r for r in reasons), reasons


def test_named_layers_are_not_numbered() -> None:
    named = MLP.replace("tf.layers.dense(h, 1)", "tf.layers.dense(h, 1, name='out')")
    code = upgrade_source(_program(named), "native").code
    assert "self.out = tf.keras.layers.Dense(1, name='out')" in code
    assert any("'out/kernel' already exists" in r for r in _blockers(named, "a = net(x)\nb = net(x)\n"))


def test_sizes_from_parameters_construct_the_layers() -> None:
    func = '''
    def net(x, hidden, out_size, act=tf.nn.relu):
        h = tf.layers.dense(x, hidden, activation=act)
        return tf.layers.dense(h, out_size)
    '''
    code = upgrade_source(_program(func, "a = net(x, 8, 2)\n"), "native").code
    assert "def __init__(self, hidden, out_size, act=tf.nn.relu):" in code
    assert "self.dense = tf.keras.layers.Dense(hidden, activation=act)" in code
    assert "def __call__(self, x):" in code and "self.hidden" not in code


def test_nested_layer_functions_and_conv2d_transpose() -> None:
    func = '''
    def block(x, n):
        return tf.layers.dense(x, n, activation=tf.nn.relu)
    def net(x, reuse=False):
        with tf.variable_scope("G", reuse=reuse):
            h = block(x, 4)
            h = tf.reshape(h, [-1, 2, 2, 1])
            return tf.layers.conv2d_transpose(h, 1, 2, strides=2)
    '''
    code = upgrade_source(_program(func, "a = net(x)\nb = net(x, reuse=True)\n"), "native").code
    assert "self.block = Block(4)" in code and "self.conv2d_transpose = tf.keras.layers.Conv2DTranspose(1, kernel_size=2, strides=2)" in code
    assert code.count("= Net()") == 1, code


def test_batch_normalization_in_a_function() -> None:
    func = '''
    def net(x, training):
        h = tf.layers.dense(x, 3)
        return tf.layers.batch_normalization(h, training=training)
    '''
    calls = ("a = net(x, True)\nloss = tf.reduce_sum(a)\nupdate_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
             "with tf.control_dependencies(update_ops):\n    train = tf.train.AdamOptimizer(0.1).minimize(loss)\n")
    code = upgrade_source(_program(func, calls), "native").code
    assert "tf.keras.layers.BatchNormalization(momentum=0.99, epsilon=0.001)" in code
    assert "return self.batch_normalization(h, training=training)" in code
    no_updates = upgrade_source(_program(func, "a = net(x, True)\n"), "native")
    assert any("trained without UPDATE_OPS" in d.message for d in no_updates.warnings), no_updates.warnings


def test_layers_under_control_flow_fall_back_with_the_reason() -> None:
    loop = '''
    def net(x):
        for i in range(2):
            x = tf.layers.dense(x, 4)
        return x
    '''
    assert any("tf.layers.dense under Python control flow" in r for r in _blockers(loop))
    comp = '''
    def net(x):
        return tf.add_n([tf.layers.dense(x, 4) for _ in range(2)])
    '''
    assert any("tf.layers.dense inside a ListComp" in r for r in _blockers(comp))
    reuse = MLP.replace("tf.layers.dense(h, 1)", "tf.layers.dense(h, 1, reuse=True)")
    assert any("reuse=...): share the layer through" in r for r in _blockers(reuse))


GAN = '''
def generator(z, reuse=False):
    with tf.variable_scope('Generator', reuse=reuse):
        return tf.layers.dense(z, 4)
def discriminator(x, reuse=False):
    with tf.variable_scope('Discriminator', reuse=reuse):
        w = tf.get_variable("w", [4, 1])
        return tf.matmul(x, w)
'''
GAN_CALLS = '''
a = discriminator(generator(x))
b = discriminator(x, reuse=True)
loss = tf.reduce_mean(a - b)
g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='Generator')
d_vars = tf.trainable_variables('Discriminator')
train_g = tf.train.AdamOptimizer(0.1).minimize(-loss, var_list=g_vars)
train_d = tf.train.AdamOptimizer(0.1).minimize(loss, var_list=d_vars)
'''


def test_var_lists_by_scope_are_the_modules_variables_read_in_the_step() -> None:
    code = upgrade_source(_program(GAN, GAN_CALLS), "native").code
    assert "variables = [*generator.trainable_variables]" in code, code
    assert "variables = [*discriminator.trainable_variables]" in code
    assert "g_vars" not in code and "d_vars" not in code   # read only as var_lists: where TF1 read them
    assert "get_collection" not in code


def test_a_listing_splitting_a_module_or_read_before_its_first_call_falls_back() -> None:
    split = _blockers(GAN, GAN_CALLS.replace("scope='Generator'", "scope='Generator/dense/kernel'"))
    assert any("takes 1 of the 2 variables of 'generator'" in r for r in split), split
    printed = _program(GAN, GAN_CALLS + "print(len(g_vars))\n")
    result = upgrade_source(printed, "native")
    assert any("'g_vars' lists the variables of 'generator', which its tf.Module creates on its first call" in d.message
               for d in result.warnings), result.warnings
    eager = upgrade_source(_program(GAN, GAN_CALLS + "print(len(d_vars))\n"), "native").code
    assert "d_vars = [*discriminator.trainable_variables]" in eager   # get_variable: made at construction


def test_a_bool_placeholder_fed_to_training_becomes_a_python_bool() -> None:
    func = '''
    def net(x, training):
        return tf.layers.dropout(tf.layers.dense(x, 3), 0.5, training=training)
    '''
    program = _program(func, "flag = tf.placeholder(tf.bool)\na = net(x, flag)\n").replace("[[1.0] * 4]}", "[[1.0] * 4], flag: False}")
    code = upgrade_source(program, "native").code
    assert "return self.dropout(self.dense(x), training=training)" in code, code
    assert "convert_to_tensor(flag" not in code   # a Python bool, as Keras takes it
    assert "print(a(" in code and ", False)" in code


def test_module_level_keras_layers_are_listed_by_their_scope() -> None:
    program = HEAD + textwrap.dedent('''
    with tf.variable_scope("G"):
        g1 = tf.layers.dense(x, 4)
        g2 = tf.layers.dropout(g1, 0.5)
    with tf.variable_scope("D"):
        d = tf.layers.dense(g2, 1)
    loss = tf.reduce_sum(d)
    train = tf.train.AdamOptimizer(0.1).minimize(
        loss, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="G"))
    ''') + RUN.replace("(a,", "(d,")
    code = upgrade_source(program, "native").code
    assert "variables = [*g1_layer.trainable_variables]" in code, code


def test_module_level_layers_reused_by_name_are_one_keras_layer() -> None:
    program = HEAD + textwrap.dedent('''
    with tf.variable_scope("D"):
        a = tf.layers.dense(x, 2, name="l")
        b = tf.layers.dense(x * 2.0, 2, name="l", reuse=True)
    with tf.variable_scope("D", reuse=True):
        c = tf.layers.dense(x * 3.0, 2, name="l")
    ''') + RUN
    code = upgrade_source(program, "native").code
    assert code.count("tf.keras.layers.Dense(") == 1, code
    assert "return l(x * 2.0)" in code and "return l(x * 3.0)" in code
    unnamed = analyze(HEAD + "a = tf.layers.dense(x, 2)\nb = tf.layers.dense(x, 2, reuse=True)\n" + RUN)
    assert any("an unnamed tf.layers call under reuse" in b.reason for b in unnamed.blockers), unnamed.blockers
    missing = analyze(HEAD + "b = tf.layers.dense(x, 2, name='m', reuse=True)\n" + RUN.replace("(a,", "(b,"))
    assert any("no earlier layer of that name in its scope" in b.reason for b in missing.blockers), missing.blockers
