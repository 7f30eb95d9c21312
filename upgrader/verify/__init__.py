"""`tf-upgrade verify OLD.py [NEW.py]`: prove a rewrite computes what the original computes.

    report = verify(Path("linreg.py"), new_engine="tensorflow")   # NEW omitted: OLD upgraded in native mode
    report.status, report.exit_code, print(report.text)

Each side runs in its own subprocess, in its own scratch copy of its folder, on the
engine asked for (`tfcompat`, or real `tensorflow` with TF1 code under tf.compat.v1 and
v2 behaviour off). A recording hook in each engine collects the values the program
takes out (sess.run / .eval / function calls / .numpy()) by call site and the final
variables by name. Compared, strongest first: the values at paired call sites (paired
by the line map native mode writes, else by order), the variables, and the printed
output (`compare.difference`). Random ops without an op seed get op seeds numbered
per kind in creation order on both sides; `seed` seeds programs that set none.

Line map: `callsites.call_sites(OLD, NEW)` upgrades OLD again with a marker comment on
each call-site line and finds where the markers land (aligned with NEW, so a rewrite
edited by hand keeps its pairs). A sidecar `NEW.py.callsites.json`
(`{"format": "tf-upgrade-callsites/1", "sites": [[27, 42], ...]}`, `callsites.write_sidecar`)
or a `Result.call_sites` list of (original line, rewrite line) pairs takes precedence.
Sites the map does not name pair by order.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Report", "Row", "verify"]


def __getattr__(name: str) -> Any:
    """`verify`, `Report`, `Row`, loaded on first use (the CLI imports this package for its command only)."""
    if name in __all__:
        from . import core  # noqa: PLC0415
        return getattr(core, name)
    raise AttributeError(f"module 'upgrader.verify' has no attribute {name!r}")
