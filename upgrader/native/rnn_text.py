"""Source text for RNN runs inside tf.Module classes (native/rnn_builders.py): the Keras layer and its call.

    layer(prog, run, edit, warn)          ->  'tf.keras.layers.LSTM(n, return_sequences=True)'
    run_lines(prog, run, edit, render)    ->  ['outputs = tf.unstack(self.cell(tf.stack(x, axis=1)), axis=1)']
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Callable

from upgrader.native.base import Blocked
from upgrader.native.rnn import CELLS, keras_cell

STATE_TUPLE = 'LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ["c", "h"])'

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program
    from upgrader.native.modules import Builder
    from upgrader.native.rnn_builders import Run


def masked(run: Run) -> ast.expr | None:
    node = run.args.get("sequence_length")
    return None if node is None or isinstance(node, ast.Constant) and node.value is None else node


def layer(prog: Program, run: Run, edit: Editor, warn: Callable[[str], None]) -> str:
    """The Keras layer the run's cells become, created once in `__init__`."""
    flags = ["return_sequences=True"] + ["return_state=True"] * run.state + ["zero_output_for_mask=True"] * (
        masked(run) is not None)
    name = run.attr

    def cell(call: ast.Call, extra: list[str], whole: bool = False) -> str:
        keras, args, warnings = keras_cell(prog, call, edit, name)
        for w in warnings:
            warn(w)
        return f"{edit.tfx('keras.layers.' + (keras[:-len('Cell')] if whole else keras))}({', '.join(args + extra)})"

    def one(value: ast.Call, calls: list[ast.Call], extra: list[str]) -> str:
        if not run.stacked:   # LSTMCell -> LSTM, GRUCell -> GRU, SimpleRNNCell -> SimpleRNN
            return cell(calls[0], flags + extra, whole=True)
        arg = value.args[0]
        if isinstance(arg, ast.ListComp):
            loops = "".join(f" for {edit.text(g.target)} in {edit.text(g.iter)}" + "".join(
                f" if {edit.text(c)}" for c in g.ifs) for g in arg.generators)
            inner = f"[{cell(calls[0], [])}{loops}]"
        else:
            inner = "[" + ", ".join(cell(c, []) for c in calls) + "]"
        return f"{edit.tfx('keras.layers.RNN')}({inner}, {', '.join(flags + extra)})"

    forward = one(run.values[0], run.cells[0], [])
    if not run.bidirectional:
        return forward
    merge = "" if run.static else ", merge_mode=None"
    if one(run.values[1], run.cells[1], []) == forward:
        return f"{edit.tfx('keras.layers.Bidirectional')}({forward}{merge})"
    backward = one(run.values[1], run.cells[1], ["go_backwards=True"])
    return f"{edit.tfx('keras.layers.Bidirectional')}({forward}, backward_layer={backward}{merge})"


def _keep(edit: Editor, p: str) -> str:
    return f"rate=1 - {p}" if p.isidentifier() or p.replace(".", "", 1).isdigit() else f"rate=1 - ({p})"


def run_lines(prog: Program, run: Run, edit: Editor, render: Callable[[ast.AST], str]) -> list[str]:
    """The run statement in `__call__`: the layer called on the (stacked) inputs, outputs shaped as TF1's."""
    target = run.stmt.targets[0]
    out = target.elts[0]
    inputs = render(run.args["inputs"])
    seq = f"{edit.tfx('stack')}({inputs}, axis=1)" if run.static else inputs
    if "input" in run.dropout:
        seq = f"{edit.tfx('nn.dropout')}({seq}, {_keep(edit, render(run.dropout['input']))})"
    length = masked(run)
    mask = ""
    if length is not None:
        steps = f"len({inputs})" if run.static else f"{edit.tfx('shape')}({inputs})[1]"
        mask = f", mask={edit.tfx('sequence_mask')}({render(length)}, {steps})"
    value = f"self.{run.attr}({seq}{mask})"
    lines = []
    if run.state:
        state = edit.text(target.elts[1])
        first = edit.text(out) if isinstance(out, ast.Name) else "outputs"
        lstm = any(CELLS[prog.call_key(c)] == "LSTMCell" for calls in run.cells for c in calls)
        if run.stacked:   # NOTE: Keras returns each layer's states as a list: [h, c] (LSTM) or [h]
            lines += [f"{first}, *{state}_layers = {value}", f"{state} = tuple(self.LSTMStateTuple(c, h) for h, c in "
                      f"{state}_layers)" if lstm else f"{state} = tuple(h for [h] in {state}_layers)"]
        elif lstm:   # TF1's LSTMStateTuple(c, h) from Keras's h, c
            lines += [f"{first}, {state}_h, {state}_c = {value}", f"{state} = self.LSTMStateTuple({state}_c, {state}_h)"]
        else:
            lines.append(f"{first}, {state} = {value}")
        if first == "_":
            return lines
        value = first
    if "output" in run.dropout:
        rate = _keep(edit, render(run.dropout["output"]))
        value = (f"tuple({edit.tfx('nn.dropout')}(o, {rate}) for o in {value})" if run.bidirectional and not run.static
                 else f"{edit.tfx('nn.dropout')}({value}, {rate})")
    if run.static:
        value = f"{edit.tfx('unstack')}({value}, axis=1)"
    elif run.bidirectional and isinstance(out, ast.Name) and "output" not in run.dropout:
        value = f"tuple({value})"
    if isinstance(out, ast.Name) and out.id == "_":
        return lines
    if value != edit.text(out):
        lines.append(f"{edit.text(out)} = {value}")
    return lines



