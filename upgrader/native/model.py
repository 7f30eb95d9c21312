"""The static analysis behind native mode: what a flat TF1 script's graph is made of.

One `ast` walk over the module's top-level statements classifies each one
(placeholder, variable, graph tensor, optimizer, train op, initializer, session,
plain Python) and records which tensors depend on which placeholders and
variables. Anything the analysis cannot follow becomes a `Blocker`, and a file
with a blocker stays in compat form as a whole.

    prog = analyze(source)
    prog.entities["loss"].params  ->  ("X", "Y")
    prog.blockers                 ->  [Blocker(21, "pred.name: graph tensors have no names in TF2 ...")]
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from upgrader.scan import collect_aliases, dotted, to_key

SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession"})
INITS = frozenset({"tf.global_variables_initializer", "tf.initialize_all_variables",
                   "tf.initializers.global_variables", "tf.local_variables_initializer"})
DROPPED = frozenset({"tf.disable_eager_execution", "tf.disable_v2_behavior", "tf.reset_default_graph"})
QUEUES = ("tf.train.string_input_producer", "tf.train.batch", "tf.train.shuffle_batch", "tf.train.start_queue_runners",
          "tf.train.Coordinator", "tf.FIFOQueue", "tf.RandomShuffleQueue", "tf.TextLineReader", "tf.train.input_producer")


@dataclass
class Entity:
    """A name bound at module level to a graph object."""

    name: str
    kind: str                    # placeholder | variable | tensor | optimizer | train | init | session
    stmt: ast.stmt
    deps: tuple[str, ...] = ()   # entity names the defining expression mentions
    params: tuple[str, ...] = ()  # placeholders it needs, in declaration order
    variables: tuple[str, ...] = ()  # variables it reads, transitively, in declaration order
    func: str = ""               # the name of the TF2 function/object it becomes


@dataclass(frozen=True)
class Blocker:
    line: int
    reason: str


@dataclass
class Program:
    source: str
    tree: ast.Module
    aliases: dict[str, str]
    entities: dict[str, Entity] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    session_stmts: set[int] = field(default_factory=set)   # ids of statements that run inside a session
    session_name: str | None = None
    graph: bool = False     # the file builds a TF1 graph and runs it: native has work to do

    def key(self, node: ast.AST) -> str | None:
        """'tf.train.AdamOptimizer' for any import spelling, with tf.compat.v1 folded onto tf."""
        d = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if d is None:
            return None
        head, _, rest = d.partition(".")
        qual = self.aliases.get(head)
        if qual is None:
            return None
        k = to_key(qual + ("." + rest if rest else ""))
        return "tf" + k[len("tf.compat.v1"):] if k.startswith("tf.compat.v1") else k

    def call_key(self, node: ast.AST) -> str | None:
        return self.key(node.func) if isinstance(node, ast.Call) else None

    def block(self, node: ast.AST, reason: str) -> None:
        self.blockers.append(Blocker(getattr(node, "lineno", 1), reason))

    def kind(self, name: str) -> str | None:
        e = self.entities.get(name)
        return None if e is None else e.kind


def names_in(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def _is_tf(prog: Program, node: ast.AST) -> bool:
    return any(prog.key(n) is not None for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute)))


def _session_target(prog: Program, stmt: ast.stmt) -> str | None:
    """`with tf.Session() as sess:` / `sess = tf.Session()` -> 'sess'."""
    if isinstance(stmt, ast.With) and len(stmt.items) == 1:
        item = stmt.items[0]
        if prog.call_key(item.context_expr) in SESSIONS and isinstance(item.optional_vars, ast.Name):
            return item.optional_vars.id
    if isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in SESSIONS:
        t = stmt.targets
        if len(t) == 1 and isinstance(t[0], ast.Name):
            return t[0].id
    return None


def _classify(prog: Program, stmt: ast.stmt) -> None:
    """Record the entity `stmt` defines, if it defines one."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        if _is_tf(prog, stmt) or any(prog.kind(n) for n in names_in(stmt)):
            _check_plain(prog, stmt)
        return
    name, value = stmt.targets[0].id, stmt.value
    key = prog.call_key(value)
    deps = tuple(dict.fromkeys(n for n in names_in(value) if n in prog.entities))
    if name in prog.entities:
        prog.block(stmt, f"'{name}' is assigned twice while the graph is built; native mode needs one name per tensor")
        return
    if key == "tf.placeholder":
        kind = "placeholder"
    elif key in ("tf.Variable", "tf.get_variable", "tf.train.get_or_create_global_step"):
        kind = "variable"
    elif key in INITS:
        kind = "init"
    elif key is not None and key.startswith("tf.train.") and key.endswith("Optimizer"):
        kind = "optimizer"
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "minimize" and (
            (prog.call_key(value.func.value) or "").endswith("Optimizer")
            or prog.kind(getattr(value.func.value, "id", "")) == "optimizer"):
        kind = "train"
    elif _is_tf(prog, value) or deps:
        kind = "tensor"
    else:
        if any(prog.kind(n) for n in names_in(stmt)):
            _check_plain(prog, stmt)
        return
    if kind == "variable" and any(prog.kind(d) in ("placeholder", "tensor") for d in deps):
        prog.block(stmt, f"variable '{name}' is initialised from a placeholder or graph tensor")
    prog.entities[name] = Entity(name, kind, stmt, deps, func=name)
    prog.order.append(name)


