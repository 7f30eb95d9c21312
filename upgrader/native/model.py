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
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from upgrader.native.datasets import iterator_statement
from upgrader.native.blockers import walk_blockers
from upgrader.native.feeds import feed_assignment
from upgrader.native.gradients import gradient_kind, gradient_statement
from upgrader.native.graphs import GET, LISTS, collection, control_block, expand_collections, user_collection, variable_list
from upgrader.native.module_calls import classify as module_statement
from upgrader.native.layer_reuse import layer_entity
from upgrader.native.imported import preload
from upgrader.native.modules import Functions, define as module_def, factory_call, global_reads
from upgrader.native.sessions import block_statement, later_session, runs_graph, session_target
from upgrader.native.summary_loops import summary_loop
from upgrader.native.summary_merge import collected, collected_names, members
from upgrader.native.tail_reasons import writes_summary
from upgrader.native.test_cases import test_case
from upgrader.native.session_defs import runs_session, session_names, why_not as not_session_code
from upgrader.native.naming import get_variable as _get_variable, layer_variable, names_in
from upgrader.native.rnn import classify as rnn_statement
from upgrader.native.plain_use import check_plain
from upgrader.native.shapes import only_shapes
from upgrader.native.rebind_data import stored_names
from upgrader.native.unpack import elementwise, unpack_targets
from upgrader.native.variable_inits import check as initial_values
from upgrader.native.versions import Chain, finish as finish_versions, rebind
from upgrader.scan import collect_aliases, dotted, to_key

INITS = frozenset({"tf.global_variables_initializer", "tf.initialize_all_variables",
                   "tf.initializers.global_variables", "tf.local_variables_initializer"})
DROPPED = frozenset({"tf.disable_eager_execution", "tf.disable_v2_behavior", "tf.reset_default_graph"})
LAYERS = {"tf.layers.dense": "Dense", "tf.layers.conv2d": "Conv2D", "tf.layers.conv1d": "Conv1D",
          "tf.layers.max_pooling2d": "MaxPooling2D", "tf.layers.average_pooling2d": "AveragePooling2D",
          "tf.layers.max_pooling1d": "MaxPooling1D", "tf.layers.flatten": "Flatten", "tf.layers.dropout": "Dropout",
          "tf.layers.batch_normalization": "BatchNormalization"}
SCHEDULES = {"tf.train.exponential_decay": "ExponentialDecay", "tf.train.inverse_time_decay": "InverseTimeDecay",
             "tf.train.polynomial_decay": "PolynomialDecay", "tf.train.cosine_decay": "CosineDecay",
             "tf.train.piecewise_constant": "PiecewiseConstantDecay"}
