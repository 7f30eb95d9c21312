"""What `tf-upgrade verify` compares: printed text, arrays, call sites and variables.

    difference("shape (?, 4) 0.5", "shape (None, 4) 0.50001", 1e-3, 1e-5)   -> None (the same)
    compare_arrays([old arrays], [new arrays], rtol, atol)                  -> Stats(max_abs=..., first=...)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")
UNKNOWN_DIM = re.compile(r"(?<=[(\[, ])\?(?=[,)\]])")   # TF1 prints (?, 4) where TF2 prints (None, 4)


# -- printed output ----------------------------------------------------------------------------
def tokens(text: str) -> list[tuple[str, object]]:
    """Words and numbers in order; brackets, commas and blank lines do not count; `?` dims read as None."""
    out: list[tuple[str, object]] = []
    for line in UNKNOWN_DIM.sub("None", text).splitlines():
        line, pos = line.strip(), 0
        for m in NUMBER.finditer(line):
            if word := line[pos:m.start()].strip(" ,[]()"):
                out.append(("word", word))
            out.append(("number", float(m.group())))
            pos = m.end()
        if tail := line[pos:].strip(" ,[]()"):
            out.append(("word", tail))
    return out


def difference(expected: str, actual: str, rtol: float, atol: float) -> str | None:
    """None when the outputs agree (words equal, numbers within tolerance), else the first difference."""
    exp, act = tokens(expected), tokens(actual)
    for i, ((ke, e), (ka, a)) in enumerate(zip(exp, act)):
        if ke != ka or (ke == "word" and e != a):
            return f"token {i}: original printed {ke} {e!r}, rewrite printed {ka} {a!r}"
        if ke == "number" and not (abs(e - a) <= atol + rtol * abs(e) or (e != e and a != a)):
            return f"token {i}: original printed {e}, rewrite printed {a} (rtol={rtol}, atol={atol})"
    if len(exp) != len(act):
        return f"original printed {len(exp)} words/numbers, rewrite printed {len(act)}"
    return None


# -- arrays --------------------------------------------------------------------------------------
@dataclass
class Stats:
    """How two sequences of arrays differ: errors, the first differing place, and why."""

    shape: str = ""
    dtype: str = ""
    max_abs: float = 0.0
    max_rel: float = 0.0
    first: str = ""        # "call 3, value 1, index (2, 0)": where they first differ
    problem: str = ""      # shape/dtype/count mismatch, in words
    count: int = 0

    @property
    def equal(self) -> bool:
        return not self.first and not self.problem


def _kind(a: np.ndarray) -> str:
    return "number" if a.dtype.kind in "biufc" else a.dtype.kind


def compare_arrays(old: list[list[np.ndarray]], new: list[list[np.ndarray]], rtol: float, atol: float) -> Stats:
    """Compare call by call (each a list of arrays): `|old - new| <= atol + rtol * |old|`, NaN equal to NaN."""
    s = Stats(count=len(old))
    if old and old[0]:
        s.shape = "(" + ", ".join(str(d) for d in old[0][0].shape) + ("," if old[0][0].ndim == 1 else "") + ")"
        dt_old, dt_new = old[0][0].dtype.name, (new[0][0].dtype.name if new and new[0] else "?")
        s.dtype = dt_old if dt_old == dt_new else f"{dt_old}/{dt_new}"
    if len(old) != len(new):
        s.problem = f"{len(old)} calls in the original, {len(new)} in the rewrite"
    for k, (eo, en) in enumerate(zip(old, new)):
        if len(eo) != len(en):
            s.problem = s.problem or f"call {k}: {len(eo)} values in the original, {len(en)} in the rewrite"
            continue
        for j, (a, b) in enumerate(zip(eo, en)):
            where = f"call {k}, value {j}" if len(old) > 1 or len(eo) > 1 else "value"
            if a.shape != b.shape and a.size == b.size == 1:
                a, b = a.reshape(()), b.reshape(())
            if a.shape != b.shape:
                s.problem = s.problem or f"{where}: shape {a.shape} in the original, {b.shape} in the rewrite"
                continue
            if _kind(a) != _kind(b):
                s.problem = s.problem or f"{where}: {a.dtype.name} in the original, {b.dtype.name} in the rewrite"
                continue
            if _kind(a) != "number":
                bad = np.asarray(a != b)
            else:
                x, y = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64), b.astype(
                    np.complex128 if b.dtype.kind == "c" else np.float64)
                both_nan = np.isnan(x) & np.isnan(y)
                err = np.where(both_nan, 0.0, np.abs(x - y))
                err = np.where(np.isnan(err), np.inf, err)
                if err.size:
                    s.max_abs = max(s.max_abs, float(err.max()))
                    rel = err / np.maximum(np.abs(x), np.finfo(np.float64).tiny)
                    s.max_rel = max(s.max_rel, float(np.where(err == 0, 0.0, rel).max()))
                bad = err > atol + rtol * np.abs(x)
            if bad.any() and not s.first:
                idx = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
                s.first = f"{where}, index {tuple(int(i) for i in idx)}" if idx else where
    return s


# -- matching call sites ---------------------------------------------------------------------------
@dataclass
class Site:
    """One call site of a program and the values each call there returned, in order."""

    file: str
    line: int
    calls: list[list[np.ndarray]] = field(default_factory=list)

    @property
    def signature(self) -> tuple:
        """How many values a call returns and their shapes (what the order fallback matches on)."""
        return tuple(a.shape for a in self.calls[0]) if self.calls else ()


def sites(record: dict, arrays: Any) -> list[Site]:
    """The record's call sites in order of their first call."""
    found: dict[tuple[str, int], Site] = {}
    for e in record["events"]:
        key = (e["file"], e["line"])
        site = found.get(key) or found.setdefault(key, Site(*key))
        site.calls.append([arrays[k] for k in e["arrays"]])
    return list(found.values())


def match_sites(old: list[Site], new: list[Site], mapping: dict[int, int] | None = None) -> list[tuple[Site, Any]]:
    """Pair each original site with its rewrite: by the native mode's line map, else by order.

    By order: the next rewrite site (after the last one paired) with the same number of calls
    and the same value shapes; rewrite sites with no original (a train step returning its loss
    where the original fetched only the train op) are skipped. An original with no partner pairs with None.
    """
    if mapping:
        by_line = {s.line: s for s in new}
        return [(s, by_line.get(mapping.get(s.line, -1))) for s in old]
    pairs: list[tuple[Site, Any]] = []
    start = 0
    for s in old:
        for i in range(start, len(new)):
            n = new[i]
            if len(n.calls) == len(s.calls) and _shapes_match(n.signature, s.signature):
                pairs.append((s, n))
                start = i + 1
                break
        else:
            pairs.append((s, None))
    return pairs


def _shapes_match(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x == y or (int(np.prod(x)) == int(np.prod(y)) == 1) for x, y in zip(a, b))


def match_variables(old: dict, new: dict) -> list[tuple[str, Any, Any]]:
    """(name, old value or None, new value or None) for every variable of either side, the original's first."""
    names = list(old) + [n for n in new if n not in old]
    return [(n, old.get(n), new.get(n)) for n in names]
