"""`tf.while_loop` (TF1's) -> TF2's `tf.while_loop`, which returns what it was given (native mode).

The two differ in one place: TF1's returns the bare tensor when there is one loop variable, and its body
may return that variable alone; TF2's keeps the structure of `loop_vars` both ways (and a bare scalar
tensor as `loop_vars` is refused when it is zero: "'loop_vars' must be provided"). So a single loop
variable is passed in a one-element tuple, the body's result made a list, and the result taken back out:

    tf.while_loop(c, lambda i: i + 1, [i])   ->  tf.while_loop(c, lambda i: [i + 1], (i,))[0]
    tf.while_loop(c, body, [i])              ->  tf.while_loop(c, lambda v: tf.nest.flatten(body(v)), (i,))[0]
    tf.while_loop(c, body, [i, total])       ->  tf.while_loop(c, body, [i, total])

Loop variables that are not a list or tuple written out, `return_same_structure=`, or arguments past
`swap_memory` by position (the two signatures order `name` and `maximum_iterations` differently) keep the
compat form, and native mode names the call.
"""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

KEY = "tf.while_loop"
V1 = ("cond", "body", "loop_vars", "shape_invariants", "parallel_iterations", "back_prop", "swap_memory", "name",
      "maximum_iterations", "return_same_structure")


class NativeWhileLoop(Rule):
    """TF1's while_loop becomes TF2's, with a single loop variable kept in a one-element tuple.

    tf.while_loop(c, lambda i: i + 1, [i])  ->  tf.while_loop(c, lambda i: [i + 1], (i,))[0]
    """

    DESCRIPTION = "tf.while_loop -> TF2's tf.while_loop (a single loop variable in a tuple, the result taken out)"
    MODES = frozenset({"native"})
    PRIORITY = 30
    OWNS = frozenset({KEY})

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != KEY or has_star(updated) or _written_here(updated):
            return updated
        positional = [a for a in updated.args if a.keyword is None]
        named = {a.keyword.value: a for a in updated.args if a.keyword is not None}
        if len(positional) > 7 or "return_same_structure" in named:
            return updated
        given = dict(zip(V1, positional)) | named
        body, loop_vars = given.get("body"), given.get("loop_vars")
        if body is None or loop_vars is None or not isinstance(loop_vars.value, (cst.List, cst.Tuple)):
            return updated
        func = self.ctx.expr(KEY)
        elements = loop_vars.value.elements
        if len(elements) != 1 or isinstance(elements[0], cst.StarredElement):
            self.change("tf.while_loop -> TF2's tf.while_loop (it returns the list of loop variables, as TF1's did)")
            return updated.with_changes(func=func)
        new_body = _listed(body.value, self.ctx.expr("tf.nest.flatten"))
        args = [a.with_changes(value=new_body) if a is body else
                a.with_changes(value=cst.Tuple([cst.Element(elements[0].value, comma=cst.Comma())])) if a is loop_vars else a
                for a in updated.args]
        self.change("tf.while_loop with one loop variable -> TF2's tf.while_loop over a one-element tuple, "
                    "the result taken out (TF1's returned the bare tensor)")
        return cst.Subscript(value=updated.with_changes(func=func, args=args),
                             slice=[cst.SubscriptElement(cst.Index(cst.Integer("0")))])


def _listed(body: cst.BaseExpression, flatten: cst.BaseExpression) -> cst.BaseExpression:
    """The body, returning a one-element list: `lambda i: i + 1` -> `lambda i: [i + 1]`; a named function is called
    inside a lambda whose result `tf.nest.flatten` makes a list (it may return the variable or a list of it)."""
    if isinstance(body, cst.Lambda) and not isinstance(body.body, (cst.List, cst.Tuple)):
        return body.with_changes(body=cst.List([cst.Element(body.body)]))
    if isinstance(body, cst.Lambda):   # `lambda i: (i + 1,)`: the same elements, as a list
        items = list(body.body.elements)
        return body.with_changes(body=cst.List(items[:-1] + [items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]))
    return cst.parse_expression(f"lambda v: {_code(flatten)}({_code(body)}(v))")


def _written_here(call: cst.Call) -> bool:
    """This rule's own output (idempotence): a one-element tuple of loop variables and a body returning a list."""
    body, loop_vars = (call.args[1].value, call.args[2].value) if len(call.args) > 2 else (None, None)
    return isinstance(loop_vars, cst.Tuple) and len(loop_vars.elements) == 1 and isinstance(body, cst.Lambda) and (
        isinstance(body.body, cst.List)
        or isinstance(body.body, cst.Call) and _code(body.body.func).endswith("nest.flatten"))


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
