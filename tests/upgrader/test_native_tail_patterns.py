"""Single TF1 patterns from real programs that native mode converts, or keeps in compat form with a reason.

A variable initialised from a constant graph tensor (native/variable_inits.py), `tf.floor_div`
(native/equivalents.py), a computed tensor fed a value (native/fed_tensors.py).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from upgrader.native.run import upgrade_native

RUN_AS_TF = Path(__file__).resolve().parents[1] / "run_as_tf.py"

CONSTANT_INIT = """import numpy as np
import tensorflow as tf

start = tf.constant([1.0, 2.0]) * 0.5
halves = tf.floor_div(tf.constant([7, -7]), tf.constant(2))
w = tf.Variable(start)
x = tf.placeholder(tf.float32, [2])
loss = tf.reduce_sum(tf.square(w * x - 1.0))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train, {x: [1.0, 0.5]})
    print(sess.run(w).round(5).tolist(), sess.run(halves).tolist())
"""


def _blockers(code: str) -> list[str]:
    result = upgrade_native(code)
    return [d.message.split(": ", 1)[1] for d in result.diagnostics if "native conversion blocked" in d.message]


def _printed(code: str) -> list[str]:
    printed: list[str] = []
    exec(compile(code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    return printed


def test_a_variable_initialised_from_a_constant_tensor_converts_and_trains() -> None:
    result = upgrade_native(CONSTANT_INIT)
    assert not _blockers(CONSTANT_INIT)
    assert "start = tf.constant([1.0, 2.0]) * 0.5\n" in result.code
    assert "w = tf.Variable(start)\n" in result.code
    assert "halves = tf.math.floordiv(tf.constant([7, -7]), tf.constant(2))" in result.code
    w, x = [0.5, 1.0], [1.0, 0.5]
    for _ in range(3):   # d/dw sum((w x - 1)^2) = 2 x (w x - 1)
        w = [wi - 0.1 * 2 * xi * (wi * xi - 1.0) for wi, xi in zip(w, x)]
    got = _printed(result.code)
    assert len(got) == 1
    values, halves = got[0].split("] [")
    assert [float(v) for v in values.strip("[]").split(",")] == pytest.approx(w, abs=1e-5)
    assert halves.strip("[]") == "3, -4"   # floored, as TF1's FloorDiv: -7 // 2 == -4


def test_the_converted_program_prints_what_tf1_printed(oracle, tmp_path: Path) -> None:
    v1, v2 = tmp_path / "v1.py", tmp_path / "v2.py"
    v1.write_text(CONSTANT_INIT)
    v2.write_text(upgrade_native(CONSTANT_INIT).code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    one = warm_python.run([sys.executable, str(RUN_AS_TF), "v1", str(v1)], capture_output=True, text=True, env=env,
                          timeout=300)
    env.pop("TF_USE_LEGACY_KERAS")
    two = warm_python.run([sys.executable, str(v2)], capture_output=True, text=True, env=env, timeout=300)
    assert one.returncode == two.returncode == 0, one.stderr[-800:] + two.stderr[-800:]
    assert one.stdout.splitlines()[-1] == two.stdout.splitlines()[-1]


def test_a_variable_initialised_from_a_placeholder_still_blocks() -> None:
    code = """import tensorflow as tf

a = tf.placeholder(tf.float32, [])
scaled = a * 2.0
v = tf.Variable(scaled)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer(), {a: 3.0})
    print(sess.run(v))
"""
    assert _blockers(code) == ["variable 'v' is initialised from a placeholder or graph tensor"]


def test_a_variable_initialised_from_another_variable_s_tensor_still_blocks() -> None:
    code = """import tensorflow as tf

w = tf.Variable(1.0)
doubled = w * 2.0
v = tf.Variable(doubled)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(v))
"""
    assert _blockers(code)[0] == "variable 'v' is initialised from a placeholder or graph tensor"


def test_a_random_initial_value_also_fetched_elsewhere_blocks() -> None:
    code = """import tensorflow as tf

r = tf.random_normal([2], seed=1)
v = tf.Variable(r)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(v), sess.run(r))
"""
    assert _blockers(code)[0].startswith("variable 'v' is initialised from the random tensor 'r', which is also run "
                                         "elsewhere")


def test_a_random_initial_value_read_only_by_its_variable_converts() -> None:
    code = """import tensorflow as tf

