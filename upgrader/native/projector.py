"""The TensorBoard embedding projector in TF2: the same config, the embedding named by its checkpoint key.

The projector is plain Python in TF2 too (`from tensorboard.plugins import projector`, the import is
respelled by rules/contrib_projector.py): a ProjectorConfig written to the log directory names each
embedding by the checkpoint key of its variable, and TensorBoard reads the variable from the newest
checkpoint there. Two things change, and are respelled in the TF1 source before the analysis:

    emb.tensor_name = embedding_var.name              ->  emb.tensor_name = "embedding_var/.ATTRIBUTES/VARIABLE_VALUE"
    projector.visualize_embeddings(writer, config)    ->  projector.visualize_embeddings(logs_path, config)

TF1 named the variable ('fc1_embedding:0') as its Saver wrote it; the Saver becomes a tf.train.Checkpoint
holding each variable under its Python name (rules/native_saver.py), which saves it under
'<name>/.ATTRIBUTES/VARIABLE_VALUE'. TF2's summary writer has no logdir to read back, so the writer's
own logdir argument is passed. rules/native_saver.py saves through a CheckpointManager in a file that
uses the projector, which writes the `checkpoint` state file TensorBoard finds the newest checkpoint by.

    projector_spans(tree, aliases, source)  ->  [((line, col, end_line, end_col), new text)]; Blocked when
                                                the variable is saved by no Saver, or the logdir is unknown
"""
from __future__ import annotations

import ast
import json
from typing import Callable

from upgrader.scan import aliased_key

PROJECTOR = "tf.contrib.tensorboard.plugins.projector"
KEY = "{}/.ATTRIBUTES/VARIABLE_VALUE"   # where tf.train.Checkpoint(name=variable) keeps the variable's value


def uses_projector(key: str | None) -> bool:
    """A projector call (ProjectorConfig, visualize_embeddings): plain Python in TF2 as in TF1."""
    return key is not None and (key == PROJECTOR or key.startswith(PROJECTOR + "."))


def projector_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str]) -> list:
    """The edits of the module docstring, for every `X.tensor_name = V.name` and `visualize_embeddings(W, c)`."""
    nodes = list(ast.walk(tree))
    if not any(uses_projector(aliased_key(aliases, n.func)) for n in nodes if isinstance(n, ast.Call)):
        return []
    savers = [n for n in nodes if isinstance(n, ast.Call) and aliased_key(aliases, n.func) == "tf.train.Saver"]
    spans = []
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(t := node.targets[0], ast.Attribute) \
                and t.attr == "tensor_name" and isinstance(v := node.value, ast.Attribute) and v.attr == "name" \
                and isinstance(v.value, ast.Name):
            spans.append((_span(v), json.dumps(KEY.format(_saved_as(v.value, savers, nodes)))))
        elif isinstance(node, ast.Call) and aliased_key(aliases, node.func) == PROJECTOR + ".visualize_embeddings" \
                and node.args and isinstance(w := node.args[0], ast.Name):
            logdir = _logdir(w, nodes, aliases)
            if logdir is not None:
                spans.append((_span(w), source(logdir)))
    return spans


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def _saved_as(var: ast.Name, savers: list[ast.Call], nodes: list[ast.AST]) -> str:
    """The name the Checkpoint made of a Saver that saves `var` keeps it under (Blocked: no Saver saves it)."""
    made = min((n.lineno for n in nodes if isinstance(n, ast.Name) and n.id == var.id
                and isinstance(n.ctx, ast.Store)), default=0)
    for call in savers:
        given = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "var_list"), None)
        if isinstance(given, (ast.List, ast.Tuple)) and any(isinstance(e, ast.Name) and e.id == var.id for e in given.elts):
            return var.id
        if isinstance(given, ast.Dict):
            key = next((k.value for k, v in zip(given.keys, given.values) if isinstance(v, ast.Name)
                        and v.id == var.id and isinstance(k, ast.Constant) and str(k.value).isidentifier()), None)
            if key is not None:
                return key
        if given is None and call.lineno > made:   # NOTE: a Saver() saves the variables made before it
            return var.id
    from upgrader.native.base import Blocked   # NOTE: base imports the analysis, which imports this module
    raise Blocked(var.lineno, f"the projector's tensor_name is '{var.id}.name', but no tf.train.Saver made after "
                              f"'{var.id}' saves it: TensorBoard reads the embedding from a checkpoint in the log "
                              "directory (save the variable with a Saver to convert natively)")


def _logdir(writer: ast.Name, nodes: list[ast.AST], aliases: dict[str, str]) -> ast.expr | None:
    """The logdir argument of the FileWriter `writer` is bound to (bound once), or None when it is no writer.
    Blocked: the logdir reads names rebound elsewhere, so it may not be the writer's at the call."""
    binds = [n for n in nodes if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == writer.id for t in n.targets)]
    calls = [b.value for b in binds if isinstance(b.value, ast.Call)
             and aliased_key(aliases, b.value.func) == "tf.summary.FileWriter"]
    if not calls:
        return None
    call = calls[0]
    logdir = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "logdir"), None)
    stores = {}
    for n in nodes:
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            stores[n.id] = stores.get(n.id, 0) + 1
    names = [n.id for n in ast.walk(logdir) if isinstance(n, ast.Name)] if logdir is not None else []
    if logdir is None or len(binds) != 1 or any(stores.get(n, 0) > 1 for n in names):
        from upgrader.native.base import Blocked
        raise Blocked(writer.lineno, f"projector.visualize_embeddings({writer.id}, ...): TF2's summary writer has no "
                                     f"logdir to read back, and the one '{writer.id}' was made with is not a value "
                                     "bound once (pass the log directory itself to convert natively)")
    return logdir
