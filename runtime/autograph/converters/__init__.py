"""One module per construct; each registers itself with `@converter(order)` (see `context`).

break_statements (10) -> continue_statements (20) -> return_statements (30) ->
conditional_expressions (38) -> logical_expressions (40) -> call_trees (45) ->
static_analysis (49) -> conditionals (50) -> loops (55)
"""
from __future__ import annotations

import importlib
import pkgutil

# NOTE: found by walking this package: a new construct is a new file, not a list entry.
for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