SUMMARIES = frozenset({"tf.summary.scalar", "tf.summary.histogram", "tf.summary.image"})   # image: uint8 data only
ASSIGNS = frozenset({"tf.assign", "tf.assign_add", "tf.assign_sub"})
# NOTE: `with tf.device(...)` blocks flatten too: TF2 places each op itself (a pinned device is reported).
SCOPES = frozenset({"tf.variable_scope", "tf.name_scope", "tf.device"})
PLAIN_TF = ("tf.app.flags", "tf.flags", "tf.app.run",   # rewritten by rules/native_flags.py
            "tf.examples.tutorials.mnist",               # data, not graph: rules/native_mnist.py
            "tf.keras.datasets",                         # NumPy arrays in TF1 as in TF2
            "tf.gfile", "tf.io.gfile",                   # file I/O, plain Python in TF2 (FastGFile: native/equivalents.py)
            "tf.ConfigProto", "tf.GPUOptions", "tf.config", "tf.debugging.set_log_device_placement",   # session options
            "tf.python_io.TFRecordWriter", "tf.io.TFRecordWriter",   # file writing and tf.train.Example protos: plain
            "tf.train.Example", "tf.train.Feature", "tf.train.Int64List", "tf.train.BytesList", "tf.train.FloatList",
            "tf.train.get_checkpoint_state", "tf.train.latest_checkpoint",   # checkpoint paths, in TF2 as in TF1
            "tf.contrib.tensorboard.plugins.projector",   # the embedding projector's config (native/projector.py)
            "tf.test.TestCase", "tf.test.main")           # unit-test scaffolding: the same classes in TF2



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
    scope: str = ""              # variable_scope path of a get_variable ('encoder')
    alias: str = ""              # get_variable under reuse: the variable entity it returns
    layer: str = ""              # tf.layers call: the Keras layer object's name
    value: str = ""              # kinds with no function of their own: their TF2 value ('lr(global_step)')
    default: str = ""            # placeholder_with_default: the value used when nothing is fed ('False')
    first: tuple[str, ...] = ()  # control_dependencies: ops this one's function runs first
    drawn: bool = False          # a random tensor drawn anew on each call (native/random_constants.py)


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
    flat_withs: set[int] = field(default_factory=set)   # ids of variable_scope/name_scope blocks flattened
    scopes: dict[int, tuple[str, object]] = field(default_factory=dict)   # stmt id -> (scope path, reuse)
    summaries: list[ast.stmt] = field(default_factory=list)   # tf.summary.scalar(...) statements, in order
    control: dict[int, tuple[str, ...]] = field(default_factory=dict)   # stmt id -> control_dependencies names
    collections: dict[str, list[str]] = field(default_factory=dict)   # add_to_collection key -> tensors, in order
    dropped: set[int] = field(default_factory=set)   # ids of statements that disappear (add_to_collection)
    control_calls: set[int] = field(default_factory=set)   # ids of tf.control_dependencies calls followed
    resolved: dict[int, tuple[str, ...]] = field(default_factory=dict)   # get_collection call id -> its members then
    shape_stmts: set[int] = field(default_factory=set)   # ids of statements reading static shapes (shapes.py)
    flags: set[str] = field(default_factory=set)   # placeholders fed to batch_normalization training=: Python bools
    chains: dict[str, Chain] = field(default_factory=dict)   # rebound names -> their versions (native/versions.py)
    functions: Functions | None = None   # defs that build graph code and their calls (native/modules.py)
    imported: set[int] = field(default_factory=set)   # ids of `from ops import ...` naming layer functions beside it
    rnn_calls: set[int] = field(default_factory=set)   # ids of RNN cell / dynamic_rnn calls followed (native/rnn.py)
    iterators: dict[str, Any] = field(default_factory=dict)   # v1 dataset iterators (native/datasets.py)
    unpacked: list[ast.Assign] = field(default_factory=list)   # `a, b = <graph value>`: split, then analysed again
    rebound: list = field(default_factory=list)   # `[[b]] = sess.run(b)`, Respell edits: native/rebind_data.py
    implicit: dict[str, list[str]] = field(default_factory=dict)   # def -> module-level placeholders it reads
    summary_loops: dict[int, Any] = field(default_factory=dict)   # loops of summaries (native/summary_loops.py)

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


def _is_tf(prog: Program, node: ast.AST) -> bool:
    return any(prog.key(n) is not None for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute)))


def plain_tf(prog: Program, node: ast.AST) -> bool:
    """Mentions TensorFlow only through modules that are plain Python in TF2 (`tf.app.flags` -> absl.flags)."""
    keys = [k for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute)) and (k := prog.key(n)) is not None]
    return bool(keys) and all(k == "tf" or k.startswith(PLAIN_TF) or any(p.startswith(k + ".") for p in PLAIN_TF)
                              for k in keys)


