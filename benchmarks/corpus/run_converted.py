"""Run converted corpus programs on real TensorFlow 2.21 (eager, Keras 3) and on tfcompat's v2 API.

Called by `benchmarks/native_coverage.py --run`. Each program runs in a scratch copy of its
folder (the corpus is never written), with:
- `cuts.json`: per-program text substitutions that cut iteration counts
  ({"repo/path.py": [["generations = 1000", "generations = 20"], ...]});
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TIMEOUT = float(os.environ.get("NATIVE_COVERAGE_TIMEOUT", "120"))


def _cuts() -> dict[str, list[list[str]]]:
    path = HERE / "cuts.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _engine_cmd(engine: str, script: Path) -> list[str]:
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


def run_one(root: Path, rel: str, code: str, cuts: dict[str, list[list[str]]]) -> dict[str, str]:
    for old, new in cuts.get(rel, []):
        code = code.replace(old, new)
    src = root / rel
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="native_cov_") as tmp:
        work = Path(tmp) / "prog"
        shutil.copytree(src.parent, work, ignore=shutil.ignore_patterns("*.ipynb", ".git"))
        script = work / src.name
        script.write_text(code, encoding="utf-8")
        site = Path(tmp) / "site"
        site.mkdir()
        shutil.copy(HERE / "standins.py", site / "sitecustomize.py")
        env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="0",
                   PYTHONPATH=os.pathsep.join([str(site), str(REPO)]), STANDINS_DIR=str(work),
                   CUDA_VISIBLE_DEVICES="")
        for engine in ("tf", "tfcompat"):
            try:
                proc = subprocess.run(_engine_cmd(engine, script), cwd=work, env=env, capture_output=True,
                                      text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                proc = None
            out[f"{engine}_run"] = _outcome(proc)
    return out


def run_all(root: Path, converted: dict[str, dict]) -> None:
    cuts = _cuts()
    for rel, result in sorted(converted.items()):
        result.update(run_one(root, rel, result["code"], cuts))
        print(f"ran {rel}: tf={result['tf_run'][:80]} | tfcompat={result['tfcompat_run'][:80]}", flush=True)
