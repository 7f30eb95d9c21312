"""TF1's tutorial MNIST reader (`tensorflow.examples.tutorials.mnist.input_data`) is gone in TF2; native mode
writes a small reader with the same interface on `tf.keras.datasets.mnist` in its place."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.model import Entity, Program

MODULE = "tensorflow.examples.tutorials.mnist"
READ = "tf.examples.tutorials.mnist.input_data.read_data_sets"

# NOTE: the same splits, scaling, one-hot labels and batching as TF1's reader: validation is the
# first 5,000 training images, images are float32 in [0, 1], next_batch reshuffles every epoch.
READER = '''\
class MnistSplit:
    """One split of TF1's tutorial MNIST reader: `images`, `labels`, `num_examples`, `next_batch`."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels
        self.num_examples = len(images)
        self.epochs_completed = 0
        self._order, self._pos = None, 0

    def next_batch(self, batch_size, shuffle=True):
        if self._order is None:
            self._order = {np}.random.permutation(self.num_examples) if shuffle else {np}.arange(self.num_examples)
        if self._pos + batch_size <= self.num_examples:
            take = self._order[self._pos:self._pos + batch_size]
            self._pos += batch_size
        else:   # the epoch's last examples, then the first of a newly shuffled epoch
            rest = self._order[self._pos:]
            self._order = {np}.random.permutation(self.num_examples) if shuffle else {np}.arange(self.num_examples)
            self._pos = batch_size - len(rest)
            self.epochs_completed += 1
            take = {np}.concatenate([rest, self._order[:self._pos]])
        return self.images[take], self.labels[take]


def read_mnist(train_dir=None, one_hot=False, reshape=True, validation_size=5000):
    """TF1's `input_data.read_data_sets` on `tf.keras.datasets.mnist` (Keras keeps its own copy: train_dir is unused)."""
    (x_train, y_train), (x_test, y_test) = {tf}.keras.datasets.mnist.load_data()

    def split(images, labels):
        images = images.astype({np}.float32) / 255.0
        images = images.reshape(len(images), -1) if reshape else images[..., None]
        return MnistSplit(images, {np}.eye(10)[labels] if one_hot else labels)

    return SimpleNamespace(train=split(x_train[validation_size:], y_train[validation_size:]),
                           validation=split(x_train[:validation_size], y_train[:validation_size]),
                           test=split(x_test, y_test))'''


class NativeMnist(NativeRule):
    """The tutorial MNIST reader becomes a reader on Keras's copy of MNIST, with the same interface.

    from tensorflow.examples.tutorials.mnist import input_data   ->  class MnistSplit: ... def read_mnist(...): ...
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)  ->  mnist = read_mnist("MNIST_data/", one_hot=True)
    """

    DESCRIPTION = "tensorflow.examples.tutorials.mnist.input_data -> a reader with its interface on tf.keras.datasets.mnist"
    PRIORITY = 6

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if isinstance(stmt, ast.ImportFrom) and stmt.module == MODULE:
            if [a.name for a in stmt.names] != ["input_data"] or stmt.names[0].asname:
                raise Blocked(stmt.lineno, f"from {MODULE} import {', '.join(a.name for a in stmt.names)}: "
                                           "native mode converts `import input_data` only")
            self.change("the tutorial MNIST reader -> read_mnist() on tf.keras.datasets.mnist (same interface)")
            np = next((n for n, q in _imports(prog).items() if q == "numpy"), None)
            head = [] if np else ["import numpy as np"]
            if _imports(prog).get("SimpleNamespace") != "types.SimpleNamespace":
                head.append("from types import SimpleNamespace")
            return "\n".join(head + ["", "", READER.replace("{np}", np or "np").replace("{tf}", edit.tf)])
        calls = [n for n in ast.walk(stmt) if prog.call_key(n) == READ]
        if not calls:
            return None
        if not (isinstance(stmt, ast.Assign) and stmt.value is calls[0]):
            raise Blocked(stmt.lineno, "input_data.read_data_sets inside an expression: native mode converts "
                                       "`mnist = input_data.read_data_sets(...)`")
        return edit.with_edits(stmt, [(calls[0].func, "read_mnist")])


def _imports(prog: Program) -> dict[str, str]:
    """Module-level import bindings: local name -> what it names ('np' -> 'numpy')."""
    out: dict[str, str] = {}
    for s in prog.tree.body:
        if isinstance(s, ast.Import):
            out.update({a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in s.names})
        elif isinstance(s, ast.ImportFrom) and s.module:
            out.update({a.asname or a.name: f"{s.module}.{a.name}" for a in s.names})
    return out
