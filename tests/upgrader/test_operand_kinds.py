"""native/operand_kinds.py: float, int or unknown, read from the source (what tf.div's rewrite relies on)."""
from __future__ import annotations

import ast

import pytest

from upgrader.native.operand_kinds import Kinds
from upgrader.scan import collect_aliases

SOURCE = '''
import numpy as np
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 3])
n = tf.placeholder("int32")
vals, idx = tf.nn.top_k(x, k=2)
vals = tf.truediv(1.0, vals)
size = len([1, 2])
table = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
mixed = 1
mixed = 2.0
data = np.load("d.npy")
flag = tf.constant([[1, 2], [3, 4.5]])

def f(a):
    global g
    g = tf.zeros([2])
    local = tf.argmax(a, 1)
    return a, local, x, n

def h():
    x = tf.cast(n, tf.int64)
    return x
'''


def _kinds() -> tuple[Kinds, dict[str, list[ast.expr]]]:
    tree = ast.parse(SOURCE)
    by_text: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Return):
            for i, elt in enumerate(node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]):
                by_text.setdefault(ast.unparse(elt), []).append(elt)
    return Kinds(tree, collect_aliases(tree)), by_text


@pytest.mark.parametrize("expr, kind", [
    ("x", "float"), ("n", "int"), ("vals", "float"), ("idx", "int"), ("size", "int"), ("table", "float"),
    ("mixed", None), ("data", None), ("flag", "float"), ("g", "float"), ("x * 2", "float"), ("n // 2", "int"),
    ("n / 2", "float"), ("tf.reduce_sum(table, 1)", "float"), ("tf.argmax(x, 1)", "int"), ("-3", "int"),
    ("tf.shape(x)[0]", "int"), ("np.float32(n)", "float"), ("data.astype(np.int64)", "int"), ("foo(x)", None),
])
def test_module_level_kinds(expr: str, kind: str | None) -> None:
    tree = ast.parse(SOURCE + f"\nprobe = {expr}\n")
    probe = tree.body[-1].value
    assert Kinds(tree, collect_aliases(tree)).of(probe) == kind


def test_scopes() -> None:
    kinds, returned = _kinds()
    assert kinds.of(returned["a"][0]) is None                 # a parameter
    assert kinds.of(returned["local"][0]) == "int"            # the function's own binding
    assert [kinds.of(e) for e in returned["x"]] == ["float", "int"]   # module's x in f, h's local x (cast) in h
    assert kinds.of(returned["n"][0]) == "int"                # a free name: the module's binding
