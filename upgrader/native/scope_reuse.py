"""`with tf.variable_scope(tf.get_variable_scope(), reuse=True):` inside a graph-building function, and the
nested call it shares: the same sub-module, called twice.

    def snn(a, b):                                                class Snn(tf.Module):
        out1 = tower(a, 8)                                            def __init__(self):
        with tf.variable_scope(tf.get_variable_scope(),    ->            self.tower = Tower(8)
                               reuse=True):                           def __call__(self, a, b):
            out2 = tower(b, 8)                                            out1 = self.tower(a)
        return out1 * out2                                                out2 = self.tower(b)
                                                                          return out1 * out2

TF1 re-enters the scope it is in with reuse on, so the second call reads the variables the first made. A
nested builder call under such a scope (or any scope reusing, by name or as the current one) that repeats an
earlier call of the same builder in the same scope, with the same construction arguments, is that call's
instance; the replay (native/module_calls.py) checks that it made nothing new.

    current_scope(prog, node)   -> node is `tf.get_variable_scope()` naming a variable_scope
    share_children(prog, fx, b) -> record in b.shared the nested calls that share an earlier call's instance
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program
    from upgrader.native.modules import Builder, Functions


def current_scope(prog: Program, node: ast.AST | None) -> bool:
    """`tf.get_variable_scope()`: the scope object of where the code runs."""
    return isinstance(node, ast.Call) and prog.call_key(node) == "tf.get_variable_scope" and not node.args and not node.keywords


def scope_arguments(prog: Program, fn: ast.FunctionDef) -> set[int]:
    """Ids of the `tf.get_variable_scope()` calls in `fn` that only name a variable_scope (`variable_scope(<it>, ...)`)."""
    return {id(c.args[0]) for c in ast.walk(fn) if prog.call_key(c) == "tf.variable_scope" and c.args and
            current_scope(prog, c.args[0])}


def _chain(prog: Program, body: list[ast.stmt], target: ast.AST) -> list[ast.Call] | None:
    """The scope calls of the `with` blocks around `target` in `body`, outermost first (None: not in `body`)."""
    for s in body:
        if not any(n is target for n in ast.walk(s)):
            continue
        inner = getattr(s, "body", None) if isinstance(s, ast.With) else None
        here = s.items[0].context_expr if isinstance(s, ast.With) and len(s.items) == 1 else None
        if inner is None or prog.call_key(here) not in ("tf.variable_scope", "tf.name_scope"):
            return []
        return [here] + (_chain(prog, inner, target) or [])
    return None


def _place(prog: Program, chain: list[ast.Call]) -> tuple[tuple[str, ...], bool] | None:
    """(the variable-scope names below the function's own scope, reusing?) for a chain; None if not static."""
    from upgrader.native.modules import _arg
    names: list[str] = []
    reuse = False
    for call in chain:
        if prog.call_key(call) == "tf.name_scope":
            continue   # NOTE: a name_scope never named get_variable's variables
        node = _arg(call, 0, "name_or_scope", "name")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.append(node.value)
        elif not current_scope(prog, node):
            return None
        flag = next((k.value for k in call.keywords if k.arg == "reuse"), None)
        if flag is not None:
            reuse = isinstance(flag, ast.Constant) and flag.value is True or prog.key(flag) == "tf.AUTO_REUSE"
    return tuple(names), reuse


def share_children(prog: Program, fx: Functions, b: Builder) -> None:
    """See the module docstring."""
    from upgrader.native.modules import bind
    first: dict[tuple[str, tuple[str, ...]], ast.Call] = {}
    for call in sorted((c for c in ast.walk(b.node) if isinstance(c, ast.Call) and id(c) in b.children),
                       key=lambda c: (c.lineno, c.col_offset)):
        place = _place(prog, _chain(prog, b.node.body, call) or [])
        if place is None:
            continue
        key, child = (call.func.id, place[0]), fx.builders[call.func.id]
        earlier = first.get(key)
        if earlier is None:
            first[key] = call
        elif place[1] and all(ast.dump(bind(call, child)[p] or ast.Constant(None)) ==
                              ast.dump(bind(earlier, child)[p] or ast.Constant(None)) for p in child.init):
            b.children[id(call)] = b.children[id(earlier)]
            b.shared.add(id(call))
