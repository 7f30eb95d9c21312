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
writer = tf.summary.FileWriter("logs", tf.get_default_graph())
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
