"""`upgrade_native(code)`: the native pipeline with its all-or-nothing fallback to compat form.

    r = upgrade_native(open("linreg.py").read())
    r.code                     # TF2 code, or the compat-form upgrade when something blocked native
    [d.message for d in r.warnings]  # 'native conversion blocked (file kept in compat form): pred.name ...'
"""
from __future__ import annotations

import ast
import dataclasses
import re
import warnings
from pathlib import Path

from upgrader.engine import Result, _syntax_error, upgrade_rules
from upgrader.native import Blocked, leftover, structural
from upgrader.native.base import NativeRule
from upgrader.native.class_fold import convert_classes
from upgrader.native.class_modules import cross_module
from upgrader.native.default_graphs import default_graphs
from upgrader.native.dead_savers import drop_dead_savers
from upgrader.native.dict_items import item_names
from upgrader.native.scoped_sessions import unwrap_scoped_sessions
from upgrader.native.session_inline import inline_sessions, why_kept
from upgrader.native.statement_lines import one_statement_per_line
from upgrader.native.main_guard import main_guard
from upgrader.native.estimator import upgrade_estimators
from upgrader.native.fed_tensors import fed_constants, respell
from upgrader.native.group_steps import name_group_steps, original_line
from upgrader.native.equivalents import swap
from upgrader.native.model import Program, analyze
from upgrader.native.monitored import monitored_sessions
from upgrader.native.outside_reasons import named_blocker, never_native
from upgrader.native.implicit_args import add_parameters, close_over_callers
from upgrader.native.queues import queue_pipelines
from upgrader.native.rebind_data import rename
from upgrader.native.tail_reasons import undefined_name
from upgrader.native.unpack import split
from upgrader.native.plain_respell import respell_plain
from upgrader.rules.native_mnist import plain_reader
from upgrader.native.function_body import lift
from upgrader.native.imported import (CURRENT, group_blocker, importers, library, local_tf_modules, remember,
                                      sibling_imports, source)
from upgrader.native.segments import header, join, segments, split_header, with_header
from upgrader.rule import Context, Diagnostic
from upgrader.scan import Scan
from upgrader.tables import tables


def _native_rules() -> list[type]:
    from upgrader.modes import rules_for
    return list(rules_for("native"))


def _fallback(code: str, blockers: list[Blocked]) -> Result:
    result = upgrade_rules(code, [r for r in _native_rules() if "compat" in r.MODES])
    seen: set[tuple[int, str]] = set()
    for b in blockers:
        if (b.line, b.reason) not in seen:
            seen.add((b.line, b.reason))
            result.diagnostics.append(Diagnostic(b.line, 0, "native", "native conversion blocked (file kept in compat "
                                                 f"form): {b.reason}", "warning"))
    result.diagnostics.sort(key=lambda d: (d.line, d.col))
    return result


def _original_line(code: str, message: str, default: int) -> int:
    """Where a leftover TF1 symbol ('tf.get_collection') appears in the original source."""
    m = re.search(r"tf\.[\w.]+", message)
    if m:
        attr = m.group().rsplit(".", 1)[-1]
        for i, line in enumerate(code.splitlines(), 1):
            if re.search(rf"\b{re.escape(attr)}\b", line):
                return i
    return default


def upgrade_native(code: str, path: Path | None = None) -> Result:
    """Native upgrade of one module; see the module docstring.

    With the file's `path`, a module of layer functions and the programs beside it importing them convert
    together or not at all (native/imported.py).
    """
    if (missing := undefined_name(code)) is not None:   # the original raises NameError (native/tail_reasons.py)
        return _fallback(code, [Blocked(*missing)])
    if path is None:
        return _upgrade(code)
    remember(path, code)
    result = _alone(code, path)
    if _blocked(result) or result.errors:
        return result
    tree = ast.parse(code)
    for other in local_tf_modules(tree, path):
        theirs = _alone(source(other) or "", other)   # NOTE: a compat form without TF1 in it is harmless to import
        if _blocked(theirs) and re.search(r"compat\.v1|disable_eager|contrib", theirs.code):
            return _fallback(code, [Blocked(1, f"it imports {other.name}, which stays in compat form; a native program "
                                               "cannot use a compat module (convert both, or neither)")])
    groups = ([path] if library(tree) and importers(path) else []) + [lib for _, lib in sibling_imports(tree, path)]
    for lib in groups:
        why = group_blocker(lib, lambda text, p: not _blocked(_alone(text, p)))
        if why is not None:
            return _fallback(code, [Blocked(1, f"{lib.name}'s layer functions convert only with every program beside "
                                               f"it that imports them: {why}")])
    return result