r = tf.random_normal([2], seed=1)
v = tf.Variable(r)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(v).shape)
"""
    result = upgrade_native(code)
    assert not _blockers(code)
    assert "v = tf.Variable(r)\n" in result.code and "print(v.numpy().shape)" in result.code


FED_TENSOR = """import tensorflow as tf

a = tf.placeholder(tf.float32, shape=[2])
b = tf.constant([5.0, 5.0])
print_me = a + b
with tf.Session() as sess:
    print(sess.run(print_me, {a: [1, 2]}))

a = tf.add(2, 5)
b = tf.multiply(a, 3)
with tf.Session() as sess:
    print(sess.run(b))
    print(sess.run(b, feed_dict={a: 15}))
    replace = {a: 4}
    print(sess.run(b, feed_dict=replace))
"""


def test_a_fed_constant_tensor_becomes_a_parameter_defaulting_to_its_value() -> None:
    result = upgrade_native(FED_TENSOR)
    assert not _blockers(FED_TENSOR)
    assert "a_value = tf.add(2, 5)\n" in result.code
    assert "def b(a_1=a_value):\n    a_1 = tf.convert_to_tensor(a_1, a_value.dtype)\n" in result.code
    assert "print(b(a_value).numpy())\nprint(b(15).numpy())\n" in result.code
    assert _printed(result.code) == ["[6. 7.]", "21", "45", "12"]   # TF1 printed these (2.21 compat.v1)


def test_a_fed_float_tensor_converts_the_fed_int_as_tf1_did() -> None:
    code = ("import tensorflow as tf\n\nscale = tf.constant(2.0) * 1.5\nout = scale * 2.0\n"
            "with tf.Session() as sess:\n    print(sess.run(out), sess.run(out, {scale: 4}))\n")
    result = upgrade_native(code)
    assert not _blockers(code)
    assert _printed(result.code) == ["6.0 8.0"]


def test_a_fed_tensor_computed_from_a_placeholder_still_blocks() -> None:
    code = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [])\nh = x * 2.0\ny = h + 1.0\n"
            "with tf.Session() as sess:\n    print(sess.run(y, {x: 1.0}), sess.run(y, {h: 5.0}))\n")
    assert _blockers(code) == ["feed_dict key h is not a placeholder native mode can follow"]


def test_placeholder_with_default_of_a_tensor_fed_by_a_placeholder_blocks() -> None:
    code = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [2])\nd = x * 2.0\n"
            "y = tf.placeholder_with_default(d, shape=[2])\nz = y + 1.0\n"
            "with tf.Session() as sess:\n    print(sess.run(z, {x: [1.0, 2.0]}))\n")
    assert _blockers(code) == ["placeholder_with_default 'y': its default d is not a constant tensor native mode "
                               "computes once"]


def test_a_bool_placeholder_with_default_keeps_its_literal_dtype() -> None:
    code = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None])\n"
            "flag = tf.placeholder_with_default(False, shape=())\ny = tf.cond(flag, lambda: x * 2.0, lambda: x)\n"
            "with tf.Session() as sess:\n    print(sess.run(y, {x: [1.0]}), sess.run(y, {x: [1.0], flag: True}))\n")
    result = upgrade_native(code)
    assert "flag = tf.convert_to_tensor(flag, tf.bool)" in result.code
    assert _printed(result.code) == ["[1.] [2.]"]


def test_import_of_a_module_named_tf_is_reported_as_failing_in_tf1_too() -> None:
    code = ("import tensorflow as tf\nimport tf.contrib.layers as layers\n\nx = tf.placeholder(tf.float32, [None, 2])\n"
            "y = layers.fully_connected(x, 1)\nwith tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
            "    print(sess.run(y, {x: [[1.0, 2.0]]}).shape)\n")
    assert _blockers(code)[0].startswith("import of tf.contrib.layers: there is no module named 'tf'")


def test_vocabulary_processor_converts_to_a_class_numbering_words_as_tf1() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\n"
            "vp = tf.contrib.learn.preprocessing.VocabularyProcessor(4)\n"
            "ids = np.array(list(vp.fit_transform(['a b', 'b c'])))\nx = tf.placeholder(tf.int32, [None, 4])\n"
            "y = tf.reduce_sum(x)\nwith tf.Session() as sess:\n    print(sess.run(y, {x: ids}))\n")
    assert not _blockers(code)   # native/vocabulary.py; its ids are checked in test_native_vocabulary.py
    assert _printed(upgrade_native(code).code) == ["8"]   # [[1, 2, 0, 0], [2, 3, 0, 0]]


RESTORE_IF_EXISTS = (Path(__file__).resolve().parents[2] / "fixtures" / "upgrade" / "native_saver"
                     / "restore_if_exists.input.py")


def test_restore_if_exists_resumes_as_tf1_did_on_a_second_run(oracle, tmp_path: Path) -> None:
    """Run twice: the first run saves, the second finds the checkpoint through get_checkpoint_state and resumes."""
    source = RESTORE_IF_EXISTS.read_text()
    converted = upgrade_native(source).code
    assert "tf.train.get_checkpoint_state(" in converted and "saver_manager.save(" in converted
    printed = {}
    for side, code in (("v1", source), ("v2", converted)):
        work = tmp_path / side
        work.mkdir()
        (work / "prog.py").write_text(code)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        cmd = [sys.executable, str(RUN_AS_TF), "v1", "prog.py"] if side == "v1" else [sys.executable, "prog.py"]
        if side == "v1":
            env["TF_USE_LEGACY_KERAS"] = "1"
        runs = [warm_python.run(cmd, capture_output=True, text=True, env=env, cwd=work, timeout=300) for _ in range(2)]
        assert all(r.returncode == 0 for r in runs), runs[-1].stderr[-800:]
        printed[side] = [line for r in runs for line in r.stdout.splitlines() if line[:1].isdigit() or "restored" in line]
    assert printed["v1"] == printed["v2"]
    assert printed["v1"][1] == "restored ckpts/model-3"


def test_checkpoint_state_read_before_the_session_is_a_plain_value() -> None:
    source = RESTORE_IF_EXISTS.read_text()
    moved = source.replace('with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n    ckpt = '
                           'tf.train.get_checkpoint_state(os.path.dirname("ckpts/checkpoint"))\n',
                           'ckpt = tf.train.get_checkpoint_state(os.path.dirname("ckpts/checkpoint"))\n'
                           'with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n')
    assert moved != source and not _blockers(moved)
    assert 'ckpt = tf.train.get_checkpoint_state(os.path.dirname("ckpts/checkpoint"))\n' in upgrade_native(moved).code


def test_add_summary_after_the_session_block_is_rewritten_too(tmp_path: Path) -> None:
    code = f"""import tensorflow as tf

