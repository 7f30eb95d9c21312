"""`tf.train.MonitoredTrainingSession` loops respelt as the plain-Session TF1 code they run, for native mode.

    with tf.train.MonitoredTrainingSession(checkpoint_dir=d, hooks=[tf.train.StopAtStepHook(last_step=10)],
                                           save_checkpoint_steps=4) as sess:
        while not sess.should_stop():
            sess.run(train_op)
    ->
    saver = tf.train.Saver(max_to_keep=5)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        latest = tf.train.latest_checkpoint(d)                 # the session restores model_dir's newest checkpoint
        if latest:
            saver.restore(sess, latest)
        saved_step, stop = None, False
        while True:
            current_step = sess.run(global_step)             # CheckpointSaverHook: at the start, every 4 steps
            if current_step != saved_step and (saved_step is None or stop or current_step - saved_step >= 4):
                saver.save(sess, os.path.join(d, "model.ckpt"), global_step=current_step)
                saved_step = current_step                    # ... and at the end (not twice for one step)
            if stop:
                break
            sess.run(train_op)
            stop = sess.run(global_step) >= 10               # StopAtStepHook, after each run

The native analysis then makes that a TF2 loop: the train step a tf.function, the Saver a
tf.train.Checkpoint with a CheckpointManager (native_saver.py). `monitored_sessions(code, tree)` returns
the respelt code (None: no MonitoredTrainingSession) or raises `Blocked` naming what has no plain form:
other hooks, a loop body with more than one `sess.run` or a break, scaffolds, no named global step.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked
from upgrader.native.estimator import _free
from upgrader.native.model import Program
from upgrader.scan import collect_aliases

MTS = "tf.train.MonitoredTrainingSession"
STEP_MAKERS = ("tf.train.get_or_create_global_step", "tf.train.get_global_step", "tf.train.create_global_step")
# arguments that only write summaries/logs or configure the process: dropped (the TF2 loop writes no events file)
IGNORED = {"master", "is_chief", "save_summaries_steps", "save_summaries_secs", "config", "stop_grace_period_secs",
           "log_step_count_steps", "max_wait_secs", "summary_dir", "save_graph_def"}
ARGS = ("master", "is_chief", "checkpoint_dir", "scaffold", "hooks", "chief_only_hooks", "save_checkpoint_secs",
        "save_summaries_steps", "save_summaries_secs", "config", "stop_grace_period_secs", "log_step_count_steps",
        "max_wait_secs", "save_checkpoint_steps", "summary_dir", "save_graph_def")


def monitored_sessions(code: str, tree: ast.Module) -> str | None:
    """`code` with each MonitoredTrainingSession block respelt (None: there is none); raises Blocked."""
    if "MonitoredTrainingSession" not in code:
        return None
    prog = Program(code, tree, collect_aliases(tree))
    blocks = [n for n in ast.walk(tree) if isinstance(n, ast.With) and len(n.items) == 1 and
              isinstance(n.items[0].context_expr, ast.Call) and prog.call_key(n.items[0].context_expr) == MTS]
    if not blocks:
        return None
    tf = next((a for a, full in prog.aliases.items() if full == "tensorflow"), None)
    if tf is None:
        raise Blocked(blocks[0].lineno, "native mode needs `import tensorflow as <name>` to convert a MonitoredTrainingSession")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and prog.call_key(node) == MTS and not any(node is b.items[0].context_expr for b in blocks):
            raise Blocked(node.lineno, "tf.train.MonitoredTrainingSession outside `with ... as sess:` has no native form")
    step, made = _global_step(prog, tree, blocks[0])
    lines = code.splitlines(keepends=True)
    taken, dropped = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}, []
    edits = [(b.lineno, b.end_lineno, _respell(prog, tf, b, step, set(taken), dropped)) for b in blocks]
    edits += [(s.lineno, s.end_lineno, "") for s in dropped]
    if sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call) and prog.call_key(n) in STEP_MAKERS) == 1:
        # NOTE: the variable get_or_create_global_step makes, spelt out: a later session's re-initialisation of it
        # (then its restore) is one native mode can restate
        stmt = lines[made.lineno - 1]
        call = made.value
        edits.append((made.lineno, made.lineno, stmt[:call.col_offset] + f"{tf}.Variable(0, trainable=False, dtype="
                      f"{tf}.int64, name=\"global_step\")" + stmt[call.end_col_offset:]))
    for start, end, text in sorted(edits, key=lambda e: -e[0]):   # NOTE: bottom up, so line numbers stay valid
        lines[start - 1:end] = [text]
    out = "".join(lines)
    for module, use in (("time", "time.time()"), ("os", "os.path.join(")):   # NOTE: each goes first: os, then time
        if use in out:
            if not any(isinstance(s, ast.Import) and any(a.name == module and a.asname is None for a in s.names)
                       for s in tree.body):
                first = next(s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom)) and
                             getattr(s, "module", None) != "__future__")
                at = sum(len(line) for line in out.splitlines(keepends=True)[:first.lineno - 1])
                out = out[:at] + f"import {module}\n" + out[at:]
    return out


def _global_step(prog: Program, tree: ast.Module, block: ast.With) -> tuple[str, ast.Assign]:
    """The global step's name and the statement that makes it."""
    made = [s for s in ast.walk(tree) if isinstance(s, ast.Assign) and len(s.targets) == 1 and
            isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Call) and prog.call_key(s.value) in STEP_MAKERS]
    if len({s.targets[0].id for s in made}) != 1 or made[0].lineno != made[0].end_lineno:
        raise Blocked(block.lineno, "a MonitoredTrainingSession loop converts when the global step is one named "
                                    "variable (global_step = tf.train.get_or_create_global_step())")
    return made[0].targets[0].id, made[0]


