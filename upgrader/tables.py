"""The committed API tables (`data/api_changes.json`), loaded once."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "api_changes.json"


@dataclass(frozen=True)
class ApiChange:
    """What compat mode does to one v1 symbol.

    ApiChange("tf.reduce_sum", renames={"keep_dims": "keepdims"}, prefix=4, v1_args=(...))
    """

    old: str
    new: str | None = None
    renames: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    v1_only: tuple[str, ...] = ()
    prefix: int | None = None
    v1_args: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    reorder: bool = False   # v1's positional order is not v2's (beyond dropped no-op arguments)
    error: str | None = None
    special: str | None = None
    why: str | None = None

    @property
    def to_compat(self) -> bool:
        return bool(self.new and self.new.startswith("tf.compat.v1."))

    @property
    def compat_name(self) -> str:
        return "tf.compat.v1" + self.old[2:]


@dataclass(frozen=True)
class Tables:
    rows: dict[str, ApiChange]
    modules: frozenset[str]
    symbols: frozenset[str]
    graph_only: frozenset[str]
    v2_signatures: dict[str, tuple[str, ...]]

    def known(self, name: str) -> bool:
        return name in self.symbols or name in self.modules

    def longest_row(self, key: str) -> tuple[ApiChange, str] | None:
        """The row of the longest dotted prefix of `key` that has one, and the remaining tail."""
        parts = key.split(".")
        for i in range(len(parts), 1, -1):
            row = self.rows.get(".".join(parts[:i]))
            if row is not None:
                return row, ".".join(parts[i:])
            if ".".join(parts[:i]) in self.symbols:
                return None
        return None


def _row(name: str, d: dict[str, Any]) -> ApiChange:
    return ApiChange(old=name, new=d.get("new"), renames=d.get("renames", {}), drop=tuple(d.get("drop", ())),
                     v1_only=tuple(d.get("v1_only", ())), prefix=d.get("prefix"), v1_args=tuple(d.get("v1_args", ())),
                     guards=tuple(d.get("guards", ())), reorder=d.get("reorder", False), error=d.get("error"), special=d.get("special"), why=d.get("why"))


@lru_cache(maxsize=1)
def tables() -> Tables:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return Tables(rows={k: _row(k, v) for k, v in raw["rows"].items()}, modules=frozenset(raw["modules"]),
                  symbols=frozenset(raw["symbols"]), graph_only=frozenset(raw["graph_only"]),
                  v2_signatures={k: tuple(v) for k, v in raw["v2_signatures"].items()})