x = tf.placeholder(tf.float32, [None])
w = tf.Variable(2.0, name="w")
loss = tf.reduce_mean(tf.square(w * x))
tf.summary.scalar("loss", loss)
merged = tf.summary.merge_all()
writer = tf.summary.FileWriter({str(tmp_path)!r})
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    s = sess.run(merged, {{x: [1.0]}})
writer.add_summary(s, 0)
writer.close()
"""
    result = upgrade_native(code)
    assert not _blockers(code)
    assert "write_summaries(writer, s, 0)\nwriter.close()\n" in result.code
    exec(compile(result.code, "converted", "exec"), {})
    assert list(tmp_path.iterdir())   # the event file TF2's writer wrote


IMAGE_SUMMARY = """import os
import sys

import numpy as np
import tensorflow as tf

pixels = (np.arange(48).reshape(4, 4, 3) * 5).astype(np.uint8)
image = tf.cast(tf.constant(pixels), tf.uint8)
image_op = tf.summary.image("plot", tf.expand_dims(image, 0))
with tf.Session() as sess:
    for i in range(2):
        writer = tf.summary.FileWriter(os.path.join(sys.argv[1], str(i)))   # TF1 names event files by the second
        summary = sess.run(image_op)
        writer.add_summary(summary, i)
writer.add_summary(summary, 7)
writer.close()
"""


def _images(tf, logdir: Path) -> list[tuple[int, list]]:
    """(step, decoded pixels) of every image summary in the event files under `logdir`."""
    out = []
    for f in sorted(p for p in logdir.rglob("*") if p.is_file()):
        for event in tf.compat.v1.train.summary_iterator(str(f)):
            for v in event.summary.value:
                png = v.image.encoded_image_string if v.HasField("image") else v.tensor.string_val[2]
                out.append((event.step, tf.io.decode_png(png).numpy().tolist()))
    return sorted(out)


def test_a_uint8_image_summary_writes_the_pixels_tf1_wrote(oracle, tmp_path: Path) -> None:
    converted = upgrade_native(IMAGE_SUMMARY).code
    assert "writer = tf.summary.create_file_writer(os.path.join(sys.argv[1], str(i)))" in converted   # in the loop
    assert "write_summaries(writer, summary, 7)" in converted   # after the session block
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    for side, code in (("v1", IMAGE_SUMMARY), ("v2", converted)):
        (tmp_path / f"{side}.py").write_text(code)
        cmd = [sys.executable] + ([str(RUN_AS_TF), "v1"] if side == "v1" else []) + [str(tmp_path / f"{side}.py"),
                                                                                   str(tmp_path / f"logs_{side}")]
        r = warm_python.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr[-800:]
    got_v1, got_v2 = _images(oracle, tmp_path / "logs_v1"), _images(oracle, tmp_path / "logs_v2")
    assert [s for s, _ in got_v1] == [s for s, _ in got_v2] == [0, 1, 7]
    assert got_v1 == got_v2


def test_a_float_image_summary_writes_tf1_pixels() -> None:
    code = ("import tensorflow as tf\n\npixels = tf.placeholder(tf.float32, [None, 4, 4, 1])\n"
            "image_op = tf.summary.image('inputs', pixels)\nwith tf.Session() as sess:\n"
            "    writer = tf.summary.FileWriter('logs')\n"
            "    writer.add_summary(sess.run(image_op, {pixels: [[[[0.5]] * 4] * 4]}), 0)\n")
    assert not _blockers(code)   # rescaled as TF1 did: tests/upgrader/test_native_image_summaries.py


def test_add_summary_of_a_nested_session_run_is_converted_inside(oracle, tmp_path: Path) -> None:
    code = f"""import tensorflow as tf

