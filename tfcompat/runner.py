"""Run an unmodified script with `import tensorflow` bound to tfcompat.

    run_script("train.py", ["--epochs", "3"], api="v1")

`tensorflow` resolves to `tfcompat.compat.v1` (api v1) or `tfcompat` (api v2);
`tensorflow.X.Y` resolves through the same namespace tree the exports built, so
`from tensorflow.contrib import rnn` works wherever `tf.contrib.rnn` exists.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import traceback
from types import ModuleType
from typing import Any, Sequence

_ALIASES = {"tensorflow.compat.v1": "tfcompat.compat.v1", "tensorflow.compat.v2": "tfcompat",
            "tensorflow.compat": "tfcompat.compat"}


class TensorflowFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Maps `tensorflow[.X...]` imports onto tfcompat's namespace modules."""

    def __init__(self, api: str) -> None:
        self.root = "tfcompat.compat.v1" if api == "v1" else "tfcompat"

    def _target(self, fullname: str) -> ModuleType | None:
        import tfcompat  # noqa: F401,PLC0415  (builds the namespaces)
        for prefix, target in _ALIASES.items():
            if fullname == prefix or fullname.startswith(prefix + "."):
                return _resolve(target, fullname[len(prefix):])
        return _resolve(self.root, fullname[len("tensorflow"):])

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "tensorflow" and not fullname.startswith("tensorflow."):
            return None
        module = self._target(fullname)
        if module is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._target(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        """The namespace module is already complete."""


def _resolve(root: str, rest: str) -> ModuleType | None:
    module: Any = sys.modules.get(root) or importlib.import_module(root)
    for part in filter(None, rest.split(".")):
        module = getattr(module, part, None)
        if not isinstance(module, ModuleType):
            return None
    return module


def install(api: str = "v1") -> TensorflowFinder:
    """Bind `import tensorflow` to tfcompat in this process."""
    if api not in ("v1", "v2"):
        raise ValueError(f"--api must be 'v1' or 'v2', got {api!r}")
    for name in [n for n in sys.modules if n == "tensorflow" or n.startswith("tensorflow.")]:
        del sys.modules[name]
    finder = TensorflowFinder(api)
    sys.meta_path.insert(0, finder)
    if api == "v1":
        import tfcompat.compat.v1 as v1  # noqa: PLC0415
        disable = getattr(v1, "disable_eager_execution", None)
        if disable is not None:
            disable()  # NOTE: TF1 scripts expect graph mode; the v1 layer provides this switch
    return finder


def run_script(script: str, args: Sequence[str], api: str = "v1") -> None:
    """Run `script` as `python script args...` would, with tensorflow bound to tfcompat.

    An uncaught exception prints a traceback that starts at the script (no runner frames)
    and exits with status 1, as `python script` does; `sys.exit(n)` passes through.
    """
    install(api)
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        runpy.run_path(script, run_name="__main__")
    except Exception as error:  # noqa: BLE001  (report like the interpreter, then exit 1)
        tb = error.__traceback__
        target = os.path.abspath(script)
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != target:
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        sys.exit(1)