def _respell(prog: Program, tf: str, block: ast.With, step: str, taken: set[str], dropped: list[ast.stmt]) -> str:
    """The plain-Session text of one MonitoredTrainingSession block (statements it makes unneeded: `dropped`)."""
    call, sess = block.items[0].context_expr, block.items[0].optional_vars
    if not isinstance(sess, ast.Name):
        raise Blocked(block.lineno, "MonitoredTrainingSession converts as `with ... as <name>:`")
    given = dict(zip(ARGS, call.args)) | {k.arg: k.value for k in call.keywords}
    extra = set(given) - IGNORED - {"checkpoint_dir", "hooks", "save_checkpoint_secs", "save_checkpoint_steps"}
    if extra:
        raise Blocked(call.lineno, f"MonitoredTrainingSession arguments {sorted(k or '**' for k in extra)} have no native form")
    hooks = given.get("hooks")
    if isinstance(hooks, ast.Name):   # hooks = [...]; MonitoredTrainingSession(hooks=hooks): the list, its statement gone
        made = [s for s in ast.walk(prog.tree) if isinstance(s, ast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], ast.Name) and s.targets[0].id == hooks.id]
        reads = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id == hooks.id and isinstance(n.ctx, ast.Load)]
        if len(made) == 1 and len(reads) == 1 and isinstance(made[0].value, (ast.List, ast.Tuple)):
            hooks = made[0].value
            dropped.append(made[0])
    bound = _stop_bound(prog, call, hooks)
    loops = [s for s in block.body if isinstance(s, ast.While)]
    test = loops[0].test if len(loops) == 1 else None
    if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Call) and
            ast.unparse(test.operand) == f"{sess.id}.should_stop()") or loops[0].orelse:
        raise Blocked(block.lineno, f"a MonitoredTrainingSession block converts when it holds one "
                                    f"`while not {sess.id}.should_stop():` loop")
    loop = loops[0]
    runs = [n for s in loop.body for n in ast.walk(s) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and
            isinstance(n.func.value, ast.Name) and n.func.value.id == sess.id]
    if len(runs) != 1 or runs[0].func.attr != "run" or not any(runs[0] in list(ast.walk(s)) for s in loop.body
                                                                  if isinstance(s, (ast.Assign, ast.Expr))):
        raise Blocked(loop.lineno, f"the MonitoredTrainingSession loop converts when its body calls {sess.id}.run once, "
                                   "in a statement of its own (hooks run after every run call)")
    for n in ast.walk(loop):
        if isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Yield, ast.Try)):
            raise Blocked(n.lineno, f"{type(n).__name__.lower()} in a MonitoredTrainingSession loop has no native form")
    for s in block.body:
        if s is not loop and any(isinstance(n, ast.Name) and n.id == sess.id for n in ast.walk(s)):
            raise Blocked(s.lineno, f"'{sess.id}' used outside its should_stop() loop has no native form")
    names = {k: _free(k, taken) for k in ("saver", "latest", "current_step", "saved_step", "stop", "saved_at")}
    source = lambda node: ast.get_source_segment(prog.source, node)   # noqa: E731
    pad, inner = " " * block.col_offset, " " * (block.col_offset + 4)
    out = []
    directory = given.get("checkpoint_dir")
    directory = None if isinstance(directory, ast.Constant) and directory.value is None else directory
    every = _save_every(call, given) if directory is not None else None
    if directory is not None:
        out.append(f"{pad}{names['saver']} = {tf}.train.Saver(max_to_keep=5)\n")
    out += [f"{pad}with {tf}.Session() as {sess.id}:\n", f"{inner}{sess.id}.run({tf}.global_variables_initializer())\n"]
    if directory is not None:
        out += [f"{inner}{names['latest']} = {tf}.train.latest_checkpoint({source(directory)})\n",
                f"{inner}if {names['latest']}:\n", f"{inner}    {names['saver']}.restore({sess.id}, {names['latest']})\n"]
    kind, value = bound
    if kind == "num_steps":
        last = _free("last_step", taken)
        out.append(f"{inner}{last} = {sess.id}.run({step}) + {source(value)}\n")
    else:
        last = source(value) if isinstance(value, ast.Constant) else _free("last_step", taken)
        if not isinstance(value, ast.Constant):
            out.append(f"{inner}{last} = {source(value)}\n")
    before = block.body[:block.body.index(loop)]
    after = block.body[block.body.index(loop) + 1:]
    out += [_text(prog, s, inner) for s in before]
    out.append(f"{inner}{names['stop']} = False\n")
    body = inner + "    "
    if every is not None:
        saved, current = names["saved_step"], names["current_step"]
        out.append(f"{inner}{saved} = None\n")
        if every[0] == "secs":
            out.append(f"{inner}{names['saved_at']} = time.time()\n")
        periodic = f"{current} - {saved} >= {every[1]}" if every[0] == "steps" else \
            f"time.time() - {names['saved_at']} >= {every[1]}"
        out += [f"{inner}while True:\n", f"{body}{current} = {sess.id}.run({step})\n",
                f"{body}if {current} != {saved} and ({saved} is None or {names['stop']} or {periodic}):\n",
                f"{body}    {names['saver']}.save({sess.id}, os.path.join({source(directory)}, \"model.ckpt\"), "
                f"global_step={current})\n", f"{body}    {saved} = {current}\n"]
        if every[0] == "secs":
            out.append(f"{body}    {names['saved_at']} = time.time()\n")
        out += [f"{body}if {names['stop']}:\n", f"{body}    break\n"]
    else:
        out.append(f"{inner}while not {names['stop']}:\n")
    out += [_text(prog, s, body) for s in loop.body]
    out.append(f"{body}{names['stop']} = {sess.id}.run({step}) >= {last}\n")
    out += [_text(prog, s, inner) for s in after]
    return "".join(out)


