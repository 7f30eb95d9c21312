"""Which Python runs real TensorFlow for whole-program differential tests.

Order: $TFCOMPAT_ORACLE_PYTHON; this Python when it can import tensorflow (CI installs the
oracle into the test environment); a `.venv-tf` beside or above the repository (what
an oracle setup script makes). None when there is no TensorFlow: those tests skip.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def oracle_python() -> str | None:
    candidates = [os.environ.get("TFCOMPAT_ORACLE_PYTHON", "")]
    if importlib.util.find_spec("tensorflow") is not None:
        candidates.append(sys.executable)
    candidates += [str(ROOT / ".venv-tf" / "bin" / "python"), str(ROOT.parent / ".venv-tf" / "bin" / "python")]
    for py in candidates:
        if py and Path(py).exists():
            probe = subprocess.run([py, "-c", "import tensorflow"], capture_output=True, timeout=300,
                                   env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
            if probe.returncode == 0:
                return py
    return None