x = tf.placeholder(tf.float32, [None])
w = tf.Variable(2.0, name="w")
loss = tf.reduce_mean(tf.square(w * x))
tf.summary.scalar("loss", loss)
merged = tf.summary.merge_all()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter({str(tmp_path)!r})
    for step in range(2):
        writer.add_summary(sess.run(merged, {{x: [float(step + 1)]}}), step)
    writer.close()
"""
    result = upgrade_native(code)
    assert "write_summaries(writer, merged([float(step + 1)]), step)" in result.code
    exec(compile(result.code, "converted", "exec"), {})
    values = sorted((e.step, round(float(oracle.make_ndarray(v.tensor)), 4)) for f in tmp_path.iterdir()
                    for e in oracle.compat.v1.train.summary_iterator(str(f)) for v in e.summary.value)
    assert values == [(0, 4.0), (1, 16.0)]   # (w * x)^2 with w = 2: what TF1's merged summary held


def test_a_name_bound_nowhere_is_reported_as_failing_in_tf1_too() -> None:
    code = ("import tensorflow as tf\n\nx = tf.zeros(shape, dtype=tf.float32)\ny = x + 1.0\n"
            "with tf.Session() as sess:\n    print(sess.run(y))\n")
    assert _blockers(code)[0] == ("name 'shape' is not defined anywhere in this file: the program raises NameError "
                                  "here in TF1 too (it does not run as written)")


def test_names_bound_later_in_functions_or_guarded_by_try_are_not_reported() -> None:
    code = ("import tensorflow as tf\n\ntry:\n    rng = xrange\nexcept NameError:\n    rng = range\n\n"
            "def scale():\n    return factor * 2.0\n\nfactor = 3.0\nx = tf.constant(1.0) * scale()\n"
            "a = tf.constant(1.0)\na = a * 2.0\nwith tf.Session() as sess:\n    print(sess.run(x), sess.run(a), __name__)\n")
    assert not _blockers(code)
