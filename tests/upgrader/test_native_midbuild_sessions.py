"""Sessions that run the graph while it is still being built, to compute constant targets (style transfer).

A loss helper assigns a fixed image to the input variable in a session of its own, fetches a layer's value,
and builds the loss on that NumPy value; the program trains later in another session. In TF2 this is plain
evaluation at that point (`image.assign(content)`, `fixed = net()["relu"].numpy()`), and the loss, a function
of the variable, is recomputed on each step. Pieces: the helper is written into its one caller
(native/session_inline.py, also when its results go into a dict's items), the loss's naming scope around the
sessions stands one level out (native/scoped_sessions.py), a list comprehension fetched is a list of arrays
(native/fetch.py), and the training session's initialiser run resets the image without blocking on the
optimizer, which did not exist while the earlier sessions ran (native/sessions.py). In a model class the
fetching session is part of construction (native/class_midbuild.py). The programs keep their model in one dict
and add their own graph objects to it (native/dict_items.py), make summaries in a helper (written into its one
caller, native/session_inline.py) and make their Saver twice (native/dead_savers.py).
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from tests.upgrader.multi_file import run_old_and_new
from upgrader.native.dead_savers import drop_dead_savers
from upgrader.native.dict_items import item_names
from upgrader.native.run import upgrade_native
from upgrader.native.scoped_sessions import unwrap_scoped_sessions

FUNCTIONS = '''import numpy as np
import tensorflow as tf

LAYERS = ["relu", "pooled"]


def network(image):
    net = {}
    net["relu"] = tf.nn.relu(image * 2.0 - 0.5)
    net["pooled"] = tf.reduce_mean(net["relu"] ** 2, axis=1)
    return net


def build_losses(net, image, content, style):
    with tf.variable_scope("loss") as scope:
        with tf.Session() as sess:
            sess.run(image.assign(content))
            fixed = sess.run(net["relu"])
        content_loss = tf.reduce_sum((net["relu"] - fixed) ** 2)
        with tf.Session() as sess:
            sess.run(image.assign(style))
            targets = sess.run([net[name] for name in LAYERS])
        style_loss = sum(tf.reduce_sum((net[name] - targets[i]) ** 2) for i, name in enumerate(LAYERS))
        total = content_loss + 0.5 * style_loss
    return content_loss, style_loss, total


def main():
    image = tf.Variable(np.zeros([2, 3]), dtype=tf.float32)
    net = network(image)
    content = np.linspace(0.0, 1.0, 6).reshape(2, 3)
    style = np.cos(np.arange(6.0)).reshape(2, 3)
    content_loss, style_loss, total = build_losses(net, image, content, style)
    step = tf.train.AdamOptimizer(0.1).minimize(total)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(image.assign(np.full([2, 3], 0.6)))
        for i in range(4):
            sess.run(step)
            c, s, t = sess.run([content_loss, style_loss, total])
            print("step", i, round(float(c), 4), round(float(s), 4), round(float(t), 4))


if __name__ == "__main__":
    main()
'''


CLASS = """import numpy as np
import tensorflow as tf


def network(image):
    return {"relu": tf.nn.relu(image * 2.0 + 0.25), "square": tf.square(image)}


class Transfer(object):
    def __init__(self, content, style):
        self.content = content
        self.style = style
        self.layers = ["relu", "square"]
        self.lr = 0.1

    def create_input(self):
        with tf.variable_scope("input") as scope:
            self.image = tf.get_variable("image", shape=[2, 3], dtype=tf.float32,
                                         initializer=tf.zeros_initializer())

    def load_net(self):
        self.net = network(self.image)

    def _content_loss(self, fixed):
        self.content_loss = tf.reduce_sum((self.net["relu"] - fixed) ** 2)

    def _gram(self, f):
        return tf.matmul(tf.transpose(f), f)

    def losses(self):
        with tf.variable_scope("losses") as scope:
            with tf.Session() as sess:
                sess.run(self.image.assign(self.content))
                fixed = sess.run(self.net["relu"])
            self._content_loss(fixed)
            with tf.Session() as sess:
                sess.run(self.image.assign(self.style))
                targets = sess.run([self.net[name] for name in self.layers])
            self.style_loss = sum(tf.reduce_sum((self._gram(self.net[name]) - self._gram(targets[i])) ** 2)
                                  for i, name in enumerate(self.layers))
            self.total_loss = self.content_loss + 0.5 * self.style_loss

    def optimize(self):
        self.opt = tf.train.AdamOptimizer(self.lr).minimize(self.total_loss)

    def build(self):
        self.create_input()
        self.load_net()
        self.losses()
        self.optimize()

    def train(self, steps):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(steps):
                sess.run(self.opt)
                c, s, t = sess.run([self.content_loss, self.style_loss, self.total_loss])
                print("step", i, round(float(c), 4), round(float(s), 4), round(float(t), 4))


