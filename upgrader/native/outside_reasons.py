"""Why a TF1 program whose graph is not built at module level stayed in compat form: the construct itself, by name.

A program that builds its graph in `main()`, a `with g.as_default():` block or a class falls back for the
first thing its body could not convert. When that thing has no TF2 form wherever it stands, it is the
reason, not where the graph was built:

    with graph.as_default():                                        ->  'tf.train.import_meta_graph restores a
        saver = tf.train.import_meta_graph("model.ckpt.meta")             graph that another program saved ...'
    vocab = learn.preprocessing.VocabularyProcessor(20)  (in main)  ->  'tf.contrib.learn.preprocessing.
                                                                          VocabularyProcessor: no TF2 layer ...'
    no session; tf.summary.FileWriter(logdir, graph)                ->  'the program builds a graph without ever
                                                                          running it ...'

    named_blocker(tree, left_reason) -> (line, reason) or None (then the generic "built inside function 'f'")
    never_native(tree) -> (line, reason) for a graph import or TF1 SavedModel export anywhere in the file, or None
"""
from __future__ import annotations

import ast

from upgrader.native.tail_reasons import contrib_reason
from upgrader.scan import collect_aliases, dotted, to_key

_NO_GRAPH = "TF2 code has no graph to import it into (without tf.compat.v1)"
IMPORTED_GRAPHS = {
    "tf.train.import_meta_graph": (
        f"restores a graph that another program saved and reads its tensors by name: {_NO_GRAPH}; have the program "
        "that trains export a SavedModel (tf.saved_model.save) and load it with tf.saved_model.load"),
    "tf.import_graph_def": (
        f"loads a frozen GraphDef and reads its tensors by name: {_NO_GRAPH}; load the model as a SavedModel "
        "(tf.saved_model.load) or a Keras model instead"),
    "tf.saved_model.loader.load": (
        f"loads a TF1 SavedModel's graph into a session: {_NO_GRAPH}; tf.saved_model.load returns its signatures as "
        "functions"),
}
IMPORTED_GRAPHS["tf.graph_util.import_graph_def"] = IMPORTED_GRAPHS["tf.import_graph_def"]
SAVED_GRAPHS = {
    "tf.saved_model.builder.SavedModelBuilder": (
        "writes the session's graph with TF1 signature defs: TF2 code has no session graph to save; export a "
        "tf.Module or Keras model with tf.saved_model.save(obj, path, signatures=...) instead"),
}
SAVED_GRAPHS["tf.saved_model.Builder"] = SAVED_GRAPHS["tf.saved_model.builder.SavedModelBuilder"]
GENERIC = ("has no TF2 equivalent native mode can use", "is still needed after conversion")


def _calls(tree: ast.Module) -> list[tuple[str, ast.Call]]:
    """(TensorFlow key, call) for each call of a `tf.*` name in the file, in source order."""
    aliases = collect_aliases(tree)
    out = []
    for n in ast.walk(tree):
        d = dotted(n.func) if isinstance(n, ast.Call) else None
        head, _, rest = (d or "").partition(".")
        key = to_key(aliases[head] + ("." + rest if rest else "")) if head in aliases else ""
        if key.startswith("tf"):
            out.append((key, n))
    return sorted(out, key=lambda kc: (kc[1].lineno, kc[1].col_offset))


def named_blocker(tree: ast.Module, left_reason: str) -> tuple[int, str] | None:
    """See the module docstring. `left_reason` is what the compat pass left TF1-only in the file."""
    calls = _calls(tree)
    for key, call in calls:
        if key in IMPORTED_GRAPHS:
            return call.lineno, f"{key} {IMPORTED_GRAPHS[key]}"
    runs = any(k in ("tf.Session", "tf.InteractiveSession") for k, _ in calls) or any(
        isinstance(n, ast.Call) and getattr(n.func, "attr", None) in ("run", "eval") for n in ast.walk(tree))
    writer = next((c for k, c in calls if k == "tf.summary.FileWriter"), None)
    if writer is not None and not runs:
        return writer.lineno, ("the program builds a graph without ever running it (no session): what it leaves is the "
                               "graph written for TensorBoard, and TF2 code, which runs eagerly, has no such graph")
    symbol = left_reason.split(":", 1)[0].split(" ", 1)[0]
    if not symbol.startswith("tf.") or left_reason.endswith(GENERIC):
        return None   # the graph's placement is the reason: TF1 code left because it was not followed
    where = next((c.lineno for k, c in calls if k == symbol or k.startswith(symbol + ".")), None)
    if where is None:
        return None
    return where, contrib_reason(symbol) or left_reason


def never_native(tree: ast.Module) -> tuple[int, str] | None:
    """The first call, anywhere in the file, of a construct that only exists on a TF1 graph (importing one, or
    saving the session's graph as a TF1 SavedModel): the file stays in compat form, and this is why."""
    for key, call in _calls(tree):
        why = IMPORTED_GRAPHS.get(key) or SAVED_GRAPHS.get(key)
        if why is not None:
            return call.lineno, f"{key} {why}"
    return None
