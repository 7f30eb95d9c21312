"""Whether an expression of a TF1 program is a float or an integer value, read from the source alone.

    kinds = Kinds(ast.parse("x = tf.placeholder(tf.float32)\\ny = tf.reduce_sum(x) / 2\\nn = len(data)"))
    kinds.of(<y>)  ->  "float"      kinds.of(<n>)  ->  "int"      kinds.of(<data>)  ->  None (not known)

Only what is certain counts: a name is known when every binding of it in its scope is known
and they agree; a call is known for the TF ops listed here (by their output dtype rule) and
for any call with a `dtype=` argument. `tf.div` needs this: it divides floats and floors integers.
"""
from __future__ import annotations

import ast

from upgrader.scan import TF, dotted, to_key

FLOAT, INT = "float", "int"
_DTYPES = {**{d: FLOAT for d in ("float16", "float32", "float64", "bfloat16", "double", "half", "float",
                                 "complex64", "complex128")},
           **{d: INT for d in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "int")}}
# output dtype = the first argument's (elementwise math, reductions, shape changes, gathers)
_SAME = frozenset(f"tf.{n}" for n in (
    "add", "subtract", "sub", "multiply", "mul", "negative", "abs", "square", "maximum", "minimum", "floordiv",
    "mod", "pow", "identity", "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "cumsum",
    "expand_dims", "squeeze", "reshape", "transpose", "matmul", "gather", "gather_nd", "tile", "slice",
    "nn.relu", "nn.embedding_lookup", "stop_gradient", "math.add", "math.subtract", "math.multiply",
    "math.reduce_sum", "math.reduce_mean", "math.square", "math.abs", "linalg.matmul", "nn.bias_add"))
_FLOAT = frozenset(f"tf.{n}" for n in (
    "truediv", "divide", "math.truediv", "math.divide", "sqrt", "rsqrt", "exp", "log", "sigmoid", "tanh",
    "nn.softmax", "nn.sigmoid", "nn.tanh", "nn.l2_normalize", "random_normal", "random_uniform",
    "truncated_normal", "random.normal", "random.uniform", "random.truncated_normal", "linspace",
    "zeros", "ones", "eye", "nn.softmax_cross_entropy_with_logits", "nn.sigmoid_cross_entropy_with_logits",
    "nn.sparse_softmax_cross_entropy_with_logits", "get_variable"))   # dtype= overrides these defaults
_INT = frozenset(f"tf.{n}" for n in ("argmax", "argmin", "arg_max", "arg_min", "math.argmax", "shape", "size", "rank"))
_FIRST_DTYPE = frozenset({"tf.placeholder", "tf.cast"})   # dtype is an early positional argument
_VALUE = frozenset({"tf.constant", "tf.Variable", "tf.convert_to_tensor", "tf.fill"})   # dtype of the value
_METHODS = frozenset({"reshape", "copy", "transpose", "squeeze", "flatten", "ravel"})   # keep the array's dtype
_TUPLES = {"tf.nn.top_k": (None, INT), "tf.unique": (None, INT)}   # None: the first argument's


