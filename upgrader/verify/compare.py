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


def compare_arrays(old: list[np.ndarray], new: list[np.ndarray], rtol: float, atol: float) -> Stats:
    """Compare value by value: `|old - new| <= atol + rtol * |old|` elementwise, NaN equal to NaN."""
    s = Stats(count=len(old))
    if old:
        s.shape = "(" + ", ".join(str(d) for d in old[0].shape) + ("," if old[0].ndim == 1 else "") + ")"
        dt_old, dt_new = old[0].dtype.name, (new[0].dtype.name if new else "?")
        s.dtype = dt_old if dt_old == dt_new else f"{dt_old}/{dt_new}"
    if len(old) != len(new):
        s.problem = f"{len(old)} values in the original, {len(new)} in the rewrite"
    for k, (a, b) in enumerate(zip(old, new)):
        where = f"value {k}" if len(old) > 1 else "value"
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
            wide = np.complex128 if "c" in (a.dtype.kind, b.dtype.kind) else np.float64
            x, y = a.astype(wide), b.astype(wide)
            err = np.where(np.isnan(x) & np.isnan(y), 0.0, np.abs(x - y))
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
    values: list[np.ndarray] = field(default_factory=list)   # every call's values, in order, flattened

    @property
    def signature(self) -> tuple:
        """The values' shapes (what the order fallback matches on): sess.run([a, b]) at one line matches
        a.numpy(), b.numpy() at one line."""
        return tuple(a.shape for a in self.values)


def sites(record: dict, arrays: Any) -> list[Site]:
    """The record's call sites in order of their first call."""
    found: dict[tuple[str, int], Site] = {}
    for e in record["events"]:
        key = (e["file"], e["line"])
        site = found.get(key) or found.setdefault(key, Site(*key))
        site.values.extend(arrays[k] for k in e["arrays"])
    return list(found.values())


def match_sites(old: list[Site], new: list[Site], mapping: dict[int, int] | None = None,
                equal: Any = None) -> list[tuple[Site, Any]]:
    """Pair each original site with its rewrite: by the native mode's line map, else by order.

    A site the map names pairs with the rewrite's site on that line when their values agree in
    number and shapes (None when that line recorded none: its values were never taken out). The
    others go by order: among the rewrite sites after the last one paired that have the same
    number of values and the same shapes (and are not paired by the map), the first whose values
    are `equal`, else the first; rewrite sites with no original (a train step returning its loss
    where the original fetched only the train op) are skipped. An original with no candidate pairs
    with None.
    """
    by_line = {s.line: i for i, s in enumerate(new)}
    mapping = dict(mapping or {})
    for s in old:  # NOTE: values unlike in number or shape (a summary TF1 fetches and TF2 writes) go by order
        i = by_line.get(mapping.get(s.line, -1))
        if i is not None and not _shapes_match(new[i].signature, s.signature):
            del mapping[s.line]
    mapped = {line: by_line[n] for line, n in mapping.items() if n in by_line}
    taken = set(mapped.values())
    pairs: list[tuple[Site, Any]] = []
    start = 0
    for s in old:
        best = mapped.get(s.line)
        if s.line not in mapping:
            fits = [i for i in range(start, len(new)) if i not in taken and _shapes_match(new[i].signature, s.signature)]
            best = next((i for i in fits if equal is not None and equal(s, new[i])), fits[0] if fits else None)
        pairs.append((s, None if best is None else new[best]))
        if best is not None:
            start = best + 1
    return pairs


def _shapes_match(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x == y or (int(np.prod(x)) == int(np.prod(y)) == 1) for x, y in zip(a, b))


def match_variables(old: dict, new: dict) -> list[tuple[str, Any, Any]]:
    """(name, old value or None, new value or None) for every variable of either side, the original's first.

    Names pair first; then unnamed variables pair in creation order with equal shapes: TF1 names them
    Variable, Variable_1, ... and TF2 calls each of them Variable (recorded as Variable, Variable#1, ...).
    """
    rows: list[tuple[str, Any, Any]] = [(n, v, new.get(n)) for n, v in old.items()]
    spare = [n for n in new if n not in old and DEFAULT_NEW.match(n)]
    for i, (n, v, w) in enumerate(rows):
        if w is None and DEFAULT_OLD.match(n):
            scope = DEFAULT_OLD.match(n).group(1)
            for m in spare:
                if DEFAULT_NEW.match(m).group(1) == scope and np.shape(new[m]) == np.shape(v):
                    rows[i] = (f"{n} ~ {m}", v, new[m])
                    spare.remove(m)
                    break
    paired = {r[0].split(" ~ ")[-1] for r in rows if " ~ " in r[0]}
    return rows + [(n, None, w) for n, w in new.items() if n not in old and n not in paired]


DEFAULT_OLD = re.compile(r"^((?:.*/)?)Variable(?:_\d+)?(?:#\d+)?$")
DEFAULT_NEW = re.compile(r"^((?:.*/)?)Variable(?:#\d+)?$")