def tracked(prog: Program, b: Builder) -> list[str]:
    """The class lines that list the Keras layers' weights: tf.Module does not look inside Keras layers."""
    if not b.rnn:
        return []
    # NOTE: a layer function calling this one lists its submodules' Keras layers (layer_functions.properties)
    layers = " + ".join(f"tuple(self.{r.attr}.{{0}})" for r in b.rnn.values())
    pair = any(r.state and any(CELLS[prog.call_key(c)] == "LSTMCell" for cs in r.cells for c in cs) for r in b.rnn.values())
    tuple_lines = ["", "# TF1's LSTM state is (c, h), read as state.c / state.h; Keras returns h, c", STATE_TUPLE] * pair
    return ["", "@property", "def trainable_variables(self):",
            "    # tf.Module does not look inside Keras layers: add the RNN layers' weights",
            f"    return super().trainable_variables + {layers.format('trainable_variables')}",
            "", "@property", "def variables(self):", f"    return super().variables + {layers.format('variables')}",
            *tuple_lines]


def layers(rule: Any, prog: Program, b: Builder, edit: Editor) -> list[str]:
    """`__init__` lines creating each rnn call's Keras layer (the rnn call, not the cells, makes TF1's variables)."""
    warned: set[str] = set()

    def warn(message: str) -> None:
        if message not in warned:
            warned.add(message)
            rule.warn(message, once=False)

    return [f"self.{run.attr} = {layer(prog, run, edit, warn)}" for run in b.rnn.values()]


def state_lines(kinds: list[str], stacked: bool, run: str, line: int, flatten: str = "tf.nest.flatten") -> tuple[
        list[str], bool]:
    """(the state function's last lines, whether it needs LSTMStateTuple): TF1's state structure from Keras's."""
    lstm = [k == "LSTMCell" for k in kinds]
    if not stacked:
        return (["_, h, c = " + run, "return LSTMStateTuple(c, h)"], True) if lstm[0] else ([f"return {run}[1]"], False)
    if any(lstm) and not all(lstm):
        raise Blocked(line, "MultiRNNCell mixing LSTM and other cells is not converted natively")
    if all(lstm):
        return ([f"_, *layer_states = {run}", "return tuple(LSTMStateTuple(c, h) for h, c in layer_states)"], True)
    # NOTE: Keras gives each layer's state as [h], or as h when it was given an initial_state
    return ([f"_, *layer_states = {run}", f"return tuple({flatten}(layer_states))"], False)


def output_dropout(prog: Program, cell: str, value: str, edit: Editor, render: Callable[[ast.AST], str]) -> str:
    """A module-level cell's `cell = DropoutWrapper(cell, output_keep_prob=p)`: tf.nn.dropout on its outputs."""
    from upgrader.native.rnn import dropouts
    for wrapper in dropouts(prog, cell):
        keep = next(k.value for k in wrapper.value.keywords if k.arg == "output_keep_prob")
        value = f"{edit.tfx('nn.dropout')}({value}, {_keep(edit, render(keep))})"
    return value