if __name__ == "__main__":
    machine = Transfer(np.linspace(0.0, 1.0, 6).reshape(2, 3), np.cos(np.arange(6.0)).reshape(2, 3))
    machine.build()
    machine.train(4)
"""


MODEL_DICT = """import os

import numpy as np
import tensorflow as tf


def network(image):
    return {"relu": tf.nn.relu(image * 2.0 + 0.25), "square": tf.square(image)}


def build_losses(model, image, content):
    with tf.variable_scope("loss"):
        with tf.Session() as sess:
            sess.run(image.assign(content))
            fixed = sess.run(model["relu"])
        content_loss = tf.reduce_sum((model["relu"] - fixed) ** 2)
        total = content_loss + 0.1 * tf.reduce_sum(model["square"])
    return content_loss, total


def summaries(model):
    with tf.name_scope("summaries"):
        tf.summary.scalar("content", model["content_loss"])
        tf.summary.scalar("total", model["total_loss"])
        return tf.summary.merge_all()


def train(model, image, start):
    with tf.Session() as sess:
        saver = tf.train.Saver()
        saver = tf.train.Saver()
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter("graphs", sess.graph)
        sess.run(image.assign(start))
        ckpt = tf.train.get_checkpoint_state(os.path.dirname("checkpoints/checkpoint"))
        if ckpt and ckpt.model_checkpoint_path:
            saver.restore(sess, ckpt.model_checkpoint_path)
        first = model["global_step"].eval()
        for index in range(first, 4):
            sess.run(model["optimizer"])
            img, total, summary = sess.run([image, model["total_loss"], model["summary_op"]])
            writer.add_summary(summary, global_step=index)
            print("step", index + 1, round(float(np.sum(img)), 4), round(float(total), 4))
        saver.save(sess, "checkpoints/transfer", 4)


def main():
    image = tf.Variable(np.zeros([2, 3]), dtype=tf.float32)
    model = network(image)
    model["global_step"] = tf.Variable(0, dtype=tf.int32, trainable=False, name="global_step")
    content = np.linspace(0.0, 1.0, 6).reshape(2, 3)
    model["content_loss"], model["total_loss"] = build_losses(model, image, content)
    model["optimizer"] = tf.train.AdamOptimizer(0.1).minimize(model["total_loss"], global_step=model["global_step"])
    model["summary_op"] = summaries(model)
    train(model, image, np.full([2, 3], 0.6))


if __name__ == "__main__":
    main()