def _stop_bound(prog: Program, call: ast.Call, hooks: ast.expr | None) -> tuple[str, ast.expr]:
    """("last_step" | "num_steps", its value) of the one StopAtStepHook in `hooks`, a list literal."""
    if not isinstance(hooks, (ast.List, ast.Tuple)):
        raise Blocked(call.lineno, "MonitoredTrainingSession(hooks=...) converts as a list literal holding a "
                                   "tf.train.StopAtStepHook (without one, only the end of the data stops the loop)")
    stops = []
    for hook in hooks.elts:
        key = prog.call_key(hook) if isinstance(hook, ast.Call) else None
        if key not in ("tf.train.StopAtStepHook", "tf.estimator.StopAtStepHook"):
            raise Blocked(hook.lineno, f"the hook {ast.unparse(hook)[:60]} has no native form in a MonitoredTrainingSession "
                                       "loop (converted: tf.train.StopAtStepHook); run the file with `tfcompat run`")
        given = dict(zip(("num_steps", "last_step"), hook.args)) | {k.arg: k.value for k in hook.keywords}
        given = {k: v for k, v in given.items() if not (isinstance(v, ast.Constant) and v.value is None)}
        if len(given) != 1 or set(given) - {"num_steps", "last_step"}:
            raise Blocked(hook.lineno, "StopAtStepHook converts with one of num_steps= or last_step=")
        stops.append(next(iter(given.items())))
    if len(stops) != 1:
        raise Blocked(call.lineno, "a MonitoredTrainingSession loop converts with exactly one StopAtStepHook")
    return stops[0]


def _save_every(call: ast.Call, given: dict) -> tuple[str, object] | None:
    """("steps" | "secs", n) as MonitoredTrainingSession resolves its defaults (600 seconds), None: no saves."""
    values = {}
    for k in ("save_checkpoint_steps", "save_checkpoint_secs"):
        if k in given:
            v = given[k]
            if not (isinstance(v, ast.Constant) and (v.value is None or isinstance(v.value, (int, float)))):
                raise Blocked(call.lineno, f"MonitoredTrainingSession({k}=...) converts as a number or None literal")
            values[k] = v.value
    if not values:
        return "secs", 600
    steps, secs = values.get("save_checkpoint_steps"), values.get("save_checkpoint_secs")
    if steps and secs:
        raise Blocked(call.lineno, "MonitoredTrainingSession takes save_checkpoint_steps or save_checkpoint_secs, not both")
    return ("steps", steps) if steps and steps > 0 else ("secs", secs) if secs and secs > 0 else None


def _text(prog: Program, stmt: ast.stmt, pad: str) -> str:
    lines = prog.source.splitlines(keepends=True)[stmt.lineno - 1:stmt.end_lineno]
    first = lines[0][:stmt.col_offset]
    if first.strip():
        raise Blocked(stmt.lineno, "a statement sharing its line with another in a MonitoredTrainingSession block")
    if any(line.strip() and line[:stmt.col_offset].strip() for line in lines) or any(
            isinstance(n, ast.Constant) and isinstance(n.value, str) and n.end_lineno > n.lineno for n in ast.walk(stmt)):
        raise Blocked(stmt.lineno, "a statement in a MonitoredTrainingSession block that cannot be re-indented safely")
    out = "".join(pad + line[stmt.col_offset:] if line.strip() else line for line in lines)
    return out if out.endswith("\n") else out + "\n"
