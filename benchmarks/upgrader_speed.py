"""tf-upgrade speed: lines/s on a tree of TF1 files, vs tf_upgrade_v2, side by side; start-up time.

    python benchmarks/upgrader_speed.py [--files 60] [--tf-upgrade-v2 PATH]
    python benchmarks/upgrader_speed.py --tree DIR --modes compat --jobs 1     # any tree of .py files

Each command runs as its own process; figures are lines per second of wall time and of CPU time
(user + system of the process and its children), so a loaded machine still gives a fair ratio.
"""
from __future__ import annotations

import argparse
import os
import resource
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
    return timed_cpu(cmd)[0]


def timed_cpu(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one command and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def copy_tree(src: Path, dst: Path) -> int:
    """The .py files of `src` (what tf_upgrade_v2 --intree upgrades) copied to `dst`; returns total lines."""
    lines = 0
    for path in sorted(src.rglob("*.py")):
        if path.is_file() and not path.is_symlink():
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_bytes()
            target.write_bytes(text)
            lines += text.count(b"\n")
    return lines


def rate(lines: int, wall: float, cpu: float) -> str:
    return f"{lines / wall:,.0f} lines/s wall ({wall:.2f} s), {lines / cpu:,.0f} lines/s CPU ({cpu:.2f} s)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--tree", type=Path, help="measure on this tree's .py files instead of the generated one")
    ap.add_argument("--modes", default="compat,native", help="tf-upgrade modes to measure (comma-separated)")
    ap.add_argument("--jobs", default="1,2", help="-j values to measure (comma-separated)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per command; the fastest (by CPU time) counts")
    ap.add_argument("--tf-upgrade-v2", default=shutil.which("tf_upgrade_v2") or str(ROOT.parent / ".venv-tf" / "bin" / "tf_upgrade_v2"),
                    help="tf_upgrade_v2 from an environment with TensorFlow (default: on PATH, else ../.venv-tf)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    src = tmp / "src"
    src.mkdir()
    lines = copy_tree(args.tree, src) if args.tree else make_tree(src, args.files)
    tfup = [sys.executable, "-m", "upgrader.cli", "--quiet"]
    env_ok = dict(os.environ, PYTHONPATH=str(ROOT))
    os.environ.update(env_ok)
    rows = []
    start = min(timed([*tfup, "--help"]) for _ in range(3))
    rows.append(("tf-upgrade start-up (--help)", f"{start:.3f} s"))
    cpu_of: dict[str, float] = {}
    for mode in args.modes.split(","):
        for jobs in args.jobs.split(","):
            runs = []
            for k in range(args.repeat):
                out = tmp / f"out-{mode}-{jobs}-{k}"
                runs.append(timed_cpu([*tfup, "--mode", mode, "-j", jobs, str(src), "-o", str(out)]))
            wall, cpu = min(runs, key=lambda r: r[1])
            cpu_of[f"{mode} -j {jobs}"] = cpu
            rows.append((f"tf-upgrade --mode {mode} -j {jobs}", rate(lines, wall, cpu)))
    if Path(args.tf_upgrade_v2).exists():
        runs = [timed_cpu([args.tf_upgrade_v2, "--intree", str(src), "--outtree", str(tmp / f"outg{k}"),
                           "--reportfile", str(tmp / "r.txt")]) for k in range(args.repeat)]
        wall, cpu = min(runs, key=lambda r: r[1])
        rows.append(("tf_upgrade_v2 (TF 2.21)", rate(lines, wall, cpu)))
        s, s_cpu = min((timed_cpu([args.tf_upgrade_v2, "--help"]) for _ in range(args.repeat)), key=lambda r: r[1])
        _, ours_cpu = min((timed_cpu([*tfup, "--help"]) for _ in range(args.repeat)), key=lambda r: r[1])
        for name, ours in cpu_of.items():
            rows.append((f"ratio, CPU time: {name}", f"{cpu / ours:.1f}x tf_upgrade_v2's lines/s "
                         f"({(cpu - s_cpu) / (ours - ours_cpu):.1f}x without either's start-up)"))
        rows.append(("tf_upgrade_v2 start-up (--help)", f"{s:.3f} s wall, {s_cpu:.2f} s CPU (tf-upgrade: {ours_cpu:.2f} s CPU)"))
    else:
        rows.append(("tf_upgrade_v2", "not installed: skipped"))
    print(f"tree: {args.tree or f'{args.files} generated files'}, {lines:,} lines of .py")
    for name, value in rows:
        print(f"  {name:34s} {value}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
