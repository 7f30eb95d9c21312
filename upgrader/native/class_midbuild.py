"""A model class's session that fetches values while the graph is built: the variable it assigned, reset after.

A style-transfer class assigns the content image to its input variable in a session of its own, in the
middle of `build()`, fetches a layer's value and builds the loss on it. That session is part of construction
(native/class_sessions.py `fetches_only`) and becomes plain evaluation in the flat program. Every later TF1
session starts with the variable uninitialised, and the program initialises (or restores) it before reading
it, so the image it trains starts from its initial value, not from the image last assigned. The flat program
says so where the fetching session ends, in TF1 terms the analysis converts:

    with tf.Session() as sess:                           with tf.Session() as sess:
        sess.run(self.image.assign(self.content))           sess.run(image.assign(content))
        p = sess.run(self.net["relu"])          ->           p = sess.run(net["relu"])
                                                             sess.run(image.assign(tf.zeros([2, 3], tf.float32)))

The initial value is restated from `tf.Variable(<value>)` or `tf.get_variable(..., initializer=
tf.zeros_initializer() / tf.ones_initializer())` with its shape; any other variable raises NotAModel.

    reset_edits(p, stmt, tf)  ->  [(span, text)] inserting the resets into a build statement's text
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.class_sessions import NotAModel, _builds, _Span, _self_attr, fetches_only

if TYPE_CHECKING:
    from upgrader.native.class_flatten import Plan

FILLS = {"zeros_initializer": "zeros", "ones_initializer": "ones"}


def _assigned(w: ast.With) -> list[str]:
    """`self.X` attributes the block assigns (`sess.run(self.X.assign(...))`), in order."""
    return list(dict.fromkeys(c.func.value.attr for c in ast.walk(w) if isinstance(c, ast.Call)
                              and isinstance(c.func, ast.Attribute) and c.func.attr == "assign"
                              and _self_attr(c.func.value)))


def _flat(node: ast.expr) -> str:
    """`node`'s source as the flat program spells it (`self.h` -> `h`)."""
    class Flat(ast.NodeTransformer):
        def visit_Attribute(self, n: ast.Attribute) -> ast.AST:
            return ast.Name(n.attr, ast.Load()) if _self_attr(n) else self.generic_visit(n)
    return ast.unparse(Flat().visit(ast.parse(ast.unparse(node), mode="eval")).body)


def _initial(p: Plan, attr: str, tf: str) -> str:
    """The source of `self.<attr>`'s initial value, or NotAModel saying why there is none to restate."""
    made = [s.value for g in p.graph for s in ast.walk(g) if isinstance(s, ast.Assign) and len(s.targets) == 1
            and _self_attr(s.targets[0], attr) and isinstance(s.value, ast.Call)]
    call = made[0] if len(made) == 1 else None
    func = getattr(call, "func", None) if call is not None else None
    kind = func.attr if isinstance(func, ast.Attribute) else None
    keys = {k.arg: k.value for k in call.keywords} if call is not None else {}
    if kind == "Variable" and (call.args or "initial_value" in keys):
        return _flat(call.args[0] if call.args else keys["initial_value"])
    init = keys.get("initializer")
    fill = FILLS.get(getattr(getattr(init, "func", None), "attr", "")) if isinstance(init, ast.Call) else None
    shape = keys.get("shape", call.args[1] if call is not None and len(call.args) > 1 else None)
    if kind == "get_variable" and fill and not init.args and not init.keywords and shape is not None:
        dtype = _flat(keys["dtype"]) if "dtype" in keys else f"{tf}.float32"
        return f"{tf}.{fill}({_flat(shape)}, {dtype})"
    raise NotAModel(f"'self.{attr}' is assigned in a session while the graph is built, and the session that trains "
                    "initialises it again: native mode restates its initial value only for tf.Variable(<value>) and "
                    "get_variable(shape=..., initializer=tf.zeros_initializer() or tf.ones_initializer())")


def reset_edits(p: Plan, stmt: ast.stmt, tf: str) -> list[tuple[ast.AST, str]]:
    """Insertions after the last statement of the last fetching session block assigning each variable, where
    that block is in `stmt` (see the module docstring)."""
    out: list[tuple[ast.AST, str]] = []
    blocks = [n for g in p.graph for n in ast.walk(g) if fetches_only(n)]
    final = {a: w for w in blocks for a in _assigned(w)}   # NOTE: once, after the last block assigning it
    for w in (n for n in ast.walk(stmt) if fetches_only(n)):
        sess, last = w.items[0].optional_vars.id, w.body[-1]
        pad = " " * (last.col_offset - stmt.col_offset)
        resets = "".join(f"\n{pad}{sess}.run({a}.assign({_initial(p, a, tf)}))" for a in _assigned(w) if final[a] is w)
        if resets:
            out.append((_Span(last.end_lineno, last.end_col_offset, last.end_lineno, last.end_col_offset), resets))
    return out


def scope_around_fetches(w: ast.stmt, cls: ast.ClassDef) -> bool:
    """`with tf.variable_scope('losses') as scope:` (the scope unused, no variable made in it) around a session
    that fetches values mid-build: its block is inlined like the build method's own statements, since the scope
    only prefixes op names (a variable in it would keep its name: such a block stays as written)."""
    if not (isinstance(w, ast.With) and len(w.items) == 1 and isinstance(w.items[0].context_expr, ast.Call)):
        return False
    call, alias = w.items[0].context_expr, w.items[0].optional_vars
    if getattr(call.func, "attr", None) not in ("variable_scope", "name_scope") or call.keywords or len(call.args) != 1 \
            or not (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
        return False
    if alias is not None and (not isinstance(alias, ast.Name) or any(
            isinstance(n, ast.Name) and n.id == alias.id and isinstance(n.ctx, ast.Load) for n in ast.walk(cls))):
        return False
    fetching = [s for s in w.body if fetches_only(s)]
    return bool(fetching) and not any(_builds(s) for s in w.body if s not in fetching)