"""


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def _same_numbers(old: str, new: str) -> None:
    a, b = old.split(), new.split()
    assert [w for w in b if w.isalpha()] == [w for w in a if w.isalpha()] and len(a) == len(b)
    np.testing.assert_allclose([float(w) for w in b if not w.isalpha()], [float(w) for w in a if not w.isalpha()],
                               rtol=1e-4, atol=1e-4)


def test_a_loss_helper_with_sessions_of_its_own_converts_to_plain_evaluation() -> None:
    out = upgrade_native(FUNCTIONS).code
    assert not _blockers(FUNCTIONS)
    assert "    image.assign(content)\n    fixed = net()[\"relu\"].numpy()\n" in out
    assert "    targets = [net()[name].numpy() for name in LAYERS]\n" in out
    assert "def build_losses" not in out and "variable_scope" not in out
    for tf1 in ("Session", "placeholder", "initializer", "compat.v1"):
        assert tf1 not in out, tf1


def test_the_converted_helper_program_prints_what_tf1_printed(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": FUNCTIONS})
    assert tf1.stdout.startswith("step 0 1.3 ")
    _same_numbers(tf1.stdout, tf2.stdout)


def test_a_naming_scope_around_a_session_is_unwrapped_only_when_it_makes_nothing() -> None:
    head = "import numpy as np\nimport tensorflow as tf\nimage = tf.Variable(np.zeros(2, np.float32))\n"
    session = ("    with tf.Session() as sess:\n        sess.run(image.assign(np.ones(2)))\n"
               "        fixed = sess.run(2.0 * image)\n")
    plain = head + "with tf.variable_scope('loss') as scope:\n" + session + "    loss = tf.reduce_sum(image - fixed)\n"
    got = unwrap_scoped_sessions(plain, ast.parse(plain))
    assert got == head + session.replace("\n    ", "\n")[4:] + "loss = tf.reduce_sum(image - fixed)\n"
    makes = head + "with tf.variable_scope('loss'):\n" + session + "    w = tf.Variable(1.0)\n"
    used = plain + "print(scope.name)\n"
    no_session = head + "with tf.variable_scope('loss'):\n    loss = tf.reduce_sum(image)\n"
    for code in (makes, used, no_session):
        assert unwrap_scoped_sessions(code, ast.parse(code)) is None


def test_a_model_class_fetching_targets_in_build_becomes_a_module_that_evaluates_them_in_init() -> None:
    out = upgrade_native(CLASS).code
    assert not _blockers(CLASS)
    assert "class Transfer(tf.Module):" in out and "machine.build()" not in out
    init = out[out.index("def __init__"):out.index("def net(")]
    assert "self.image.assign(self.content)\n        self.fixed = self.net()[\"relu\"].numpy()\n" in init
    assert ("self.targets = [self.net()[name].numpy() for name in self.layers]\n"
            "        self.image.assign(tf.zeros([2, 3], tf.float32))\n" in init)   # the training session's init
    for tf1 in ("Session", "compat.v1", "variable_scope"):
        assert tf1 not in out, tf1


def test_the_converted_class_prints_what_tf1_printed(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": CLASS})
    assert tf1.stdout.startswith("step 0 ") and len(set(tf1.stdout.splitlines())) == 4   # it trains
    _same_numbers(tf1.stdout, tf2.stdout)


def test_a_class_variable_whose_initial_value_cannot_be_restated_names_it() -> None:
    code = CLASS.replace("initializer=tf.zeros_initializer()", "initializer=tf.random_normal_initializer()")
    assert any("'self.image' is assigned in a session while the graph is built, and the session that trains "
               "initialises it again" in m for m in _blockers(code))


def test_a_model_dict_a_program_adds_its_graph_objects_to_converts() -> None:
    out = upgrade_native(MODEL_DICT).code
    assert not _blockers(MODEL_DICT)
    assert 'model_global_step = tf.Variable(0, dtype=tf.int32, trainable=False, name="global_step")' in out
    assert "def model_summary_op():" in out and "def summaries" not in out   # the summary helper, written in place
    assert out.count("tf.train.Checkpoint(") == 1 and "saver_manager.save(checkpoint_number=4)" in out
    for tf1 in ("Session", "compat.v1", "Saver", 'model["'):
        assert tf1 not in out, tf1


def test_the_converted_model_dict_program_prints_what_tf1_printed(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": MODEL_DICT})
    assert tf1.stdout.startswith("step 1 3.4 2.038")
    _same_numbers(tf1.stdout, tf2.stdout)
    assert (tmp_path / "new" / "checkpoints" / "transfer-4.index").exists()


def test_items_added_to_a_dict_of_graph_values_get_names_only_when_every_read_is_by_key() -> None:
    head = "import tensorflow as tf\nx = tf.Variable(1.0)\nmodel = dict(y=2.0 * x)\n"
    code = head + "model['step'] = tf.Variable(0)\nmodel['loss'] = model['y'] ** 2\nprint(model['loss'], model)\n"
    assert item_names(code, ast.parse(code)) is None   # the whole dict is printed: it must keep its items
    body = "model['step'] = tf.Variable(0)\nmodel['loss'] = model['y'] ** 2\nf(model['loss'], model)\n"
    code = head + "def f(a, m):\n    return m['y'] * a\n" + body   # f reads the dict's own item
    assert item_names(code, ast.parse(code)) == code.replace(body, (
        "model_step = tf.Variable(0)\nmodel_loss = model['y'] ** 2\nf(model_loss, model)\n"))
    read = head + "def f(a, m):\n    return m['step'] * a\n" + body   # a function of the file reads an added key
    plain = head + "model['rate'] = 0.1\nprint(model['rate'])\n"   # no TensorFlow value stored
    for other in (read, plain):
        assert item_names(other, ast.parse(other)) is None


def test_a_saver_bound_again_before_any_use_goes() -> None:
    head = "import tensorflow as tf\nv = tf.Variable(1.0)\nwith tf.Session() as sess:\n"
    code = head + "    saver = tf.train.Saver()\n    saver = tf.train.Saver()  # again\n    saver.save(sess, 'ck')\n"
    assert drop_dead_savers(code, ast.parse(code)) == head + (
        "    saver = tf.train.Saver()  # again\n    saver.save(sess, 'ck')\n")
    used = head + "    saver = tf.train.Saver()\n    saver.save(sess, 'a')\n    saver = tf.train.Saver()\n"
    assert drop_dead_savers(used, ast.parse(used)) is None


def test_an_object_a_helper_class_builds_from_graph_values_is_named_in_the_reason() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\n\nclass Features(object):\n"
            "    def __init__(self, image):\n        self.image = image\n        self.mean = 0.5\n\n"
            "    def load(self):\n        self.relu = tf.nn.relu(self.image - self.mean)\n\n\n"
            "image = tf.Variable(np.ones(3, np.float32))\nfeatures = Features(image)\nfeatures.load()\n"
            "loss = tf.reduce_sum(features.relu ** 2)\nstep = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n    sess.run(step)\n"
            "    print(sess.run(loss))\n")
    assert any("'features' is an object made by Features(...) from graph values, and its attribute 'load' is used "
               "outside sess.run" in m for m in _blockers(code))
