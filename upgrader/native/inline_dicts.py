"""A graph-building function that returns its tensors in a dict, inlined: `ae['x']` becomes the tensor's own name.

Tutorial code often builds the whole model in one function and returns its tensors by key; the caller feeds
and fetches them through the dict. When native/session_inline.py writes such a function into its one caller,
the dict is only a way to reach names that are now the caller's own, so each `ae['key']` is spelled as the
name it holds and the dict itself is not built (the analysis then sees plain placeholders and tensors):

    def autoencoder():                               def main():
        x = tf.placeholder(tf.float32, [None, 4])        x = tf.placeholder(tf.float32, [None, 4])
        cost = tf.reduce_sum(tf.square(x))               cost = tf.reduce_sum(tf.square(x))
        return {'x': x, 'cost': cost}                    with tf.Session() as sess:
    def main():                                  ->          print(sess.run(cost, {x: data}))
        ae = autoencoder()
        with tf.Session() as sess:
            print(sess.run(ae['cost'], {ae['x']: data}))

Only a literal dict of string keys and plain names, bound to one name that the caller then only reads as
`name['key']` (a key the dict has, never stored to, rebound or passed on whole), is taken apart; any
other use keeps the dict as it was.

    returned_names(fn) -> {'x': 'x', 'cost': 'cost'} or None
    key_edits(scope, stmt, keys, lines) -> [(first line, end line, new lines)] or None
"""
from __future__ import annotations

import ast


def returned_names(fn: ast.FunctionDef) -> dict[str, str] | None:
    """`return {'x': x, 'cost': cost}` as the function's last statement -> key -> name, else None."""
    last = fn.body[-1]
    value = last.value if isinstance(last, ast.Return) else None
    if not isinstance(value, ast.Dict) or not value.keys or None in value.keys:
        return None
    out = {}
    for k, v in zip(value.keys, value.values):
        if not (isinstance(k, ast.Constant) and isinstance(k.value, str) and isinstance(v, ast.Name)) or k.value in out:
            return None
        out[k.value] = v.id
    return out


def key_edits(scope: ast.AST, stmt: ast.Assign, keys: dict[str, str],
              lines: list[str]) -> list[tuple[int, int, list[str]]] | None:
    """Line edits spelling every `target['key']` after `stmt` in `scope` as the name; None when the dict is used
    any other way (then it stays a dict)."""
    target = stmt.targets[0]
    if not isinstance(target, ast.Name):
        return None
    nodes = list(ast.walk(scope)) if isinstance(scope, ast.FunctionDef) else [
        n for s in scope.body for n in ast.walk(s)]
    parents = {id(c): n for n in nodes for c in ast.iter_child_nodes(n)}
    spots: dict[int, list[tuple[int, int, str]]] = {}   # line -> (start col, end col, name)
    for n in nodes:
        if not (isinstance(n, ast.Name) and n.id == target.id) or n is target:
            continue
        sub = parents.get(id(n))
        if n.lineno <= stmt.end_lineno or isinstance(n.ctx, ast.Store) or not (
                isinstance(sub, ast.Subscript) and sub.value is n and isinstance(sub.ctx, ast.Load)
                and isinstance(sub.slice, ast.Constant) and sub.slice.value in keys and sub.lineno == sub.end_lineno):
            return None
        spots.setdefault(sub.lineno, []).append((sub.col_offset, sub.end_col_offset, keys[sub.slice.value]))
    if any(isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ClassDef)) and n is not scope for n in nodes
           if any(isinstance(m, ast.Name) and m.id == target.id for m in ast.walk(n))):
        return None   # read in a nested scope: it may run at another time
    edits = []
    for line, cuts in spots.items():
        row = lines[line - 1].encode("utf-8")
        for start, end, name in sorted(cuts, reverse=True):
            row = row[:start] + name.encode("utf-8") + row[end:]
        edits.append((line - 1, line, [row.decode("utf-8")]))
    return edits
