"""`tf.name_scope` forms: v2 takes one string; the v1-only forms stay on tf.compat.v1."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

_STRINGS = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


class NameScope(Rule):
    """Only `tf.name_scope("literal")` means the same in TF2; other forms keep the v1 class.

    tf.name_scope("layer1")               ->  tf.name_scope("layer1")            (unchanged)
    tf.name_scope("conv-%s" % size)       ->  tf.name_scope("conv-%s" % size)    (unchanged: a string)
    tf.name_scope(name, "Dense", [x, w])  ->  tf.compat.v1.name_scope(name, "Dense", [x, w])
    tf.name_scope(None, "Dense", [x, w])  ->  tf.name_scope(name="Dense")
    """

    DESCRIPTION = "name_scope(name, default_name, values) and non-literal names use tf.compat.v1.name_scope"
    PRIORITY = 30

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != "tf.name_scope":
            return updated
        if len(updated.args) == 1 and not updated.args[0].star and _is_string(updated.args[0].value) \
                and (updated.args[0].keyword is None or updated.args[0].keyword.value == "name"):
            return updated
        if any(a.star for a in updated.args):
            return self._compat(updated)
        params = ("name", "default_name", "values")
        given = {a.keyword.value if a.keyword else (params[i] if i < 3 else "?"): a for i, a in enumerate(updated.args)}
        name, default = given.get("name"), given.get("default_name")
        if (name is None or _is_none(name.value)) and default is not None and set(given) <= set(params):
            # NOTE: name=None means "use default_name", which is what TF2's single argument is
            self.change("tf.name_scope(None, default_name, values) -> tf.name_scope(name=default_name)")
            return updated.with_changes(args=[cst.Arg(default.value, keyword=cst.Name("name"), equal=_EQ)])
        if (name is None or _is_none(name.value)) and default is None:
            self.warn("name_scope call with neither name nor default_name: TF2 needs a name; kept "
                      "tf.compat.v1.name_scope")
            return self._compat(updated)
        if name is not None and default is not None:
            self.ctx.report(self.NAME, "`name` passed to `name_scope` may be None at run time, when default_name "
                                       "applies; kept tf.compat.v1.name_scope", "info")
        return self._compat(updated)

    def _compat(self, updated: cst.Call) -> cst.Call:
        self.change("tf.name_scope -> tf.compat.v1.name_scope (default_name/values or a possibly-None name)")
        return updated.with_changes(func=self.ctx.expr("tf.compat.v1.name_scope"))


_EQ = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _is_string(node: cst.BaseExpression) -> bool:
    """A string literal, or one formatted with `%` / `.format(...)`: never None (`"conv-%s" % size`)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return isinstance(node.left, _STRINGS)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        return isinstance(node.func.value, _STRINGS)
    return isinstance(node, _STRINGS)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
