"""`tf.app.flags` / `tf.flags` become `absl.flags`, `tf.app.run` becomes `absl.app.run` (native mode)."""
from __future__ import annotations

import ast

import libcst as cst

from upgrader.rule import Rule, dotted_expr, has_star

PREFIXES = ("tf.app.flags", "tf.flags")
RUNS = frozenset({"tf.app.run"})


class NativeFlags(Rule):
    """Define and read command-line flags with absl, as TF1's wrapper did underneath.

    FLAGS = tf.app.flags.FLAGS          ->  FLAGS = absl.flags.FLAGS
    tf.app.flags.DEFINE_integer(...)    ->  absl.flags.DEFINE_integer(...)
    tf.app.run()                        ->  absl.app.run(main)

    NOTE: TF1's FLAGS parsed sys.argv on the first read; absl's raises UnparsedFlagAccessError.
    Without an app.run, `absl.flags.FLAGS(sys.argv)` is inserted after the last top-level DEFINE; with one,
    flags read while the module loads (`def f(d=FLAGS.dir)`, `if FLAGS.test:` before app.run) get
    `absl.flags.FLAGS(sys.argv, known_only=True)` there, the parse TF1's first read did.
    """

    DESCRIPTION = "tf.app.flags/tf.flags -> absl.flags; tf.app.run -> absl.app.run(main)"
    MODES = frozenset({"native"})
    PRIORITY = 30
    OWNS = frozenset({*PREFIXES, "tf.app.run"})

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.used: set[str] = set()

    def _flags(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        key = self.key(original)
        prefix = next((p for p in PREFIXES if key is not None and (key == p or key.startswith(p + "."))), None)
        if prefix is None:
            return updated
        self.used.add("flags")
        self.change(f"{key} -> absl.flags{key[len(prefix):]}")
        new = dotted_expr("absl.flags" + key[len(prefix):])
        return new.with_changes(lpar=getattr(updated, "lpar", ()), rpar=getattr(updated, "rpar", ()))

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return self._flags(original, updated)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) not in RUNS:
            return updated
        args = list(updated.args)
        if has_star(updated):
            self.error("tf.app.run(*args/**kwargs) is not converted; left unchanged")
            return updated
        given = next((i for i, a in enumerate(args) if a.keyword is None or a.keyword.value == "main"), None)
        if given is None:
            args.insert(0, cst.Arg(cst.Name("main")))   # NOTE: TF1 ran sys.modules['__main__'].main
        elif isinstance(args[given].value, cst.Name) and args[given].value.value == "None":
            args[given] = args[given].with_changes(value=cst.Name("main"))   # tf.app.run(main=None) did too
        self.used.add("app")
        self.change("tf.app.run -> absl.app.run")
        self.warn("absl.app.run rejects command-line flags that were never defined (tf.app.run ignored them)", once=True)
        return updated.with_changes(func=dotted_expr("absl.app.run"), args=args)

    def finish(self, source: str) -> list[tuple[int, str]]:
        line = self.ctx.scan.tf_import_line
        if not self.used or line is None:
            return []
        inserts = [(line, f"import absl.{m}") for m in sorted(self.used) if f"import absl.{m}\n" not in source]
        early = "app" in self.used and _read_while_loading(source)
        if ("app" not in self.used or early) and (after := _last_define(source)) is not None:
            if "import sys\n" not in source:
                inserts.insert(0, (line, "import sys"))
            parse = "absl.flags.FLAGS(sys.argv, known_only=True)" if early else "absl.flags.FLAGS(sys.argv)"
            inserts.append((after, f"{parse}   # TF1 parsed the command line on the first FLAGS read"))
        return inserts


def _read_while_loading(source: str) -> bool:
    """A flag value is read by code that runs as the module loads (not inside a function body)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    names = {"FLAGS"} | {t.id for s in tree.body if isinstance(s, ast.Assign) and ast.unparse(s.value).endswith(
        "flags.FLAGS") for t in s.targets if isinstance(t, ast.Name)}
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names and (
                isinstance(node.ctx, ast.Load)):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def _last_define(source: str) -> int | None:
    """The last line of the last top-level statement calling `absl.flags.DEFINE_*` (or `<alias>.DEFINE_*`)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if any(isinstance(n, ast.Call) and ast.unparse(n.func) == "absl.flags.FLAGS" for n in ast.walk(tree)):
        return None   # already parses explicitly
    last = None
    for stmt in tree.body:
        if any(isinstance(n, ast.Attribute) and n.attr.startswith("DEFINE") for n in ast.walk(stmt)):
            last = stmt.end_lineno
    return last
