"""`tf.logging.set_verbosity(tf.logging.INFO)` -> `tf.get_logger().setLevel("INFO")` in native mode.

TF1's set_verbosity sets the level of TensorFlow's Python logger, which TF2 returns from tf.get_logger();
the level constants are the standard logging levels, which setLevel also takes by name.
"""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

SETS = frozenset({"tf.logging.set_verbosity", "tf.compat.v1.logging.set_verbosity"})
LEVELS = frozenset({"DEBUG", "INFO", "WARN", "ERROR", "FATAL"})


class _Levels(cst.CSTTransformer):
    """`tf.logging.WARN` -> `"WARN"` inside the level argument."""

    def __init__(self, rule: Rule) -> None:
        super().__init__()
        self.rule = rule

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = self.rule.key(original) or ""
        name = key.rsplit(".", 1)[-1]
        if name in LEVELS and key in (f"tf.logging.{name}", f"tf.compat.v1.logging.{name}"):
            return cst.SimpleString(f'"{name}"')
        return updated


class NativeLogging(Rule):
    """Set TensorFlow's log level through its Python logger.

    tf.logging.set_verbosity(tf.logging.INFO)  ->  tf.get_logger().setLevel("INFO")
    """

    DESCRIPTION = "tf.logging.set_verbosity(level) -> tf.get_logger().setLevel(level) (the same Python logger)"
    MODES = frozenset({"native"})
    PRIORITY = 30
    OWNS = SETS | frozenset(f"tf.logging.{level}" for level in LEVELS)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) not in SETS:
            return updated
        if len(original.args) != 1 or original.args[0].keyword not in (None, "v") or original.args[0].star:
            self.error("tf.logging.set_verbosity with other than one level argument is not converted; left unchanged")
            return updated
        level = original.args[0].value.visit(_Levels(self))
        self.change("tf.logging.set_verbosity -> tf.get_logger().setLevel")
        logger = cst.Call(func=self.ctx.expr("tf.get_logger"))
        return cst.Call(func=cst.Attribute(value=logger, attr=cst.Name("setLevel")), args=[cst.Arg(value=level)])
