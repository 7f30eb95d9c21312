"""Derive `upgrader/data/api_changes.json` from TensorFlow 2.21's extracted API.

    python -m upgrader.tools.build_upgrade_tables [TFAPI_DIR]      # default: tests/data/tfapi

Reads `v1_api.json[.gz]` and `v2_api.json[.gz]` (TensorFlow 2.21's extracted API, kept in the
repository's `tests/data/tfapi`), merges the
hand-written rows of `manual_rows.py`, and writes one committed JSON file. The
product reads only that file at run time.
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from upgrader.tools import manual_rows as M

DATA_OUT = Path(__file__).resolve().parents[1] / "data" / "api_changes.json"
AVOID = (".compat.", ".raw_ops.", ".experimental.", ".__internal__.")
OBJECTS = ("function", "class", "module")   # kinds where "the same object" means the same API


def _params(sym: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in (sym.get("signature") or []) if p["kind"] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")]


def _same(a: str, b: str, v1: dict[str, Any], v2: dict[str, Any]) -> bool:
    """v1 name `a` and v2 name `b` are one object (the data lists it on either side)."""
    return f"v2:{b}" in v1[a].get("same_object_as", []) or f"v1:{a}" in v2.get(b, {}).get("same_object_as", [])


def _replaceable(name: str, v1: dict[str, Any], v2: dict[str, Any]) -> bool:
    """v2's namesake may stand in for v1 `name`: the same object, not callable, or vouched for by hand."""
    return _same(name, name, v1, v2) or v1[name]["kind"] not in ("function", "class") or name in M.V2_REPLACES


def _noop(name: str, v1: dict[str, Any], v2: dict[str, Any]) -> bool:
    """A v1 name that compat mode leaves alone (a fixed point for idempotence)."""
    if name not in v1:
        return True
    if name not in v2 or name in M.FORCE_COMPAT or not _replaceable(name, v1, v2):
        return False
    return _same(name, name, v1, v2) or v1[name]["kind"] not in ("function", "class") or not _arg_changes(name, v1[name], v2[name])


def _best_v2_alias(name: str, v1: dict[str, Any], v2: dict[str, Any]) -> str | None:
    sym = v1[name]
    cands = [s[3:] for s in sym.get("same_object_as", []) if s.startswith("v2:")]
    cands += [n for n, s in v2.items() if f"v1:{name}" in s.get("same_object_as", [])]
    if sym["kind"] not in OBJECTS:
        # NOTE: equal ints and strings are often one cached object (tf.logging.DEBUG is tf.errors.ABORTED);
        # a constant's v2 home keeps its own name, anything else is a documented rename (RENAMES).
        cands = [c for c in cands if c.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]]
    # NOTE: a target must be a fixed point (its own v1 row is a no-op), or a second run would change it.
    cands = [c for c in set(cands) if _noop(c, v1, v2)]
    good = [c for c in cands if not any(a in c + "." for a in AVOID)]
    pool = good or []
    return min(pool, key=lambda c: (c.count("."), len(c), c)) if pool else None


def _arg_changes(name: str, s1: dict[str, Any], s2: dict[str, Any]) -> dict[str, Any]:
    """Keyword renames, v1-only arguments, reorders and default guards of one call."""
    p1, p2 = _params(s1), _params(s2)
    n1, n2 = [p["name"] for p in p1], [p["name"] for p in p2]
    if not n1 or not p2 and not n2:
        return {}
    # NOTE: renames come from names only (a known alias pair or a hand-written row), never from two
    # parameters sharing a position: tf.summary.scalar's `collections` and `step` are not one argument.
    known = {**M.KEYWORD_ALIASES, **M.ARG_RENAMES.get(name, {})}
    renames = {p: known[p] for p in n1 if p not in n2 and known.get(p) in n2}
    v1_only = [p for p in n1 if p not in n2 and p not in renames]
    mapped = [renames.get(p, p) for p in n1]
    prefix = 0
    while (prefix < min(len(mapped), len(n2)) and mapped[prefix] == n2[prefix]
           and p1[prefix]["kind"] == p2[prefix]["kind"] == "POSITIONAL_OR_KEYWORD"):
        prefix += 1
    d2 = {p["name"]: p.get("default") for p in p2}
    guards = [p["name"] for p in p1 if p["name"] in d2 and p.get("default") != d2[p["name"]]
              and (p.get("default"), d2[p["name"]]) not in M.EQUIVALENT_DEFAULTS and p["name"] != "name"
              and p.get("default") is not None]
    row: dict[str, Any] = {}
    if renames:
        row["renames"] = renames
    drop = [p for p in v1_only if p in M.SAFE_DROPS]
    if drop:
        row["drop"] = drop
    if set(v1_only) - set(drop):
        row["v1_only"] = [p for p in v1_only if p not in drop]
    npos = sum(1 for p in p1 if p["kind"] == "POSITIONAL_OR_KEYWORD")
    if prefix < npos:
        row["prefix"], row["v1_args"] = prefix, n1[:npos]
        # NOTE: a reorder proper (not only arguments TF2 no longer takes, nor deprecated spellings kept at the
        # end, as reduce_sum's keep_dims): compat mode writes every positional argument of such a call as a
        # keyword, as tf_upgrade_v2 does; a TF2-style tf.reduce_sum(x, 1) stays as it is.
        kept = list(dict.fromkeys(m for p, m in zip(n1[:npos], mapped[:npos]) if p not in M.SAFE_DROPS and m in n2))
        if kept != n2[:len(kept)] and name not in M.POSITIONAL_KEPT:
            row["reorder"] = True
    if guards:
        row["guards"] = guards
    return row


