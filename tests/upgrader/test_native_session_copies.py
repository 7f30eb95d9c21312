"""Sessions open at once get copies of the variables (native/session_copies.py); a name rebound from
itself inside a block (native/rebind_data.py); a kept session configuration's reason (native/equivalents.py).

The converted programs print what TF1 printed, on TensorFlow 2.21 and on tfcompat's v2 API.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from upgrader.native.run import upgrade_native

RUN_AS_TF = Path(__file__).resolve().parents[1] / "run_as_tf.py"

TWO_SESSIONS = """import tensorflow as tf

counter = tf.Variable(5, name="counter")
bump = counter.assign_add(1)
with tf.Session() as sess:
    sess.run(counter.initializer)
    print("first", sess.run(bump), sess.run(bump))

# two sessions on one graph, each with its own counter and scale
counter = tf.Variable(10)
scale = tf.Variable(tf.ones([2]) * 0.5)
left = tf.Session()
right = tf.Session()
left.run(tf.global_variables_initializer())
right.run(counter.initializer)
right.run(scale.initializer)
for step in range(2):
    print("left", left.run(counter.assign_add(step + 1)), left.run(scale.assign(scale * 2.0)).tolist())
    print("right", right.run(counter.assign_sub(3)), right.run(scale).tolist())
print("again", left.run(counter), right.run(counter))
left.close()
right.close()
"""

REBOUND_IN_BLOCK = """import tensorflow as tf

sess = tf.Session()
a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
c = tf.matmul(a, a)
print(sess.run(c).tolist())
if len("ab") == 2:
    with tf.device("/cpu:0"):
        a = tf.constant([1.0, 3.0], shape=[1, 2])
        c = tf.matmul(a, tf.transpose(a))
        c = tf.reshape(c, [-1])
    print(sess.run(c * 2.0).tolist())
"""


def _blockers(code: str) -> list[str]:
    result = upgrade_native(code)
    return [d.message.split(": ", 1)[1] for d in result.diagnostics if "native conversion blocked" in d.message]


def _three_ways(tmp_path: Path, code: str) -> tuple[str, str, str]:
    """What the TF1 original, and its native conversion on TF 2.21 and on tfcompat's v2 API, print."""
    (tmp_path / "v1.py").write_text(code)
    (tmp_path / "v2.py").write_text(upgrade_native(code).code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    runs = [warm_python.run(cmd, capture_output=True, text=True, env=env, timeout=300) for cmd in (
        [sys.executable, str(RUN_AS_TF), "v1", str(tmp_path / "v1.py")],
        [sys.executable, str(tmp_path / "v2.py")],
        [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(tmp_path / "v2.py")])]
    assert all(r.returncode == 0 for r in runs), "\n".join(r.stderr[-800:] for r in runs)
    return tuple(r.stdout for r in runs)


def test_a_second_session_open_at_once_gets_copies_of_the_variables_it_runs() -> None:
    assert not _blockers(TWO_SESSIONS)
    code = upgrade_native(TWO_SESSIONS).code
    assert "counter = tf.Variable(10)\ncounter_right = tf.Variable(10)\n" in code
    assert "scale = tf.Variable(tf.ones([2]) * 0.5)\nscale_right = tf.Variable(tf.ones([2]) * 0.5)\n" in code
    assert "counter_right.assign_sub(3).numpy()" in code and "scale_right.numpy().tolist()" in code
    assert "Session" not in code and "right.run" not in code and "left.run" not in code


def test_two_sessions_print_what_tf1_printed(oracle, tmp_path: Path) -> None:
    tf1, tf2, ours = _three_ways(tmp_path, TWO_SESSIONS)
    assert tf1 == tf2 == ours
    assert tf1.splitlines()[-1] == "again 13 4"   # 10 + 1 + 2 in one session, 10 - 3 - 3 in the other


@pytest.mark.parametrize("run, why", [
    ("right.run(total)", "'right' runs 'total', a graph value built on the first session's variables"),
    ("right.run(counter.initializer, feed_dict=fd)\nfd = right", "'right' is used other than as right.run(...)"),
    ("right.run(counter.initializer)\nprint(counter.eval())", "the session every .eval() runs in"),
])
def test_a_second_session_that_needs_more_than_copies_of_variables_keeps_compat_form(run: str, why: str) -> None:
    opens = "tf.InteractiveSession()" if ".eval()" in run else "tf.Session()"
    code = ("import tensorflow as tf\n\ncounter = tf.Variable(1)\ntotal = counter * 2\nleft = tf.Session()\n"
            f"right = {opens}\nfd = {{}}\nleft.run(counter.initializer)\n" + run + "\nprint(left.run(total))\n")
    reasons = _blockers(code)
    assert reasons and reasons[0].startswith("two sessions open at once ('right' is the second)") and why in reasons[0]


def test_a_name_rebound_from_itself_in_a_block_keeps_reading_its_own_version(oracle, tmp_path: Path) -> None:
    assert not _blockers(REBOUND_IN_BLOCK)
    code = upgrade_native(REBOUND_IN_BLOCK).code
    assert "c_value = tf.reshape(c_value, [-1])" in code   # was tf.reshape(c, ...): the first graph's c
    tf1, tf2, ours = _three_ways(tmp_path, REBOUND_IN_BLOCK)
    assert tf1 == tf2 == ours == "[[7.0, 10.0], [15.0, 22.0]]\n[20.0]\n"


def test_a_session_configuration_object_names_the_tf2_settings() -> None:
    code = ("import tensorflow as tf\n\nconfig = tf.ConfigProto()\nconfig.gpu_options.allow_growth = True\n"
            "sess = tf.Session(config=config)\nprint(sess.run(tf.constant(1.0) * 2))\n")
    assert not _blockers(code)   # the first session's allow_growth: memory growth per GPU (native/session_options.py)
    assert upgrade_native(code).code.startswith('import tensorflow as tf\nfor gpu in tf.config.list_physical_devices('
                                                '"GPU"):\n    tf.config.experimental.set_memory_growth(gpu, True)\n')
    fraction = code.replace("allow_growth = True", "per_process_gpu_memory_fraction = 0.4")
    reasons = _blockers(fraction)
    assert len(reasons) == 1 and "per_process_gpu_memory_fraction of the program's first session" in reasons[0]
    inline = "import tensorflow as tf\n\nsess = tf.Session(config=tf.ConfigProto(log_device_placement=False))\n" \
             "print(sess.run(tf.constant(1.0) * 2))\n"
    assert not _blockers(inline)   # a configuration given straight to the session goes with it


INITIALIZER_LISTS = """import tensorflow as tf

w = tf.Variable(1.0)
v = tf.Variable(2.0)
step = w.assign_add(v)
sess = tf.Session()
sess.run([w.initializer, v.initializer])
print(sess.run(step), sess.run(step))
sess.close()
with tf.Session() as sess:
    sess.run((w.initializer, v.initializer))
    print(sess.run(step))
"""


def test_a_list_of_initialisers_run_at_once_goes_or_resets_what_changed(oracle, tmp_path: Path) -> None:
    assert not _blockers(INITIALIZER_LISTS)
    code = upgrade_native(INITIALIZER_LISTS).code
    assert "initializer" not in code   # was `[w.initializer.numpy(), v.initializer.numpy()]`: None has no numpy()
    assert code.endswith("print(step().numpy(), step().numpy())\nw.assign(1.0)\nprint(step().numpy())\n")
    tf1, tf2, ours = _three_ways(tmp_path, INITIALIZER_LISTS)
    assert tf1 == tf2 == ours == "3.0 5.0\n3.0\n"
