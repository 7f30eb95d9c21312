"""A `variable_scope` inside a function whose block creates no variables: a `name_scope`, which is all it does there.

    def conv(x, name):                                  def conv(x, name):
        shape = x.get_shape().as_list()                     shape = x.get_shape().as_list()
        with tf.variable_scope(name) as scope:   ->        with tf.name_scope(name):
            y = tf.nn.relu(x)                                   y = tf.nn.relu(x)
        return y                                            return y

Without a variable to create or reuse inside it, TF1's variable_scope only prefixes the names of the
ops its block adds (it opens a name scope of the same name), so the function is a plain helper that
computes tensors from its arguments and is valid TF2 with a `tf.name_scope` (op names only). The block
must call nothing that could create a variable out of sight: TensorFlow calls outside the variable-making
families (layers, contrib, keras, RNN cells, get_variable, Variable, optimizers), builtins, a few methods
of shapes and strings, and functions of this file that pass the same test. The scope must be named by a
string or a parameter, with no arguments but `reuse=` (nothing to reuse) and `values=`, and a scope
object it binds (`as scope`) must be unused. In a method, `self.helper(...)` is followed into the class's own
method of that name (a class no other class of the file derives from), which must pass the same test.

    plain_scope_spans(tree, aliases, source, code) -> [(span, new text)]
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.scope_initializer import _key

SAFE_BUILTINS = frozenset({"range", "len", "int", "float", "bool", "list", "tuple", "dict", "set", "zip", "enumerate",
                           "print", "str", "max", "min", "sum", "abs", "round", "isinstance", "sorted", "reversed",
                           "getattr", "hasattr", "any", "all", "map", "type"})
SAFE_METHODS = frozenset({"get_shape", "as_list", "format", "append", "extend", "items", "keys", "values", "join",
                          "split", "lower", "upper", "replace", "startswith", "endswith", "strip", "reshape", "astype",
                          "squeeze", "transpose", "flatten", "tolist", "copy"})   # str, list, shape and array methods
MAKERS = ("tf.layers.", "tf.contrib.", "tf.keras.", "tf.nn.rnn_cell.", "tf.estimator.", "tf.train.", "tf.compat.",
          "tf.summary.", "tf.initializers.", "tf.saved_model.", "tf.feature_column.")
MAKER_WORDS = ("variable", "Variable", "rnn", "RNN", "Cell", "LSTM", "GRU", "template", "scope", "Scope", "Session")


def plain_scope_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str], code: str) -> list:
    if not any(isinstance(n, ast.Attribute) and n.attr == "variable_scope" for n in ast.walk(tree)):
        return []
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    safe: dict[str, bool] = {}
    lines = code.splitlines(keepends=True)
    out = []
    owners = _method_owners(tree)
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        params = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
        own = owners.get(id(fn))
        for w in (n for n in ast.walk(fn) if isinstance(n, ast.With) and len(n.items) == 1):
            call, alias = w.items[0].context_expr, w.items[0].optional_vars
            if not (isinstance(call, ast.Call) and _key(aliases, call.func) == "tf.variable_scope"):
                continue
            name = call.args[0] if len(call.args) == 1 else next(
                (k.value for k in call.keywords if k.arg in ("name_or_scope", "name")), None)
            if name is None or len(call.args) > 1 or any(k.arg not in ("name_or_scope", "reuse", "values")
                                                          for k in call.keywords):
                continue
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str) or isinstance(name, ast.JoinedStr)
                    or isinstance(name, ast.Name) and name.id in params and not _reassigned(fn, name.id)):
                continue
            if alias is not None and not (isinstance(alias, ast.Name) and not any(
                    isinstance(n, ast.Name) and n.id == alias.id and n is not alias for n in ast.walk(fn))):
                continue
            if not all(_creates_nothing(s, aliases, defs, safe, own) for s in w.body):
                continue
            if isinstance(name, ast.Constant):
                head, _, _ = source(call.func).rpartition(".")
                end = alias or call
                out.append(((call.lineno, call.col_offset, end.end_lineno, end.end_col_offset),
                            f"{head}.name_scope({source(name)})"))
            elif (body := _unwrapped(w, lines)) is not None:   # NOTE: TF2's name_scope needs a str, TF1's a scope too
                out.append(((w.lineno, w.col_offset, w.end_lineno, w.end_col_offset), body))
    return out


def _unwrapped(w: ast.With, lines: list[str]) -> str | None:
    """The text that replaces `with ...:` and its block: the block one level out (the header's comment kept)."""
    if w.body[0].lineno == w.lineno:
        return None
    inner, width = w.body[0].col_offset, w.body[0].col_offset - w.col_offset
    end = w.items[0].optional_vars or w.items[0].context_expr
    tail = lines[end.end_lineno - 1].encode("utf-8")[end.end_col_offset:].decode("utf-8", "replace")
    comment = tail[tail.index("#"):].rstrip("\r\n") if "#" in tail else ""
    block = []
    for ln in lines[w.lineno:w.end_lineno]:
        if ln.strip() and not ln[:inner].isspace():
            if not ln.lstrip().startswith("#"):
                return None   # a multi-line string at a lower indentation
            ln = " " * inner + ln.lstrip()
        block.append(ln[width:] if ln.strip() else ln)
    text = "".join(block)[w.col_offset:].rstrip("\r\n")
    return (comment + "\n" + " " * w.col_offset + text) if comment else text


def _reassigned(fn: ast.FunctionDef, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for n in ast.walk(fn))


def _method_owners(tree: ast.Module) -> dict[int, tuple[str, str, dict[str, ast.FunctionDef]]]:
    """id(method) -> (its class's name, the name of its `self`, the class's methods by name), for classes of the file
    that no class of the file derives from (a subclass could override a helper with one that makes variables)."""
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    based = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for c in classes for b in c.bases}
    out = {}
    for c in classes:
        methods = {m.name: m for m in c.body if isinstance(m, ast.FunctionDef) and not m.decorator_list}
        for m in methods.values():
            if c.name not in based and m.args.args:
                out[id(m)] = (c.name, m.args.args[0].arg, methods)
    return out


