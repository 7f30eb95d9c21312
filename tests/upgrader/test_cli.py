"""The tf-upgrade command: outputs, trees, --check/--diff/--json, exit codes, start-up cost."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from upgrader.cli import main

TF1 = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.log(x)\n"
V2 = "import tensorflow as tf\ny = tf.math.log(1.0)\n"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


def test_file_to_file(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.py", tmp_path / "out.py"
    src.write_text(TF1)
    code, _ = run("--mode", "compat", str(src), "-o", str(dst))
    assert code == 0 and src.read_text() == TF1
    assert "tf.compat.v1.placeholder" in dst.read_text() and "disable_eager_execution" in dst.read_text()


def test_tree_copies_other_files_and_reports_errors(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "pkg").mkdir(parents=True)
    (root / "a.py").write_text(TF1)
    (root / "pkg" / "b.py").write_text(V2)
    (root / "pkg" / "old.py").write_text('print "py2"\n')
    (root / "data.csv").write_text("1,2\n")
    out = tmp_path / "out"
    code, _ = run(str(root), "-o", str(out), "--json", str(tmp_path / "r.json"), "--report", str(tmp_path / "r.txt"))
    assert code == 2   # the Python 2 file is an error
    assert (out / "data.csv").read_text() == "1,2\n"
    assert (out / "pkg" / "old.py").read_text() == 'print "py2"\n'
    assert (out / "pkg" / "b.py").read_text() == V2
    assert "tf.math.log" in (out / "a.py").read_text()
    report = json.loads((tmp_path / "r.json").read_text())
    by = {Path(f["path"]).name: f for f in report["files"]}
    assert by["old.py"]["status"] == "error" and by["old.py"]["errors"][0]["line"] == 1
    assert {c["line"] for c in by["a.py"]["changes"]} >= {2, 3}
    assert "1 with errors" in (tmp_path / "r.txt").read_text()


def test_check_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TF1)
    (tmp_path / "b.py").write_text(V2)
    assert run("--check", str(tmp_path / "a.py"))[0] == 1
    assert run("--check", str(tmp_path / "b.py"))[0] == 0
    assert (tmp_path / "a.py").read_text() == TF1


def test_inplace_with_backup_and_jobs(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"m{i}.py").write_text(TF1)
    code, _ = run("--inplace", "--backup-suffix", ".bak", "-j", "2", "--quiet", str(tmp_path))
    assert code == 0
    assert all("tf.math.log" in (tmp_path / f"m{i}.py").read_text() for i in range(4))
    assert (tmp_path / "m0.py.bak").read_text() == TF1
    assert run("--check", str(tmp_path), "--exclude", "*.bak")[0] == 0   # idempotent on its own output


def test_include_exclude(tmp_path: Path) -> None:
    (tmp_path / "keep.py").write_text(TF1)
    (tmp_path / "skip_me.py").write_text(TF1)
    run("--inplace", "--exclude", "skip_*", str(tmp_path))
    assert "tf.math.log" in (tmp_path / "keep.py").read_text() and (tmp_path / "skip_me.py").read_text() == TF1


def test_diff_output(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TF1)
    code, out = run("--mode", "compat", "--diff", str(tmp_path / "a.py"))
    assert code == 0 and "-y = tf.log(x)" in out and "+y = tf.math.log(x)" in out
    assert (tmp_path / "a.py").read_text() == TF1


def test_unconvertible_construct_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import tensorflow as tf\nnet = tf.contrib.slim.conv2d(x, 3, 3)\n")
    assert run("--check", str(tmp_path / "a.py"))[0] == 2


def test_native_is_the_default_mode(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TF1)
    code, out = run("--diff", str(tmp_path / "a.py"))
    assert code == 0 and "+def y(x):" in out and "placeholder" not in out.split("+def y")[1]
    help_code, help_text = run("--help")
    assert help_code == 0 and "[default: native]" in help_text and "verify" in help_text


def test_native_fallback_is_reported_with_line(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TF1 + "print(y.name)\nwith tf.Session() as sess:\n    sess.run(y, {x: 1.0})\n")
    (tmp_path / "r.json").unlink(missing_ok=True)
    code, _ = run("--check", str(tmp_path / "a.py"), "--json", str(tmp_path / "r.json"))
    assert code == 1
    warnings = json.loads((tmp_path / "r.json").read_text())["files"][0]["warnings"]
    assert [(w["line"], w["rule"]) for w in warnings] == [(4, "native")] and "'y'" in warnings[0]["message"]


def test_verify_reports_difference(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_text("print('loss', 0.5)\n")
    (tmp_path / "new.py").write_text("print('loss', 0.6)\n")
    (tmp_path / "same.py").write_text("print('loss', 0.50001)\n")
    code, out = run("verify", str(tmp_path / "old.py"), str(tmp_path / "new.py"))
    assert code == 1 and "different at token 1: original printed 0.5, rewrite printed 0.6" in out
    code, out = run("verify", str(tmp_path / "old.py"), str(tmp_path / "same.py"))
    assert code == 0 and "EQUAL: 1 items compared (1 equal)" in out


def test_notebook(tmp_path: Path) -> None:
    nb = {"cells": [{"cell_type": "code", "source": ["%matplotlib inline\n", "import tensorflow as tf"], "metadata": {},
                     "outputs": [], "execution_count": None},
                    {"cell_type": "markdown", "source": ["tf.log"], "metadata": {}},
                    {"cell_type": "code", "source": ["y = tf.log(2.0)"], "metadata": {}, "outputs": [], "execution_count": None}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path / "n.ipynb"
    p.write_text(json.dumps(nb))
    code, _ = run("--inplace", "--json", str(tmp_path / "r.json"), str(p))
    out = json.loads(p.read_text())
    assert code == 0 and out["cells"][2]["source"] == ["y = tf.math.log(2.0)"]
    assert out["cells"][0]["source"] == ["%matplotlib inline\n", "import tensorflow as tf"]
    assert out["cells"][1]["source"] == ["tf.log"]
    change = json.loads((tmp_path / "r.json").read_text())["files"][0]["changes"][0]
    assert change["line"] == 1 and change["message"].startswith("cell 2:")


def test_startup_does_not_import_libcst_or_tensorflow() -> None:
    code = "import sys, upgrader.cli; print('libcst' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
