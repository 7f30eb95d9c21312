"""Derive `upgrader/data/private_paths.json`: TensorFlow's private paths of public symbols.

    python -m upgrader.tools.build_private_paths     # needs TensorFlow 2.21 installed

TF1 tutorials often import through TensorFlow's private modules
(`from tensorflow.python.framework import ops; ops.reset_default_graph()`). Those
modules still exist in TensorFlow 2.21, and the functions in them are the public
ones under another name. This table maps each private spelling of a public v1
function or class (`tf.python.framework.ops.reset_default_graph`) to its public
name (`tf.reset_default_graph`), so the upgrader treats both spellings alike.
"""
from __future__ import annotations

import inspect
import json
import os
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "private_paths.json"


def public_v1_objects(v1) -> dict[int, tuple[str, object]]:
    """id(object) -> (its shortest public v1 name, the object), walking tf.compat.v1."""
    best: dict[int, tuple[str, object]] = {}
    seen: set[int] = set()
    stack = [("tf", v1)]
    while stack:
        prefix, mod = stack.pop()
        if id(mod) in seen:
            continue
        seen.add(id(mod))
        for name in dir(mod):
            if name.startswith("_") or name in ("compat", "contrib"):
                continue
            try:
                obj = getattr(mod, name)
            except Exception:   # NOTE: lazy loaders of optional modules may raise anything
                continue
            full = f"{prefix}.{name}"
            if inspect.ismodule(obj):
                if (getattr(obj, "__dict__", {}).get("__name__") or "").startswith("tensorflow"):
                    stack.append((full, obj))
            elif inspect.isfunction(obj) or inspect.isclass(obj):
                old = best.get(id(obj))
                if old is None or (old[0].count("."), len(old[0]), old[0]) > (full.count("."), len(full), full):
                    best[id(obj)] = (full, obj)
    return best


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    table: dict[str, str] = {}
    for public, obj in public_v1_objects(tf.compat.v1).values():
        module = obj.__dict__.get("__module__", "") if isinstance(obj, type) else getattr(obj, "__module__", "")
        module = module if isinstance(module, str) else ""
        if module.startswith("tensorflow.python."):
            table.setdefault("tf" + module[len("tensorflow"):] + "." + obj.__qualname__, public)
    OUT.write_text(json.dumps({"meta": {"tensorflow_version": tf.__version__,
                                        "generator": "python -m upgrader.tools.build_private_paths"},
                               "paths": dict(sorted(table.items()))}, indent=0) + "\n")
    print(f"{len(table)} private paths -> {OUT}")


if __name__ == "__main__":
    main()
