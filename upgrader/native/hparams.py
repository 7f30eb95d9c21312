"""`tf.contrib.training.HParams` (gone in TF2) becomes `types.SimpleNamespace`, which holds the same values.

    hparams = tf.contrib.training.HParams(lr=0.1)   ->  hparams = types.SimpleNamespace(lr=0.1)
    hparams.add_hparam("layers", 2)                 ->  setattr(hparams, "layers", 2)
    hparams.values()                                ->  dict(vars(hparams))
    hparams.lr                                      ->  hparams.lr

HParams is attribute storage with a few methods; a program that ran under TF1 read and added values
without hitting add_hparam's errors (a name given twice, an empty list), so the namespace gives the
same values. Methods with no plain equivalent (parse, set_hparam's type checks, JSON and proto
round trips, override_from_dict) and an HParams object passed to code native mode cannot see keep
the file in compat form, saying so. Runs from native/plain_respell.py before the analysis.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked
from upgrader.native.vocabulary import apply_edits
from upgrader.scan import collect_aliases, dotted, to_key

KEY = "tf.contrib.training.HParams"
PLAIN_CALLS = frozenset({"print", "str", "repr", "vars", "getattr", "setattr", "hasattr", "format"})
SEEN = frozenset({"add_hparam", "values"})


def _key(node: ast.AST, aliases: dict[str, str]) -> str | None:
    d = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
    head, _, rest = (d or "").partition(".")
    return to_key(aliases[head] + ("." + rest if rest else "")) if d and head in aliases else None


def hparams_namespaces(code: str, tree: ast.Module) -> str | None:
    """`code` with HParams objects spelled as SimpleNamespaces, or None when it makes none."""
    if "HParams" not in code or not (aliases := collect_aliases(tree)):
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _key(n.func, aliases) == KEY]
    if not calls:
        return None
    made = {id(c) for c in calls}
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and id(n.value) in made:
            if len(n.targets) != 1 or not isinstance(n.targets[0], ast.Name):
                raise Blocked(n.lineno, "tf.contrib.training.HParams bound to something other than one name")
            names.add(n.targets[0].id)
    for c in calls:
        if c.args or any(k.arg in ("hparam_def", "model_structure") for k in c.keywords):
            raise Blocked(c.lineno, "tf.contrib.training.HParams(hparam_def=/model_structure=) reads a proto: "
                                    "not converted natively (give the values as keywords)")
        if not any(isinstance(n, ast.Assign) and n.value is c for n in ast.walk(tree)):
            raise Blocked(c.lineno, "tf.contrib.training.HParams(...) not assigned to a name: native mode converts "
                                    "`hparams = HParams(...)`")
    edits = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) \
                and n.func.value.id in names:
            owner, method = n.func.value.id, n.func.attr
            if method == "add_hparam" and len(n.args) == 2 and not n.keywords:
                name, value = (ast.get_source_segment(code, a) or ast.unparse(a) for a in n.args)
                edits.append(_span(n, f"setattr({owner}, {name}, {value})"))
            elif method == "values" and not n.args and not n.keywords:
                edits.append(_span(n, f"dict(vars({owner}))"))
            elif method not in SEEN:
                raise Blocked(n.lineno, f"HParams.{method}: parsing, type-checked setting and proto/JSON round "
                                        "trips have no plain-Python form native mode writes (only values are kept)")
            else:
                raise Blocked(n.lineno, f"HParams.{method} with arguments native mode cannot read")
        elif isinstance(n, ast.Call) and not (isinstance(n.func, ast.Name) and n.func.id in PLAIN_CALLS) and any(
                isinstance(a, ast.Name) and a.id in names for a in [*n.args, *(k.value for k in n.keywords)]):
            raise Blocked(n.lineno, f"an HParams object is passed to {ast.unparse(n.func)}, which may call its "
                                    "methods: native mode converts HParams used in this file only")
    for c in calls:
        edits.append(_span(c.func, "types.SimpleNamespace"))
    inside = {id(x) for c in calls for x in ast.walk(c.func)}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in inside}
    first = min(c.lineno for c in calls)
    lines = code.splitlines(keepends=True)
    anchor = None
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            bound = [a.asname or a.name.split(".")[0] for a in stmt.names]
            if all(aliases.get(b, "").startswith("tensorflow.contrib.training") and b not in used for b in bound):
                edits.append((stmt.lineno, 0, stmt.end_lineno + 1, 0, ""))
            elif stmt.lineno < first:
                anchor = stmt
    if not any(isinstance(s, ast.Import) and any(a.name == "types" and not a.asname for a in s.names) for s in tree.body):
        newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
        docstring = isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant)
        at = anchor.end_lineno + 1 if anchor is not None else tree.body[docstring].lineno
        edits.append((at, 0, at, 0, "import types" + newline))
    return apply_edits(lines, edits)


def _span(node: ast.AST, text: str) -> tuple[int, int, int, int, str]:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text
