"""tf.function speed vs TensorFlow: W4 (linreg step), W6 (MLP steps), W8 (cached call, trace), W9 (relu(x*a+b)).

    python benchmarks/function_speed.py [--scale 0.3] [--outdir DIR]

Runs /work/shared/bench/run.py with tensorflow and tfcompat interleaved (one subprocess per
workload and implementation), then prints the tfcompat/TensorFlow ratio per metric.
Measures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(os.environ.get("TFCOMPAT_BENCH", Path(__file__).resolve().parents[2] / "shared" / "bench"))
TF_PY = os.environ.get("TF_PY", "/work/.venv-tf/bin/python")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", default="W4,W6,W8,W9")
    ap.add_argument("--scale", default="1.0")
    ap.add_argument("--outdir", default=None)
    args = ap.parse_args()
    out = Path(args.outdir or tempfile.mkdtemp(prefix="function_speed_"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(Path(__file__).resolve().parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, str(BENCH / "run.py"), "--impl", "tensorflow,tfcompat", "--interleave",
                    "--workloads", args.workloads, "--scale", args.scale, "--outdir", str(out), "--repeats", "3",
                    "--python", f"tensorflow={TF_PY}", "--python", f"tfcompat={sys.executable}"],
                   check=True, env=env)
    files = sorted(str(f) for f in out.rglob("*.json"))
    subprocess.run([sys.executable, str(BENCH / "compare.py"), *files], check=False, env=env)
    print(f"raw results: {out}")


if __name__ == "__main__":
    main()
