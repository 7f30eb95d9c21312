"""Record `fixtures/programs/{v1,v2}/<name>.expected.txt` from real TensorFlow 2.21.

    /work/.venv-tf/bin/python -m tests.record_expected [NAME_OR_PATH ...]

A program under `v1/` runs with `import tensorflow` bound to `tensorflow.compat.v1`
(v2 behaviour off), one under `v2/` with TensorFlow 2, both through the oracle's
`run_as_tf.py`. `TF_USE_LEGACY_KERAS=1` is set for v1 programs (`tf.layers` and
`tf.nn.rnn_cell` need tf-keras) and left unset for v2 ones (they see Keras 3).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "fixtures" / "programs"
RUN_AS_TF = Path(os.environ.get("TFCOMPAT_ORACLE_DIR", ROOT / "tests")) / "run_as_tf.py"


def programs(selected: list[str]) -> list[Path]:
    """All programs, or those whose path or stem is named."""
    found = sorted(p for api in ("v1", "v2") for p in (PROGRAMS / api).glob("*.py"))
    if not selected:
        return found
    return [p for p in found if p.stem in selected or str(p) in selected
            or any(p.samefile(s) for s in selected if Path(s).exists())]


def record(program: Path, python: str = sys.executable) -> Path:
    """Run `program` under real TensorFlow and write its stdout next to it."""
    api = program.parent.name
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    if api == "v1":
        env["TF_USE_LEGACY_KERAS"] = "1"
    else:
        env.pop("TF_USE_LEGACY_KERAS", None)
    proc = subprocess.run([python, str(RUN_AS_TF), api, str(program)], cwd=program.parent,
                          env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{program} failed under TensorFlow (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    out = program.with_suffix(".expected.txt")
    out.write_text(proc.stdout)
    return out


def main(argv: list[str]) -> int:
    failed = 0
    for program in programs(argv):
        try:
            print("recorded", record(program).relative_to(ROOT))
        except RuntimeError as e:
            failed += 1
            print(e, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
