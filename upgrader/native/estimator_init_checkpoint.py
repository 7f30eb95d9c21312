"""A TF1 graph that only writes a name-based checkpoint for an Estimator's warm_start_from, written without it.

    with tf.Graph().as_default():
        variables = [tf.Variable(v, name=k) for k, v in values.items()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver(variables).save(sess, os.path.join(d, "init"))
    ->
    tf.raw_ops.SaveV2(prefix=os.path.join(d, "init"), tensor_names=[k for k, v in values.items()],
                      shape_and_slices=["" for k, v in values.items()], tensors=[v for k, v in values.items()])

The same TF1 checkpoint (tensors keyed by the variables' names), which the converted Estimator's warm start
reads by those names. It converts when the path is one a warm_start_from names (no `checkpoint` state file is
written, so it must be the prefix itself); anything else in the block leaves it to the rest of native mode.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked


def init_checkpoint_edits(prog, tree: ast.Module) -> list[tuple[ast.AST, str]]:
    """(with-statement, its SaveV2 text) for each module-level checkpoint-writing graph block."""
    tf = next((a for a, full in prog.aliases.items() if full == "tensorflow"), "tf")
    warm = {ast.unparse(k.value) for n in ast.walk(tree) if isinstance(n, ast.Call)
            for k in n.keywords if k.arg == "warm_start_from"}
    edits = []
    for stmt in tree.body:
        found = _block(prog, stmt)
        if found is None:
            continue
        made, path = found
        if ast.unparse(path) not in warm:
            raise Blocked(stmt.lineno, "a graph writing a checkpoint with tf.train.Saver converts when a warm_start_from "
                                       f"names its path ({ast.unparse(path)[:50]})")
        source = lambda node: ast.get_source_segment(prog.source, node)   # noqa: E731
        if isinstance(made, ast.ListComp):
            gens = " ".join("for " + source(g.target) + " in " + source(g.iter) + "".join(" if " + source(c) for c in g.ifs)
                            for g in made.generators)
            call = made.elt
            names, values, slices = (f"[{source(_name(call))} {gens}]", f"[{source(call.args[0])} {gens}]",
                                     f'["" {gens}]')
        else:
            names = "[" + ", ".join(source(_name(c)) for c in made.elts) + "]"
            values = "[" + ", ".join(source(c.args[0]) for c in made.elts) + "]"
            slices = "[" + ", ".join('""' for _ in made.elts) + "]"
        edits.append((stmt, f"{tf}.raw_ops.SaveV2(prefix={source(path)}, tensor_names={names},\n"
                            f"                  shape_and_slices={slices}, tensors={values})"))
    return edits


def _block(prog, stmt: ast.stmt) -> tuple[ast.expr, ast.expr] | None:
    """(the variables' list, the path) when `stmt` is `with tf.Graph().as_default():` making variables and saving them."""
    if not (isinstance(stmt, ast.With) and len(stmt.items) == 1 and stmt.items[0].optional_vars is None):
        return None
    ctx = stmt.items[0].context_expr
    if not (isinstance(ctx, ast.Call) and isinstance(ctx.func, ast.Attribute) and ctx.func.attr == "as_default" and
            isinstance(ctx.func.value, ast.Call) and prog.call_key(ctx.func.value) == "tf.Graph") or len(stmt.body) != 2:
        return None
    made, inner = stmt.body
    if not (isinstance(made, ast.Assign) and len(made.targets) == 1 and isinstance(made.targets[0], ast.Name)):
        return None
    var = made.targets[0].id
    calls = [made.value.elt] if isinstance(made.value, ast.ListComp) else made.value.elts \
        if isinstance(made.value, ast.List) else []
    if not calls or not all(isinstance(c, ast.Call) and prog.call_key(c) == "tf.Variable" and len(c.args) == 1 and
                            [k.arg for k in c.keywords] == ["name"] for c in calls):
        return None
    if not (isinstance(inner, ast.With) and len(inner.items) == 1 and isinstance(inner.items[0].optional_vars, ast.Name)
            and isinstance(inner.items[0].context_expr, ast.Call) and
            prog.call_key(inner.items[0].context_expr) == "tf.Session" and not inner.items[0].context_expr.args):
        return None
    sess = inner.items[0].optional_vars.id
    body = list(inner.body)
    if body and ast.unparse(body[0]).replace(" ", "") in (f"{sess}.run({a}.global_variables_initializer())"
                                                          for a in _spellings(prog)):
        body = body[1:]
    save = body[0].value if len(body) == 1 and isinstance(body[0], ast.Expr) else None
    if not (isinstance(save, ast.Call) and isinstance(save.func, ast.Attribute) and save.func.attr == "save" and
            isinstance(save.func.value, ast.Call) and prog.call_key(save.func.value) == "tf.train.Saver"):
        return None
    saver = save.func.value
    if ast.unparse(saver).split("(", 1)[1] != f"{var})" or len(save.args) != 2 or save.keywords or \
            ast.unparse(save.args[0]) != sess:
        return None
    reads = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id == var and isinstance(n.ctx, ast.Load)]
    if len(reads) != 1:   # NOTE: the variables are used elsewhere: not a block that only writes a checkpoint
        return None
    return made.value, save.args[1]


def _spellings(prog) -> list[str]:
    """How the file spells TF1's module: tf, tf.compat.v1 (for `tf.global_variables_initializer`)."""
    out = []
    for alias, full in prog.aliases.items():
        if full == "tensorflow":
            out += [alias, f"{alias}.compat.v1"]
        elif full in ("tensorflow.compat.v1", "tensorflow.compat.v1.compat.v1"):
            out.append(alias)
    return out


def _name(call: ast.Call) -> ast.expr:
    return next(k.value for k in call.keywords if k.arg == "name")
