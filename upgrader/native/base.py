"""What native rules share: the `NativeRule` base, `Blocked`, and source-text helpers.

A native rule rewrites whole top-level statements of a flat TF1 script, driven
by the analysis in `upgrader.native.model`:

    class MyRule(NativeRule):
        KINDS = frozenset({"placeholder"})
        def rewrite(self, prog, stmt, entity):   # -> replacement text ("" deletes), or None
            ...

Any rule may raise `Blocked(line, reason)`: the whole file then stays in compat form.
"""
from __future__ import annotations

import ast
import keyword
import re
from typing import ClassVar

from upgrader.native.model import Entity, Program
from upgrader.native.naming import tree_names, tree_nodes
from upgrader.rule import Rule

_NEWLINE = re.compile(r"\r\n|\r|\n")
STRING_DTYPES = {"float": "float32", "float32": "float32", "double": "float64", "float64": "float64",
                 "int32": "int32", "int64": "int64", "int": "int32", "bool": "bool", "string": "string"}


class Blocked(Exception):
    """A construct native mode cannot convert safely; the file falls back to compat form."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


class NativeRule(Rule):
    """Base of native rules: `rewrite` whole statements instead of LibCST node hooks."""

    MODES: ClassVar[frozenset[str]] = frozenset({"native"})
    KINDS: ClassVar[frozenset[str]] = frozenset()   # entity kinds whose defining statements this rule rewrites

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: "Editor") -> str | None:
        """Replacement text for `stmt` (unindented, no trailing newline; "" deletes it), or None."""
        return None

    def edit_call(self, prog: Program, call: ast.Call, edit: "Editor") -> str | None:
        """Replacement text for a call inside the session's code (`saver.save(sess, p)`), or None."""
        return None


class Editor:
    """Offsets and spans of the original source, and text edits made from `ast` positions."""

    def __init__(self, prog: Program) -> None:
        self.prog, self.src = prog, prog.source
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(self.src)]
        mods = sorted(n for n, q in prog.aliases.items() if q == "tensorflow")
        self.tf = "tf" if "tf" in mods else (mods[0] if mods else "")
        self.rules: list[NativeRule] = []
        self.flatten = lambda stmt: ""   # set by `structural`: a flattened with-block's body, re-indented
        self.notes: list[tuple[int, str]] = []   # (line, warning) from helpers outside a rule; the session rule reports them
        self.claimed: set[str] = set()   # names the rewrite itself introduced (two optimizers are not both 'optimizer')

    def offset(self, line: int, col: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.src)
        text = self.src[start:end]
        return start + (col if text.isascii() else len(text.encode("utf-8")[:col].decode("utf-8", "replace")))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset))

    def text(self, node: ast.AST) -> str:
        s, e = self.span(node)
        return self.src[s:e]

    def with_edits(self, node: ast.AST, edits: list[tuple[ast.AST, str]]) -> str:
        """The source of `node` with sub-nodes replaced (outermost edits win; nested ones are dropped)."""
        base, end = self.span(node)
        spans = sorted(((*self.span(n), new) for n, new in edits), key=lambda x: (x[0], -x[1]))
        out, last = [], base
        for s, e, new in spans:
            if s < last:
                continue
            out += [self.src[last:s], new]
            last = e
        return "".join(out) + self.src[last:end]

    def free(self, name: str, entity: Entity | None = None) -> bool:
        return name not in self.claimed and free_name(self.prog, name, entity)

    def claim(self, name: str) -> str:
        self.claimed.add(name)
        return name

    def tfx(self, path: str) -> str:
        """'keras.optimizers.SGD' -> 'tf.keras.optimizers.SGD' in this file's alias."""
        return f"{self.tf}.{path}"

    def dtype(self, ph: Entity) -> str:
        """The placeholder's dtype as TF2 source: `tf.float32` (string dtypes like "float" resolved)."""
        call = ph.stmt.value
        if ph.default.isidentifier() and not keyword.iskeyword(ph.default):   # a constant tensor's value (rules/native_placeholder_default.py checks)
            return f"{ph.default}.dtype"
        if ph.default:   # placeholder_with_default: the default value's Python type gives the dtype
            kind = type(ast.literal_eval(ph.default)) if _literal(ph.default) else None
            if kind not in (bool, int, float):
                raise Blocked(ph.stmt.lineno, f"placeholder_with_default '{ph.name}': default {ph.default} is not a "
                                              "bool/int/float literal, so its dtype is not known statically")
            return self.tfx({bool: "bool", int: "int32", float: "float32"}[kind])
        node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dtype"), None)
        if node is None:
            raise Blocked(ph.stmt.lineno, f"placeholder '{ph.name}' has no dtype")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value not in STRING_DTYPES:
                raise Blocked(ph.stmt.lineno, f"placeholder dtype {node.value!r} not understood")
            return self.tfx(STRING_DTYPES[node.value])
        return self.text(node)

    def shape(self, ph: Entity) -> str:
        call = ph.stmt.value
        node = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "shape"), None)
        return "None" if node is None else self.text(node)

    def graph_name(self, ph: Entity) -> str | None:
        """The name= a placeholder was given (feeds may use 'x:0')."""
        call = ph.stmt.value
        node = call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords if k.arg == "name"), None)
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def call_text(entity: Entity, args: dict[str, str] | None = None, prog: Program | None = None) -> str:
    """`loss(X, Y)`: the call a tensor's function gets, with its placeholders (or fed values) as arguments.

    With `args` (a sess.run's feeds) and `prog`, an unfed placeholder_with_default gets its default value.
    """
    fed = args or {}
    default = {p: prog.entities[p].default for p in entity.params} if prog is not None and args is not None else {}
    return f"{entity.func}({', '.join(fed.get(p) or default.get(p) or p for p in entity.params)})"


def def_params(prog: Program, entity: Entity) -> str:
    """`x, training=False`: a function's parameters; placeholder_with_default ones (sorted last) keep their default."""
    return ", ".join(p + (f"={prog.entities[p].default}" if prog.entities[p].default else "") for p in entity.params)


def _literal(text: str) -> bool:
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return True


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else line for line in text.split("\n"))


def free_name(prog: Program, name: str, entity: Entity | None = None) -> bool:
    """True when `name` is bound nowhere in the file (or only by `entity`, which is being replaced)."""
    owner = prog.entities.get(name)
    if owner is not None and owner is not entity:
        return False
    uses = tree_names(prog) | {n.name for n in tree_nodes(prog) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return owner is entity or name not in uses
