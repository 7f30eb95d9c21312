"""tf-upgrade speed: lines/s on a tree of TF1 files, vs tf_upgrade_v2, side by side; start-up time.

    python benchmarks/upgrader_speed.py [--files 60] [--tf-upgrade-v2 PATH]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# NOTE: whole TF1 programs (training loops, NumPy, printing), as users have them; the rule goldens
# (fixtures/upgrade) are dense TF snippets whose number grows with every rule, which made the
# tree, and so the figures, drift from one measurement to the next.
SEEDS = sorted((ROOT / "tests" / "upgrader" / "data" / "programs").glob("*.py")) + sorted(
    (ROOT / "fixtures" / "programs" / "v1").glob("*.py"))


def make_tree(dst: Path, n: int) -> int:
    """n files built from the TF1 programs and fixtures, each ~250 lines; returns total lines."""
    bodies = [p.read_text() for p in SEEDS]
    lines = 0
    for i in range(n):
        text = "".join(bodies[(i + k) % len(bodies)] for k in range(48))
        text = "import numpy as np\nimport tensorflow as tf\n" + text.replace("import tensorflow as tf\n", "")
        (dst / f"m{i:03d}.py").write_text(text)
        lines += text.count("\n")
    return lines


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--tf-upgrade-v2", default=str(ROOT.parent / ".venv-tf" / "bin" / "tf_upgrade_v2"),
                    help="tf_upgrade_v2 from an environment with TensorFlow (default: ../.venv-tf)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    src = tmp / "src"
    src.mkdir()
    lines = make_tree(src, args.files)
    tfup = [sys.executable, "-m", "upgrader.cli", "--quiet"]
    env_ok = dict(os.environ, PYTHONPATH=str(ROOT))
    os.environ.update(env_ok)
    rows = []
    start = min(timed([*tfup, "--help"]) for _ in range(3))
    rows.append(("tf-upgrade start-up (--help)", f"{start:.3f} s"))
    for mode in ("compat", "native"):
        for jobs in (1, 2):
            out = tmp / f"out-{mode}-{jobs}"
            t = min(timed([*tfup, "--mode", mode, "-j", str(jobs), str(src), "-o", str(out)]) for _ in range(2))
            rows.append((f"tf-upgrade --mode {mode} -j {jobs}", f"{lines / t:,.0f} lines/s ({t:.2f} s)"))
    if Path(args.tf_upgrade_v2).exists():
        t = timed([args.tf_upgrade_v2, "--intree", str(src), "--outtree", str(tmp / "outg"), "--reportfile", str(tmp / "r.txt")])
        rows.append(("tf_upgrade_v2 (TF 2.21)", f"{lines / t:,.0f} lines/s ({t:.2f} s)"))
        s = timed([args.tf_upgrade_v2, "--help"])
        rows.append(("tf_upgrade_v2 start-up (--help)", f"{s:.3f} s"))
    else:
        rows.append(("tf_upgrade_v2", "not installed: skipped"))
    print(f"tree: {args.files} files, {lines:,} lines")
    for name, value in rows:
        print(f"  {name:34s} {value}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
