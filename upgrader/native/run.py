"""`upgrade_native(code)`: the native pipeline with its all-or-nothing fallback to compat form.

    r = upgrade_native(open("linreg.py").read())
    r.code                     # TF2 code, or the compat-form upgrade when something blocked native
    [d.message for d in r.warnings]  # 'native conversion blocked (file kept in compat form): pred.name ...'
"""
from __future__ import annotations

import ast
import re
import warnings

from upgrader.engine import Result, _syntax_error, upgrade_rules
from upgrader.native import Blocked, leftover, structural
from upgrader.native.base import NativeRule
from upgrader.native.model import analyze
from upgrader.rule import Context, Diagnostic
from upgrader.scan import Scan
from upgrader.tables import tables


def _native_rules() -> list[type]:
    from upgrader.modes import rules_for
    return list(rules_for("native"))


def _fallback(code: str, blockers: list[Blocked]) -> Result:
    result = upgrade_rules(code, [r for r in _native_rules() if "compat" in r.MODES])
    seen: set[tuple[int, str]] = set()
    for b in blockers:
        if (b.line, b.reason) not in seen:
            seen.add((b.line, b.reason))
            result.diagnostics.append(Diagnostic(b.line, 0, "native", "native conversion blocked (file kept in compat "
                                                 f"form): {b.reason}", "warning"))
    result.diagnostics.sort(key=lambda d: (d.line, d.col))
    return result


def _original_line(code: str, message: str, default: int) -> int:
    """Where a leftover TF1 symbol ('tf.get_collection') appears in the original source."""
    m = re.search(r"tf\.[\w.]+", message)
    if m:
        attr = m.group().rsplit(".", 1)[-1]
        for i, line in enumerate(code.splitlines(), 1):
            if re.search(rf"\b{re.escape(attr)}\b", line):
                return i
    return default


def upgrade_native(code: str) -> Result:
    """Native upgrade of one module; see the module docstring."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return upgrade_rules(code, _native_rules())   # reports the parse error, leaves the file alone
    rule_types = _native_rules()
    prog = analyze(code, tree)
    if not prog.graph:
        return upgrade_rules(code, rule_types)
    if prog.blockers:
        return _fallback(code, [Blocked(b.line, b.reason) for b in prog.blockers])
    ctx = Context(scan=Scan(aliases=dict(prog.aliases)), tables=tables())
    rules = [r(ctx) for r in rule_types if issubclass(r, NativeRule)]
    try:
        new = structural(prog, ctx, rules)
        if _syntax_error(new) is not None:
            return _fallback(code, [Blocked(1, "internal error: native rewrite did not parse")])
        renamed = upgrade_rules(new, rule_types)
        if renamed.code == new and renamed.errors:
            return _fallback(code, [Blocked(d.line, d.message) for d in renamed.errors])
        left = leftover(renamed.code, renamed.diagnostics)
    except Blocked as b:
        return _fallback(code, [b])
    except Exception as e:   # NOTE: an analysis bug must never cost the user a working (compat) upgrade
        return _fallback(code, [Blocked(1, f"internal error in native analysis ({type(e).__name__}: {e})")])
    if left is not None:
        return _fallback(code, [Blocked(_original_line(code, left.reason, left.line), left.reason)])
    notes = sorted(ctx.diagnostics, key=lambda d: (d.line, d.col))
    return Result(renamed.code, code, notes + [d for d in renamed.diagnostics if d.severity != "change"])
