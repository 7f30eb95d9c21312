"""Run a script with `import tensorflow` bound to real TensorFlow's v1 or v2 API (the oracle).

    python tests/run_as_tf.py v1 SCRIPT [ARGS...]   # tensorflow.compat.v1, v2 behaviour off
    python tests/run_as_tf.py v2 SCRIPT [ARGS...]   # TensorFlow 2 as installed
"""
from __future__ import annotations

import os
import runpy
import sys


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in ("v1", "v2"):
        raise SystemExit("usage: run_as_tf.py v1|v2 SCRIPT [ARGS...]")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    api, script = argv[0], argv[1]
    import tensorflow  # noqa: F401,PLC0415  (load the real package before rebinding the name)
    if api == "v1":
        import tensorflow.compat.v1 as v1  # noqa: PLC0415
        v1.disable_v2_behavior()
        v1.logging.set_verbosity(v1.logging.ERROR)
        sys.modules["tensorflow"] = v1
    sys.argv = [script] + argv[2:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
