"""`with <graph>.as_default():` blocks that only scope graph building: unwrapped, one graph after another.

A TF1 script that builds its graph under `with tf.Graph().as_default():` (or `g = tf.Graph()`,
`with g.as_default():` and `tf.Session(graph=g)`) has one graph in use at a time. Where nothing
outside the blocks builds graph code, the wrapper is only scoping: its body is the program. One
block is unwrapped in place; several blocks, each on a graph of its own and each run by its own
sessions before the next begins, become parts separated by `tf.reset_default_graph()`, which
native/segments.py converts one after the other (TF1 cannot use a tensor of one graph in another,
so nothing crosses between them):

    g = tf.Graph()                                   x = tf.placeholder(tf.float32, [None])
    with g.as_default():                     ->      y = 2.0 * x
        x = tf.placeholder(tf.float32, [None])       with tf.Session() as sess:
        y = 2.0 * x                                      print(sess.run(y, {x: [1.0]}))
    with tf.Session(graph=g) as sess:
        print(sess.run(y, {x: [1.0]}))

    default_graphs(code, tree, several=True)  ->  the unwrapped source, or None when the file has
                                                  no such block or a graph is used in another way
"""
from __future__ import annotations

import ast

from upgrader.scan import collect_aliases, dotted, to_key

SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession", "tf.compat.v1.Session", "tf.compat.v1.InteractiveSession"})
GRAPHS = ("tf.Graph", "tf.compat.v1.Graph")
# NOTE: TF1 calls outside the blocks that build nothing in the default graph
OUTSIDE = ("tf.Graph", "tf.reset_default_graph", "tf.flags.", "tf.app.", "tf.logging.", "tf.gfile.", "tf.io.gfile.",
           "tf.compat.v1.flags.", "tf.compat.v1.app.", "tf.compat.v1.logging.", "tf.compat.v1.reset_default_graph",
           "tf.compat.v1.Graph", "tf.test.", "tf.summary.FileWriter", "tf.get_default_graph")


class _Files:
    """The file's TF aliases and how to name a call."""

    def __init__(self, tree: ast.Module) -> None:
        self.aliases = collect_aliases(tree)

    def key(self, node: ast.AST) -> str | None:
        d = dotted(node.func) if isinstance(node, ast.Call) else None
        head, _, rest = (d or "").partition(".")
        qual = self.aliases.get(head)
        return None if qual is None else to_key(qual + ("." + rest if rest else ""))


def _graph_of(item: ast.withitem) -> ast.expr | None:
    """`X` of a `with X.as_default():` item."""
    c = item.context_expr
    if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "as_default" and not c.args:
        return c.func.value
    return None


def _blocks(tree: ast.Module) -> list[ast.With]:
    return [s for s in tree.body if isinstance(s, ast.With) and any(_graph_of(i) is not None for i in s.items)]


def default_graphs(code: str, tree: ast.Module, several: bool = True) -> str | None:
    """See the module docstring."""
    blocks = _blocks(tree)
    if not blocks or (len(blocks) > 1 and not several):
        return None
    f = _Files(tree)
    tf = next((a for a, q in f.aliases.items() if q == "tensorflow"), None)
    if tf is None:
        return None
    names: dict[str, ast.With] = {}    # graph name -> its one block
    unbound: set[str] = set()           # names of `with g.as_default():` that need their `g = tf.Graph()`
    for b in blocks:
        items = [i for i in b.items if _graph_of(i) is not None]
        if len(items) != 1 or b.body[0].lineno == b.lineno:
            return None
        g, alias = _graph_of(items[0]), items[0].optional_vars
        if isinstance(g, ast.Call) and f.key(g) in GRAPHS and not g.args and not g.keywords:
            if isinstance(alias, ast.Name):
                names[alias.id] = b
            elif alias is not None:
                return None
        elif isinstance(g, ast.Name) and alias is None and g.id not in names:
            names[g.id] = b
            unbound.add(g.id)
        else:
            return None
    binds = [s for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(
        s.targets[0], ast.Name) and s.targets[0].id in unbound and f.key(s.value) in GRAPHS and not s.value.args]
    bound = [s.targets[0].id for s in binds]
    if sorted(bound) != sorted(unbound) or any(s.lineno > names[s.targets[0].id].lineno for s in binds):
        return None   # each `g` bound once, to a new graph, above its block
    stores = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Store)]
    if len(stores) != len(names):
        return None   # a graph name rebound
    keywords = _session_keywords(tree, f, names, blocks)
    if keywords is None or not _nothing_outside(tree, f, blocks, binds):
        return None
    return _rewrite(code, f, tf, blocks, binds, keywords)


def _item(b: ast.With) -> ast.withitem:
    return next(i for i in b.items if _graph_of(i) is not None)


def _session_keywords(tree: ast.Module, f: _Files, names: dict[str, ast.With],
                      blocks: list[ast.With]) -> list[tuple[ast.Call, ast.keyword]] | None:
    """`graph=g` of the sessions on each graph (they go); None when a graph is used any other way."""
    allowed = {id(_graph_of(_item(b))) for b in blocks} | {id(i.optional_vars) for b in blocks for i in b.items}
    found: list[tuple[ast.Call, ast.keyword]] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and f.key(n) in SESSIONS:
            for k in n.keywords:
                if k.arg == "graph" and isinstance(k.value, ast.Name) and k.value.id in names:
                    found.append((n, k))
                    allowed.add(id(k.value))
                    if not _runs_within(tree, blocks, names[k.value.id], n):
                        return None
                elif k.arg == "graph":
                    return None
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id in names and id(n) not in allowed and not isinstance(n.ctx, ast.Store):
            return None   # g.finalize(), g.get_tensor_by_name(...), passing the graph on: not only scoping
    return found


