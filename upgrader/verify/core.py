"""`verify(OLD, NEW)`: run both sides and compare them (see the package docstring)."""
from __future__ import annotations

import ast
import json
import tempfile
from pathlib import Path
from typing import Any

from .callsites import FORMAT, call_sites
from .compare import compare_arrays, difference, match_sites, match_variables, sites
from .report import Report, Row
from .run import Side, run_side, scratch_copy

ENGINES = ("tfcompat", "tensorflow")


def _upgrade(old: Path) -> tuple[str, str, dict[int, int] | None]:
    """OLD upgraded in native mode: (code, mode in words, line map or None)."""
    from upgrader.engine import upgrade_source
    result = upgrade_source(old.read_text(encoding="utf-8"), "native")
    fell_back = [d for d in result.diagnostics if d.rule == "native" and d.severity in ("warning", "error")]
    mode = "native" if not fell_back else f"compat: native fell back at line {fell_back[0].line} " \
                                          f"({fell_back[0].message.splitlines()[0][:120]})"
    pairs = getattr(result, "call_sites", None) or call_sites(old.read_text(encoding="utf-8"), result.code)
    return result.code, mode, (dict(pairs) if pairs else None)


def _sidecar(new: Path) -> dict[int, int] | None:
    path = new.with_name(new.name + ".callsites.json")
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: format {data.get('format')!r} is not {FORMAT!r}")
    return {int(a): int(b) for a, b in data["sites"]}


def _failure(name: str, side: Side) -> str:
    why = side.stderr.strip()[-3000:] or "(no output on stderr)"
    return f"the {name} could not run on {side.engine} (exit {side.returncode}):\n{why}"


def local_imports(script: Path, base: Path, seen: set[Path] | None = None) -> list[Path]:
    """The program's own modules it imports (recursively): files under `base` that `import x` / `from . import y`
    would load, looked up from the script's folder as Python does."""
    seen = set() if seen is None else seen
    try:
        tree = ast.parse(script.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError):
        return []
    found: list[Path] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
            start = base
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            start = script.parent if node.level else base
            for _ in range(max(0, node.level - 1)):
                start = start.parent
            names = [f"{mod}.{a.name}" if mod else a.name for a in node.names] + ([mod] if mod else [])
        else:
            continue
        for name in names:
            parts = name.split(".")
            for cand in (start.joinpath(*parts).with_suffix(".py"), start.joinpath(*parts, "__init__.py")):
                if cand.is_file() and cand.resolve() not in seen and cand.resolve() != script.resolve():
                    seen.add(cand.resolve())
                    found.append(cand)
                    found += local_imports(cand, base, seen)
    return found


def _upgrade_helpers(script: Path, base: Path) -> list[str]:
    """Upgrade in place (native mode) the TF1 modules the rewritten program imports from its folder."""
    from upgrader.engine import upgrade_source
    done = []
    for path in local_imports(script, script.parent):
        if base.resolve() not in path.resolve().parents:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "tensorflow" not in text:
            continue
        result = upgrade_source(text, "native")
        if result.changed and not result.errors:
            path.write_text(result.code, encoding="utf-8")
            done.append(str(path.relative_to(base)))
    return done


