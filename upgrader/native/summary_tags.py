"""The tags TF1 wrote for the summaries `merge_all` collected, and the layer-function summaries it included.

TF1 tagged a summary with the name scope it was made in, made unique in the graph the way every op name
was (case-insensitively: a scope `Train/Loss` takes the name `train/loss`, so a later
`tf.summary.scalar('loss', ...)` in `Train` is tagged `Train/loss_1`; re-entering `variable_scope('Train')`
opens the name scope `Train_1`):

    with tf.variable_scope('Train'):
        tf.summary.scalar('loss', loss)               ->  'Train/loss'
    def fc_layer(x, n, name):
        with tf.variable_scope(name):
            W = weight_variable(name, [784, n])
            tf.summary.histogram('W', W)              ->  'Hidden/W' for the call fc_layer(x, 200, 'Hidden')

The replay marks the names that can collide with a summary's: scopes, summaries, the literal `name=` of
module-level calls and the variables each layer call creates (op names TensorFlow picks itself, such as
`MatMul`, are not followed). A summary in a layer function must write one of the function's variables
(its value is read from the instance: `(tf.summary.histogram, 'Hidden/W', tf.identity(Hidden.W))`).

    summary_tags(prog) -> {id(summary call) or (instance name, id(summary call)): tag}
    layer_summaries(prog, edit, value) -> ['(tf.summary.histogram, 'Hidden/W', tf.identity(Hidden.W))', ...]
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from upgrader.native.base import Blocked
from upgrader.native.layer_sites import statement_sites

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program
    from upgrader.native.modules import Builder, Instance

SCOPE_KEYS = ("tf.variable_scope", "tf.name_scope")
SUMMARY_OPS = frozenset(f"tf.summary.{n}" for n in ("audio", "histogram", "image", "scalar", "text"))


class Names:
    """TF1's Graph.unique_name: names in use, lower-cased, with the count of each."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def unique(self, name: str) -> str:
        key = name.lower()
        i = self.used.get(key, 0)
        self.used[key] = i + 1
        if i == 0:
            return name
        base = key
        while key in self.used:
            key = f"{base}_{i}"
            i += 1
        self.used[key] = 1
        return f"{name}_{i - 1}"


def _join(scope: str, name: str) -> str:
    return f"{scope}/{name}" if scope else name


def summary_calls(prog: Program, fn: ast.FunctionDef) -> list[ast.Call]:
    return [n for n in ast.walk(fn) if (prog.call_key(n) or "").startswith("tf.summary.")]


def _literal_names(prog: Program, stmt: ast.AST, scope: str, names: Names) -> None:
    for n in ast.walk(stmt):
        if isinstance(n, ast.Call) and not (prog.call_key(n) or "").startswith("tf.summary."):
            for k in n.keywords:
                if k.arg == "name" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
                    names.unique(_join(scope, k.value.value))


def _scope_name(prog: Program, stmt: ast.stmt, args: dict[str, ast.expr] | None) -> str | None:
    if not (isinstance(stmt, ast.With) and len(stmt.items) == 1 and prog.call_key(stmt.items[0].context_expr) in SCOPE_KEYS):
        return None
    call = stmt.items[0].context_expr
    name = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("name_or_scope", "name")), None)
    if args is not None and isinstance(name, ast.Name) and name.id in args:
        name = args[name.id]
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        return name.value
    raise Blocked(stmt.lineno, "a summary is written under a name scope whose name native mode cannot read "
                               "statically, so its TF1 tag is not known")


def _tag(call: ast.Call, scope: str, names: Names) -> str:
    name = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
        raise Blocked(call.lineno, "a summary whose name is not a string literal (its TF1 tag is not known)")
    return names.unique(_join(scope, name.value))


def summary_tags(prog: Program) -> dict[object, str]:
    names, tags = Names(), {}
    fx = prog.functions

    def layer(inst: Instance, body: list[ast.stmt], scope: str) -> None:
        for s in body:
            if (inner := _scope_name(prog, s, inst.args)) is not None:
                layer(inst, s.body, names.unique(_join(scope, inner)))
            elif isinstance(s, ast.Expr) and (prog.call_key(s.value) or "").startswith("tf.summary."):
                tags[(inst.name, id(s.value))] = _tag(s.value, scope, names)

    def visit(body: list[ast.stmt], scope: str) -> None:
        for s in body:
            sites = statement_sites(fx, s) if fx is not None else []   # NOTE: several calls in one statement run in order
            if sites and any(site.new for site in sites):
                for site in (site for site in sites if site.new):
                    for v in site.instance.variables:
                        names.unique(v)
                    if summary_calls(prog, site.instance.builder.node):
                        layer(site.instance, site.instance.builder.node.body, scope)
            elif isinstance(s, ast.With):
                inner = _scope_name(prog, s, None)
                visit(s.body, scope if inner is None else names.unique(_join(scope, inner)))
            elif isinstance(s, (ast.Expr, ast.Assign)) and (prog.call_key(s.value) or "") in SUMMARY_OPS:
                tags[id(s.value)] = _tag(s.value, scope, names)   # `s = tf.summary.scalar(...)` too
            elif not isinstance(s, (ast.FunctionDef, ast.ClassDef)):
                _literal_names(prog, s, scope, names)

    visit(prog.tree.body, "")
    return tags


def layer_summaries(prog: Program, value: Callable[[str, str], str], edit: Editor) -> list[str]:
    """The entries of every layer call's summaries, in call order; `value(instance, attribute)` spells a variable."""
    fx = prog.functions
    if fx is None:
        return []
    tags, out = None, []
    for stmt_id, site in fx.sites.items():
        b = site.instance.builder
        calls = summary_calls(prog, b.node)
        if not calls:
            continue
        if not site.new:
            raise Blocked(site.call.lineno, f"'{b.node.name}' writes a summary and is called again reusing its "
                                            "variables: TF1 wrote the summary again under a new name scope per call")
        tags = summary_tags(prog) if tags is None else tags
        attrs = _variable_attrs(b)
        for call in calls:
            data = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg in (
                "tensor", "values")), None)
            if len(call.args) > 2 or {k.arg for k in call.keywords} - {"name", "tensor", "values"}:
                raise Blocked(call.lineno, f"{prog.call_key(call)} in a layer function with arguments native mode does not convert")
            if not (isinstance(data, ast.Name) and data.id in attrs) or prog.call_key(call) not in (
                    "tf.summary.histogram", "tf.summary.scalar"):
                raise Blocked(call.lineno, f"{prog.call_key(call)} in layer function '{b.node.name}' of a value it "
                                           "computes (only histograms and scalars of its variables are converted)")
            out.append(f"({edit.tfx(prog.call_key(call)[3:])}, {tags[(site.instance.name, id(call))]!r}, "
                       f"{edit.tfx('identity')}({value(site.instance.name, attrs[data.id])}))")
    return out


def _variable_attrs(b: Builder) -> dict[str, str]:
    return {s.targets[0].id: b.variables[id(s)] for s in ast.walk(b.node) if id(s) in b.variables}