def _runs_within(tree: ast.Module, blocks: list[ast.With], block: ast.With, call: ast.Call) -> bool:
    """A session on `block`'s graph opens after the block begins and before the next block."""
    later = [b.lineno for b in blocks if b.lineno > block.lineno]
    return block.lineno <= call.lineno and (not later or call.lineno < later[0])


def _nothing_outside(tree: ast.Module, f: _Files, blocks: list[ast.With], binds: list[ast.stmt]) -> bool:
    """No top-level statement outside the blocks builds graph code (it would land in another graph in TF1)."""
    skip = {id(s) for s in blocks + binds}
    tf_defs = {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef)) and any(
        f.key(n) and not f.key(n).startswith(OUTSIDE) for n in ast.walk(s) if isinstance(n, ast.Call))}
    first = blocks[0].lineno
    for s in tree.body:
        if id(s) in skip or isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                                           ast.ImportFrom)):
            continue
        for n in ast.walk(s):
            if not isinstance(n, ast.Call):
                continue
            key = f.key(n)
            if key is not None and key not in SESSIONS and not key.startswith(OUTSIDE):
                return False
            if key in SESSIONS and s.lineno < first:
                return False   # a session on the default graph before any block
            if isinstance(n.func, ast.Name) and n.func.id in tf_defs:
                return False   # a def building graph code called outside the blocks
    return True


def _rewrite(code: str, f: _Files, tf: str, blocks: list[ast.With], binds: list[ast.stmt],
             keywords: list[tuple[ast.Call, ast.keyword]]) -> str | None:
    lines = code.splitlines(keepends=True)
    for call, k in sorted(keywords, key=lambda ck: (-ck[1].lineno, -ck[1].col_offset)):
        if k.lineno != k.end_lineno:
            return None
        args = [*call.args, *call.keywords]
        i = args.index(k)
        row = lines[k.lineno - 1].encode("utf-8")
        if i > 0 and args[i - 1].end_lineno == k.lineno:
            start, end = args[i - 1].end_col_offset, k.end_col_offset
        elif i + 1 < len(args) and args[i + 1].lineno == k.lineno:
            start, end = k.col_offset, args[i + 1].col_offset
        else:
            start, end = k.col_offset, k.end_col_offset
        lines[k.lineno - 1] = (row[:start] + row[end:]).decode("utf-8")
    edits: list[tuple[int, int, list[str]]] = [(s.lineno - 1, s.end_lineno, []) for s in binds]
    for n, b in enumerate(blocks):
        pad = " " * b.col_offset
        reset = [f"{pad}{tf}.reset_default_graph()\n"] if n else []
        rest = [i for i in b.items if _graph_of(i) is None]
        header_end = max(x.end_lineno for i in b.items for x in (i.context_expr, i.optional_vars) if x)   # the colon
        if rest:
            text = ", ".join(ast.get_source_segment(code, i.context_expr) + (
                f" as {ast.get_source_segment(code, i.optional_vars)}" if i.optional_vars is not None else "")
                for i in rest)
            lead = _graph_lead(b, rest) if all(f.key(i.context_expr) in SESSIONS for i in rest) else []
            width = b.body[0].col_offset - b.col_offset
            moved = [ln[width:] if ln.strip() else ln for ln in lines[header_end:lead[-1].end_lineno]] if lead else []
            span = lines[header_end:lead[-1].end_lineno] if lead else []
            if any(ln.strip() and not ln[:b.body[0].col_offset].isspace() for ln in span):
                return None
            edits.append((b.lineno - 1, lead[-1].end_lineno if lead else header_end,
                          reset + moved + [f"{pad}with {text}:\n"]))
            continue
        width = b.body[0].col_offset - b.col_offset
        body = lines[header_end:b.end_lineno]
        if any(ln.strip() and not ln[:b.body[0].col_offset].isspace() for ln in body):
            return None   # a multi-line string at a lower indentation
        edits.append((b.lineno - 1, b.end_lineno, reset + [ln[width:] if ln.strip() else ln for ln in body]))
    for start, end, new in sorted(edits, key=lambda e: -e[0]):
        lines[start:end] = new
    return "".join(lines)


def _graph_lead(b: ast.With, rest: list[ast.withitem]) -> list[ast.stmt]:
    """The statements a `with g.as_default(), tf.Session() as sess:` body starts with that build the graph
    without running it: they move above the session (building an op runs nothing in TF1)."""
    names = {n.id for i in rest if i.optional_vars is not None for n in ast.walk(i.optional_vars)
             if isinstance(n, ast.Name)}
    lead: list[ast.stmt] = []
    for st in b.body[:-1]:
        if any(isinstance(n, ast.Name) and n.id in names or isinstance(n, ast.Attribute) and n.attr in (
                "run", "eval", "get_default_session") for n in ast.walk(st)):
            break
        lead.append(st)
    return lead

