"""`@export`: a public name is declared next to its body; namespaces are built from it.

    @export("math.reduce_sum", "reduce_sum", v1=("math.reduce_sum", "reduce_sum"))
    def reduce_sum(input_tensor, axis=None, keepdims=False, name=None): ...

v2 names go into `tfcompat` (`tf.math.reduce_sum`), v1 names into
`tfcompat.compat.v1`. When `v1` is omitted the v1 names are the v2 names; `v1=()`
means "not in TF1". Implementation modules live in `tfcompat/_impl/` and are found
by walking that package, so adding an API needs no `__init__` edit.
"""
from __future__ import annotations

import sys
from types import ModuleType
from typing import Any, Callable, Iterable

V2: dict[str, Any] = {}
V1: dict[str, Any] = {}
_V2_ROOT = "tfcompat"
_V1_ROOT = "tfcompat.compat.v1"


def _register(table: dict[str, Any], names: Iterable[str], obj: Any, api: str) -> None:
    for name in names:
        old = table.get(name)
        if old is not None and old is not obj:
            raise ValueError(f"{api} name tf.{name} is exported twice: by {_where(old)} and {_where(obj)}")
        table[name] = obj


def _where(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__name__)}"


def export(*names: str, v1: Iterable[str] | None = None) -> Callable[[Any], Any]:
    """Decorator: publish a function or class under TensorFlow's v2 (and v1) names."""
    def register(obj: Any) -> Any:
        _register(V2, names, obj, "v2")
        _register(V1, names if v1 is None else v1, obj, "v1")
        return obj
    return register


def export_value(value: Any, *names: str, v1: Iterable[str] | None = None) -> Any:
    """Publish a constant (a dtype, a module-level object) under v2 (and v1) names."""
    return export(*names, v1=v1)(value)


def _module(fullname: str) -> ModuleType:
    mod = sys.modules.get(fullname)
    if mod is None:
        mod = ModuleType(fullname, f"TensorFlow's `{fullname.replace('tfcompat.compat.v1', 'tf').replace('tfcompat', 'tf')}` namespace (built by tfcompat._export).")
        mod.__path__ = []  # NOTE: a package, so `import tfcompat.nn` and `from ... import` work
        sys.modules[fullname] = mod
    return mod


def build(table: dict[str, Any], root: str) -> ModuleType:
    """Create (or fill) the module tree `root.*` from an export table."""
    top = _module(root)
    for name in sorted(table):
        parts = name.split(".")
        mod = top
        for i, part in enumerate(parts[:-1]):
            child = _module(f"{root}.{'.'.join(parts[:i + 1])}")
            if getattr(mod, part, None) is not child:
                setattr(mod, part, child)
            mod = child
        setattr(mod, parts[-1], table[name])
    return top
