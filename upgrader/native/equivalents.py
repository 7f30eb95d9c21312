"""TF1 calls that compat mode keeps as `tf.compat.v1.X` but that have an exact TF2 form native mode can use.

    tf.div(3, 4)                                   ->  tf.math.floordiv(3, 4)     (integers: TF1 floored)
    tf.div(total, n)         (total is float32)    ->  tf.math.divide(total, n)
    tf.floor_div(b, a)                             ->  tf.math.floordiv(b, a)
    tf.nn.embedding_lookup(emb, ids, "div")        ->  tf.nn.embedding_lookup(emb, ids)   (one tensor, not shards)
    tf.gfile.FastGFile(path, "rb")                 ->  tf.io.gfile.GFile(path, "rb")

`swap(code, tree)` runs before the native analysis (native mode only: the fallback upgrades
the original text). A call it cannot convert exactly keeps its TF1 name, so the compat
rename gives it `tf.compat.v1` and the file falls back, with `why_not(key)` as the reason;
for rows whose TF2 name is the TF1 name, `swap` reports that call itself (the rename of
those keys is switched off in native mode by `rules/native_equivalents.py`). `swap` also
respells TF1 code into the forms the analysis follows: graph math defined inside the session
block moves above it (native/hoist.py), `op.run(feed, session=s)` becomes `s.run(op, feed)`
(native/session_calls.py), `tf.contrib.layers` calls become the `tf.layers` calls they equal
(native/contrib_layers.py), and `tf.contrib.seq2seq.sequence_loss` its core ops (native/sequence_loss.py).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from upgrader.native.augmented import augmented_spans
from upgrader.native.dimension_values import dimension_spans
from upgrader.native.base import Blocked
from upgrader.native.call_respells import call_respell_spans
from upgrader.native.contrib_layers import contrib_layer_spans
from upgrader.native.scope_initializer import scope_initializer_spans
from upgrader.native.sequence_loss import sequence_loss_spans
from upgrader.native.legacy_seq2seq import by_example_spans
from upgrader.native.session_options import session_option_spans
from upgrader.native.single_pull import single_pulls
from upgrader.native.static_returns import static_return_spans
from upgrader.native.graph_blocks import wrap_blocks
from upgrader.native.hoist import hoist
from upgrader.native.local_aliases import local_aliases
from upgrader.native.nested_defs import nested_defs
from upgrader.native.module_imports import module_import_spans
from upgrader.native.operand_kinds import FLOAT, Kinds
from upgrader.native.plain_scopes import plain_scope_spans
from upgrader.native.projector import projector_spans
from upgrader.native.local_savers import initializer_spans
from upgrader.native.scope_names import scope_names
from upgrader.native.session_calls import session_calls
from upgrader.native.session_configs import session_config_spans
from upgrader.native.session_default import unwrap_session_defaults
from upgrader.scan import collect_aliases

_NEWLINE = re.compile(r"\r\n|\r|\n")
ANY = object()   # a dropped argument whose value does not matter


@dataclass(frozen=True)
class Equivalent:
    """One TF1 function and its TF2 form: argument names, and v1-only arguments TF2 drops (with the values
    under which dropping is exact; ANY = every value, given `single`)."""

    new: str
    v1_args: tuple[str, ...]
    v2_args: tuple[str, ...]
    drop: dict[str, object] = field(default_factory=dict)
    single: str = ""   # this argument must be one tensor: a list of shards is split by 'mod' in TF1, 'div' in TF2
    why: str = ""      # why a call can stay TF1-only (the fallback's reason)


_SHARDS = "a list of shards is split among them by 'mod' in TF1 and by 'div' in TF2"
TABLE: dict[str, Equivalent] = {
    "tf.div": Equivalent("", ("x", "y", "name"), ("x", "y", "name"),
                         why="TF1 floors integers and divides floats, and the dtype of the first operand is not "
                             "known statically (write x / y or x // y)"),
    "tf.get_default_graph": Equivalent("", (), (), why=(
        "TF2 runs eagerly and keeps no default graph, so the GraphDef a TF1 program prints or writes for "
        "TensorBoard has no eager counterpart (a tf.function's get_concrete_function().graph holds other ops; "
        "tf.summary.trace_on/trace_export records a traced function's graph for TensorBoard)")),
    "tf.ConfigProto": Equivalent("", (), (), why=(
        "a session configuration kept as an object of its own: TF2 has no session to give it to and sets these "
        "options process-wide instead (tf.config.set_soft_device_placement, tf.debugging.set_log_device_placement, "
        "tf.config.experimental.set_memory_growth per GPU); gpu_options.per_process_gpu_memory_fraction has no TF2 "
        "form (tf.config.set_logical_device_configuration takes a limit in MB)")),
    "tf.floor_div": Equivalent("tf.math.floordiv", ("x", "y", "name"), ("x", "y", "name")),   # both run FloorDiv
    "tf.gfile.FastGFile": Equivalent("tf.io.gfile.GFile", ("name", "mode"), ("name", "mode")),
    "tf.nn.embedding_lookup": Equivalent(
        "tf.nn.embedding_lookup", ("params", "ids", "partition_strategy", "name", "validate_indices", "max_norm"),
        ("params", "ids", "max_norm", "name"), {"partition_strategy": ANY, "validate_indices": ANY}, "params", _SHARDS),
    "tf.nn.nce_loss": Equivalent(
        "tf.nn.nce_loss", ("weights", "biases", "labels", "inputs", "num_sampled", "num_classes", "num_true",
                           "sampled_values", "remove_accidental_hits", "partition_strategy", "name"),
        ("weights", "biases", "labels", "inputs", "num_sampled", "num_classes", "num_true", "sampled_values",
         "remove_accidental_hits", "name"), {"partition_strategy": ANY}, "weights", _SHARDS),
    "tf.nn.sampled_softmax_loss": Equivalent(
        "tf.nn.sampled_softmax_loss", ("weights", "biases", "labels", "inputs", "num_sampled", "num_classes",
                                       "num_true", "sampled_values", "remove_accidental_hits", "partition_strategy",
                                       "name", "seed"),
        ("weights", "biases", "labels", "inputs", "num_sampled", "num_classes", "num_true", "sampled_values",
         "remove_accidental_hits", "seed", "name"), {"partition_strategy": ANY}, "weights", _SHARDS),
    # input parsing (native/queues.py's tf.data pipelines): the same ops, arguments in TF2's order
    "tf.decode_csv": Equivalent("tf.io.decode_csv", ("records", "record_defaults", "field_delim", "use_quote_delim",
                                                     "name", "na_value", "select_cols"),
                                ("records", "record_defaults", "field_delim", "use_quote_delim", "na_value",
                                 "select_cols", "name")),
    "tf.decode_raw": Equivalent("tf.io.decode_raw", ("input_bytes", "out_type", "little_endian", "name"),
                                ("input_bytes", "out_type", "little_endian", "fixed_length", "name")),
    **{f"tf.{f}": Equivalent(f"tf.io.{f}", ("serialized", "features", "name", "example_names"),
                             ("serialized", "features", "example_names", "name"))
       for f in ("parse_single_example", "parse_example")},
}
SAME_NAME = frozenset(k for k, e in TABLE.items() if e.new == k)


def why_not(key: str) -> str:
    """The reason a TF1 call of `key` kept its compat.v1 form in native mode ("" when it has no row)."""
    row = TABLE.get(key)
    return row.why if row else ""


def swap(code: str, tree: ast.Module) -> str:
    """`code` with every call of the table that has an exact TF2 form rewritten to it, and `op.run(feed,
    session=sess)` spelled `sess.run(op, feed_dict=feed)` (native/session_calls.py); lines are kept."""
    aliases = collect_aliases(tree)
    if not aliases:
        return code
    if (unwrapped := unwrap_session_defaults(code, tree)) != code:   # `with sess.as_default():` (session_default.py)
        return unwrapped
    if (hoisted := hoist(code, tree)) != code:   # native/hoist.py; the caller analyses the result again
        return hoisted
    if (wrapped := wrap_blocks(code, tree)) != code:   # a graph-building for/if -> a function (native/graph_blocks.py)
        return wrapped
    if (pulled := single_pulls(code, tree)) != code:   # one session run: next(iter(ds)) (native/single_pull.py)
        return pulled
    if (moved := nested_defs(code, tree)) != code:   # a def nested in a def moves out (native/nested_defs.py)
        return moved
    if (direct := local_aliases(code, tree)) != code:   # `cell = tf.X` then `cell(...)` (native/local_aliases.py)
        return direct
    starts = [0] + [m.end() for m in _NEWLINE.finditer(code)]

    def at(line: int, col: int) -> int:
        text = code[starts[line - 1]:starts[line] if line < len(starts) else len(code)]
        return starts[line - 1] + (col if text.isascii() else len(text.encode("utf-8")[:col].decode("utf-8", "replace")))

    def source(n: ast.AST) -> str:
        return code[at(n.lineno, n.col_offset):at(n.end_lineno, n.end_col_offset)]

    spans = session_calls(tree, source) + module_import_spans(tree, source)   # native/module_imports.py
    if "contrib" in code:
        spans += contrib_layer_spans(tree, aliases, source)   # tf.contrib.layers -> tf.layers (native/contrib_layers.py)
        spans += sequence_loss_spans(tree, aliases, source)   # seq2seq.sequence_loss in core ops (native/sequence_loss.py)
        spans += by_example_spans(tree, aliases, source)   # legacy_seq2seq's loss in core ops (native/legacy_seq2seq.py)
    if "initializer=" in code:
        spans += scope_initializer_spans(tree, aliases, source)   # native/scope_initializer.py
    spans += scope_names(tree, aliases)   # `name=scope.name` -> the scope's path (native/scope_names.py)
    if any(w in code for w in ("xw_plus_b", "global_step(", "Saver(")):   # native/call_respells.py
        spans += call_respell_spans(tree, aliases, source)
    spans += augmented_spans(tree, aliases, source)   # `t += e` on a tensor -> `t = t + e` (native/augmented.py)
    if "ConfigProto" in code:   # a session configuration kept in a name (native/session_configs.py)
        spans += session_config_spans(tree, aliases, source)
    if "projector" in code:   # the embedding's checkpoint key, the writer's logdir (native/projector.py)
        spans += projector_spans(tree, aliases, source)
    if ".initializer" in code:   # a variable made in a function, initialised there (native/local_savers.py)
        spans += initializer_spans(tree, aliases)
    if "ConfigProto" in code:   # inline or field-by-field session configurations (native/session_options.py)
        spans += session_option_spans(tree, aliases, source)
    if "shape" in code:   # a helper's returned static-shape number, at the call (native/static_returns.py)
        spans += static_return_spans(tree, source)
    if ".value" in code:
        spans += [d for d in dimension_spans(tree, source) if not any(   # (native/dimension_values.py)
            s[:2] <= d[0][:2] and d[0][2:] <= s[2:] for s, _ in spans)]   # NOTE: not inside another edit
    spans += plain_scope_spans(tree, aliases, source, code)   # variable-free scopes in functions (native/plain_scopes.py)
    if any(k.rsplit(".", 1)[-1] in code for k in TABLE):
        spans += _table_spans(tree, aliases)
    edits = []
    for (l0, c0, l1, c1), text in spans:
        s, e = at(l0, c0), at(l1, c1)
        lost = _NEWLINE.findall(code[s:e])[len(_NEWLINE.findall(text)):]
        edits.append((s, e, text + "".join(lost)))   # NOTE: the line count stays as it was
    for s, e, text in sorted(edits, reverse=True):
        code = code[:s] + text + code[e:]
    return code


def _table_spans(tree: ast.Module, aliases: dict[str, str]) -> list:
    """[((line, col, end_line, end_col), new text)] for the table's calls; Blocked for a same-name call kept TF1."""
    kinds = Kinds(tree, aliases)
    spans: list = []
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        key = kinds.key(node) if isinstance(node, ast.Attribute) else None
        if key in SAME_NAME and id(node) not in calls:
            raise Blocked(node.lineno, f"{key} passed as a value: its TF1 and TF2 forms differ in the arguments they take")
        if not isinstance(node, ast.Call) or (key := kinds.key(node.func)) not in TABLE:
            continue
        root = ast.unparse(node.func).split(".")[0]
        if aliases.get(root) != "tensorflow" or not isinstance(node.func, ast.Attribute):
            if key in SAME_NAME:   # `from tensorflow.nn import embedding_lookup`
                raise Blocked(node.lineno, f"{key} imported by name: call it as tf.{key[3:]} to convert it natively")
            continue
        new = _convert(node, key, TABLE[key], kinds, tree)
        if new is None:
            if key in SAME_NAME:
                raise Blocked(node.lineno, f"{key}: {TABLE[key].why}")
            continue
        f = node.func
        spans.append(((f.lineno, f.col_offset, f.end_lineno, f.end_col_offset), root + new[0][2:]))
        spans += new[1]
    return spans


