"""Compat mode on snippets and imports: unbound `tf`, versioned imports, parse errors (issue 12, part 2)."""
from __future__ import annotations

import pytest

from upgrader.engine import upgrade_source


def notes(src: str, severity: str) -> list[str]:
    return [d.message for d in upgrade_source(src, "compat").diagnostics if d.severity == severity]


def test_snippet_without_import_treats_tf_as_tensorflow() -> None:
    r = upgrade_source("y = tf.rsqrt(tf.log_sigmoid(3.8))\n", "compat")
    assert r.code == "y = tf.math.rsqrt(tf.math.log_sigmoid(3.8))\n"
    assert any("treated as `import tensorflow as tf`" in m for m in notes("tf.conj(a)\n", "info"))
    assert not [d for d in r.diagnostics if d.severity in ("warning", "error")]


@pytest.mark.parametrize("src", [
    "import numpy as tf\ny = tf.log(1)\n", "tf = load()\ny = tf.log(1)\n", "def f(tf):\n    return tf.log(1)\n",
    "from x import tf\ny = tf.log(1)\n", "for tf in mods:\n    tf.log(1)\n", "def tf():\n    pass\ntf.log(1)\n",
])
def test_tf_bound_to_something_else_is_left_alone(src: str) -> None:
    assert upgrade_source(src, "compat").code == src


def test_unaliased_import_is_a_warning_not_a_guess() -> None:
    src = "import tensorflow\ny = tf.conj(a)\n"
    assert upgrade_source(src, "compat").code == src
    assert any("unaliased `import tensorflow`" in m for m in notes(src, "warning"))


@pytest.mark.parametrize(("header", "module"), [
    ("import tensorflow.compat.v1 as tf\n", "tensorflow.compat.v1"),
    ("from tensorflow.compat import v1 as tf\n", "tensorflow.compat.v1"),
    ("import tensorflow.compat.v2 as tf\n", "tensorflow.compat.v2"),
])
def test_versioned_import_is_noted_and_left_alone(header: str, module: str) -> None:
    src = header + "y = tf.conj(a)\n"
    assert upgrade_source(src, "compat").code == src
    assert f"`{module}` was directly imported as `tf`" in " ".join(notes(src, "info"))
    assert notes(src, "warning") == notes(src, "error") == []


def test_parse_error_says_failed_to_parse() -> None:
    assert "Failed to parse" in notes("import tensorflow as tf\na + \n", "error")[0]


def test_v1_notes_are_info_and_keep_the_rewrite() -> None:
    src = "import tensorflow as tf\nl = tf.losses.log_loss(a, b)\n"
    assert upgrade_source(src, "compat").code == "import tensorflow as tf\nl = tf.compat.v1.losses.log_loss(a, b)\n"
    assert any("tf.losses have been replaced with object oriented versions" in m for m in notes(src, "info"))


def test_unbound_contrib_module_names_are_contrib() -> None:
    assert upgrade_source("contrib_framework.is_tensor(x)\n", "compat").code == "tf.is_tensor(x)\n"
    errors = notes("y = contrib_layers.layer_norm(x)\n", "error")
    assert errors and "`tf.contrib.layers.layer_norm` has been deprecated" in errors[0]
    assert "install tf_slim" in notes("net = slim.conv2d(x, 3, 3)\n", "error")[0]
    assert upgrade_source("slim = load()\nslim.conv2d(x)\n", "compat").diagnostics == []


def test_dropped_last_argument_leaves_no_dangling_comma() -> None:
    src = "import tensorflow as tf\ng = tf.hessians(ys=a, xs=b, colocate_gradients_with_ops=False)\n"
    r = upgrade_source(src, "compat")
    assert r.code == "import tensorflow as tf\ng = tf.hessians(ys=a, xs=b)\n"
    assert "tf.hessians no longer takes 'colocate_gradients_with_ops'" in " ".join(d.message for d in r.diagnostics)


def test_tf1_only_methods_mark_a_snippet_as_tensorflow() -> None:
    assert any("export_saved_model()" in m for m in notes("est.export_savedmodel(path)\n", "info"))
    plain = "res = scipy.optimize.minimize(f, x0)\nshape = x.output_shapes\n"
    assert upgrade_source(plain, "compat").code == plain and upgrade_source(plain, "compat").diagnostics == []
