"""Graph tensors become Python functions of the placeholders they depend on."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule, call_text, def_params, indent
from upgrader.native.graphs import spread
from upgrader.native.model import Entity, Program
from upgrader.native.random_readers import inlined
from upgrader.native.versions import local_name
from upgrader.rules.native_placeholders import prologue


def expression(prog: Program, node: ast.expr, edit: Editor, args: dict[str, str] | None = None) -> str:
    """`node`'s source with each graph tensor `t` replaced by the call `t(params)`.

    With `args` (placeholder -> fed value), placeholders are replaced by the values fed.
    """
    edits: list[tuple[ast.AST, str]] = []
    for n in ast.walk(node):
        if id(n) in prog.resolved:   # tf.get_collection(...) -> the list it returned when the graph was built
            items = [prog.entities[m] for m in prog.resolved[id(n)]]
            edits.append((n, "[" + ", ".join(
                spread(prog, m.name) if m.kind == "varlist" else m.name if m.kind == "variable" or is_constant(m)
                else call_text(m, args, prog) if args is not None else call_text(m) for m in items) + "]"))
            continue
        if not isinstance(n, ast.Name) or not isinstance(n.ctx, ast.Load):
            continue
        e = prog.entities.get(n.id)
        if e is not None and (local := local_name(prog, n.id)):   # a rebound name's version computed just above
            edits.append((n, local))
            continue
        if e is None or e.kind in ("variable", "optimizer", "session", "varlist", "gradients") or (e.kind == "tensor" and is_constant(e)):
            continue
        if e.value:
            edits.append((n, e.value))
            continue
        if e.kind == "tensor":
            edits.append((n, call_text(e, args)))
        elif e.kind == "placeholder" and args is not None:   # NOTE: a fed list must be a tensor for any op (x.dtype)
            edits.append((n, f"{edit.tfx('convert_to_tensor')}({args[n.id]}, {edit.dtype(e)})"))
        elif e.kind != "placeholder":
            from upgrader.native.base import Blocked
            raise Blocked(n.lineno, f"'{n.id}' (a graph {e.kind}) cannot be used inside an expression natively")
    return edit.with_edits(node, edits)


def is_constant(e: Entity) -> bool:
    """A tensor of no placeholder and no variable: computing it once, eagerly, gives the same value."""
    return not e.params and not e.variables and not e.drawn


class NativeFunctions(NativeRule):
    """Turn a graph tensor into a function of its placeholders, called where it was fetched.

    loss = tf.reduce_mean(tf.square(pred - Y))  ->  def loss(X, Y):
                                                        Y = tf.convert_to_tensor(Y, tf.float32)
                                                        return tf.reduce_mean(tf.square(pred(X) - Y))
    """

    DESCRIPTION = "graph tensors become functions of their placeholders (values computed when called)"
    KINDS = frozenset({"tensor"})
    PRIORITY = 20

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "tensor" or is_constant(entity):
            return None
        drawn_here = inlined(prog)   # NOTE: random tensors drawn inside their one reader (native/random_readers.py)
        if any(entity.name in keys for keys in drawn_here.values()):
            return ""
        body = [f"{k} = {expression(prog, prog.entities[k].stmt.value, edit)}" for k in drawn_here.get(entity.name, [])]
        body += prologue(prog, entity, edit) + ["return " + expression(prog, stmt.value, edit)]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"tensor '{entity.name}' becomes the function {entity.func}({', '.join(entity.params)})")
        if entity.drawn and not any(prog.entities[d].drawn for d in entity.deps):   # NOTE: its own random stream,
            # as the TF1 graph op had (native/random_constants.py); a function reading it calls it, eagerly
            return f"@{edit.tfx('function')}\ndef {entity.func}():\n" + indent("\n".join(body))
        return f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body))