def _alone(code: str, path: Path) -> Result:
    """The file's own native upgrade, its layer imports followed, without the group checks."""
    token = CURRENT.set(path)
    try:
        return _upgrade(code)
    finally:
        CURRENT.reset(token)


def _blocked(result: Result) -> bool:
    return any(d.rule == "native" and d.message.startswith("native conversion blocked") for d in result.diagnostics)


def _upgrade(code: str) -> Result:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return upgrade_rules(code, _native_rules())   # reports the parse error, leaves the file alone
    if (tf1_only := never_native(tree)) is not None:   # a graph imported or saved as such (native/outside_reasons.py)
        return _fallback(code, [Blocked(*tf1_only)])
    if (estimator := upgrade_estimators(code, tree, _native_rules())) is not None:   # native/estimator.py
        return _fallback(code, estimator) if isinstance(estimator, list) else estimator
    if (split := one_statement_per_line(code, tree)) is not None:   # `a = ...; b = ...` (native/statement_lines.py)
        return _unwrapped(code, split, _upgrade(split))
    if (plain := default_graphs(code, tree)) is not None:   # with tf.Graph().as_default(): as scoping
        return _unwrapped(code, plain, _upgrade(plain))
    parts = segments(code, tree)
    if parts is None:
        out = _native(code, tree)
        return _fallback(code, out) if isinstance(out, list) else out
    return _upgrade_parts(code, tree, parts)


def _unwrapped(code: str, plain: str, out: Result) -> Result:
    """The upgrade of the file with its graph blocks unwrapped (native/default_graphs.py), or the file's fallback."""
    if not _blocked(out):
        return dataclasses.replace(out, original=code)
    return _fallback(code, [Blocked(_line_in(code, plain, d.line), d.message.split(": ", 1)[1]) for d in out.diagnostics
                            if d.rule == "native" and d.message.startswith("native conversion blocked")])


def _upgrade_parts(code: str, tree: ast.Module, parts: list[str]) -> Result:
    """A script of several graphs (native/segments.py): every part converts, or the whole file falls back."""
    imports = header(tree)
    done: list[Result] = []
    offset = 0
    for i, part in enumerate(parts):
        text = part if i == 0 else with_header(code, imports, part)
        shift = offset - (0 if i == 0 else text.count("\n") - part.count("\n"))
        out = _native(text, ast.parse(text))
        if isinstance(out, list):
            return _fallback(code, [Blocked(b.line + shift, b.reason) for b in out])
        out.diagnostics = [dataclasses.replace(d, line=d.line + shift) for d in out.diagnostics]
        done.append(out)
        offset += part.count("\n")
    try:
        later = [split_header(r.code) for r in done[1:]]
    except ValueError as e:
        return _fallback(code, [Blocked(1, f"internal error: {e}")])
    notes = [d for r in done for d in r.diagnostics]
    return Result(join(done[0].code, later), code, sorted(notes, key=lambda d: (d.line, d.col)))


