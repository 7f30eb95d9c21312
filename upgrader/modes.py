"""Modes select rule sets: a rule runs in every mode named in its `MODES`.

    rules_for("compat")  ->  (ApiRename, ToDtypeToCast, ...)
    rules_for("native")  ->  ModeNotImplemented: --mode native is not implemented yet ...
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.rule import Rule

MODES: dict[str, str] = {
    "compat": "v1 names -> v2 names or tf.compat.v1, keyword/order fixes; output runs on TF 2.x",
    "native": "TF1 structure -> TF2 structure (sessions -> tf.function); not implemented yet",
}
IMPLEMENTED = frozenset({"compat"})
DEFAULT_MODE = "compat"


class ModeNotImplemented(ValueError):
    """A known mode whose rules do not exist yet."""


def rules_for(mode: str) -> tuple[type["Rule"], ...]:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(sorted(MODES))}")
    if mode not in IMPLEMENTED:
        raise ModeNotImplemented(f"--mode {mode} is not implemented yet (it is planned: {MODES[mode]}); use --mode compat")
    from upgrader.rules import discover
    return tuple(r for r in discover() if mode in r.MODES)
