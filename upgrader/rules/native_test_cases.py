"""tf.test.TestCase classes of a converted program: their test methods run eagerly in TF2 (native/test_cases.py)."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule
from upgrader.native.model import Entity, Program
from upgrader.native.test_cases import class_text, test_case


class NativeTestCases(NativeRule):
    """A test session's block runs eagerly: its body one level out, `t.eval()` as `self.evaluate(t)`.

    class ShapeTest(tf.test.TestCase):                 class ShapeTest(tf.test.TestCase):
        def test_ones(self):                               def test_ones(self):
            with self.test_session():           ->             self.assertAllEqual(self.evaluate(tf.ones([2])), [1, 1])
                self.assertAllEqual(tf.ones([2]).eval(), [1, 1])
    """

    DESCRIPTION = "tf.test.TestCase methods -> eager: test_session blocks unwrapped, .eval() -> self.evaluate()"
    PRIORITY = 20

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if not test_case(prog, stmt):
            return None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        new, warnings = class_text(prog, stmt, edit)
        for message in warnings:
            self.warn(message)
        if new != edit.text(stmt):
            self.change(f"class {stmt.name}: its test methods run eagerly in TF2 (no test session)")
        return new