def _convert(call: ast.Call, key: str, row: Equivalent, kinds: Kinds, tree: ast.Module):
    """(new function name, [(span, text)] argument edits), or None when no exact TF2 form is known."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    named = {row.v1_args[i]: a for i, a in enumerate(call.args) if i < len(row.v1_args)}
    if len(call.args) > len(row.v1_args):
        return None
    named.update({k.arg: k.value for k in call.keywords})
    if key == "tf.div":
        kind = kinds.of(named.get("x")) or _tensor_kind(kinds, named.get("y"))
        return None if kind is None else ("tf.math.divide" if kind == FLOAT else "tf.math.floordiv", [])
    if row.single and not _single(named.get(row.single), tree):
        return None
    for arg, allowed in row.drop.items():
        if arg in named and allowed is not ANY and not (isinstance(named[arg], ast.Constant) and named[arg].value == allowed):
            return None
    items = [(row.v1_args[i], a, a) for i, a in enumerate(call.args)] + [(k.arg, k.value, k) for k in call.keywords]
    kept = [i for i, (name, _, _) in enumerate(items) if name not in row.drop]
    if not kept or any(items[i][0] not in row.v2_args for i in kept):
        return None
    edits: list[tuple[tuple[int, int, int, int], str]] = []
    for i, (name, _, node) in enumerate(items):
        if name in row.drop and i < kept[-1]:   # up to the next argument
            nxt = items[i + 1][2]
            edits.append(((node.lineno, node.col_offset, nxt.lineno, nxt.col_offset), ""))
    if kept[-1] < len(items) - 1:   # trailing dropped arguments: from the end of the last kept one
        last, first, end = items[kept[-1]][2], items[kept[-1] + 1][2], items[-1][2]
        if first.lineno > last.end_lineno:   # on lines of their own: the kept comma stays, `)` closes a line
            edits.append(((first.lineno, 0, end.end_lineno, end.end_col_offset), ""))
        else:
            edits.append(((last.end_lineno, last.end_col_offset, end.end_lineno, end.end_col_offset), ""))
    named_from = len(items)
    for n, i in enumerate(kept):   # a positional argument after a dropped one, or out of TF2's order, gets its name
        name, value, node = items[i]
        if node is value and (n != i or row.v2_args.index(name) != n or named_from < i):
            named_from = min(named_from, i)
            edits.append(((value.lineno, value.col_offset, value.lineno, value.col_offset), f"{name}="))
    return row.new, edits


def _tensor_kind(kinds: Kinds, node: ast.expr | None) -> str | None:
    """The second operand decides only when it is a tensor (a Python number takes the first operand's dtype)."""
    if node is None or isinstance(node, (ast.Constant, ast.UnaryOp, ast.BinOp)):
        return None
    return kinds.of(node) if isinstance(node, ast.Call) and kinds.key(node.func) else None


def _single(node: ast.expr | None, tree: ast.Module) -> bool:
    """`node` is one tensor: not a list/tuple literal, nor a name ever bound to one or to a partitioned variable."""
    if node is None or isinstance(node, (ast.List, ast.Tuple, ast.ListComp, ast.Starred)):
        return False
    if not isinstance(node, ast.Name):
        return True
    for a in ast.walk(tree):
        if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets):
            if isinstance(a.value, (ast.List, ast.Tuple, ast.ListComp)) or any(
                    k.arg == "partitioner" for c in ast.walk(a.value) if isinstance(c, ast.Call) for k in c.keywords):
                return False
    return True