def _classify(prog: Program, stmt: ast.stmt) -> None:
    """Record the entity `stmt` defines, if it defines one."""
    if isinstance(stmt, ast.Expr) and prog.call_key(stmt.value) in SUMMARIES:
        prog.summaries.append(stmt)
        return
    if isinstance(stmt, ast.Expr) and user_collection(prog, stmt):
        return
    if rnn_statement(prog, stmt) or iterator_statement(prog, stmt) or gradient_statement(prog, stmt):
        return
    if module_statement(prog, stmt):
        return
    if (names := unpack_targets(stmt)) and (_is_tf(prog, stmt.value) or any(prog.kind(n) for n in names_in(stmt.value))):
        prog.unpacked.append(stmt)   # split into one statement per name and analysed again (native/unpack.py)
        for i, n in enumerate(names):   # NOTE: `a, n = f(x)[0], x.get_shape()[1]`: n is a Python number
            if not (elementwise(stmt) and only_shapes(prog, stmt.value.elts[i])):
                prog.entities.setdefault(n, Entity(n, "tensor", stmt))
        return
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        if _is_tf(prog, stmt) or any(prog.kind(n) for n in names_in(stmt)):
            check_plain(prog, stmt)
        return
    name, value = stmt.targets[0].id, stmt.value
    if name in prog.entities and (name := rebind(prog, stmt, name)) is None:   # a new version's key, later reads renamed
        return
    key = prog.call_key(value)
    if plain_tf(prog, value) and not any(prog.kind(n) for n in names_in(value)):
        return
    if only_shapes(prog, value):   # `dims = (n, h.get_shape()[1])`: Python values read from static shapes
        check_plain(prog, stmt)
        return
    deps = tuple(dict.fromkeys([n for n in names_in(value) if n in prog.entities] + expand_collections(prog, value)
                               + global_reads(prog, value)))
    extra: dict[str, object] = {}
    if key == "tf.placeholder":
        kind = "placeholder"
    elif key == "tf.sparse_placeholder":   # fed a tf.SparseTensor (native/plain_respell.py), passed on as it comes
        kind = "placeholder"
        prog.flags.add(name)
    elif key == "tf.placeholder_with_default":
        kind, extra = "placeholder", {"default": ast.unparse(value.args[0] if value.args else value.keywords[0].value)}
    elif key in GET or key in LISTS:   # tf.trainable_variables() too: a list of the variables made so far
        kind, deps = collection(prog, stmt, name)
    elif key == "tf.get_variable" and (owner := layer_variable(prog, stmt)):
        kind, deps = "tensor", (owner,)   # a Keras-owned variable (bn.moving_mean), read when called
    elif key == "tf.get_variable":
        kind, extra = "variable", _get_variable(prog, stmt, name)
    elif key in ("tf.Variable", "tf.train.get_or_create_global_step") or factory_call(prog, value):
        kind = "variable"
    elif key in SCHEDULES:
        kind = "schedule"
        pos = 0 if key == "tf.train.piecewise_constant" else 1
        step = value.args[pos] if len(value.args) > pos else next(
            (k.value for k in value.keywords if k.arg in ("global_step", "x")), None)
        if not (isinstance(step, ast.Name) and prog.kind(step.id) == "variable"):
            prog.block(stmt, f"{key}: its step is not a variable native mode can follow")
        else:
            extra = {"value": f"{name}({step.id})"}
    elif key == "tf.train.Saver":
        kind = "saver"
    elif key == "tf.summary.FileWriter":
        kind = "writer"
    elif key in ("tf.summary.merge_all", "tf.summary.merge") or key in SUMMARIES:
        kind = "summary"
        if key == "tf.summary.merge_all":   # native/summary_merge.py: bare summaries and named ones made before
            deps = tuple(dict.fromkeys(n for s in collected(prog, stmt) for n in collected_names(prog, s)
                                       if n in prog.entities))
        elif key == "tf.summary.merge":
            if isinstance(merged := members(prog, value), str):
                prog.block(stmt, merged)
            else:
                deps = tuple(merged)
    elif key in INITS or key == "tf.group" and value.args and all(prog.call_key(a) in INITS for a in value.args):
        kind = "init"
    elif key is not None and key.startswith("tf.train.") and key.endswith("Optimizer"):
        kind = "optimizer"
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "minimize" and (
            (prog.call_key(value.func.value) or "").endswith("Optimizer")
            or prog.kind(getattr(value.func.value, "id", "")) == "optimizer"):
        kind = "train"
    elif variable_list(prog, value):
        kind = "varlist"
    elif kind := gradient_kind(prog, stmt, deps):   # compute_gradients / edited gradients / apply_gradients
        pass
    elif _is_tf(prog, value) or deps:
        kind = "tensor"
    else:
        if any(prog.kind(n) for n in names_in(stmt)):
            check_plain(prog, stmt)
        return
    if key in LAYERS:
        layer = layer_entity(prog, stmt, value, name)   # a new Keras layer, or one reused by name (native/layer_reuse.py)
        training = next((k.value for k in value.keywords if k.arg == "training"), None)
        if LAYERS[key] in ("BatchNormalization", "Dropout") and isinstance(training, ast.Name) and prog.kind(
                training.id) == "placeholder":   # a bool placeholder is a Python bool parameter in TF2
            prog.flags.add(training.id)
        weighted = LAYERS[key] in ("Dense", "Conv2D", "Conv1D", "BatchNormalization")   # only these own variables
        deps, extra = deps + (layer,) * weighted, {"layer": layer}
    first = prog.control.get(id(stmt), ())
    prog.entities[name] = Entity(name, kind, stmt, tuple(dict.fromkeys(deps + first)), func=name, first=first, **extra)
    prog.order.append(name)


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
            elif dep.kind in ("variable", "layer", "varlist"):
                vs.add(dep.alias or d)
            else:
                ph.update(dep.params)
                vs.update(dep.variables)
        e.params = tuple(sorted(ph, key=lambda p: (bool(prog.entities[p].default), order[p])))   # defaults last
        e.variables = tuple(sorted(vs, key=order.__getitem__))


