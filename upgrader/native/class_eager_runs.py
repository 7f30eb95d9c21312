"""`sess.run(t)` of a module-level tensor computed from NumPy data only, beside model classes: `t.numpy()`.

    predictions = np.zeros([50, 10])                      (unchanged)
    for m in models:
        predictions += m.predict(xs)                      (a model method: NumPy in TF1, NumPy in TF2)
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(predictions, 1), tf.argmax(ys, 1)), tf.float32))
    print(sess.run(acc))                          ->      print(acc.numpy())

TF1 turned the NumPy arrays into constants when it built the op, and `sess.run` computed the op
from them; TF2 computes the same op from the same arrays at the same line, eagerly, so its
`.numpy()` is the value `sess.run` returned. Only a tensor bound once at module level by
TensorFlow math (no variable, placeholder, random op or other state: native/hoist.py's test)
whose names are other such tensors or plain data qualifies. Plain data is a name whose every
binding computes without TensorFlow and reads no attribute of anything but a module (a model's
`m.logits` is a graph tensor in TF1; `m.predict(xs)`, a method's result, is data).

    eager_run(tree, call, sessions) -> "acc.numpy()" for `sess.run(acc)`, else None
"""
from __future__ import annotations

import ast

from upgrader.native.hoist import NOT_PURE
from upgrader.scan import collect_aliases, dotted

DATA_MODULES = ("tensorflow.examples.tutorials", "tensorflow.keras.datasets", "tensorflow.contrib.learn.python.learn.datasets")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def eager_run(tree: ast.Module, call: ast.Call, sessions: set[str]) -> str | None:
    f = call.func
    if not (isinstance(f, ast.Attribute) and f.attr == "run" and isinstance(f.value, ast.Name)
            and f.value.id in sessions and len(call.args) == 1 and not call.keywords):
        return None
    fetched = call.args[0]
    items = fetched.elts if isinstance(fetched, (ast.List, ast.Tuple)) else [fetched]
    if not items or not all(isinstance(e, ast.Name) for e in items):
        return None
    facts = _Facts(tree, sessions)
    if not all(facts.tensor(e.id) for e in items):
        return None
    values = [f"{e.id}.numpy()" for e in items]
    if isinstance(fetched, ast.Name):
        return values[0]
    return f"[{', '.join(values)}]" if isinstance(fetched, ast.List) else f"({', '.join(values)}{',' * (len(values) == 1)})"


class _Facts:
    """What each module-level name is bound to: TensorFlow math on data, or data."""

    def __init__(self, tree: ast.Module, sessions: set[str]) -> None:
        self.modules = {(a.asname or a.name).split(".")[0] for s in ast.walk(tree) if isinstance(s, ast.Import)
                        for a in s.names}
        self.tf = {a.asname or a.name for s in ast.walk(tree) if isinstance(s, ast.Import) for a in s.names
                   if a.name.split(".")[0] == "tensorflow"} | {
            a.asname or a.name for s in ast.walk(tree) if isinstance(s, ast.ImportFrom)
            and (s.module or "").split(".")[0] == "tensorflow" for a in s.names}
        self.tree, self.sessions = tree, sessions
        self.aliases = collect_aliases(tree)
        self.loaders = {t.id for st in tree.body if isinstance(st, ast.Assign) and isinstance(st.value, ast.Call)
                        and self._loader(st.value.func) for t in st.targets if isinstance(t, ast.Name)}
        self.builders = {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef)) and any(
            isinstance(r := _root(n), ast.Name) and r.id in self.tf for n in ast.walk(s) if isinstance(n, ast.Call))}
        self.sources: dict[str, list[ast.AST]] = {}   # name -> the expressions its bindings take values from
        self.assigns: dict[str, list[ast.AST]] = {}   # name -> its binding statements
        self._collect(tree)
        self.seen: dict[str, bool] = {}

    def _collect(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                continue   # NOTE: names bound inside functions and classes are theirs, not the module's
            pairs: list[tuple[ast.AST, ast.AST]] = []
            if isinstance(child, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and child.value is not None:
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                pairs = [(t, child.value) for t in targets]
            elif isinstance(child, (ast.For, ast.comprehension)):
                pairs = [(child.target, child.iter)]
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                pairs = [(child.optional_vars, child.context_expr)]
            elif isinstance(child, ast.NamedExpr):
                pairs = [(child.target, child.value)]
            for target, value in pairs:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name):
                        self.sources.setdefault(n.id, []).append(value)
                        self.assigns.setdefault(n.id, []).append(child)
            self._collect(child)

    def _module_class(self, name: str) -> bool:
        return any(isinstance(s, ast.ClassDef) and s.name == name and any(
            isinstance(b, ast.Attribute) and b.attr == "Module" for b in s.bases) for s in self.tree.body)

    def _loader(self, func: ast.AST) -> bool:
        """`input_data.read_data_sets`, `tf.keras.datasets.mnist.load_data`: NumPy data in TF1 as in TF2."""
        name = dotted(func)
        head, _, rest = (name or "").partition(".")
        return (self.aliases.get(head, "") + "." + rest).startswith(DATA_MODULES)

    def _tf_calls(self, node: ast.AST) -> list[str]:
        return [ast.unparse(n.func) for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(
            root := _root(n.func), ast.Name) and root.id in self.tf and not self._loader(n.func)]

    def tensor(self, name: str) -> bool:
        """Bound once, at module level, to pure TensorFlow math on data and such tensors."""
        stmts = self.assigns.get(name, [])
        if len(stmts) != 1 or not isinstance(stmts[0], ast.Assign) or len(stmts[0].targets) != 1 \
                or not isinstance(stmts[0].targets[0], ast.Name):
            return False
        value = stmts[0].value
        calls = self._tf_calls(value)
        return bool(calls) and not any(NOT_PURE.search(c) for c in calls) and self._reads_only_data(value, tensors=True)

    def data(self, name: str) -> bool:
        """Computed without TensorFlow from data (NumPy arrays, model methods' results, Python values)."""
        if name in self.seen:
            return self.seen[name]
        if name in self.sessions or name in self.tf or name in self.builders and not self._module_class(name):
            return False   # NOTE: a function building graph values returns them; a model class's methods return data
        self.seen[name] = True   # NOTE: `total += x` reads itself: assume data while checking
        ok = all(not self._tf_calls(v) and self._reads_only_data(v, tensors=False) for v in self.sources.get(name, []))
        self.seen[name] = ok
        return ok

    def _reads_only_data(self, value: ast.AST, tensors: bool) -> bool:
        calls = {id(n.func) for n in ast.walk(value) if isinstance(n, ast.Call)}
        local = {n.id for c in ast.walk(value) if isinstance(c, ast.comprehension) for n in ast.walk(c.target)
                 if isinstance(n, ast.Name)}
        for n in ast.walk(value):
            if isinstance(n, ast.Attribute) and id(n) not in calls and not (
                    isinstance(r := _root(n), ast.Name) and (r.id in self.modules or r.id in self.loaders)):
                return False   # `m.logits`: an attribute of an object, perhaps a graph tensor (`mnist.test.labels`: data)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local and n.id not in self.tf:
                if not (self.data(n.id) or tensors and self.tensor(n.id)):
                    return False
        return True


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node
