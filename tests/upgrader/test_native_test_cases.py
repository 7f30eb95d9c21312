"""tf.test.TestCase classes beside a TF1 training script (native/test_cases.py): TF2 runs test methods eagerly, so
a test session's block becomes direct code; the program converts, trains as TF1 did, and its tests pass."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.upgrader.multi_file import ROOT
from upgrader.engine import upgrade_source

PROGRAM = (ROOT / "fixtures" / "upgrade" / "native_test_cases" / "test_session_blocks.input.py").read_text()


def _native(code: str) -> tuple[str, list[str]]:
    result = upgrade_source(code, "native")
    return result.code, [d.message for d in result.warnings if d.rule in ("native", "native_test_cases")]


def test_test_session_blocks_become_eager_code_and_the_script_converts() -> None:
    code, notes = _native(PROGRAM)
    assert "test_session" not in code and "Session" not in code and "placeholder" not in code and "compat" not in code
    assert "    def test_doubles(self):\n        doubled = scale(tf.constant([1.0, 2.5]), 2.0)\n" \
           "        self.assertAllClose(self.evaluate(doubled), [2.0, 5.0])\n" in code
    assert "self.assertEqual(self.evaluate(total), 9.0)" in code   # sess.run(total) of `test_session() as sess`
    assert notes == ["line 31: ScaleTest.shape_check is never run (unittest runs methods named test*) and reads 'pred' "
                     "(a graph value built at module level, which the converted program computes in a function): "
                     "left as written"]


@pytest.mark.parametrize("change, reason", [
    (("def shape_check(self):", "def test_shape(self):"),
     "ScaleTest.test_shape (a test unittest runs) reads 'pred', a graph value built at module level"),
    (("self.assertEqual(sess.run(total), 9.0)", "self.assertEqual(sess.run(total), 9.0)\n            sess.close()"),
     "ScaleTest.test_sum uses the test session 'sess' other than sess.run(value)"),
])
def test_what_a_test_cannot_do_eagerly_keeps_the_file_in_compat_form(change: tuple[str, str], reason: str) -> None:
    code, notes = _native(PROGRAM.replace(*change))
    assert "tf.compat.v1.placeholder" in code
    assert any(reason in n for n in notes), notes


def _run(folder: Path, *args: str, tf1: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable] + ([str(ROOT / "tests" / "run_as_tf.py"), "v1"] if tf1 else []) + ["prog.py", *args]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-1500:]
    return done


def test_the_converted_script_trains_as_tf1_did_and_its_tests_pass(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, text in ((old, PROGRAM), (new, _native(PROGRAM)[0])):
        folder.mkdir()
        (folder / "prog.py").write_text(text)
    trained = _run(old, tf1=True).stdout
    assert trained.startswith("loss 0.09522\n") and _run(new).stdout == trained
    ours = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "prog.py"], cwd=new,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert ours.returncode == 0 and ours.stdout.splitlines()[0] == "loss 0.09522", ours.stderr[-1500:]
    for result in (_run(old, "test", tf1=True), _run(new, "test")):
        assert "Ran 3 tests" in result.stderr and "OK (skipped=1)" in result.stderr   # TF's test_session is skipped
