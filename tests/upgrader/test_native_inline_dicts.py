"""A graph-building function returning its tensors in a dict, inlined into its one caller (native/inline_dicts.py):
`ae['x']` is spelled `x` only where the dict is nothing but a way to reach those names. The end-to-end check
(the converted program prints what TF1 printed) is the fixture program native_dict_model."""
from __future__ import annotations

import ast

import pytest

from upgrader.native.session_inline import inline_sessions

BUILD = ('import tensorflow as tf\n\n\ndef build(scale=2.0):\n    x = tf.placeholder(tf.float32, [None])\n'
         '    y = x * scale\n    return {"x": x, "y": y}\n\n\n')


def test_each_key_read_becomes_the_name_and_the_dict_is_not_built() -> None:
    code = BUILD + ('def main():\n    net = build()\n    with tf.Session() as sess:\n'
                    '        print(sess.run(net["y"], {net["x"]: [1.0]}), sess.run(net["y"] + 1.0, {net["x"]: [2.0]}))\n')
    assert inline_sessions(code, ast.parse(code)) == (
        'import tensorflow as tf\n\n\ndef main():\n    scale = 2.0\n    x = tf.placeholder(tf.float32, [None])\n'
        '    y = x * scale\n    with tf.Session() as sess:\n'
        '        print(sess.run(y, {x: [1.0]}), sess.run(y + 1.0, {x: [2.0]}))\n')


@pytest.mark.parametrize("use", [
    'print(sess.run(net["z"], {net["x"]: [1.0]}))',        # a key the dict does not have
    'print(sess.run(list(net.values())))',                   # the dict read whole
    'net["y"] = net["x"]',                                   # a key stored to
    'print(sess.run(net[key], {net["x"]: [1.0]}))',          # a computed key
    'f = lambda: net["y"]',                                  # read in a nested scope
])
def test_a_dict_used_any_other_way_stays_a_dict(use: str) -> None:
    code = BUILD + f'def main(key="y"):\n    net = build()\n    with tf.Session() as sess:\n        {use}\n'
    out = inline_sessions(code, ast.parse(code))
    assert out is not None and '    net = {"x": x, "y": y}\n' in out
