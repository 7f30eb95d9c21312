"""`tf.test` (tfcompat/_impl/test_api.py): TestCase's assertions pass and fail where TensorFlow 2.21's do, its
eager sessions behave alike, and `tf.test.main()` runs a script's test cases with unittest's exit status."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tfcompat as tf

CASES = [
    ("assertAllClose", ([1.0, 2.0], [1.0, 2.0000001])),
    ("assertAllClose", ([1.0], [1.1])),
    ("assertAllClose", ([[1.0, 2.0]], [1.0, 2.0])),          # shapes differ
    ("assertAllClose", ({"a": [1.0]}, {"a": [1.0]})),
    ("assertNotAllClose", ([1.0], [1.5])),
    ("assertAllEqual", ([1, 2], [1, 2])),
    ("assertAllEqual", ([1, 2], [1, 3])),
    ("assertNotAllEqual", ([1, 2], [1, 2])),
    ("assertNear", (1.0, 1.05, 0.1)),
    ("assertNear", (1.0, 1.5, 0.1)),
    ("assertArrayNear", ([1.0, 2.0], [1.01, 2.0], 0.1)),
    ("assertAllGreater", ([2, 3], 1)),
    ("assertAllLess", ([2, 3], 3)),
    ("assertAllGreaterEqual", ([2, 3], 2)),
    ("assertAllLessEqual", ([2, 3], 2)),
]


def _passes(module, name: str, args: tuple) -> bool:
    class Case(module.test.TestCase):
        def runTest(self) -> None:
            pass
    case = Case()
    try:
        getattr(case, name)(*[module.constant(a) if isinstance(a, list) else a for a in args])
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_assertions_pass_and_fail_as_tensorflows_do(name: str, args: tuple, oracle) -> None:
    assert _passes(tf, name, args) == _passes(oracle, name, args)


def test_evaluate_and_eager_sessions(oracle) -> None:
    for module in (tf, oracle):
        class Case(module.test.TestCase):
            def runTest(self) -> None:
                pass
        case = Case()
        got = case.evaluate({"a": [module.constant([1.0, 2.0])], "b": module.Variable(3)})
        assert isinstance(got["a"][0], np.ndarray) and got["a"][0].tolist() == [1.0, 2.0] and got["b"] == 3
        case.assertShapeEqual(np.ones([2, 3]), module.zeros([2, 3]))
        with case.cached_session() as sess:
            assert sess.run(module.ones([2])).tolist() == [1.0, 1.0]
            with pytest.raises(RuntimeError, match="feed_dict is not supported"):
                sess.run(module.ones([2]), feed_dict={"x": 1.0})
            with pytest.raises(RuntimeError, match="Optional args are not supported"):
                sess.run(module.ones([2]), None, {})
        with case.session() as sess, pytest.raises(AttributeError, match="eager execution is enabled"):
            sess.run(module.ones([2]))
        with case.test_session() as sess:
            assert sess is None


SCRIPT = '''import tensorflow as tf


class ShapeTest(tf.test.TestCase):
    def test_ones(self):
        self.assertAllClose(tf.ones([2]) * 2.0, [2.0, {second}])


if __name__ == "__main__":
    tf.test.main()
'''


@pytest.mark.parametrize("second, status", [("2.0", 0), ("3.0", 1)])
def test_main_runs_the_scripts_test_cases(tmp_path: Path, second: str, status: int) -> None:
    script = tmp_path / "shapes_test.py"
    script.write_text(SCRIPT.format(second=second))
    out = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(script)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == status, out.stderr
    assert "Ran 1 test" in out.stderr and ("OK" in out.stderr) == (status == 0)
