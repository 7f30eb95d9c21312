"""A checkpoint path spelled as a directory and a file name, in any of the usual spellings.

    os.path.join(ckpt_dir, "model.ckpt")   ->  (ckpt_dir, "model.ckpt")
    ckpt_dir + "/model.ckpt"               ->  (ckpt_dir, "model.ckpt")
    ckpt_dir + "/" + "model.ckpt"          ->  (ckpt_dir, "model.ckpt")
    f"{ckpt_dir}/model.ckpt"               ->  (ckpt_dir, "model.ckpt")
    "%s/model.ckpt" % ckpt_dir             ->  (ckpt_dir, "model.ckpt")
    "{}/model.ckpt".format(ckpt_dir)       ->  (ckpt_dir, "model.ckpt")

A `tf.train.CheckpointManager(checkpoint, directory, checkpoint_name=name)` writes
`directory/name-N`, the file TF1's `saver.save(sess, path, global_step=N)` wrote, and keeps the
`checkpoint` state file `tf.train.get_checkpoint_state(directory)` reads; so native mode needs the
path split in two. The file name must be a literal without a "/" (a path below the directory
would be another directory).

    split_save_path(node) -> (directory expression, file name) or None
"""
from __future__ import annotations

import ast


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
