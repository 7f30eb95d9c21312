"""Modes select rule sets: a rule runs in every mode named in its `MODES`.

    rules_for("compat")  ->  (ApiRename, ToDtypeToCast, ...)
    rules_for("native")  ->  (ApiRename, ..., NativeSession, ...)   # compat's renames + native rules
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.rule import Rule

MODES: dict[str, str] = {
    "compat": "v1 names -> v2 names or tf.compat.v1, keyword/order fixes; output runs on TF 2.x",
    "native": "TF1 structure -> TF2 structure (sessions -> functions, minimize -> GradientTape); "
              "files it cannot convert whole stay in compat form, with the reason in the report",
}
IMPLEMENTED = frozenset({"compat", "native"})
DEFAULT_MODE = "native"


class ModeNotImplemented(ValueError):
    """A known mode whose rules do not exist yet."""


def rules_for(mode: str) -> tuple[type["Rule"], ...]:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(sorted(MODES))}")
    if mode not in IMPLEMENTED:
        raise ModeNotImplemented(f"--mode {mode} is not implemented yet (it is planned: {MODES[mode]}); use --mode compat")
    from upgrader.rules import discover
    return tuple(r for r in discover() if mode in r.MODES)
