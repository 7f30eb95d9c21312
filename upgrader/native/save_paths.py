"""A checkpoint path spelled as a directory and a file name, in any of the usual spellings.

    os.path.join(ckpt_dir, "model.ckpt")   ->  (ckpt_dir, "model.ckpt")
    ckpt_dir + "/model.ckpt"               ->  (ckpt_dir, "model.ckpt")
    ckpt_dir + "/" + "model.ckpt"          ->  (ckpt_dir, "model.ckpt")
    f"{ckpt_dir}/model.ckpt"               ->  (ckpt_dir, "model.ckpt")
    "%s/model.ckpt" % ckpt_dir             ->  (ckpt_dir, "model.ckpt")
    "{}/model.ckpt".format(ckpt_dir)       ->  (ckpt_dir, "model.ckpt")

A path held in a name bound once is read through it (`name = os.path.join(d, "model")`;
`saver.save(sess, name, step)`), and several save sites writing the same path (the best model so
far, saved from two branches) share one manager: `unmanaged(...)` says why the sites do not.

A `tf.train.CheckpointManager(checkpoint, directory, checkpoint_name=name)` writes
`directory/name-N`, the file TF1's `saver.save(sess, path, global_step=N)` wrote, and keeps the
`checkpoint` state file `tf.train.get_checkpoint_state(directory)` reads; so native mode needs the
path split in two. The file name must be a literal without a "/" (a path below the directory
would be another directory).

    split_save_path(node) -> (directory expression, file name) or None
"""
from __future__ import annotations

import ast
from typing import Any


def _name(text: object, lead: str = "") -> str | None:
    """'model.ckpt' from '/model.ckpt' (lead '/'), when it names a file directly below the directory."""
    if not isinstance(text, str) or not text.startswith(lead):
        return None
    rest = text[len(lead):]
    return rest if rest and "/" not in rest and "%" not in rest and "{" not in rest else None


def _const(node: ast.AST) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def split_save_path(node: ast.expr) -> tuple[ast.expr, str] | None:
    """The directory expression and the file name of a save path, or None when it is not spelled as the two."""
    if isinstance(node, ast.Call) and not node.keywords and ast.unparse(node.func) == "os.path.join" \
            and len(node.args) == 2 and (name := _name(_const(node.args[1]))) is not None:
        return node.args[0], name
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        if (name := _name(_const(node.right), "/")) is not None:
            return node.left, name   # d + "/model.ckpt"
        left = node.left
        if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add) and _const(left.right) == "/" and (
                name := _name(_const(node.right))) is not None:
            return left.left, name   # d + "/" + "model.ckpt"
        return None
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2:
        head, tail = node.values
        if isinstance(head, ast.FormattedValue) and head.conversion == -1 and head.format_spec is None and (
                name := _name(_const(tail), "/")) is not None:
            return head.value, name   # f"{d}/model.ckpt"
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and (name := _name(_const(node.left), "%s/")):
        arg = node.right.elts[0] if isinstance(node.right, ast.Tuple) and len(node.right.elts) == 1 else node.right
        return (arg, name) if not isinstance(arg, ast.Tuple) else None   # "%s/model.ckpt" % d
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" and \
            len(node.args) == 1 and not node.keywords and (name := _name(_const(node.func.value), "{}/")):
        return node.args[0], name   # "{}/model.ckpt".format(d)
    return None


def save_path(save: ast.Call) -> ast.expr | None:
    """The save_path argument of `saver.save(sess, save_path, ...)`."""
    return (dict(zip(("sess", "save_path"), save.args)) | {k.arg: k.value for k in save.keywords}).get("save_path")


def bound_path(tree: ast.Module, path: ast.expr | None) -> ast.expr | None:
    """The value of a save path held in a name bound once (`name = os.path.join(d, "model")`), else the path."""
    if not isinstance(path, ast.Name):
        return path
    binds = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == path.id and not isinstance(n.ctx, ast.Load)]
    sets = [s for s in ast.walk(tree) if isinstance(s, ast.Assign) and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name) and s.targets[0].id == path.id]
    return sets[0].value if len(binds) == 1 and len(sets) == 1 else path


def unmanaged(prog: Any, saver: str, line: int, saves: list[ast.Call]) -> str | None:
    """Why the save sites do not map onto one CheckpointManager (None: they do).

    Several save sites writing the same path (the best model so far, saved from two branches) share one manager."""
    if not saves:
        return f"'{saver}' is saved at 0 places (a manager needs a save site)"
    if len({ast.dump(p) if (p := save_path(s)) is not None else None for s in saves}) != 1:
        return f"'{saver}' is saved at {len(saves)} places to different paths (a manager writes to one)"
    for save in saves:
        given = dict(zip(("sess", "save_path", "global_step"), save.args)) | {k.arg: k.value for k in save.keywords}
        if given.get("global_step") is None:
            return f"{saver}.save has no global_step= (a manager numbers every checkpoint)"
    path = bound_path(prog.tree, save_path(saves[0]))
    before = {n.id for s in prog.tree.body if s.end_lineno < line
              for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if isinstance(path, ast.Constant) and isinstance(path.value, str) and path.value.rpartition("/")[2]:
        return None
    split = split_save_path(path) if path is not None else None
    if split is None:
        return f"the save path at line {saves[0].lineno} is not a directory and a file name (directory + \"/name\")"
    # NOTE: a name bound nowhere in the file is the model class's configuration (`self.model`, written out flat,
    # native/class_flatten.py), set in __init__ before the Saver is made
    bound = {n.id for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)} | {
        a.arg for a in ast.walk(prog.tree) if isinstance(a, ast.arg)}
    unknown = [n.id for n in ast.walk(split[0]) if isinstance(n, ast.Name) and n.id not in before and n.id in bound]
    return f"the checkpoint directory uses {unknown} defined after the Saver" if unknown else None
