"""A fast `ast` pass that finds what needs LibCST: import aliases and the regions to rewrite.

Only the statement-level expressions (and `import` statements) that mention a
TensorFlow symbol with a change are handed to LibCST; the rest of the file is
never re-parsed, which is what makes the tool fast.

    scan("import tensorflow as tf\\nx = tf.log(1)\\n").regions  ->  [Region(kind="expr", line=2, ...)]
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from upgrader.tables import Tables

TF = "tensorflow"
COMPAT = "tensorflow.compat.v1"
EAGER_SWITCHES = frozenset({
    "tf.disable_eager_execution", "tf.disable_v2_behavior", "tf.enable_eager_execution",
    "tf.compat.v1.disable_eager_execution", "tf.compat.v1.disable_v2_behavior",
    "tf.compat.v1.enable_eager_execution",
})
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Region:
    """A span of the source (character offsets) that LibCST will parse and rewrite."""

    start: int
    end: int
    kind: str          # "expr" or "stmt"
    line: int
    col: int


@dataclass
class Scan:
    aliases: dict[str, str] = field(default_factory=dict)   # local name -> "tensorflow...."
    regions: list[Region] = field(default_factory=list)
    uses_graph: bool = False
    has_eager_switch: bool = False
    tf_import_line: int | None = None   # last line of the first top-level statement importing tensorflow


def to_key(qualified: str) -> str:
    """'tensorflow.nn.relu' -> 'tf.nn.relu' (the spelling the tables use).

    A private path of a public symbol is spelled by its public name:
    'tensorflow.python.framework.ops.reset_default_graph' -> 'tf.reset_default_graph'.
    """
    key = "tf" + qualified[len(TF):]
    return private_paths().get(key, key) if key.startswith("tf.python.") else key


@lru_cache(maxsize=1)
def private_paths() -> dict[str, str]:
    """`data/private_paths.json` (built by `upgrader.tools.build_private_paths`)."""
    return json.loads((Path(__file__).resolve().parent / "data" / "private_paths.json").read_text())["paths"]


def dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def aliased_key(aliases: dict[str, str], node: ast.AST) -> str | None:
    """The table key of a dotted name under the file's TensorFlow imports (`tfc.layers.dense` with
    `tfc = tensorflow.contrib` -> 'tf.contrib.layers.dense'); None for anything else."""
    d = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
    head, _, rest = (d or "").partition(".")
    qual = aliases.get(head)
    return None if qual is None else to_key(qual + ("." + rest if rest else ""))


def collect_aliases(tree: ast.AST) -> dict[str, str]:
    """Every name bound to a TensorFlow module or symbol by an import, anywhere in the file."""
    aliases: dict[str, str] = {}

    def bind(local: str, qual: str) -> None:
        # NOTE: `try: import tensorflow.compat.v1 as tf / except: import tensorflow as tf` -> compat wins.
        if aliases.get(local, "").startswith(COMPAT) and not qual.startswith(COMPAT):
            return
        aliases[local] = qual

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == TF or a.name.startswith(TF + "."):
                    bind(a.asname, a.name) if a.asname else bind(TF, TF)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == TF or node.module.startswith(TF + "."):
                for a in node.names:
                    if a.name != "*":
                        bind(a.asname or a.name, f"{node.module}.{a.name}")
    return aliases


def compat_import_target(module: str, names: list[str], t: Tables) -> str | None:
    """`from tensorflow[.sub] import names`: the compat module to import from instead, if any."""
    if module.startswith(COMPAT) or ".contrib" in module or module.startswith(TF + ".compat"):
        return None
    keys = [to_key(f"{module}.{n}") for n in names]
    if any(".contrib" in k for k in keys) or not all(t.known(k) for k in keys):
        return None
    if not any((f := t.longest_row(k)) is not None and f[0].new for k in keys):
        return None
    return COMPAT + module[len(TF):]


class Scanner:
    """Walks a module once: finds regions and the file-level facts the rules need."""

    def __init__(self, source: str, tables: Tables, aliases: dict[str, str], attrs: frozenset[str],
                 keys: frozenset[str] = frozenset()) -> None:
        self.src, self.t, self.attrs, self.keys = source, tables, attrs, keys
        self.out = Scan(aliases=dict(aliases))
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(source)]

    def offset(self, line: int, col: int) -> int:
        start = self.starts[line - 1]
        text = self.src[start:self.starts[line] if line < len(self.starts) else len(self.src)]
        return start + (col if text.isascii() else len(text.encode("utf-8")[:col].decode("utf-8", "replace")))

    def run(self, tree: ast.Module) -> Scan:
        for stmt in tree.body:
            self._stmt(stmt)
            if self.out.tf_import_line is None and self._imports_tf(stmt):
                self.out.tf_import_line = stmt.end_lineno
        return self.out

    def _imports_tf(self, stmt: ast.stmt) -> bool:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == TF for a in node.names):
                return True
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == TF:
                return True
        return False

    def _add(self, node: ast.AST, kind: str) -> None:
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno, node.end_col_offset)
        self.out.regions.append(Region(start, end, kind, node.lineno, node.col_offset))

    def _stmt(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if self._import_needs_change(node):
                self._add(node, "stmt")
            return
        for _, value in ast.iter_fields(node):
            for v in value if isinstance(value, list) else (value,):
                if isinstance(v, ast.expr):
                    if self._interesting(v):
                        self._add(v, "expr")
                elif isinstance(v, ast.AST):
                    self._stmt(v)

    def _import_needs_change(self, node: ast.Import | ast.ImportFrom) -> bool:
        if isinstance(node, ast.Import):
            return any(".contrib" in a.name or self._note(to_key(a.name)) for a in node.names if a.name.startswith(TF + "."))
        if node.level or not node.module or not (node.module == TF or node.module.startswith(TF + ".")):
            return False
        names = [a.name for a in node.names if a.name != "*"]
        target = compat_import_target(node.module, names, self.t)
        if target is not None:
            for a in node.names:
                if a.name != "*" and self.out.aliases.get(a.asname or a.name) == f"{node.module}.{a.name}":
                    self.out.aliases[a.asname or a.name] = f"{target}.{a.name}"
        return any([self._note(to_key(f"{node.module}.{n}")) for n in names])

    def _interesting(self, expr: ast.expr) -> bool:
        found = False
        stack: list[ast.AST] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.Attribute, ast.Name)):
                d = dotted(node)
                if d is not None:
                    head, _, rest = d.partition(".")
                    qual = self.out.aliases.get(head)
                    if qual is not None:
                        found |= self._note(to_key(qual + ("." + rest if rest else "")))
                        continue
                if isinstance(node, ast.Attribute) and node.attr in self.attrs and self.out.aliases:
                    found = True
            stack.extend(ast.iter_child_nodes(node))
        return found

    def _graph(self, v1: str) -> None:
        parts = v1.split(".")
        if any(".".join(parts[:i]) in self.t.graph_only for i in range(2, len(parts) + 1)):
            self.out.uses_graph = True

    def _note(self, key: str) -> bool:
        """Record file-level facts about one TensorFlow reference; True when it needs rewriting."""
        v1 = "tf" + key[len("tf.compat.v1"):] if key.startswith("tf.compat.v1.") else key
        if v1 in EAGER_SWITCHES or key in EAGER_SWITCHES:
            self.out.has_eager_switch = True
        found = self.t.longest_row(v1)
        if found is not None and found[0].new:   # graph-only-ness of what it becomes (contrib -> compat.v1...)
            new = found[0].new
            self._graph("tf" + new[len("tf.compat.v1"):] if new.startswith("tf.compat.v1.") else new)
        parts = v1.split(".")
        self._graph(v1)
        if ".contrib" in key or (self.keys and any(".".join(parts[:i]) in self.keys for i in range(2, len(parts) + 1))):
            return True
        if key.startswith(("tf.compat.", "tf.__")) or key == "tf":
            return False
        if found is not None and v1 == key:
            return True
        for i in range(2, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in self.t.symbols:
                return False
            if prefix not in self.t.modules:
                return True   # unknown: the rename rule reports it
        return False
