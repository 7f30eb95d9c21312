"""A `tf.ConfigProto` kept in a name and handed to the session: TF2's process-wide settings instead.

    conf = tf.ConfigProto(                               tf.config.set_soft_device_placement(FLAGS.soft)
        allow_soft_placement=FLAGS.soft,           ->    tf.debugging.set_log_device_placement(FLAGS.log)
        log_device_placement=FLAGS.log)
    sess = tf.Session(config=conf)                       sess = tf.Session()

TF2 has no session to configure: soft placement and placement logging are set for the process
(TF2 places softly and logs nothing by default, so a literal True / False of those two is simply
dropped). Only a configuration with no other field, read only as `config=` of `tf.Session` /
`tf.InteractiveSession`, is respelled; any other (gpu_options, thread counts) keeps its name and
the file falls back with the reason in native/equivalents.py.

    session_config_spans(tree, aliases, source) -> [(span, new text)]
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.scan import aliased_key

SETTERS = {"allow_soft_placement": ("config.set_soft_device_placement", True),
           "log_device_placement": ("debugging.set_log_device_placement", False)}   # TF2 call, TF2's default
SESSIONS = ("tf.Session", "tf.InteractiveSession")


def _key(aliases: dict[str, str], node: ast.AST) -> str:
    return (aliased_key(aliases, node) or "").replace("tf.compat.v1.", "tf.")


def session_config_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str]) -> list:
    out = []
    for stmt in ast.walk(tree):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and isinstance(call := stmt.value, ast.Call) and _key(aliases, call.func) == "tf.ConfigProto"):
            continue
        name = stmt.targets[0].id
        if call.args or any(k.arg not in SETTERS for k in call.keywords):
            continue
        stores = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
        loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
        uses = [(c, k) for c in ast.walk(tree) if isinstance(c, ast.Call) and _key(aliases, c.func) in SESSIONS
                for k in c.keywords if k.arg == "config" and isinstance(k.value, ast.Name) and k.value.id == name]
        if len(stores) != 1 or not uses or len(uses) != len(loads):
            continue
        pad = " " * stmt.col_offset
        tf = source(call.func).split(".")[0]
        lines = [f"{tf}.{SETTERS[k.arg][0]}({source(k.value)})" for k in call.keywords
                 if not (isinstance(k.value, ast.Constant) and k.value.value is SETTERS[k.arg][1])]
        out.append(((stmt.lineno, stmt.col_offset, stmt.end_lineno, stmt.end_col_offset),
                    f"\n{pad}".join(lines)))
        for c, k in uses:
            rest = [source(a) for a in c.args] + [source(o) for o in c.keywords if o is not k]
            out.append(((c.lineno, c.col_offset, c.end_lineno, c.end_col_offset), f"{source(c.func)}({', '.join(rest)})"))
    return out
