"""Rules, one per module, found by walking this package (no central list).

    from upgrader.rules import discover
    [r.NAME for r in discover()]  ->  ['contrib', 'to_dtype_to_cast', ..., 'api_rename']
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from upgrader.rule import Rule


@lru_cache(maxsize=1)
def discover() -> tuple[type[Rule], ...]:
    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__:
                obj.NAME = info.name
                found.append(obj)
    return tuple(sorted(found, key=lambda r: (r.PRIORITY, r.NAME)))
