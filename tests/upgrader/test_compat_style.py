"""Compat mode writes reordered calls as tf_upgrade_v2 does, and remembers each region's rewrite."""
from __future__ import annotations

import pytest

import upgrader.engine as engine
from upgrader.engine import upgrade_source
from upgrader.region_cache import _CACHE

HEAD = "import tensorflow as tf\n"


def compat(body: str) -> str:
    return upgrade_source(HEAD + body, "compat").code[len(HEAD):]


@pytest.mark.parametrize("body, expected", [
    # v1 argmax(input, axis, name, dimension, output_type) is reordered in v2: every argument a keyword
    ("a = tf.argmax(z, 1)\n", "a = tf.argmax(input=z, axis=1)\n"),
    ("m = tf.boolean_mask(t, m, 'n', 1)\n", "m = tf.boolean_mask(tensor=t, mask=m, name='n', axis=1)\n"),
    # a positional argument past the unchanged prefix (here a dropped one) keywords the whole call
    ("c = tf.nn.conv2d(i, w, s, 'SAME', True)\n", "c = tf.nn.conv2d(input=i, filters=w, strides=s, padding='SAME')\n"),
    ("p = tf.nn.separable_conv2d(i, d, p, s, 'SAME', r)\n",
     "p = tf.nn.separable_conv2d(input=i, depthwise_filter=d, pointwise_filter=p, strides=s, padding='SAME', dilations=r)\n"),
    ("a = tf.arg_min(x, 0)\n", "a = tf.argmin(input=x, axis=0)\n"),   # as argmin's calls: a fixed point
    ("h = tf.contrib.estimator.stop_if_no_decrease_hook(est, 'loss', 10)\n",
     "h = tf.estimator.experimental.stop_if_no_decrease_hook(est, 'loss', 10)\n"),
    ("f = tf.estimator.inputs.numpy_input_fn(x)\n", "f = tf.compat.v1.estimator.inputs.numpy_input_fn(x)\n"),
])
def test_compat_keywords_reordered_calls(body: str, expected: str) -> None:
    assert compat(body) == expected
    assert compat(expected) == expected


@pytest.mark.parametrize("body", [
    "s = tf.reduce_sum(x, 1)\n",        # only deprecated spellings (keep_dims) trail v1's list: not a reorder
    "c = tf.constant([1.0], tf.float32)\n",   # v1's trailing verify_shape is gone, nothing moved
    "with tf.name_scope('block'):\n    pass\n",
    "h = tf.nn.dropout(h, rate=0.5)\n",
])
def test_tf2_style_calls_stay_positional(body: str) -> None:
    assert compat(body) == body


def test_native_mode_keeps_the_unchanged_prefix_positional() -> None:
    src = HEAD + "a = tf.argmax(z, 1)\n"
    assert "tf.argmax(z, 1)" in upgrade_source(src, "native").code


def test_a_repeated_region_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = engine._rewrite
    monkeypatch.setattr(engine, "_rewrite", lambda text, kind, d: calls.append(text) or real(text, kind, d))
    _CACHE.clear()
    src = HEAD + "x = tf.placeholder(tf.float32, [None, 3])\ny = tf.placeholder(tf.float32, [None, 3])\n"
    first = upgrade_source(src, "compat")
    second = upgrade_source(src, "compat")
    assert calls == ["tf.placeholder(tf.float32, [None, 3])"]
    assert first.code == second.code and first.diagnostics == second.diagnostics
    assert [d.line for d in first.diagnostics if d.rule == "api_rename"] == [2, 3]


def test_a_cached_region_still_asks_for_its_import() -> None:
    """`nn` imported by name: the rewrite needs `import tensorflow` for stop_gradient, on a cache hit too."""
    _CACHE.clear()
    src = "from tensorflow import nn\ny = nn.softmax_cross_entropy_with_logits(labels=l, logits=z)\n"
    first, second = upgrade_source(src, "compat").code, upgrade_source(src, "compat").code
    assert first == second and "import tensorflow\n" in first and "labels=tensorflow.stop_gradient(l)" in first