class Kinds:
    """`of(expr)` -> "float" | "int" | None for expressions of one module (see the module docstring)."""

    def __init__(self, tree: ast.Module, aliases: dict[str, str]) -> None:
        self.aliases, self.module = aliases, tree
        self.scope_of: dict[int, ast.AST] = {}     # id(Name node) -> the function (or module) it is read in
        self.parent: dict[int, ast.AST] = {}       # id(function) -> the scope it is defined in
        self.globals: dict[int, set[str]] = {}     # id(function) -> names it declares global/nonlocal
        self.bindings: dict[tuple[int, str], list[tuple[ast.expr | None, int | None]]] = {}
        self._busy: set[tuple[int, str]] = set()
        self._memo: dict[tuple[int, str], str | None] = {}
        self._walk(tree, tree)

    def _walk(self, node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                inner = child
                self.parent[id(child)] = scope
                self.globals[id(child)] = {n for s in ast.walk(child) if isinstance(s, (ast.Global, ast.Nonlocal))
                                           for n in s.names}
                for a in ast.walk(child.args):
                    if isinstance(a, ast.arg):
                        self._bind(child, a.arg, None, None)
            if isinstance(child, ast.Assign):
                for t in child.targets:
                    self._target(scope, t, child.value)
            elif isinstance(child, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr)):
                self._target(scope, child.target, child.value if isinstance(child, (ast.AnnAssign, ast.NamedExpr)) else None)
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                self._target(scope, child.optional_vars, None)
            elif isinstance(child, ast.comprehension):
                self._target(scope, child.target, None)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                self._bind(scope, child.name, None, None)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for a in child.names:
                    self._bind(scope, (a.asname or a.name).split(".")[0], None, None)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(scope, child.name, None, None)
            elif isinstance(child, ast.Name):
                self.scope_of[id(child)] = scope
            self._walk(child, inner)

    def _target(self, scope: ast.AST, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self._bind(scope, target.id, value, None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = any(isinstance(e, ast.Starred) for e in target.elts)
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name):
                    self._bind(scope, elt.id, None if starred else value, None if starred or value is None else i)
                else:
                    self._target(scope, elt.value if isinstance(elt, ast.Starred) else elt, None)

    def _bind(self, scope: ast.AST, name: str, value: ast.expr | None, index: int | None) -> None:
        if name in self.globals.get(id(scope), ()):
            scope = self.module
        self.bindings.setdefault((id(scope), name), []).append((value, index))

    def key(self, node: ast.expr) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        root, _, rest = name.partition(".")
        qual = self.aliases.get(root)
        if qual is None or not qual.startswith(TF):
            return None
        return to_key(qual + ("." + rest if rest else ""))

    def of(self, node: ast.expr | None, index: int | None = None) -> str | None:
        """The kind of `node` (of its `index`-th element when a tuple is unpacked from it), or None."""
        if node is None:
            return None
        if isinstance(node, ast.Call):
            return self._call(node, index)
        if index is not None:
            return self.of(node.elts[index]) if isinstance(node, (ast.Tuple, ast.List)) and index < len(node.elts) else None
        if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
            return INT if isinstance(node.value, int) else FLOAT if isinstance(node.value, (float, complex)) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.of(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = self.of(node.left), self.of(node.right)
            if a is None or b is None:
                return None
            return FLOAT if isinstance(node.op, ast.Div) or FLOAT in (a, b) else INT
        if isinstance(node, ast.Subscript):
            return self.of(node.value)
        if isinstance(node, ast.Name):
            return self._name(node)
        return None

    def _name(self, node: ast.Name) -> str | None:
        scope = self.scope_of.get(id(node), self.module)
        while (id(scope), node.id) not in self.bindings and scope is not self.module:
            scope = self.parent.get(id(scope), self.module)   # a free name: the enclosing scope's binding
        key = (id(scope), node.id)
        found = self.bindings.get(key)
        if key in self._memo:
            return self._memo[key]
        if not found or key in self._busy:
            return None
        self._busy.add(key)
        try:
            kinds = {self.of(v, i) for v, i in found}
        finally:
            self._busy.discard(key)
        self._memo[key] = kinds.pop() if len(kinds) == 1 else None   # NOTE: `y = x + x` chains stay linear
        return self._memo[key]

    def _call(self, call: ast.Call, index: int | None) -> str | None:
        key = self.key(call.func)
        dtype = next((k.value for k in call.keywords if k.arg == "dtype"), None)
        if key in _FIRST_DTYPE and call.args:
            dtype = call.args[0] if key == "tf.placeholder" else call.args[1] if len(call.args) > 1 else dtype
        if dtype is not None and index is None:
            return self._dtype(dtype)
        if key in _TUPLES:
            if index is None:
                return None
            out = _TUPLES[key][index] if index < len(_TUPLES[key]) else None
            return out or (self.of(call.args[0]) if call.args else None)
        if index is not None:
            return None
        first = call.args[0] if call.args else None
        if key in _SAME or key in _VALUE:
            if isinstance(first, (ast.List, ast.Tuple)) and first.elts and key not in _VALUE:
                first = first.elts[0]
            return self.of(first) if not (key in _VALUE and isinstance(first, (ast.List, ast.Tuple))) else _list(self, first)
        if key in _FLOAT:
            return FLOAT
        if key in _INT:
            return INT
        if isinstance(call.func, ast.Name) and call.func.id in ("len", "int", "float") and call.func.id not in self.aliases:
            return FLOAT if call.func.id == "float" else INT
        if key is None and isinstance(call.func, ast.Attribute):   # NumPy: np.float32(x), a.reshape(...), a.astype(t)
            if call.func.attr in _METHODS:
                return self.of(call.func.value)
            if call.func.attr == "astype" and call.args:
                return self._dtype(call.args[0])
            return self._dtype(call.func) if call.func.attr in _DTYPES and call.func.attr not in ("int", "float") else None
        return None

    def _dtype(self, node: ast.expr) -> str | None:
        key = self.key(node)
        name = key.rsplit(".", 1)[-1] if key else node.value if isinstance(node, ast.Constant) and isinstance(
            node.value, str) else getattr(node, "attr", None)   # np.float32 and 'float32' alike
        return _DTYPES.get(name) if isinstance(name, str) else None


def _list(kinds: Kinds, node: ast.List | ast.Tuple) -> str | None:
    """A nested list literal: float if any element is, int if all are."""
    found = {kinds.of(e) if not isinstance(e, (ast.List, ast.Tuple)) else _list(kinds, e) for e in node.elts}
    return None if not found or None in found else FLOAT if FLOAT in found else INT
