"""A user's `tf.train.SessionRunHook` subclass given to a converted Estimator, respelt for its TF2 training loop.

    class CountSteps(tf.train.SessionRunHook):            class CountSteps(SessionRunHook):
        def begin(self):                                       def begin(self, estimator):
            self.step = tf.train.get_global_step()      ->         self.step = estimator.global_step
        def before_run(self, run_context):                     def before_run(self, estimator):
            return tf.train.SessionRunArgs(self.step)              return self.step
        def after_run(self, run_context, run_values):          def after_run(self, estimator, run_values):
            if run_values.results > 9:                             if run_values > 9:
                run_context.request_stop()                             estimator.request_stop()
        def end(self, session):                                def end(self, estimator):
            print(session.run(self.step))                          print(self.step.numpy())

The converted Estimator's train loop (estimator_text.py) calls the hook around each step with itself in
place of TF1's run context and session: what before_run asks for is fetched from that same step (the global
step: its value after the step, as TF1 printed it), after_run gets the values themselves, and
request_stop() ends training after the step. `custom_hook_edits` raises `Blocked` for what has no such
form: after_create_session, feeds, other run_context/session uses, fetches other than the global step.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked

STEP = ("tf.train.get_global_step", "tf.train.get_or_create_global_step", "tf.compat.v1.train.get_global_step")
ARGS = ("tf.train.SessionRunArgs", "tf.estimator.SessionRunArgs")
METHODS = {"begin", "before_run", "after_run", "end"}


def custom_hook_edits(prog, cls: ast.ClassDef) -> list[tuple[ast.AST, str]]:
    """Edits respelling one SessionRunHook subclass (its base becomes the generated SessionRunHook)."""
    edits: list[tuple[ast.AST, str]] = []
    for base in cls.bases:
        if prog.key(base) in ("tf.train.SessionRunHook", "tf.estimator.SessionRunHook"):
            edits.append((base, "SessionRunHook"))
    methods = {s.name: s for s in cls.body if isinstance(s, ast.FunctionDef)}
    for name in set(methods) & {"after_create_session"}:
        raise Blocked(methods[name].lineno, f"the SessionRunHook '{cls.name}'.{name} has no native form (the converted "
                                            "Estimator has no session); run the file with `tfcompat run`")
    steps = _step_attributes(prog, cls, methods.get("begin"))
    for name, fn in methods.items():
        if name in METHODS:
            edits += _method_edits(prog, cls, fn, steps)
    for node in ast.walk(cls):
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        if key in STEP and not any(m.lineno <= node.lineno <= m.end_lineno for m in methods.values() if m.name == "begin"):
            raise Blocked(node.lineno, f"{key} in '{cls.name}' outside begin() has no native form (read it in begin: "
                                       "self.step = tf.train.get_global_step())")
    return edits


def _step_attributes(prog, cls: ast.ClassDef, begin: ast.FunctionDef | None) -> set[str]:
    """The attributes begin() binds to the global step: self.<attr> = tf.train.get_global_step()."""
    out = set()
    for s in ast.walk(begin) if begin is not None else ():
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and prog.call_key(s.value) in STEP:
            for t in s.targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    out.add(t.attr)
                else:
                    raise Blocked(s.lineno, f"'{cls.name}'.begin binds the global step to {ast.unparse(t)}: native mode "
                                            "follows it as self.<name>")
    return out


def _method_edits(prog, cls: ast.ClassDef, fn: ast.FunctionDef, steps: set[str]) -> list[tuple[ast.AST, str]]:
    args = fn.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults or fn.decorator_list:
        raise Blocked(fn.lineno, f"'{cls.name}'.{fn.name} converts with its plain SessionRunHook parameters")
    params = [a.arg for a in args.args]
    want = {"begin": 1, "before_run": 2, "after_run": 3, "end": 2}[fn.name]
    if len(params) != want and not (fn.name == "end" and len(params) == 1):
        raise Blocked(fn.lineno, f"'{cls.name}'.{fn.name} takes {params}, not SessionRunHook's parameters")
    edits: list[tuple[ast.AST, str]] = []
    taken = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    if "estimator" in taken or "estimator" in params:
        raise Blocked(fn.lineno, f"'{cls.name}'.{fn.name} uses the name 'estimator', which its converted form passes in")
    if len(params) == 1:   # begin(self) / end(self) -> (self, estimator)
        at = args.args[0]
        edits.append((ast.arg("", lineno=at.end_lineno, col_offset=at.end_col_offset, end_lineno=at.end_lineno,
                              end_col_offset=at.end_col_offset), ", estimator"))
    else:
        context = args.args[1]
        if context.annotation is not None:
            raise Blocked(fn.lineno, f"'{cls.name}'.{fn.name}'s annotated parameters have no native form")
        edits.append((context, "estimator"))
    context = params[1] if len(params) > 1 else None
    values = params[2] if fn.name == "after_run" else None
    parents = {id(c): p for p in ast.walk(fn) for c in ast.iter_child_nodes(p)}
    for node in ast.walk(fn):
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        if key in STEP:
            edits.append((node, "estimator.global_step"))
        elif key in ARGS:
            edits.append((node, _fetches(prog, cls, fn, node, steps)))
        elif isinstance(node, ast.Name) and node.id == context:
            edits.append(_context_use(cls, fn, node, parents, steps))
        elif isinstance(node, ast.Name) and node.id == values:
            parent = parents.get(id(node))
            if not (isinstance(parent, ast.Attribute) and parent.attr == "results"):
                raise Blocked(node.lineno, f"'{cls.name}'.after_run reads {values} other than as {values}.results (native "
                                           "mode passes the fetched values themselves)")
            edits.append((parent, values))
    return edits


def _context_use(cls, fn, node: ast.Name, parents: dict, steps: set[str]) -> tuple[ast.AST, str]:
    """run_context.request_stop() -> estimator.request_stop(); end's session.run(self.step) -> self.step.numpy()."""
    attr = parents.get(id(node))
    call = parents.get(id(attr)) if isinstance(attr, ast.Attribute) else None
    if fn.name != "end" and isinstance(attr, ast.Attribute) and attr.attr == "request_stop" and \
            isinstance(call, ast.Call) and call.func is attr and not call.args and not call.keywords:
        return node, "estimator"
    if fn.name == "end" and isinstance(call, ast.Call) and call.func is attr and attr.attr == "run" and \
            len(call.args) == 1 and not call.keywords and _step_leaf(call.args[0], steps):
        return call, f"{ast.unparse(call.args[0])}.numpy()"
    raise Blocked(node.lineno, f"'{cls.name}'.{fn.name} uses {ast.unparse(attr or node)[:50]}: native mode converts "
                               "run_context.request_stop() and, in end(), session.run(<the global step>)")


