"""A name rebound to successive graph tensors becomes one function that rebinds it the same way."""
from __future__ import annotations

import ast
from dataclasses import replace

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.native.versions import chain_of
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue


class _CommentMoved(str):
    """Replacement text whose statement's trailing comment now sits on its line in the function body."""

    comment_moved = True


class NativeReassign(NativeRule):
    """Versions of a rebound name read only by the next one become statements of the last one's function.

    h = tf.layers.dense(x, 4, name="fc1")  ->  (removed)
    h = tf.nn.relu(h)                       ->  fc1 = tf.keras.layers.Dense(4, name="fc1")

                                               def h(x):
                                                   x = tf.convert_to_tensor(x, tf.float32)
                                                   h = fc1(x)
                                                   return tf.nn.relu(h)

    A version read anywhere else keeps a function of its own (`h_1`), written by the usual rules.
    """

    DESCRIPTION = "a name rebound to successive graph tensors -> one function rebinding it (versioned names if needed)"
    KINDS = frozenset({"tensor"})
    PRIORITY = 11   # before the rules that write a tensor's function (layers, batch norm, functions)

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        found = chain_of(prog, entity) if entity is not None and entity.kind == "tensor" else None
        if found is None:
            return None
        chain, i = found
        key = chain.keys[i]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if key in chain.folded:   # its value is computed inside a later version's function, its layer made there
            self.change(f"'{chain.name}' (line {stmt.lineno}) is computed inside the function of its next version")
            return _CommentMoved("")
        members = []
        while i > 0 and chain.keys[i - 1] in chain.folded:
            i -= 1
            members.insert(0, prog.entities[chain.keys[i]])
        if not members:   # a version of its own: the usual rule's text, under this version's function name
            self._parts(prog, stmt, entity, edit)
            text = self.__dict__["made"][id(stmt)]
            if text is not None:
                self.change(f"'{chain.name}' (line {stmt.lineno}) becomes the function {entity.func}() "
                            f"({'its last version' if entity.func == chain.name else 'later lines rebind the name'})")
            return text
        parts = [self._parts(prog, m.stmt, m, edit) for m in members]
        made, value = self._parts(prog, stmt, entity, edit)
        made = "\n".join(m for m, _ in parts + [(made, value)] if m)   # NOTE: made at the head: its arguments exist by then
        deps = tuple(dict.fromkeys(d for e in members + [entity] for d in e.deps))
        body = prologue(prog, replace(entity, deps=deps), edit)
        body += [f"{chain.name} = {v}{_comment(m.stmt, edit)}" for m, (_, v) in zip(members, parts)] + [f"return {value}"]
        self.change(f"'{chain.name}', bound {len(members) + 1} times, becomes one function {entity.func}() "
                    "rebinding it in the same order")
        head = f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body))
        return f"{made}\n\n\n{head}" if made else head

    def _parts(self, prog: Program, stmt: ast.stmt, entity: Entity, edit: Editor) -> tuple[str, str]:
        """(statements made once at top level, e.g. the Keras layer; the version's value) from the usual rule's text."""
        made = self.__dict__.setdefault("made", {})   # NOTE: each rule runs once per statement (its notes, once)
        if id(stmt) not in made:
            notes = len(self.ctx.diagnostics)
            made[id(stmt)] = next((new for rule in edit.rules if rule is not self
                                   and (new := rule.rewrite(prog, stmt, entity, edit)) is not None), None)
            # the usual rule's note names a function this rule does not write; its warnings stay
            self.ctx.diagnostics[notes:] = [d for d in self.ctx.diagnostics[notes:] if d.severity != "change"]
        text = made[id(stmt)]
        if text is None:   # a constant: its value, as written
            return "", expression(prog, stmt.value, edit)
        tree = ast.parse(text)
        *made, func = tree.body
        own = prologue(prog, entity, edit)
        if not (isinstance(func, ast.FunctionDef) and isinstance(func.body[-1], ast.Return) and func.body[-1].value
                and [ast.get_source_segment(text, s) for s in func.body[:-1]] == own):
            raise Blocked(stmt.lineno, f"'{entity.name}' is rebound, and this version's function cannot be merged "
                                       "into the next one's: give it its own name")
        lines = text.splitlines()
        return "\n".join(lines[:func.lineno - 1]).strip("\n"), ast.get_source_segment(text, func.body[-1].value)


def _comment(stmt: ast.stmt, edit: Editor) -> str:
    """'  # note' when `stmt`'s last line ends with a comment, else ''."""
    start = edit.offset(stmt.end_lineno, stmt.end_col_offset)
    tail = edit.src[start:].split("\n", 1)[0].strip()
    return "  " + tail if tail.startswith("#") else ""
