"""Constructs native mode cannot convert, found anywhere in a flat script after its statements are classified.

    walk_blockers(prog)   # prog.blockers += [Blocker(12, "tf.FIFOQueue: queue-based input pipelines ...")]
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.datasets import handled_call as dataset_call
from upgrader.native.local_savers import local_made
from upgrader.native.projector import uses_projector
from upgrader.native.rnn_states import class_cell_reason
from upgrader.native.tail_reasons import contrib_reason, failing_imports

if TYPE_CHECKING:
    from upgrader.native.model import Program

CONTRIB_INITIALIZERS = frozenset({"tf.contrib.layers.xavier_initializer", "tf.contrib.layers.variance_scaling_initializer"})
QUEUES = ("tf.train.string_input_producer", "tf.train.batch", "tf.train.shuffle_batch", "tf.train.start_queue_runners",
          "tf.train.Coordinator", "tf.FIFOQueue", "tf.RandomShuffleQueue", "tf.TextLineReader", "tf.train.input_producer")


def walk_blockers(prog: Program) -> None:
    """Block every call native mode has no TF2 form for (queues, unconverted layers, v1-only summaries...)."""
    from upgrader.native.model import ASSIGNS, LAYERS, SCHEDULES, SUMMARIES
    values = {id(e.stmt.value) for e in prog.entities.values() if isinstance(e.stmt, ast.Assign)}
    values |= prog.functions.calls if prog.functions else set()   # get_variable inside tf.Module-bound defs
    values |= {i for s in prog.tree.body if isinstance(s, ast.FunctionDef) and id(s) in prog.session_stmts
               for i in local_made(prog, s)}   # a Saver made in a session function (native/local_savers.py)
    failing_imports(prog)   # `import tf.contrib.layers`: fails in TF1 too (native/tail_reasons.py)
    _helper_summaries(prog, SUMMARIES)
    for node in ast.walk(prog.tree):
        k = prog.call_key(node)
        if k is None:
            if isinstance(node, ast.Attribute) and node.attr == "partial_run":
                prog.block(node, "sess.partial_run has no TF2 equivalent")
            continue
        if k in CONTRIB_INITIALIZERS or uses_projector(k):   # Keras initializers (rules/native_initializers.py),
            continue   # the projector's config (native/projector.py)
        if k.startswith(QUEUES) or "Queue" in k or k.endswith("Reader"):
            prog.block(node, f"{k}: queue-based input pipelines have no native TF2 form (use tf.data by hand)")
        elif (k.startswith(("tf.layers.", "tf.nn.rnn_cell", "tf.nn.dynamic_rnn", "tf.contrib")) and k not in LAYERS
              and id(node) not in prog.rnn_calls | (prog.functions.calls if prog.functions else set())) or (
                k in LAYERS and id(node) not in values):
            prog.block(node, contrib_reason(k) or class_cell_reason(prog, node, k) or f"{k}: not converted natively yet (v1 layers/cells"
                                                  f"{'' if k not in LAYERS else ' nested in an expression'})")
        elif k.startswith(("tf.data.make_one_shot", "tf.data.make_initializable")) and not dataset_call(prog, node):
            prog.block(node, f"{k} inside an expression: native mode converts an iterator made as a "
                             "statement's whole value (it = tf.data.make_one_shot_iterator(ds))")
        elif k.startswith(("tf.summary.", "tf.train.summary_iterator",
                           "tf.train.checkpoint_exists")) and (
                k not in SUMMARIES | {"tf.summary.merge_all", "tf.summary.merge", "tf.summary.FileWriter"}):
            prog.block(node, f"{k}: v1 summaries/checkpoints are not converted natively yet")
        elif (k in ASSIGNS | SCHEDULES.keys() | {"tf.get_variable", "tf.train.Saver", "tf.placeholder_with_default"}
              and id(node) not in values | prog.rnn_calls) or (k == "tf.control_dependencies" and id(node) not in prog.control_calls):
            prog.block(node, f"{k}: not converted natively yet" + (" (only as a statement's whole value)" if k in ASSIGNS else ""))


def _helper_summaries(prog: Program, summaries: frozenset) -> None:
    """A summary op in a plain helper function (`tf.summary.histogram("relu1", h)` in `def mlp(x)`): TF1 added it
    to the graph each time the function built its ops, and merge_all wrote it. The converted function would call
    TF2's summary op with no writer and no step, which writes nothing: keep the file in compat form instead."""
    fx = prog.functions
    if fx is None:
        return
    for name in sorted(fx.helpers):
        node = fx.defs.get(name)
        call = next((n for n in ast.walk(node) if prog.call_key(n) in summaries), None) if node is not None else None
        if call is not None:
            prog.block(call, f"{prog.call_key(call)} inside function '{name}', which only computes tensors: TF2 would "
                             "call it with no writer and write nothing; native mode converts summaries made at module "
                             "level and summaries of a layer function's variables")
