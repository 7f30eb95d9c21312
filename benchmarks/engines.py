"""Run a benchmark script's `measure(engine)` once per engine, each in its own process, and collect the figures.

    results = both_engines(__file__)   # {"tensorflow": {label: seconds}, "tfcompat": {...}}

The script answers `python SCRIPT --child ENGINE` by printing `json.dumps(measure(ENGINE))` as its last line
(`child_main`): TensorFlow and tfcompat never share a process, so neither's threads or caches skew the other.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("tensorflow", "tfcompat")


def child_main(measure: Callable[[str], dict]) -> bool:
    """In a child process (`--child ENGINE`): print the engine's figures and return True."""
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return True
    return False


def both_engines(script: str) -> dict[str, dict]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    return {engine: json.loads(subprocess.run([sys.executable, script, "--child", engine], capture_output=True,
                                              text=True, env=env, check=True).stdout.strip().splitlines()[-1])
            for engine in ENGINES}


def median_seconds(call: Callable[[], object], repeats: int = 7) -> float:
    """The median wall time of `call()` (its result brought to the host), after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        np.asarray(call())
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def print_table(results: dict[str, dict], labels: list[str]) -> None:
    """One row per workload: TensorFlow's and tfcompat's milliseconds and their ratio."""
    width = max(len(label) for label in labels) + 2
    print(f"{'workload':{width}} {'TensorFlow':>12} {'tfcompat':>12} {'ratio':>8}")
    for label in labels:
        a, b = results["tensorflow"][label], results["tfcompat"][label]
        print(f"{label:{width}} {a * 1e3:10.3f}ms {b * 1e3:10.3f}ms {b / a:7.2f}x")