def build(v1: dict[str, Any], v2: dict[str, Any]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}
    for name in sorted(v1):
        sym = v1[name]
        if name in M.FORCE_COMPAT:
            rows[name] = {"new": "tf.compat.v1" + name[2:], "why": M.FORCE_COMPAT[name] or "no TF2 equivalent"}
            continue
        if name in M.RENAMES and M.RENAMES[name].startswith("tf.compat.v2."):
            rows[name] = {"new": M.RENAMES[name]}   # NOTE: v1 has another object of the plain v2 name
            continue
        if name in v2 and name not in M.RENAMES:
            if not _replaceable(name, v1, v2):
                rows[name] = {"new": "tf.compat.v1" + name[2:],
                              "why": "TF2's function of this name is a different one; keeping TF1 semantics"}
            elif sym["kind"] in ("function", "class") and not _same(name, name, v1, v2):
                row = _arg_changes(name, sym, v2[name])
                if row:
                    rows[name] = row
            continue
        target = M.RENAMES.get(name) or _best_v2_alias(name, v1, v2)
        if target:
            row = {"new": target}
            if name in M.RENAMES:
                row.update(_arg_changes(name, sym, v2[target]))
                if target in v1 and _arg_changes(target, v1[target], v2[target]).get("reorder") and "reorder" not in row:
                    # NOTE: compat mode keywords the target's calls, so this row must too (a fixed point)
                    row.update(prefix=row.get("prefix", 0), reorder=True, v1_args=row.get("v1_args") or [
                        p["name"] for p in _params(sym) if p["kind"] == "POSITIONAL_OR_KEYWORD"])
            rows[name] = row
        else:
            rows[name] = {"new": "tf.compat.v1" + name[2:]}
    for name, v1_only in M.V1_ONLY_ARGS.items():   # v2's signature is only *args/**kwargs in the API data
        rows[name] = {"v1_only": list(v1_only), "prefix": 0, "v1_args": [p["name"] for p in _params(v1[name])]}
    for name, op in M.RAW_OPS.items():
        rows[name] = {"new": f"tf.raw_ops.{op}", "prefix": 0, "reorder": True,
                      "v1_args": [p["name"] for p in _params(v1[name])]}
    for name, spec in M.CONTRIB.items():
        rows[name] = dict(spec)
    modules = sorted({n for n, s in {**v1, **v2}.items() if s["kind"] == "module"})
    symbols = sorted({n for n, s in {**v1, **v2}.items() if s["kind"] != "module"})
    return {
        "meta": {"source": "TensorFlow 2.21 tfapi + upgrader/tools/manual_rows.py",
                 "generator": "python -m upgrader.tools.build_upgrade_tables"},
        "rows": rows, "modules": modules, "symbols": symbols,
        "graph_only": sorted(M.GRAPH_ONLY),
        "v2_signatures": {n: [p["name"] for p in _params(v2[n])] for n in sorted(v2) if v2[n].get("signature")},
    }


def _api(src: Path, name: str) -> dict[str, Any]:
    """One API table, plain or gzipped (the repository keeps them gzipped)."""
    plain = src / name
    if plain.exists():
        return json.loads(plain.read_text())
    return json.loads(gzip.decompress((src / (name + ".gz")).read_bytes()))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    src = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "tests" / "data" / "tfapi"
    v1, v2 = (_api(src, name)["symbols"] for name in ("v1_api.json", "v2_api.json"))
    DATA_OUT.write_text(json.dumps(build(v1, v2), indent=0, sort_keys=True) + "\n")
    print(f"wrote {DATA_OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
