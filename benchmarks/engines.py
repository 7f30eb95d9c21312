"""Run a benchmark script's `measure(engine)` once per engine, each in its own process, and collect the figures.

    results = both_engines(__file__)   # {"tensorflow": {label: seconds}, "tfcompat": {...}}

The script answers `python SCRIPT --child ENGINE` by printing `json.dumps(measure(ENGINE))` as its last line
(`child_main`): TensorFlow and tfcompat never share a process, so neither's threads or caches skew the other.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

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
