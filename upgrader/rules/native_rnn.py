"""`tf.nn.rnn_cell` cells + `tf.nn.dynamic_rnn` become one Keras RNN layer, called with a sequence mask."""
from __future__ import annotations

import ast
import re

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.native.rnn import CELLS, RUN_PARAMS, STACKS, keras_cell, state_kinds
from upgrader.native.rnn_builders import contrib_import_followed
from upgrader.native.rnn_states import holders
from upgrader.native.rnn_text import STATE_TUPLE, output_dropout, state_lines
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue

RUN = "return_sequences=True, return_state=True"


class NativeRnn(NativeRule):
    """Build the cell once as a Keras RNN layer; `outputs` and `state` become functions calling it.

    cell = tf.nn.rnn_cell.LSTMCell(8, initializer=init)  ->  cell = tf.keras.layers.LSTM(8, kernel_initializer=init,
                                                                   recurrent_initializer=init, return_sequences=True, ...)
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=n, dtype=tf.float32)
        ->  def outputs(x, n):                               def state(x, n):
                mask = tf.sequence_mask(n, tf.shape(x)[1])       ...
                return cell(x, mask=mask)[0]                     _, h, c = cell(x, mask=mask)
                                                                 return LSTMStateTuple(c, h)
    """

    DESCRIPTION = "tf.nn.rnn_cell cells + dynamic_rnn -> Keras LSTM/GRU/SimpleRNN/RNN layers with a sequence mask"
    KINDS = frozenset({"cell", "layer", "tensor"})
    PRIORITY = 13

    def cell(self, prog: Program, call: ast.Call, edit: Editor, name: str) -> tuple[str, list[str]]:
        keras, args, warnings = keras_cell(prog, call, edit, name)
        for w in warnings:
            self.warn(w, once=False)
        return keras, args

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if isinstance(stmt, ast.ImportFrom) and contrib_import_followed(prog, stmt) or entity is None and isinstance(
                stmt, ast.Assign) and id(stmt.value) in prog.rnn_calls:   # `cell = DropoutWrapper(cell)`, zero_state
            self.change(f"line {stmt.lineno}: dropped (it became part of a Keras layer or its call)")
            return ""
        if entity is None or not isinstance(stmt, ast.Assign):
            return None
        key = prog.call_key(stmt.value)
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if key in RUN_PARAMS:
            return self.dynamic_rnn(prog, stmt, edit)
        if entity.kind == "cell" and isinstance(stmt.value, (ast.List, ast.Tuple, ast.ListComp)):   # [GRUCell(n) ...]
            self.change(f"RNN cells '{entity.name}' -> a list of Keras cells")
            return f"{entity.name} = {self.cells(prog, stmt.value, edit, entity.name)}"
        if key not in CELLS and key not in STACKS:
            return None
        if entity.kind == "cell":   # one layer of a MultiRNNCell built later
            keras, args = self.cell(prog, stmt.value, edit, entity.name)
            self.change(f"RNN cell '{entity.name}' -> tf.keras.layers.{keras}")
            return f"{entity.name} = {edit.tfx('keras.layers.' + keras)}({', '.join(args)})"
        if key in CELLS:
            keras, args = self.cell(prog, stmt.value, edit, entity.name)
            layer = keras[:-len("Cell")]   # LSTMCell -> LSTM, GRUCell -> GRU, SimpleRNNCell -> SimpleRNN
            self.change(f"RNN cell '{entity.name}' -> tf.keras.layers.{layer} layer run by dynamic_rnn")
            return f"{entity.name} = {edit.tfx('keras.layers.' + layer)}({', '.join(args + [_run(prog, entity)])})"
        arg = stmt.value.args[0]
        inner = arg.id if isinstance(arg, ast.Name) else self.cells(prog, arg, edit, entity.name)
        self.change(f"MultiRNNCell '{entity.name}' -> tf.keras.layers.RNN over a list of Keras cells")
        line = f"{entity.name} = {edit.tfx('keras.layers.RNN')}({inner}, {_run(prog, entity)})"
        return line if len(line) <= 120 else f"{entity.name} = {edit.tfx('keras.layers.RNN')}(\n    {inner},\n    {_run(prog, entity)})"

    def cells(self, prog: Program, arg: ast.expr, edit: Editor, name: str) -> str:
        """A list (or comprehension) of TF1 cells as the list of Keras cells a tf.keras.layers.RNN stacks."""
        if isinstance(arg, ast.ListComp) and isinstance(arg.elt, ast.Name):   # one cell in every layer: its weights
            return edit.text(arg)                                            # are shared, in TF1 as in Keras
        if isinstance(arg, ast.ListComp):
            keras, args = self.cell(prog, arg.elt, edit, name)
            loops = "".join(f" for {edit.text(g.target)} in {edit.text(g.iter)}" + "".join(
                f" if {edit.text(c)}" for c in g.ifs) for g in arg.generators)
            return f"[{edit.tfx('keras.layers.' + keras)}({', '.join(args)}){loops}]"
        items = []
        for item in arg.elts:
            if isinstance(item, ast.Name):
                items.append(item.id)
                continue
            keras, args = self.cell(prog, item, edit, name)
            items.append(f"{edit.tfx('keras.layers.' + keras)}({', '.join(args)})")
        return "[" + ", ".join(items) + "]"

    def dynamic_rnn(self, prog: Program, stmt: ast.Assign, edit: Editor) -> str:
        call = stmt.value
        static = prog.call_key(call) != "tf.nn.dynamic_rnn"   # NOTE: static_rnn's inputs and outputs are lists of steps
        args = dict(zip(RUN_PARAMS[prog.call_key(call)], call.args)) | {k.arg: k.value for k in call.keywords}
        layer = args["cell"].id
        names = [e.id for e in stmt.targets[0].elts]
        kinds, _ = state_kinds(prog, prog.entities[layer].stmt.value)
        stacked = prog.call_key(prog.entities[layer].stmt.value) in STACKS
        first = next(prog.entities[n] for n in names if n in prog.entities)
        inputs = expression(prog, args["inputs"], edit)
        body = prologue(prog, first, edit)
        if not isinstance(args["inputs"], ast.Name) or static:
            var = "inputs" if edit.free("inputs") else "rnn_inputs"
            body.append(f"{var} = {edit.tfx('stack')}({inputs}, axis=1)" if static else f"{var} = {inputs}")
            inputs = var
        length = args.get("sequence_length")
        init = args.get("initial_state")
        state = f", initial_state={init.id}" if isinstance(init, ast.Name) and init.id in holders(prog) else ""
        run = f"{layer}({inputs}{state})"
        if length is not None and not (isinstance(length, ast.Constant) and length.value is None):
            mask = "mask" if edit.free("mask") else "sequence_mask"
            body.append(f"{mask} = {edit.tfx('sequence_mask')}({expression(prog, length, edit)}, "
                        f"{edit.tfx('shape')}({inputs})[1])")
            run = f"{layer}({inputs}, mask={mask}{state})"
        out: list[str] = []
        if names[0] != "_":
            ret = output_dropout(prog, layer, f"{run}[0]", edit, lambda n: expression(prog, n, edit))
            ret = f"{edit.tfx('unstack')}({ret}, axis=1)" if static else ret
            out.append(f"def {names[0]}({def_params(prog, first)}):\n" + indent("\n".join(body + [f"return {ret}"])))
        if names[1] != "_":
            ret, pair = state_lines(kinds, stacked, run, stmt.lineno, edit.tfx("nest.flatten"))
            if pair:
                out.append(f"# TF1's LSTM state is (c, h), read as state.c / state.h; Keras returns h, c\n"
                                     f"{STATE_TUPLE}")
            out.append(f"def {names[1]}({def_params(prog, first)}):\n" + indent("\n".join(body + ret)))
        self.change(f"dynamic_rnn -> {', '.join(n + '()' for n in names if n != '_')} calling the Keras layer "
                    f"'{layer}'" + (" with a sequence mask" if "mask=" in run else ""))
        return "\n\n\n".join(out)

    def finish(self, source: str) -> list[tuple[int, str]]:
        """`import collections` above the first import when the LSTMStateTuple namedtuple was written."""
        if STATE_TUPLE not in source or re.search(r"^import collections\s*$", source, re.M):
            return []
        tree = ast.parse(source)
        first = next((s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))
                      and not (isinstance(s, ast.ImportFrom) and s.module == "__future__")), None)
        return [(first.lineno - 1 if first is not None else 0, "import collections")]


def _run(prog: Program, layer: Entity) -> str:
    """The Keras layer's run arguments; with a sequence_length, TF1 zeroed the outputs past each length
    (Keras repeats the last valid output unless told)."""
    call = next(n for n in ast.walk(prog.tree) if prog.call_key(n) in RUN_PARAMS and n.args and
                isinstance(n.args[0], ast.Name) and n.args[0].id == layer.name)
    length = dict(zip(RUN_PARAMS[prog.call_key(call)], call.args)).get("sequence_length") or next(
        (k.value for k in call.keywords if k.arg == "sequence_length"), None)
    masked = length is not None and not (isinstance(length, ast.Constant) and length.value is None)
    return RUN + ", zero_output_for_mask=True" * masked
