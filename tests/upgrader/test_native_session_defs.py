"""Functions that only run the module's session convert as session code (upgrader/native/session_defs.py)."""
from __future__ import annotations

from upgrader.native.run import upgrade_native

HEAD = """import tensorflow as tf

x = tf.placeholder(tf.float32, [None])
w = tf.Variable(2.0)
y = x * w
"""


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def test_a_function_returning_sess_run_becomes_a_call_of_the_fetched_function() -> None:
    code = HEAD + """
def predict(values):
    return sess.run(y, feed_dict={x: values})


sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(predict([1.0, 2.0]))
"""
    out = upgrade_native(code).code
    assert "def predict(values):\n    return y(values).numpy()" in out
    assert "Session" not in out and "feed_dict" not in out
    assert not _blockers(code)


def test_a_function_that_builds_graph_ops_on_each_call_is_reported() -> None:
    code = HEAD + """
def predict(values):
    return sess.run(tf.square(y), feed_dict={x: values}) + tf.constant(1.0)


sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(predict([1.0]))
"""
    assert any("function 'predict' runs the session but calls tf.constant outside sess.run" in m for m in _blockers(code))


def test_a_function_reading_a_tensor_outside_sess_run_is_reported() -> None:
    code = HEAD + """
def show(values):
    print(y.name)
    return sess.run(y, feed_dict={x: values})


sess = tf.Session()
sess.run(tf.global_variables_initializer())
show([1.0])
"""
    assert any("function 'show' runs the session but reads the graph tensor 'y' outside sess.run" in m
               for m in _blockers(code))


def test_a_named_feed_dict_and_a_global_counter_inside_the_function_convert() -> None:
    code = HEAD + """
sess = tf.Session()
sess.run(tf.global_variables_initializer())
calls = 0


def run_once(values):
    global calls
    feed = {x: values}
    calls += 1
    return sess.run(y, feed_dict=feed)


print(run_once([1.0]), calls)
"""
    out = upgrade_native(code).code
    assert not _blockers(code)
    assert 'feed = {"x": values}' in out and 'return y(feed["x"]).numpy()' in out and "global calls" in out


def test_a_function_declaring_a_graph_object_global_is_reported() -> None:
    code = HEAD + """
sess = tf.Session()
sess.run(tf.global_variables_initializer())


def rebuild(values):
    global y
    return sess.run(y, feed_dict={x: values})


print(rebuild([1.0]))
"""
    assert any("function 'rebuild' runs the session but declares a graph object global" in m for m in _blockers(code))
