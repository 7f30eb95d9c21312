"""tf-upgrade on real trees: output folders, symlinks, modes, line ends, exit codes (issue 12, part 1)."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from upgrader import files
from upgrader.cli import main
from upgrader.files import upgrade_file

TF1 = "import tensorflow as tf\nx = tf.to_float(1)\n"
DONE = "import tensorflow as tf\nx = tf.cast(1, dtype=tf.float32)\n"   # compat mode writes tf_upgrade_v2's keywords


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["--mode", "compat", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output


def tree(root: Path, spec: dict[str, str]) -> Path:
    for rel, text in spec.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_folder_holding_only_changed_files_is_created(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {"pkg/deep/m.py": TF1, "pkg/n.py": TF1})
    code, _ = run(str(src) + "/", "-o", str(tmp_path / "out") + "/")
    assert code == 0
    assert (tmp_path / "out/pkg/deep/m.py").read_text() == DONE and (tmp_path / "out/pkg/n.py").read_text() == DONE


def test_symlink_loops_are_reported_not_a_traceback(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {"a/m.py": TF1})
    (src / "a" / "up").symlink_to("..")            # a folder loop
    (src / "l1").symlink_to("l2")
    (src / "l2").symlink_to("l1")                  # a file loop
    (src / "me.py").symlink_to("me.py")
    code, _ = run(str(src), "-o", str(tmp_path / "out"), "--json", str(tmp_path / "r.json"))
    assert code == 0 and (tmp_path / "out/a/m.py").read_text() == DONE
    skipped = {Path(f["path"]).name for f in json.loads((tmp_path / "r.json").read_text())["files"] if f["status"] == "skipped"}
    assert skipped == {"up", "l1", "l2", "me.py"}
    code, _ = run(str(src), "-o", str(tmp_path / "out2"), "--follow-symlinks")
    assert code == 0 and (tmp_path / "out2/a/m.py").read_text() == DONE


def test_unreadable_other_file_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tree(tmp_path / "src", {"m.py": TF1, "secret.bin": "x", "ok.txt": "y"})
    real = files.shutil.copy

    def copy(a: object, b: object) -> object:
        if str(a).endswith("secret.bin"):
            raise PermissionError(13, "Permission denied")
        return real(a, b)
    monkeypatch.setattr(files.shutil, "copy", copy)
    code, out = run(str(src), "-o", str(tmp_path / "out"))
    assert code == 2 and "secret.bin:1:1: error: [io] cannot copy" in out
    assert (tmp_path / "out/m.py").read_text() == DONE and (tmp_path / "out/ok.txt").read_text() == "y"


def test_output_equal_to_input_means_in_place(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {"m.py": TF1, "n.py": TF1})
    assert run(str(src), "-o", str(src))[0] == 0 and (src / "m.py").read_text() == DONE
    assert run(str(src / "n.py"), "-o", str(src / "n.py"))[0] == 0 and (src / "n.py").read_text() == DONE
    code, out = run(str(src / "m.py"), str(src / "n.py"), "-o", str(src / "n.py"))
    assert code == 2 and "use --inplace" in out


def test_unwritable_report_paths_fail_before_any_work(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {"m.py": TF1})
    for opt in ("--json", "--report"):
        code, out = run(str(src), "--inplace", opt, str(tmp_path / "missing" / "r.json"))
        assert code == 2 and "does not exist" in out and (src / "m.py").read_text() == TF1
    code, out = run(str(src), "--inplace", "--json", str(tmp_path))
    assert code == 2 and "is a folder" in out


def test_new_output_gets_the_source_mode(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {"tool.py": "#!/usr/bin/env python\n" + TF1, "run.sh": "echo\n"})
    (src / "tool.py").chmod(0o755)
    (src / "run.sh").chmod(0o750)
    assert run(str(src), "-o", str(tmp_path / "out"))[0] == 0
    assert stat.S_IMODE((tmp_path / "out/tool.py").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out/run.sh").stat().st_mode) == 0o750


def test_inplace_leaves_symlinks_in_a_tree_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(TF1)
    src = tree(tmp_path / "src", {"m.py": TF1})
    (src / "link.py").symlink_to(outside)
    code, out = run(str(src), "--inplace")
    assert code == 0 and outside.read_text() == TF1 and (src / "m.py").read_text() == DONE
    assert "link.py:1:1: info: [walk] symlink; left alone" in out
    assert run(str(src), "--inplace", "--follow-symlinks")[0] == 0
    assert outside.read_text() == DONE and (src / "link.py").is_symlink()


@pytest.mark.parametrize("mode", ["compat", "native"])
def test_every_mode_keeps_crlf_bom_and_encoding(tmp_path: Path, mode: str) -> None:
    body = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.log(x)\nwith tf.Session() as s:\n    print(s.run(y, {x: 1.0}))\n"
    p = tmp_path / "crlf.py"
    p.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    out = upgrade_file(p, None, mode)
    data = p.read_bytes()
    assert out.status == "changed" and data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > 3, data
    q = tmp_path / "latin.py"
    q.write_bytes("# -*- coding: latin-1 -*-\r\nimport tensorflow as tf\r\ns = 'é'\r\ny = tf.log(1.0)\r\n".encode("latin-1"))
    upgrade_file(q, None, mode)
    assert q.read_bytes().decode("latin-1").count("\r\n") == q.read_bytes().count(b"\n") and "'é'" in q.read_bytes().decode("latin-1")


@pytest.mark.parametrize("mode", ["compat", "native"])
def test_upgrade_source_keeps_crlf_for_api_callers(mode: str) -> None:
    from upgrader.engine import upgrade_source
    body = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\nwith tf.Session() as s:\n    print(s.run(x, {x: 1.0}))\n"
    code = upgrade_source(body.replace("\n", "\r\n"), mode).code
    assert code != body.replace("\n", "\r\n") and code.count("\n") == code.count("\r\n")


def test_mixed_line_ends_are_left_as_they_are(tmp_path: Path) -> None:
    p = tmp_path / "mixed.py"
    p.write_bytes(b"import tensorflow as tf\r\ny = tf.log(1.0)\nz = 1\r\n")
    upgrade_file(p, None, "compat")
    assert p.read_bytes() == b"import tensorflow as tf\r\ny = tf.math.log(1.0)\nz = 1\r\n"


def test_output_folder_rules(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text(TF1)
    b.write_text(TF1)
    assert run(str(a), str(b), "-o", str(tmp_path / "outdir"))[0] == 0
    assert (tmp_path / "outdir/a.py").read_text() == DONE and (tmp_path / "outdir/b.py").read_text() == DONE
    assert run(str(a), "-o", str(tmp_path / "newdir") + "/")[0] == 0
    assert (tmp_path / "newdir/a.py").read_text() == DONE
    src = tree(tmp_path / "src", {"m.py": TF1})
    for _ in range(2):
        code, _ = run(str(src), "-o", str(src / "out"))
        assert code == 0
    assert not (src / "out" / "out").exists() and (src / "out/m.py").read_text() == DONE


def test_hidden_folders_pyw_and_star_imports_are_reported(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {".hidden/m.py": TF1, "gui.pyw": TF1,
                                   "star.py": "from tensorflow import *\nsess = Session()\n"})
    code, out = run(str(src), "--inplace", "--json", str(tmp_path / "r.json"))
    assert code == 0 and (src / "gui.pyw").read_text() == DONE and (src / ".hidden/m.py").read_text() == TF1
    assert ".hidden:1:1: info: [walk] hidden folder; skipped" in out
    assert "star.py:1:1: warning: [imports] `from tensorflow import *` hides where Session come from" in out


def test_check_names_files_and_refuses_inplace(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {"a.py": TF1, "b.py": DONE})
    code, out = run("--check", str(src))
    assert code == 1 and f"would upgrade: {src / 'a.py'}" in out and "b.py" not in out.replace("1 files", "")
    code, out = run("--check", "--inplace", str(src))
    assert code == 2 and "--check writes nothing" in out


def test_ctrl_c_exits_130_and_says_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tree(tmp_path / "src", {"a.py": TF1, "b.py": TF1, "c.py": TF1})
    real = files.upgrade_file

    def interrupted(s: Path, *a: object) -> object:
        if s.name == "b.py":
            raise KeyboardInterrupt
        return real(s, *a)
    monkeypatch.setattr(files, "upgrade_file", interrupted)
    code, out = run(str(src), "--inplace", "-j", "1")
    assert code == 130 and "interrupted: 1 of 3 files done, 1 written" in out and f"written: {src / 'a.py'}" in out
    assert (src / "a.py").read_text() == DONE and (src / "c.py").read_text() == TF1


def test_repeated_warnings_are_summarised(tmp_path: Path) -> None:
    src = tree(tmp_path / "src", {f"m{i}.py": "import tensorflow as tf\nx = tf.contrib.foo.bar(1)\n" for i in range(6)})
    code, out = run(str(src), "--check", "--report", str(tmp_path / "r.txt"))
    assert code == 2
    errors = [l for l in out.splitlines() if ": error:" in l]
    assert len(errors) == 6   # errors are never summarised
    src2 = tree(tmp_path / "src2", {f"m{i}.py": "import tensorflow as tf\ny = tf.nn.conv2d(x, w, [1]*4, 'SAME', use_cudnn_on_gpu=True)\n" for i in range(6)})
    code, out = run(str(src2), "--check", "--report", str(tmp_path / "r2.txt"))
    lines = [l for l in out.splitlines() if "use_cudnn_on_gpu" in l]
    assert len(lines) == 1 and "(6 times; each one in --report" in lines[0]
    assert (tmp_path / "r2.txt").read_text().count("use_cudnn_on_gpu") == 6


def test_version() -> None:
    r = CliRunner().invoke(main, ["--version"])
    assert r.exit_code == 0 and r.output.startswith("tf-upgrade, version ")


def test_messy_tree_second_run_is_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tree(tmp_path / "src", {"a/b/c/m.py": TF1, "a/data.csv": "1\n", "top.py": TF1, "bad.py": "print 'x'\n"})
    (src / "crlf.py").write_bytes(TF1.replace("\n", "\r\n").encode())
    (src / "a" / "loop").symlink_to("..")
    for out in ("out1", "out2"):
        code, _ = run(str(src), "-o", str(tmp_path / out))
        assert code == 2   # only bad.py (Python 2) cannot be upgraded
    one = {p.relative_to(tmp_path / "out1"): p.read_bytes() for p in (tmp_path / "out1").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "out2"): p.read_bytes() for p in (tmp_path / "out2").rglob("*") if p.is_file()}
    assert one == two and one[Path("crlf.py")] == DONE.replace("\n", "\r\n").encode()
    assert run("--check", str(tmp_path / "out1"), "--exclude", "bad.py")[0] == 0
    assert not os.path.lexists(tmp_path / "out1" / "a" / "loop")
