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
        images = images.reshape(len(images), 28 * 28) if reshape else images[..., None]
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
            np = next((n for n, q in _module_imports(prog.tree).items() if q == "numpy"), None)
            head = [] if np else ["import numpy as np"]
            if _module_imports(prog.tree).get("SimpleNamespace") != "types.SimpleNamespace":
                head.append("from types import SimpleNamespace")
            return "\n".join(head + ["", "", READER.replace("{np}", np or "np").replace("{tf}", edit.tf)])
        calls = [n for n in ast.walk(stmt) if prog.call_key(n) == READ]
        if not calls:
            return None
        for call in calls:
            _check_arguments(call)
        return edit.with_edits(stmt, [(c.func, "read_mnist") for c in calls])


# NOTE: read_mnist keeps TF1's keyword names; TF1's second positional parameter is fake_data, not one_hot.
_KEYWORDS = {"train_dir", "one_hot", "reshape", "validation_size"}


def _check_arguments(call: ast.Call) -> None:
    """read_mnist takes what tutorials pass; other arguments keep the file in compat form, named."""
    if len(call.args) > 1 or any(isinstance(a, ast.Starred) for a in call.args):
        raise Blocked(call.lineno, "input_data.read_data_sets with more than one positional argument: "
                                   "pass one_hot=, reshape=, validation_size= by keyword")
    for kw in call.keywords:
        if kw.arg not in _KEYWORDS:
            raise Blocked(call.lineno, f"input_data.read_data_sets({kw.arg or '**'}=...): the TF2 reader takes "
                                       f"{', '.join(sorted(_KEYWORDS))}; remove {kw.arg or '**kwargs'} or convert by hand")

def _module_imports(tree: ast.Module) -> dict[str, str]:
    """Module-level import bindings: local name -> what it names ('np' -> 'numpy')."""
    out: dict[str, str] = {}
    for s in tree.body:
        if isinstance(s, ast.Import):
            out.update({a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in s.names})
        elif isinstance(s, ast.ImportFrom) and s.module:
            out.update({a.asname or a.name: f"{s.module}.{a.name}" for a in s.names})
    return out


def plain_reader(code: str, tree: ast.Module) -> str | None:
    """A file with no graph that reads MNIST (a data-loading helper beside the program): the same reader.

    The graph programs get it from the rule above; a helper module has no graph for the rule to run on.
    The import may sit inside the loading function: the reader then goes after the module's imports.
    """
    imports = [s for s in ast.walk(tree) if isinstance(s, ast.ImportFrom) and s.module == MODULE]
    if not imports or any([a.name for a in s.names] != ["input_data"] or s.names[0].asname for s in imports):
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "input_data.read_data_sets"]
    for call in calls:
        _check_arguments(call)
    names = _module_imports(tree)
    np = next((n for n, q in names.items() if q == "numpy"), None)
    tf = next((n for n, q in names.items() if q == "tensorflow"), None)
    head = ([] if np else ["import numpy as np"]) + ([] if tf else ["import tensorflow as tf"])
    if names.get("SimpleNamespace") != "types.SimpleNamespace":
        head.append("from types import SimpleNamespace")
    reader = "\n".join(head + ["", "", READER.replace("{np}", np or "np").replace("{tf}", tf or "tf")])
    offsets = [0]
    for ln in code.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(ln.encode("utf-8")))

    def span(node: ast.AST, whole_lines: bool = False) -> tuple[int, int]:
        if whole_lines:   # NOTE: an import inside a function goes with its line (and the line's end)
            return offsets[node.lineno - 1], offsets[node.end_lineno]
        return offsets[node.lineno - 1] + node.col_offset, offsets[node.end_lineno - 1] + node.end_col_offset

    edits = [(*span(c.func), "read_mnist") for c in calls]
    top = next((s for s in imports if s in tree.body), None)
    if top is not None:
        edits.append((*span(top), reader))
    else:
        last = max((s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))), default=None,
                   key=lambda s: s.end_lineno)
        at = span(last)[1] if last is not None else 0
        edits.append((at, at, ("\n" if last is not None else "") + reader + ("\n\n" if last is None else "")))
    edits += [(*span(s, whole_lines=True), "") for s in imports if s is not top]
    raw = code.encode("utf-8")
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        raw = raw[:start] + new.encode("utf-8") + raw[end:]
    return raw.decode("utf-8")
