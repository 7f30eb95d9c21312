"""Jupyter notebooks: upgrade each code cell, sharing one import table across cells.

Diagnostics name the cell: line numbers are per cell and the rule reads `cell 3: ...`.
IPython magics (`%`, `!`) are masked as comments while the cell is rewritten.
"""
from __future__ import annotations

import ast
import json
import re

from upgrader.rule import Diagnostic
from upgrader.scan import collect_aliases

MAGIC = re.compile(r"^(\s*)([%!?])", re.M)
MASK = "#<tf-upgrade-magic>"


def upgrade_notebook(text: str, mode: str) -> tuple[str, list[Diagnostic]]:
    from upgrader.engine import upgrade_source
    try:
        nb = json.loads(text)
        cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    except (ValueError, AttributeError) as e:
        return text, [Diagnostic(1, 0, "notebook", f"not a notebook ({e}); left unchanged", "error")]
    sources = [MAGIC.sub(lambda m: m.group(1) + MASK + m.group(2), "".join(c.get("source", []))) for c in cells]
    aliases: dict[str, str] = {}
    for s in sources:
        try:
            aliases.update(collect_aliases(ast.parse(s)))
        except (SyntaxError, ValueError):
            pass
    diags: list[Diagnostic] = []
    changed = False
    for n, (cell, src) in enumerate(zip(cells, sources), 1):
        result = upgrade_source(src, mode, aliases=aliases)
        diags += [Diagnostic(d.line, d.col, d.rule, f"cell {n}: {d.message}", d.severity) for d in result.diagnostics]
        if result.changed:
            new = result.code.replace(MASK, "")
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if not changed:
        return text, diags
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n", diags
