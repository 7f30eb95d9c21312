"""Module-level functions a model class builds its graph with, converted with the class.

    def conv_relu(inputs, filters, scope_name):               class ConvRelu(tf.Module):
        with tf.variable_scope(scope_name, reuse=...):            ...   (variables made once, on the first call)
            kernel = tf.get_variable("kernel", ...)
        ...                                              ->
    class ConvNet(object):                                    class ConvNet(tf.Module):
        def inference(self):                                      def __init__(self):
            conv1 = conv_relu(self.img, 32, "conv1")                  self.conv1_layer = ConvRelu(32, "conv1")

The flat program (native/class_flatten.py) gets the functions the class calls, ahead of its graph and
between marks, so the analysis follows them as it follows a script's helpers; their converted form goes
back where the first of them stood, the class's part into the class. A function the rest of the file
also uses blocks the class (its converted form would change what that code gets).
"""
from __future__ import annotations

import ast

END = "# --- tfcompat: the class's helper functions end here ---"


def _called(node: ast.AST, names: set[str]) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in names}


def helpers(cls: ast.ClassDef, tree: ast.Module, tf: str) -> list[ast.FunctionDef]:
    """The top-level defs with TensorFlow code that `cls` calls (and that they call), in file order."""
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)
            and any(isinstance(n, ast.Name) and n.id == tf for n in ast.walk(s))}
    found, todo = set(), _called(cls, set(defs))
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo |= _called(defs[name], set(defs))
    inside = {id(n) for owner in [cls, *(defs[f] for f in found)] for n in ast.walk(owner)}
    elsewhere = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in inside}
    if found & elsewhere:
        from upgrader.native.class_sessions import NotAModel
        raise NotAModel(f"function '{sorted(found & elsewhere)[0]}' builds part of its graph and is also used outside "
                        "the class (its converted form would change what that code gets)")
    return [s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name in found]


def helper_text(defs: list[ast.FunctionDef], lines: list[str]) -> str:
    """The defs' source, then the end mark (empty without defs)."""
    if not defs:
        return ""
    parts = ["".join(lines[min([d.lineno] + [x.lineno for x in d.decorator_list]) - 1:d.end_lineno]) for d in defs]
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts) + "\n\n" + END + "\n"


def split_helpers(converted: str) -> tuple[str, str]:
    """A converted flat program -> (its helpers' converted text, the class's part); ('', text) without helpers."""
    head, sep, rest = converted.partition(END + "\n")
    if not sep:
        if END in converted:
            raise ValueError("the helper functions' end mark is not on a line of its own")
        return "", converted
    return head.strip("\n") + "\n", rest


def helper_edits(defs: list[ast.FunctionDef], text: str) -> list[tuple[ast.AST, str]]:
    """The first def gives way to the converted helpers, the others to nothing."""
    return [(d, text if i == 0 else "") for i, d in enumerate(defs)]
