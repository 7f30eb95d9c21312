"""`tfcompat run` behaves like `python SCRIPT`: argv, __main__, exit codes, tracebacks, imports."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(tmp_path: Path, source: str, *args: str, api: str = "v2") -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(source)
    return subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", api, str(script), *args],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_argv_and_main(tmp_path: Path) -> None:
    out = run(tmp_path, "import sys, tensorflow as tf\nprint(__name__, sys.argv[1:], tf.constant(2.0) + 1)\n",
              "--epochs", "3")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "__main__ ['--epochs', '3'] tf.Tensor(3.0, shape=(), dtype=float32)"


def test_exit_codes_pass_through(tmp_path: Path) -> None:
    assert run(tmp_path, "import sys\nsys.exit(3)\n").returncode == 3


def test_traceback_starts_at_the_script(tmp_path: Path) -> None:
    out = run(tmp_path, "def f():\n    raise ValueError('boom')\nf()\n")
    assert out.returncode == 1
    assert out.stderr.startswith("Traceback (most recent call last):\n  File ")
    assert "runpy" not in out.stderr and "click" not in out.stderr
    assert out.stderr.strip().endswith("ValueError: boom")


def test_tensorflow_submodules_resolve(tmp_path: Path) -> None:
    src = ("import tensorflow as tf\nimport tensorflow.compat.v1 as v1\nfrom tensorflow import math\n"
           "print(math.add is tf.math.add, v1.__version__, tf.compat.v1 is v1)\n")
    out = run(tmp_path, src)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "1.15.0", "True"]


def test_v1_is_the_default_api(tmp_path: Path) -> None:
    script = tmp_path / "v.py"
    script.write_text("import tensorflow as tf\nprint(tf.__version__)\n")
    out = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", str(script)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1.15.0"