def _scope_block(prog: Program, stmt: ast.stmt, path: str, reuse: object, first: tuple[str, ...] = ()) -> bool:
    """`with tf.variable_scope("enc", reuse=True):` at top level: its body is classified as if flat."""
    if not (isinstance(stmt, ast.With) and len(stmt.items) == 1 and prog.call_key(stmt.items[0].context_expr) in SCOPES):
        names = control_block(prog, stmt)
        if names is None:
            return False
        prog.flat_withs.add(id(stmt))
        for inner in stmt.body:
            if not _scope_block(prog, inner, path, reuse, first + names):
                prog.scopes[id(inner)], prog.control[id(inner)] = (path, reuse), first + names
                _classify(prog, inner)
        return True
    item = stmt.items[0]
    call = item.context_expr
    name = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("name_or_scope", "name",
                                                                                           "device_name_or_function")), None)
    extra = [k.arg for k in call.keywords if k.arg not in ("name_or_scope", "name", "reuse")]
    unused = isinstance(item.optional_vars, ast.Name) and item.optional_vars.id not in {   # `as scope`, never read
        n.id for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if item.optional_vars is not None and not unused or extra or len(call.args) > 1 or not (
            isinstance(name, ast.Constant) and isinstance(name.value, str)):
        prog.block(stmt, "variable_scope with a scope object, default_name or initializer= is not converted natively")
        return True
    flag = next((k.value for k in call.keywords if k.arg == "reuse"), None)
    if prog.call_key(call) == "tf.variable_scope":
        path = f"{path}/{name.value}" if path else name.value
        if flag is not None:
            reuse = "auto" if prog.key(flag) == "tf.AUTO_REUSE" else flag.value if isinstance(flag, ast.Constant) else None
        if reuse is None:
            prog.block(stmt, "variable_scope(reuse=...) with a value native mode cannot read statically")
            return True
    prog.flat_withs.add(id(stmt))
    for inner in stmt.body:
        if not _scope_block(prog, inner, path, reuse, first):
            prog.scopes[id(inner)], prog.control[id(inner)] = (path, reuse), first
            _classify(prog, inner)
    return True


def analyze(source: str, tree: ast.Module | None = None, path: Path | None = None) -> Program:
    """Classify the module's top-level statements; see the module docstring.

    With the file's `path`, layer functions imported from modules beside it are known too (native/imported.py).
    """
    tree = tree if tree is not None else ast.parse(source)
    prog = Program(source, tree, collect_aliases(tree))
    if not prog.aliases:
        return prog
    defs, prog.imported = preload(tree, path)
    for d in defs:
        module_def(prog, d)
    sessions = 0
    in_session = False
    session_defs: list[ast.FunctionDef] = []   # `def predict(x): return sess.run(...)`: native/session_defs.py
    module_sessions = session_names(prog, tree)
    for stmt in tree.body:
        if runs_session(stmt, module_sessions):
            session_defs.append(stmt)
            continue
        sess = session_target(prog, stmt)
        if sess is not None:
            sessions += 1
            if sessions > 1 and not later_session(prog, stmt, sess):   # NOTE: False: blocked there, or unused
                continue
            prog.session_name = sess
            prog.graph = True
            if isinstance(stmt, ast.With):
                fetched: set[str] = set()   # names the block binds from what it runs: NumPy data, not graph
                for inner in stmt.body:   # NOTE: graph built in the session block, after training, is graph code
                    if (how := block_statement(prog, inner, fetched, _is_tf, plain_tf)) != "session":
                        _classify(prog, inner)   # NOTE: 'shapes': check_plain lets its static-shape reads through
                        fetched |= stored_names(inner) if how == "shapes" else set()
                    else:
                        prog.session_stmts.add(id(inner))
                        fetched |= stored_names(inner)
            else:
                in_session = True
            continue
        # NOTE: by use, not position: graph code may follow the session
        if in_session and runs_graph(prog, stmt) or feed_assignment(prog, stmt) or writes_summary(prog, stmt):
            prog.session_stmts.add(id(stmt))
            prog.rebound += [(stmt, n) for n in sorted(stored_names(stmt)) if prog.kind(n) not in (None, "placeholder")]
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if _scope_block(prog, stmt, "", False) or module_def(prog, stmt) or summary_loop(prog, stmt, tree.body) or (
                test_case(prog, stmt)):   # a tf.test.TestCase: rules/native_test_cases.py
            continue
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.If,
                             ast.With, ast.Try)) and (_is_tf(prog, stmt) and not plain_tf(prog, stmt) or any(
                                 prog.kind(n) for n in names_in(stmt))):
            computes = any(isinstance(n, (ast.Assign, ast.AugAssign)) and any(prog.kind(m) for m in names_in(n.value))
                           for n in ast.walk(stmt))   # `total += (y - m * x) ** 2`: builds graph values from variables
            if computes or _is_tf(prog, stmt) or not all(prog.kind(n) in ("variable", None) for n in names_in(stmt)):
                made = isinstance(stmt, (ast.For, ast.While)) and any(prog.call_key(n) in (
                    "tf.Variable", "tf.get_variable") for n in ast.walk(stmt))
                prog.block(stmt, f"variables made inside a {type(stmt).__name__.lower()} loop, a new set on each pass: "
                                 "native mode does not yet turn them into lists of variables" if made else
                                 f"graph code inside a {type(stmt).__name__.lower()} statement "
                                 "(graphs built in functions, loops or branches are not followed)")
                continue
        _classify(prog, stmt)
    if any(e.kind == "placeholder" for e in prog.entities.values()):
        prog.graph = True
    for fn in session_defs:
        why = not_session_code(prog, fn, prog.session_name or next(iter(module_sessions)))
        if why is None:
            prog.session_stmts.add(id(fn))
        else:
            prog.block(fn, f"function '{fn.name}' runs the session but {why}")
    if prog.graph:
        _resolve(prog)
        initial_values(prog)   # a variable initialised from a graph tensor (native/variable_inits.py)
        finish_versions(prog)
        walk_blockers(prog)
    return prog
