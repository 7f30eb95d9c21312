"""Run converted corpus programs on real TensorFlow 2.21 (eager, Keras 3) and on tfcompat's v2 API.

Called by `benchmarks/native_coverage.py --run`. Each program runs three times, each in a
scratch copy of its folder (the corpus is never written):
- `tf1_run`: the original on TensorFlow 2.21's `compat.v1` with v2 behaviour off (does it run here at
  all, with the stand-in data?);
- `tf_run`: the converted program on TensorFlow 2.21, eager, Keras 3 (no tf_keras);
- `tfcompat_run`: the converted program on tfcompat's v2 API (`tfcompat run --api v2`).
In the converted copies every other `.py` of the folder is upgraded too (native mode, compat form
where native falls back), as a user upgrading the tree would. Each run gets:
- `cuts.json`: per-program text substitutions that cut iteration counts
  ({"repo/path.py": [["generations = 1000", "generations = 20"], ...]});
- `answers.json`: what a person would type at a program's `input()` prompts, as its stdin
  ({"repo/path.py": "4\n0\n..."}); every other program gets an empty stdin;
- `standins.py` on the path as `sitecustomize`: synthetic data in place of downloads
  (MNIST IDX files, a text corpus), a non-interactive matplotlib;
- a time limit per program and engine.
Outcome per engine: "ok" (exit 0), the last line of the error, or "timeout".
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TIMEOUT = float(os.environ.get("NATIVE_COVERAGE_TIMEOUT", "120"))
WORKERS = int(os.environ.get("NATIVE_COVERAGE_WORKERS", "2"))
# NOTE: the original runs as TF1 code runs on TF 2.21: `import tensorflow` is compat.v1, v2 behaviour off.
AS_TF1 = ("import os, runpy, sys; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); "
          "import tensorflow.compat.v1 as v1; v1.disable_v2_behavior(); sys.modules['tensorflow'] = v1; "
          "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")


def _table(name: str) -> dict:
    path = HERE / name
    return json.loads(path.read_text()) if path.exists() else {}


def _engine_cmd(engine: str, script: Path) -> list[str]:
    if engine == "tf1":
        return [sys.executable, "-c", AS_TF1, str(script)]
    if engine == "tf":
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(script)]


def _outcome(proc: subprocess.CompletedProcess | None) -> str:
    if proc is None:
        return "timeout"
    if proc.returncode == 0:
        return "ok"
    lines = [ln for ln in (proc.stderr or "").strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else f"exit {proc.returncode}")[:200]


def _upgrade_siblings(folder: Path, skip: Path, original: str) -> None:
    from upgrader.engine import upgrade_source
    from upgrader.native.imported import remember, snapshot
    snapshot(sorted(p for p in folder.rglob("*.py") if p != skip))
    remember(skip, original)   # NOTE: the group decisions (native/imported.py) see the tree as tf-upgrade would
    for path in folder.rglob("*.py"):
        if path != skip:
            try:
                text = path.read_text(encoding="utf-8")
                path.write_text(upgrade_source(text, "native", path=path).code, encoding="utf-8")
            except (UnicodeDecodeError, SyntaxError, ValueError):
                pass   # left as it is, as tf-upgrade leaves a file it cannot read


def run_one(root: Path, rel: str, code: str, cuts: dict[str, list[list[str]]],
            answers: dict[str, str]) -> dict[str, str]:
    src = root / rel
    original = src.read_text(encoding="utf-8", errors="replace")
    for old, new in cuts.get(rel, []):
        code, original = code.replace(old, new), original.replace(old, new)
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="native_cov_") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        shutil.copy(HERE / "standins.py", site / "sitecustomize.py")
        shutil.copy(HERE / "standin_data.py", site / "standin_data.py")
        for engine in ("tf1", "tf", "tfcompat"):
            work = Path(tmp) / engine
            shutil.copytree(src.parent, work, ignore=shutil.ignore_patterns("*.ipynb", ".git"))
            script = work / src.name
            script.write_text(original if engine == "tf1" else code, encoding="utf-8")
            if engine != "tf1":
                _upgrade_siblings(work, script, original)
            env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                       TF_USE_LEGACY_KERAS="1" if engine == "tf1" else "0", HOME=str(work), STANDINS_DIR=str(work),
                       PYTHONPATH=os.pathsep.join([str(site), str(REPO)]),
                       STANDINS_TUTORIAL_MNIST="1" if engine == "tf1" else "")
            try:
                proc = subprocess.run(_engine_cmd(engine, script), cwd=work, env=env, capture_output=True,
                                      text=True, timeout=TIMEOUT, input=answers.get(rel, ""))
            except subprocess.TimeoutExpired:
                proc = None
            out[f"{engine}_run"] = _outcome(proc)
    return out


def run_all(root: Path, converted: dict[str, dict]) -> None:
    cuts, answers = _table("cuts.json"), _table("answers.json")

    def one(item: tuple[str, dict]) -> None:
        rel, result = item
        result.update(run_one(root, rel, result["code"], cuts, answers))
        print(f"ran {rel}: tf1={result['tf1_run'][:60]} | tf={result['tf_run'][:60]} | "
              f"tfcompat={result['tfcompat_run'][:60]}", flush=True)

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(one, sorted(converted.items())))
