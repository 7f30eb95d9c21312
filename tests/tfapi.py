"""TensorFlow 2.21's public API as data: every v1 name (spelled `tf.X`, as TF1 code spells it) and
v2 name, with its kind, signature (argument names, order, defaults) and `same_object_as`.

    symbols("v2")["tf.math.reduce_sum"]["signature"][0]["name"] == "input_tensor"

The tables live in `tests/data/tfapi/` (gzip-compressed JSON), extracted by introspection of
the real package; `python -m tests.tfapi DIR` refreshes them from `DIR/{v1,v2}_api.json`.
"""
from __future__ import annotations

import functools
import gzip
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "tfapi"


@functools.lru_cache(maxsize=2)
def table(version: str) -> dict:
    """The whole table for `version` ("v1" or "v2"): {"meta": ..., "symbols": {...}}."""
    with gzip.open(DATA / f"{version}_api.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def symbols(version: str) -> dict:
    return table(version)["symbols"]


def refresh(source: Path) -> None:
    """Rewrite the tables from an extraction directory holding v1_api.json and v2_api.json."""
    for version in ("v1", "v2"):
        data = json.loads((source / f"{version}_api.json").read_text())
        with gzip.GzipFile(DATA / f"{version}_api.json.gz", "wb", mtime=0) as f:
            f.write(json.dumps(data, sort_keys=True, indent=0).encode())


if __name__ == "__main__":
    refresh(Path(sys.argv[1]))
