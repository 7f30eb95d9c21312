"""`x.ptp(...)` -> `np.ptp(x, ...)`: NumPy 2 removed the method, and TensorFlow 2.21 installs NumPy 2."""
from __future__ import annotations

import re

import libcst as cst

from upgrader.rule import Rule, has_star

_NUMPY_ALIAS = re.compile(r"^\s*import\s+numpy\s+as\s+(\w+)\s*$|^\s*import\s+(numpy)\s*$", re.MULTILINE)


class Numpy2Ptp(Rule):
    """Rewrite the `ndarray.ptp` method call, which NumPy 2.0 removed, as the `np.ptp` function.

    x_vals.ptp(0)           ->  np.ptp(x_vals, 0)
    (a - b).ptp(axis=1)     ->  np.ptp(a - b, axis=1)
    np.ptp(x, 0)            ->  unchanged

    A TF1 program upgraded to TensorFlow 2.21 runs on NumPy 2 (TF 2.21 requires it), where
    `x.ptp(0)` raises AttributeError. `np.ptp` gives the same values on NumPy 1 and 2, and on
    anything array-like. The file must import NumPy (`import numpy as np`): without that import
    the call is left alone, with a warning naming the fix.
    """

    DESCRIPTION = "ndarray.ptp was removed in NumPy 2 (which TF 2.21 installs); use np.ptp"
    PRIORITY = 20
    ATTRS = frozenset({"ptp"})

    @classmethod
    def file_facts(cls, code: str) -> object:
        if ".ptp(" not in code:
            return None
        m = _NUMPY_ALIAS.search(code)
        return (m.group(1) or m.group(2)) if m else ""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "ptp"):
            return updated
        numpy = self.ctx.facts.get(self.NAME)
        receiver = func.value
        if isinstance(receiver, cst.Name) and receiver.value in (numpy, "numpy", "np"):
            return updated   # NOTE: already the function, np.ptp(x)
        if has_star(updated):
            return updated
        if not numpy:
            self.warn("x.ptp(...) fails on NumPy 2 (which TF 2.21 installs); import numpy and write np.ptp(x, ...)",
                      once=True)
            return updated
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        first = cst.Arg(receiver.with_changes(lpar=[], rpar=[]) if _bare(receiver) else receiver,
                        comma=comma if updated.args else cst.MaybeSentinel.DEFAULT)
        self.change(f"x.ptp(...) -> {numpy}.ptp(x, ...) (NumPy 2 removed the ndarray method)")
        return updated.with_changes(func=cst.Attribute(value=cst.Name(numpy), attr=cst.Name("ptp")),
                                    args=[first, *updated.args])


def _bare(node: cst.BaseExpression) -> bool:
    """Parentheses that only grouped the receiver (`(a - b).ptp()`) are not needed as an argument."""
    return bool(node.lpar) and not isinstance(node, (cst.Tuple, cst.GeneratorExp))