def _fetches(prog, cls: ast.ClassDef, fn: ast.FunctionDef, call: ast.Call, steps: set[str]) -> str:
    """tf.train.SessionRunArgs(fetches) -> fetches, when what it fetches is the global step (in any structure)."""
    given = dict(zip(("fetches", "feed_dict", "options"), call.args)) | {k.arg: k.value for k in call.keywords}
    if set(given) != {"fetches"} or fn.name != "before_run":
        raise Blocked(call.lineno, f"tf.train.SessionRunArgs({', '.join(sorted(k or '**' for k in given))}) in "
                                   f"'{cls.name}'.{fn.name} has no native form (converted: before_run's fetches)")
    fetches = given["fetches"]
    leaves = [fetches]
    while leaves:
        leaf = leaves.pop()
        if isinstance(leaf, (ast.List, ast.Tuple)):
            leaves += leaf.elts
        elif isinstance(leaf, ast.Dict) and all(isinstance(k, ast.Constant) for k in leaf.keys):
            leaves += leaf.values
        elif not _step_leaf(leaf, steps):
            raise Blocked(leaf.lineno, f"'{cls.name}' fetches {ast.unparse(leaf)[:50]}: a custom hook converts when it "
                                       "fetches the global step (model_fn tensors: a LoggingTensorHook in the model_fn)")
    return ast.get_source_segment(prog.source, fetches)


def _step_leaf(node: ast.expr, steps: set[str]) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" and \
        node.attr in steps