def _native(code: str, tree: ast.Module) -> Result | list[Blocked]:
    """The native upgrade of one graph program, or what blocked it."""
    rule_types = _native_rules()
    try:   # NOTE: TF1 code with a plain spelling (a VocabularyProcessor class, version tests); native/plain_respell.py
        helped = respell_plain(code, tree)
    except Blocked as b:
        return [b]
    if helped is not None:
        out = _native(helped, ast.parse(helped))
        return [Blocked(_line_in(code, helped, b.line), b.reason) for b in out] if isinstance(out, list) else \
            dataclasses.replace(out, original=code)
    try:   # NOTE: TF1 calls with an exact TF2 form (tf.div on floats) first; native/equivalents.py
        swapped = swap(code, tree)
        if swapped == code:   # NOTE: a MonitoredTrainingSession loop as the plain Session code it runs
            swapped = monitored_sessions(code, tree) or queue_pipelines(code, tree) or code   # native/queues.py
    except Blocked as b:
        return [b]
    if swapped != code:
        return _native(swapped, ast.parse(swapped))
    if (plain := default_graphs(code, tree, several=False)) is not None:   # native/default_graphs.py
        out = _native(plain, ast.parse(plain))
        return [Blocked(_line_in(code, plain, b.line), b.reason) for b in out] if isinstance(out, list) else \
            dataclasses.replace(out, original=code)
    if (scoped := unwrap_scoped_sessions(code, tree)) is not None:   # native/scoped_sessions.py
        out = _native(scoped, ast.parse(scoped))
        return [Blocked(_line_in(code, scoped, b.line), b.reason) for b in out] if isinstance(out, list) else \
            dataclasses.replace(out, original=code)
    if (named := item_names(code, tree) or drop_dead_savers(code, tree)) is not None:   # native/dict_items.py,
        # model['opt'] = ... -> model_opt = ...; a Saver bound twice in a row: the first goes (native/dead_savers.py)
        out = _native(named, ast.parse(named))
        return [Blocked(_line_in(code, named, b.line), b.reason) for b in out] if isinstance(out, list) else \
            dataclasses.replace(out, original=code)
    if (inlined := inline_sessions(code, tree)) is not None:   # native/session_inline.py
        out = _native(inlined, ast.parse(inlined))
        return [Blocked(_line_in(code, inlined, b.line), b.reason) for b in out] if isinstance(out, list) else \
            dataclasses.replace(out, original=code)
    if (guarded := main_guard(code, tree, lambda text: _native(text, ast.parse(text)))) is not None:
        return guarded   # native/main_guard.py
    if (across := cross_module(code, tree, lambda text: _native(text, ast.parse(text)),
                               lambda text, p: not _blocked(_alone(text, p)))) is not None:
        return across   # a model class of a module beside the script (native/class_modules.py)
    folded = convert_classes(code, tree, lambda text: _native(text, ast.parse(text)))   # native/class_fold.py
    if folded is not None:
        out = folded if isinstance(folded, list) else _native(folded, ast.parse(folded))
        return out if isinstance(out, list) else dataclasses.replace(out, original=code)
    prog = analyze(code, tree, CURRENT.get())
    if prog.implicit and prog.graph:
        with_params = add_parameters(code, tree, close_over_callers(tree, prog.implicit))
        if with_params is None:
            name = next(iter(prog.implicit))
            return [Blocked(1, f"function '{name}' reads the graph value '{prog.implicit[name][0]}' from module level "
                               "and is called with *args/**kwargs (pass it as an argument)")]
        return _native(with_params, ast.parse(with_params))
    if prog.rebound and prog.graph:
        renamed_code = rename(code, tree, prog.rebound)
        out = _native(renamed_code, ast.parse(renamed_code))
        return out
    if prog.unpacked and prog.graph and not prog.blockers:
        split_code = split(code, prog.unpacked)
        out = _native(split_code, ast.parse(split_code))
        return [Blocked(_line_in(code, split_code, b.line), b.reason) for b in out] if isinstance(out, list) else out
    if prog.graph and (named := name_group_steps(code, prog)) is not None:   # tf.group(opt.minimize(...), ...)
        out = _native(named[0], ast.parse(named[0]))
        return [Blocked(original_line(named[1], b.line), b.reason) for b in out] if isinstance(out, list) else \
            dataclasses.replace(out, original=code)
    if not prog.graph and not _layer_module(prog, tree):
        reader = plain_reader(code, tree)   # NOTE: a data helper that reads the tutorial MNIST (rules/native_mnist.py)
        if reader is not None:
            return _native(reader, ast.parse(reader))
        try:
            lifted = lift(code, tree, lambda text: _native(text, ast.parse(text)))
        except ValueError as e:   # a program inside a function that did not convert: its reasons
            return e.args[0]
        result = upgrade_rules(code if lifted is None else lifted[0], rule_types)
        left = leftover(result.code, result.diagnostics)
        if left is None and lifted is not None:
            notes = [d for r in lifted[1] for d in r.diagnostics]
            return Result(result.code, code, sorted(notes + result.diagnostics, key=lambda d: (d.line, d.col)))
        return result if left is None else [Blocked(*(why_kept(code, tree) or _graph_outside_module(tree, left)))]
    if prog.graph and (fed := fed_constants(prog)):   # a computed tensor fed a value (native/fed_tensors.py)
        fed_code = respell(code, prog, fed)
        out = _native(fed_code, ast.parse(fed_code))
        return [Blocked(_line_in(code, fed_code, b.line), b.reason) for b in out] if isinstance(out, list) else out
    if prog.blockers:
        return [Blocked(b.line, b.reason) for b in prog.blockers]
    ctx = Context(scan=Scan(aliases=dict(prog.aliases)), tables=tables())
    rules = [r(ctx) for r in rule_types if issubclass(r, NativeRule)]
    try:
        new = structural(prog, ctx, rules)
        if _syntax_error(new) is not None:
            return [Blocked(1, "internal error: native rewrite did not parse")]
        renamed = upgrade_rules(new, rule_types)
        if renamed.code == new and renamed.errors:
            return [Blocked(d.line, d.message) for d in renamed.errors]
        left = leftover(renamed.code, renamed.diagnostics)
    except Blocked as b:
        return [b]
    except Exception as e:   # NOTE: an analysis bug must never cost the user a working (compat) upgrade
        return [Blocked(1, f"internal error in native analysis ({type(e).__name__}: {e})")]
    if left is not None:
        return [Blocked(_original_line(code, left.reason, left.line), left.reason)]
    notes = sorted(ctx.diagnostics, key=lambda d: (d.line, d.col))
    return Result(renamed.code, code, notes + [d for d in renamed.diagnostics if d.severity != "change"])


