"""Fallback reasons of programs whose graph is not built at module level (native/outside_reasons.py): the construct
with no TF2 form, by name and line, rather than where the graph was built."""
from __future__ import annotations

from upgrader.engine import upgrade_source

RESTORE = '''import numpy as np
import tensorflow as tf


def main():
    graph = tf.Graph()
    with graph.as_default():
        sess = tf.Session()
        with sess.as_default():
            saver = tf.train.import_meta_graph("model.ckpt.meta")
            saver.restore(sess, "model.ckpt")
            x = graph.get_operation_by_name("x").outputs[0]
            y = graph.get_operation_by_name("y").outputs[0]
            print(sess.run(y, {x: np.ones([1, 2])}))


if __name__ == "__main__":
    main()
'''
FROZEN = '''import tensorflow as tf


def main(graph_def):
    with tf.Graph().as_default():
        image = tf.placeholder(tf.float32, name="input")
        tf.import_graph_def(graph_def, {"input": tf.expand_dims(image, 0)})
        score = tf.reduce_mean(tf.get_default_graph().get_tensor_by_name("import/out:0"))
        grad = tf.gradients(score, image)[0]
'''
LAYERS = '''import tensorflow as tf


def two_layers(x):
    with tf.variable_scope("layer", reuse=tf.AUTO_REUSE) as scope:
        w = tf.get_variable("w", [3, 2])
        return tf.matmul(x, w)


with tf.variable_scope("top") as scope:
    y = two_layers(tf.ones([1, 3]))
'''


def _reasons(code: str) -> list[tuple[int, str]]:
    result = upgrade_source(code, "native")
    return [(d.line, d.message.split(": ", 1)[1]) for d in result.warnings
            if d.rule == "native" and d.message.startswith("native conversion blocked")]


def test_restoring_another_programs_graph_is_the_reason_at_its_line() -> None:
    (line, reason), = _reasons(RESTORE)
    assert line == 10 and reason.startswith("tf.train.import_meta_graph restores a graph that another program saved")
    assert "tf.saved_model.load" in reason


def test_importing_a_frozen_graph_def_is_the_reason_at_its_line() -> None:
    (line, reason), = _reasons(FROZEN)
    assert line == 7 and reason.startswith("tf.import_graph_def loads a frozen GraphDef")


def test_a_graph_left_unfollowed_in_a_function_still_says_where_it_is_built() -> None:
    (line, reason), = _reasons(LAYERS)
    assert line == 4 and reason.startswith("the graph is built inside function 'two_layers'")


def test_a_graph_built_only_to_be_written_for_tensorboard_says_so() -> None:
    (line, reason), = _reasons(LAYERS + 'writer = tf.summary.FileWriter("logs", tf.get_default_graph())\n')
    assert line == 12 and reason.startswith("the program builds a graph without ever running it (no session)")


MODULE_IMPORT = '''import numpy as np
import tensorflow as tf

with tf.gfile.FastGFile("graph.pb", "rb") as f:
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(f.read())
image = tf.placeholder(np.float32, name="input")
tf.import_graph_def(graph_def, {"input": image})
with tf.Session() as sess:
    print(sess.run(tf.get_default_graph().get_tensor_by_name("import/out:0"), {image: 1.0}))
'''
SAVED_MODEL = '''import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2], name="x")
w = tf.Variable(tf.ones([2, 1]))
y = tf.matmul(x, w)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    builder = tf.saved_model.builder.SavedModelBuilder("export/1")
    builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING])
    builder.save()
'''


def test_a_graph_imported_or_saved_as_a_tf1_saved_model_anywhere_is_the_reason() -> None:
    (line, reason), = _reasons(MODULE_IMPORT)
    assert line == 8 and reason.startswith("tf.import_graph_def loads a frozen GraphDef")
    (line, reason), = _reasons(SAVED_MODEL)
    assert line == 8 and reason.startswith("tf.saved_model.builder.SavedModelBuilder writes the session's graph")
    assert "tf.saved_model.save" in reason