def _self_method(call: ast.Call, own: tuple[str, str, dict[str, ast.FunctionDef]] | None) -> ast.FunctionDef | None:
    """The class's method that `self.helper(...)` calls, inside a method of that class."""
    f = call.func
    if own is None or not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == own[1]):
        return None
    return own[2].get(f.attr)


def _creates_nothing(node: ast.AST, aliases: dict[str, str], defs: dict[str, ast.FunctionDef],
                     safe: dict[str, bool], own: tuple[str, str, dict[str, ast.FunctionDef]] | None = None) -> bool:
    """Whether `node` calls nothing that could make a variable (see the module docstring)."""
    for n in ast.walk(node):
        if isinstance(n, (ast.Lambda, ast.FunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal)):
            return False
        if not isinstance(n, ast.Call):
            continue
        key = _key(aliases, n.func)
        if key.startswith("tf."):
            if key.startswith(MAKERS) or any(w in key for w in MAKER_WORDS):
                return False
        elif isinstance(n.func, ast.Name):
            if n.func.id in SAFE_BUILTINS and n.func.id not in defs:
                continue
            fn = defs.get(n.func.id)
            if fn is None:
                return False
            if n.func.id not in safe:
                safe[n.func.id] = False   # NOTE: recursion counts as unsafe while it is being decided
                safe[n.func.id] = all(_creates_nothing(s, aliases, defs, safe) for s in fn.body)
            if not safe[n.func.id]:
                return False
        elif (method := _self_method(n, own)) is not None:
            key = f"{own[0]}.{method.name}"
            if key not in safe:
                safe[key] = False   # NOTE: recursion counts as unsafe while it is being decided
                mine = (own[0], method.args.args[0].arg, own[2]) if method.args.args else None
                safe[key] = mine is not None and all(_creates_nothing(s, aliases, defs, safe, mine) for s in method.body)
            if not safe[key]:
                return False
        elif not (isinstance(n.func, ast.Attribute) and n.func.attr in SAFE_METHODS):
            return False
    return True