def _check_plain(prog: Program, stmt: ast.stmt) -> None:
    """A statement outside any session that mentions graph objects: only variables may appear."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and prog.kind(node.value.id) in (
                "placeholder", "tensor", "train"):
            node = node.value
            use = f"{node.id}.{stmt_attr(stmt, node)}"
        elif isinstance(node, ast.Name):
            use = node.id
        else:
            continue
        if prog.kind(node.id) in ("placeholder", "tensor", "train", "optimizer"):
            prog.block(node, f"'{node.id}' (a graph {prog.kind(node.id)}) is used outside sess.run ({use}: "
                             "graph names, static shapes and collections have no TF2 eager equivalent); "
                             "remove this use to allow native conversion")
            return
    if isinstance(stmt, ast.Expr) and prog.call_key(stmt.value) in DROPPED:
        return
    for node in ast.walk(stmt):
        k = prog.call_key(node)
        if k is not None and (k.startswith(("tf.get_collection", "tf.global_variables", "tf.trainable_variables"))):
            prog.block(node, f"{k} (graph collections): make the list explicit to allow native conversion")
            return


def stmt_attr(stmt: ast.stmt, name: ast.Name) -> str:
    """The attribute read from `name` in `stmt` ('name', 'get_shape'), for the report."""
    for n in ast.walk(stmt):
        if isinstance(n, ast.Attribute) and n.value is name:
            return n.attr
    return "?"


def _resolve(prog: Program) -> None:
    """Transitive placeholders and variables of every tensor and train op."""
    order = {n: i for i, n in enumerate(prog.order)}
    for name in prog.order:
        e = prog.entities[name]
        ph: set[str] = set()
        vs: set[str] = set()
        for d in e.deps:
            dep = prog.entities[d]
            if dep.kind == "placeholder":
                ph.add(d)
            elif dep.kind == "variable":
                vs.add(d)
            else:
                ph.update(dep.params)
                vs.update(dep.variables)
        e.params = tuple(sorted(ph, key=order.__getitem__))
        e.variables = tuple(sorted(vs, key=order.__getitem__))


def _walk_blockers(prog: Program) -> None:
    for node in ast.walk(prog.tree):
        k = prog.call_key(node)
        if k is None:
            if isinstance(node, ast.Attribute) and node.attr == "partial_run":
                prog.block(node, "sess.partial_run has no TF2 equivalent")
            continue
        if k.startswith(QUEUES) or "Queue" in k or k.endswith("Reader"):
            prog.block(node, f"{k}: queue-based input pipelines have no native TF2 form (use tf.data by hand)")
        elif k.startswith(("tf.layers.", "tf.nn.rnn_cell", "tf.nn.dynamic_rnn", "tf.contrib")):
            prog.block(node, f"{k}: not converted natively yet (v1 layers/cells)")
        elif k.startswith(("tf.summary.", "tf.train.summary_iterator", "tf.train.Saver", "tf.train.latest_checkpoint",
                           "tf.train.get_checkpoint_state", "tf.train.checkpoint_exists", "tf.data.make_one_shot")):
            prog.block(node, f"{k}: v1 summaries/checkpoints are not converted natively yet")
        elif k in ("tf.variable_scope", "tf.get_variable", "tf.assign", "tf.assign_add", "tf.control_dependencies",
                   "tf.placeholder_with_default", "tf.train.exponential_decay"):
            prog.block(node, f"{k}: not converted natively yet")


def analyze(source: str, tree: ast.Module | None = None) -> Program:
    """Classify the module's top-level statements; see the module docstring."""
    tree = tree if tree is not None else ast.parse(source)
    prog = Program(source, tree, collect_aliases(tree))
    if not prog.aliases:
        return prog
    sessions = 0
    in_session = False
    for stmt in tree.body:
        sess = _session_target(prog, stmt)
        if sess is not None:
            sessions += 1
            if sessions > 1:
                prog.block(stmt, "a second Session: every TF1 session has its own variable state, native code has one")
                continue
            prog.session_name = sess
            prog.graph = True
            if isinstance(stmt, ast.With):
                prog.session_stmts.update(id(s) for s in stmt.body)
            else:
                in_session = True
            continue
        if in_session:
            prog.session_stmts.add(id(stmt))
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.If,
                             ast.With, ast.Try)) and (_is_tf(prog, stmt) or any(prog.kind(n) for n in names_in(stmt))):
            if not all(prog.kind(n) == "variable" or prog.kind(n) is None for n in names_in(stmt)) or _is_tf(prog, stmt):
                prog.block(stmt, f"graph code inside a {type(stmt).__name__.lower()} statement "
                                 "(graphs built in functions, loops or branches are not followed)")
                continue
        _classify(prog, stmt)
    if any(e.kind == "placeholder" for e in prog.entities.values()):
        prog.graph = True
    if prog.graph:
        _resolve(prog)
        _walk_blockers(prog)
    return prog