def verify(old: Path, new: Path | None = None, rtol: float = 1e-3, atol: float = 1e-5, timeout: float = 300,
           old_engine: str = "tfcompat", new_engine: str = "tfcompat", seed: int | None = None,
           args: tuple[str, ...] = (), folder: Path | None = None) -> Report:
    """Run both programs and compare them; see the module docstring.

    `folder` (default: OLD's folder) is what each side gets a scratch copy of; a tree's root, so a program
    in a subfolder still finds the files around it. When NEW is omitted, the modules of that folder which
    OLD imports are upgraded along with it.
    """
    for e in (old_engine, new_engine):
        if e not in ENGINES:
            raise ValueError(f"engine {e!r}: use one of {', '.join(ENGINES)}")
    old = old.resolve()
    folder = (folder or old.parent).resolve()
    rel = old.relative_to(folder)
    helpers: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tf-upgrade-verify-") as tmp:
        a_dir, b_dir = Path(tmp) / "old", Path(tmp) / "new"
        scratch_copy(folder, a_dir)
        if new is None:
            code, mode, mapping = _upgrade(old)
            scratch_copy(folder, b_dir)
            b_script = b_dir / rel
            b_script.write_text(code, encoding="utf-8")
            new_text = code
            helpers = _upgrade_helpers(b_script, b_dir)
        else:
            new = new.resolve()
            scratch_copy(new.parent, b_dir)
            b_script = b_dir / new.name
            new_text = new.read_text(encoding="utf-8")
            mode, mapping = "", _sidecar(new) or dict(call_sites(old.read_text(encoding="utf-8"), new_text)) or None
        a = run_side(a_dir / rel, a_dir, old_engine, "v1", timeout, seed, args)
        b = run_side(b_script, b_dir, new_engine, "v2", timeout, seed, args)
    report = Report("equal", a, b, mode=mode, old_text=old.read_text(encoding="utf-8"), new_text=new_text)
    report.notes = [f"original: {n}" for n in a.record.get("notes", [])] + \
                   [f"rewrite: {n}" for n in b.record.get("notes", [])] + \
                   ([f"upgraded with the program (it imports them): {', '.join(helpers)}"] if helpers else [])
    if not a.ok or not b.ok:
        report.status = "failed"
        report.problem = _failure("original", a) if not a.ok else _failure("rewrite", b)
        return report
    report.rows, notes = compare_runs(a, b, mapping, rtol, atol, str(rel), str(b_script.relative_to(b_dir)))
    report.notes += notes
    if any(r.status == "different" for r in report.rows):
        report.status = "different"
    return report


def compare_runs(a: Side, b: Side, mapping: dict[int, int] | None, rtol: float, atol: float,
                 old_name: str, new_name: str) -> tuple[list[Row], list[str]]:
    """Rows for the paired call sites, the variables and the printed output."""
    rows: list[Row] = []
    unpaired: list[str] = []
    old_sites = [s for s in sites(a.record, a.arrays) if s.file == old_name]
    new_sites = [s for s in sites(b.record, b.arrays) if s.file == new_name]
    def equal(s: Any, n: Any) -> bool:
        return compare_arrays(s.values, n.values, rtol, atol).equal
    for s, n in match_sites(old_sites, new_sites, mapping, equal):
        item = f"{old_name}:{s.line} -> " + (f"{new_name}:{n.line}" if n is not None else "?")
        if n is None:
            unpaired.append(f"{old_name}:{s.line}")
            continue
        st = compare_arrays(s.values, n.values, rtol, atol)
        rows.append(Row("call", item, "equal" if st.equal else "different", st.shape, st.dtype, st.count,
                        st.max_abs, st.max_rel, st.problem or st.first, s.line, n.line))
    old_vars = {k: a.arrays[v] for k, v in a.record["variables"].items()}
    new_vars = {k: b.arrays[v] for k, v in b.record["variables"].items()}
    only_old, only_new = [], []
    for name, x, y in match_variables(old_vars, new_vars):
        if x is None or y is None:
            (only_new if x is None else only_old).append(name)
            continue
        st = compare_arrays([x], [y], rtol, atol)
        rows.append(Row("variable", name, "equal" if st.equal else "different", st.shape, st.dtype, 0,
                        st.max_abs, st.max_rel, st.problem or st.first))
    diff = difference(a.stdout, b.stdout, rtol, atol)
    rows.append(Row("output", "printed output", "equal" if diff is None else "different", first=diff or ""))
    notes = []
    if unpaired:
        notes.append(f"not compared: {len(unpaired)} call sites of the original whose values no call of the rewrite "
                     f"returns in that order ({', '.join(unpaired[:6])}{' ...' if len(unpaired) > 6 else ''})")
    for side, names in (("original", only_old), ("rewrite", only_new)):
        if names:
            notes.append(f"not compared: {len(names)} variables only in the {side} (optimizer state is named "
                         f"differently by TF1 and Keras): {', '.join(names[:8])}{' ...' if len(names) > 8 else ''}")
    return rows, notes