def _layer_module(prog: Program, tree: ast.Module) -> bool:
    """A module of layer functions (`ops.py`, native/imported.py): its builders and variable factories convert."""
    fx = prog.functions
    return library(tree) and fx is not None and bool(fx.builders or fx.factories)


def _line_in(original: str, split_code: str, line: int) -> int:
    """A line of the split source -> the original's line (each split statement added lines)."""
    added = split_code.count("\n") - original.count("\n")
    return max(1, min(line, line - added if added > 0 else line))


GRAPH_WORDS = ("placeholder", "Session", "get_variable", "variable_scope", "Variable", "layers", "global_variables_initializer")


def _graph_outside_module(tree: ast.Module, left: Blocked) -> tuple[int, str]:
    """Why a file with TF1 left in it had no module-level graph: a construct with no TF2 form anywhere
    (native/outside_reasons.py), else the first def or class that builds one."""
    if (named := named_blocker(tree, left.reason)) is not None:
        return named
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            words = {n.attr for n in ast.walk(stmt) if isinstance(n, ast.Attribute)}
            if words & set(GRAPH_WORDS):
                what = "class" if isinstance(stmt, ast.ClassDef) else "function"
                return stmt.lineno, (f"the graph is built inside {what} '{stmt.name}' (no module-level graph to follow): "
                                     "native mode converts graphs built at module level, not yet graphs built in "
                                     f"functions or classes ({left.reason})")
        if isinstance(stmt, ast.With) and any(isinstance(i.context_expr, ast.Call) and getattr(
                i.context_expr.func, "attr", "") == "as_default" for i in stmt.items):
            return stmt.lineno, ("the graph is built inside `with <graph>.as_default():` blocks, each with its own "
                                 f"session: native mode converts one module-level graph ({left.reason})")
    return left.line, left.reason
