"""What a new user gets wrong raises what TensorFlow raises, instead of a silently wrong value:
integer division by zero, converting None, string casts, restoring checkpoints that do not
fit, and the names TF1 programs key their Savers by.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import tfcompat as tf2
import tfcompat.compat.v1 as tf

EAGER_CASES = {
    "floordiv_by_zero": lambda t: t.constant([5, 3]) // t.constant([0, 1]),
    "floormod_by_zero": lambda t: t.constant([5, 3]) % t.constant([0, 1]),
    "int64_floordiv_by_zero": lambda t: t.math.floordiv(t.constant([5], t.int64), t.constant([0], t.int64)),
    "convert_none": lambda t: t.convert_to_tensor(None),
    "constant_none": lambda t: t.constant(None),
    "cast_string_to_float": lambda t: t.cast(t.constant(["1.5"]), t.float32),
}


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the class is what is compared)
        return type(e).__name__, str(e)
    return None, None


@pytest.mark.parametrize("case", sorted(EAGER_CASES))
def test_eager_error_class_matches_tensorflow(oracle, case) -> None:
    ours, ours_msg = _raised(lambda: EAGER_CASES[case](tf2))
    theirs, theirs_msg = _raised(lambda: EAGER_CASES[case](oracle))
    assert ours == theirs and ours is not None, (ours_msg, theirs_msg)


def test_integer_division_by_zero_message_and_float_division() -> None:
    with pytest.raises(tf2.errors.InvalidArgumentError, match="Integer division by zero"):
        tf2.constant([7]) // tf2.constant([0])
    assert np.isinf((tf2.constant([5.0]) // tf2.constant([0.0])).numpy()[0])
    with tf.Graph().as_default():
        q = tf.constant([5]) % tf.placeholder(tf.int32, [1])
        with tf.Session() as sess:
            assert sess.run(q, {q.op.inputs[1]: [2]}).tolist() == [1]
            with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
                sess.run(q, {q.op.inputs[1]: [0]})


def _saver_keys(tf1, directory):
    """Save with TF1's common `{v.op.name: v}` mapping; the checkpoint's keys."""
    with tf1.Graph().as_default():
        with tf1.variable_scope("layer"):
            w = tf1.get_variable("w", [2], initializer=tf1.ones_initializer())
        b = tf1.Variable([3.0], name="b")
        names = [w.op.name, b.op.name, w.op.type]
        saver = tf1.train.Saver({v.op.name: v for v in tf1.global_variables()})
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            path = saver.save(sess, os.path.join(directory, "model.ckpt"))
    return names, path


def test_variable_op_name_is_the_variable_name(oracle, tmp_path) -> None:
    names, path = _saver_keys(tf, str(tmp_path / "ours"))
    theirs, _ = _saver_keys(oracle.compat.v1, str(tmp_path / "theirs"))
    assert names == theirs == ["layer/w", "b", "VarHandleOp"]
    assert sorted(n for n, _ in oracle.train.list_variables(path)) == ["b", "layer/w"]


def _restore_error(tf1, path, build):
    with tf1.Graph().as_default():
        build(tf1)
        with tf1.Session() as sess:
            with pytest.raises(Exception) as info:
                tf1.train.Saver().restore(sess, path)
    return type(info.value).__name__, str(info.value)


def test_restore_errors_match_tensorflow(oracle, tmp_path) -> None:
    _, path = _saver_keys(oracle.compat.v1, str(tmp_path / "tf"))  # a checkpoint TensorFlow wrote

    def as_int(tf1):
        tf1.get_variable("layer/w", [2], dtype=tf1.int32)
        tf1.Variable([3.0], name="b")

    def same(tf1):
        tf1.get_variable("layer/w", [2])
        tf1.Variable([3.0], name="b")

    for tf1 in (tf, oracle.compat.v1):
        kind, msg = _restore_error(tf1, path, as_int)
        assert kind == "InvalidArgumentError" and "expected dtype int32 does not equal original dtype float" in msg
        kind, msg = _restore_error(tf1, str(tmp_path / "nowhere" / "model.ckpt"), same)
        assert kind == "ValueError" and "The passed save_path is not a valid checkpoint" in msg
    data = [f for f in os.listdir(tmp_path / "tf") if ".data-" in f][0]
    os.rename(tmp_path / "tf" / data, tmp_path / "tf" / "moved")
    assert _restore_error(tf, path, same)[0] == _restore_error(oracle.compat.v1, path, same)[0] == "NotFoundError"


def test_a_missing_feed_names_the_line_of_the_placeholder() -> None:
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, name="images")  # the line the error must name
        line = __import__("inspect").currentframe().f_lineno - 1
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=rf"placeholder tensor 'images'.*{os.path.basename(__file__)}\", line {line}"):
                sess.run(x * 2.0)
