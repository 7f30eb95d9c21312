"""TF1 Session speed: workload W5 (v1 graph, placeholders, per-sample `sess.run`) vs TensorFlow.

    python benchmarks/v1_session_speed.py [--rounds 3] [--repeats 3] [--scale 1.0]

Runs `../shared/bench/workloads.py`'s W5 with `tf` = tensorflow and `tf` = tfcompat,
one subprocess per (round, impl), impls alternating, and prints the medians and the
ratios tfcompat / TensorFlow (targets: sess_run <= 0.1, graph_build_session_init <= 0.5).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("TFCOMPAT_BENCH_DIR", ROOT.parent / "shared" / "bench"))
CHILD = """
import json, os, sys
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if {impl!r} == "tensorflow":
    import tensorflow as tf
else:
    import tfcompat as tf
import common, workloads
rec = common.Rec(scale={scale})
workloads.w5_v1_session_linreg(tf, rec, {repeats})
print("RESULT" + json.dumps(rec.items))
"""


def run_child(impl: str, python: str, repeats: int, scale: float) -> dict:
    code = CHILD.format(bench=str(BENCH), root=str(ROOT), impl=impl, repeats=repeats, scale=scale)
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=900)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(f"{impl} failed:\n{proc.stderr[-3000:]}")
    return {item["metric"]: item for item in json.loads(line[len("RESULT"):])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--python", default=sys.executable, help="a Python with both tensorflow and tfcompat")
    a = ap.parse_args()
    samples: dict[tuple, list] = {}
    checks: dict[str, dict] = {}
    for _ in range(a.rounds):
        for impl in ("tensorflow", "tfcompat"):
            for metric, item in run_child(impl, a.python, a.repeats, a.scale).items():
                samples.setdefault((impl, metric), []).append(item["median"])
                if item.get("check"):
                    checks[impl] = item["check"]
    print(f"{'metric':28} {'tensorflow':>12} {'tfcompat':>12} {'ratio':>8}  target")
    for metric, unit, target in (("sess_run", "us/run", 0.1), ("graph_build_session_init", "ms", 0.5)):
        tf_v = statistics.median(samples[("tensorflow", metric)])
        us_v = statistics.median(samples[("tfcompat", metric)])
        print(f"{metric + ' (' + unit + ')':28} {tf_v:12.3f} {us_v:12.3f} {us_v / tf_v:8.3f}  <= {target}")
    print("check tensorflow:", checks.get("tensorflow"))
    print("check tfcompat:  ", checks.get("tfcompat"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
