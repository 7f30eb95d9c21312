"""The second oracle: TensorFlow 2.15 with tensorflow-estimator, the last TensorFlow that has tf.estimator.

    scripts/setup_tf215_oracle.sh                        # makes .venv-tf215 (tensorflow-cpu 2.15.1)
    python -m tests.estimator_oracle [NAME ...]          # records fixtures/programs/estimator/*.expected.txt

Programs run with `import tensorflow` bound to TF 2.15's `tensorflow.compat.v1` (v2 behaviour off), as
`tfcompat run --api v1` binds it to tfcompat; `v2_*.py` programs run on TF 2.15's TF2 API (`--api v2`). `tf215_python()` is None where the venv is absent: the
differential tests skip, and the recorded expectations still run.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "fixtures" / "programs" / "estimator"
RUNNER = ("import os, runpy, sys; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); "
          "import tensorflow as tf; import tensorflow.compat.v1 as v1; v1.logging.set_verbosity(v1.logging.ERROR); "
          "script = sys.argv[1]; api = sys.argv[2]; sys.argv = sys.argv[1:2] + sys.argv[3:]; "
          "(v1.disable_v2_behavior(), sys.modules.__setitem__('tensorflow', v1)) if api == 'v1' else None; "
          "runpy.run_path(script, run_name='__main__')")


def api_of(program: Path) -> str:
    """`v2_*.py` programs are TF2 code (`import tensorflow` is TF2, eager on); the others TF1 code."""
    return "v2" if program.stem.startswith("v2_") else "v1"


@functools.lru_cache(maxsize=1)
def tf215_python() -> str | None:
    """$TFCOMPAT_TF215_PYTHON, or .venv-tf215 in or beside the repository, when it imports tf.estimator."""
    for py in (os.environ.get("TFCOMPAT_TF215_PYTHON", ""), str(ROOT / ".venv-tf215" / "bin" / "python"),
               str(ROOT.parent / ".venv-tf215" / "bin" / "python")):
        if py and Path(py).exists():
            probe = subprocess.run([py, "-c", "import tensorflow_estimator"], capture_output=True, timeout=300)
            if probe.returncode == 0:
                return py
    return None


def run_tf215(script: Path, cwd: Path | None = None, timeout: int = 600,
              extra_args: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run `script [extra_args]` on TF 2.15's compat.v1 (raises when the venv is absent)."""
    py = tf215_python()
    if py is None:
        raise RuntimeError("no TF 2.15 oracle: run scripts/setup_tf215_oracle.sh (or set TFCOMPAT_TF215_PYTHON)")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    return subprocess.run([py, "-c", RUNNER, str(script), api_of(script), *(extra_args or [])], cwd=cwd or script.parent, env=env, capture_output=True,
                          text=True, timeout=timeout)


def main(argv: list[str]) -> int:
    failed = 0
    for program in sorted(PROGRAMS.glob("*.py")):
        if argv and program.stem not in argv:
            continue
        proc = run_tf215(program)
        if proc.returncode != 0:
            failed += 1
            print(f"{program.name} failed under TF 2.15:\n{proc.stderr[-3000:]}", file=sys.stderr)
            continue
        program.with_suffix(".expected.txt").write_text(proc.stdout)
        print("recorded", program.with_suffix(".expected.txt").relative_to(ROOT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
