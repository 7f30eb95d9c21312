"""The `Rule` base class and the per-file `Context` rules share.

A rule overrides LibCST-style hooks, `leave_Call(original, updated)`,
`leave_Attribute`, `leave_Name`, `leave_Import`, `leave_ImportFrom`, and returns
`updated` unchanged when it has nothing to do. The engine runs the hooks of all
rules in `PRIORITY` order; the first rule that returns a new node wins.

    class MyRule(Rule):
        def leave_Call(self, original, updated):
            return updated if self.key(original.func) != "tf.foo" else updated.with_changes(...)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst

from upgrader.scan import COMPAT, TF, Scan, to_key
from upgrader.tables import ApiChange, Tables


@dataclass(frozen=True)
class Diagnostic:
    """One line of the report: a change made, a warning, or an error (code left unchanged)."""

    line: int
    col: int
    rule: str
    message: str
    severity: str   # "change" | "info" | "warning" | "error"

    def render(self, path: str) -> str:
        return f"{path}:{self.line}:{self.col + 1}: {self.severity}: [{self.rule}] {self.message}"


@dataclass
class Context:
    """What the rules of one file share: aliases, tables, diagnostics, file-level requests."""

    scan: Scan
    tables: Tables
    diagnostics: list[Diagnostic] = field(default_factory=list)
    line: int = 1
    col: int = 0
    need_tf_import: bool = False
    notes_once: set[str] = field(default_factory=set)
    owned: frozenset[str] = frozenset()
    attr_of: dict[cst.CSTNode, str] = field(default_factory=dict)   # original node -> attribute read from it
    keywords: bool = False   # TF's upgrader style: a reordered call's positional arguments all become keywords
    facts: dict[str, object] = field(default_factory=dict)   # rule name -> its Rule.file_facts(code)

    def report(self, rule: str, message: str, severity: str, once: bool = False) -> None:
        if once:
            if message in self.notes_once:
                return
            self.notes_once.add(message)
        self.diagnostics.append(Diagnostic(self.line, self.col, rule, message, severity))

    def key(self, node: cst.BaseExpression) -> str | None:
        """The table key of a dotted reference ('tf.nn.relu'), resolved through the file's imports."""
        parts: list[str] = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        qual = self.scan.aliases.get(node.value)
        if qual is None:
            return None
        return to_key(".".join([qual, *reversed(parts)]))

    def expr(self, target: str) -> cst.BaseExpression:
        """An expression for `target` ('tf.compat.v1.placeholder') in this file's import spelling."""
        aliases = self.scan.aliases
        mods = sorted((n for n, q in aliases.items() if q == TF), key=lambda n: (n != "tf", n))
        compat = sorted(n for n, q in aliases.items() if q == COMPAT)
        if target.startswith("tf.compat.v1.") and compat:
            return dotted_expr(compat[0] + target[len("tf.compat.v1"):])
        if mods:
            return dotted_expr(mods[0] + target[2:])
        subs = sorted((n for n, q in aliases.items() if target.startswith(to_key(q) + ".")), key=lambda n: -len(aliases[n]))
        if subs and not to_key(aliases[subs[0]]).startswith("tf.compat"):
            return dotted_expr(subs[0] + target[len(to_key(aliases[subs[0]])):])
        self.need_tf_import = True
        aliases.setdefault(TF, TF)
        return dotted_expr(TF + target[2:])


def dotted_expr(name: str) -> cst.BaseExpression:
    """'a.b.c' -> Attribute(Attribute(Name(a), b), c)."""
    head, *rest = name.split(".")
    node: cst.BaseExpression = cst.Name(head)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def has_star(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


class Rule:
    """Base of every rule: hooks named like LibCST's, plus reporting helpers."""

    NAME: ClassVar[str] = ""           # set by the loader from the module name
    DESCRIPTION: ClassVar[str] = ""
    MODES: ClassVar[frozenset[str]] = frozenset({"compat", "native"})   # native runs compat's renames too
    PRIORITY: ClassVar[int] = 50       # lower runs first
    ATTRS: ClassVar[frozenset[str]] = frozenset()   # attribute names that make an expression worth parsing
    KEYS: ClassVar[frozenset[str]] = frozenset()    # table keys (v1 spelling, any dotted prefix) that do too
    OWNS: ClassVar[frozenset[str]] = frozenset()    # table keys this rule rewrites itself (api_rename skips them)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @classmethod
    def file_facts(cls, code: str) -> object:
        """What a region's rewrite needs to know about the whole file (hashable; None: nothing).

        It is part of the region cache's key, so keep it small: a bool or a frozenset of names.
        """
        return None

    def key(self, node: cst.BaseExpression) -> str | None:
        return self.ctx.key(node)

    def row(self, node: cst.BaseExpression) -> ApiChange | None:
        k = self.ctx.key(node)
        return None if k is None else self.ctx.tables.rows.get(k)

    def change(self, message: str) -> None:
        self.ctx.report(self.NAME, message, "change")

    def warn(self, message: str, once: bool = False) -> None:
        self.ctx.report(self.NAME, message, "warning", once)

    def error(self, message: str) -> None:
        self.ctx.report(self.NAME, message, "error")

    def finish(self, source: str) -> list[tuple[int, str]]:
        """File-level edits after all regions: (line after which to insert, text)."""
        return []
