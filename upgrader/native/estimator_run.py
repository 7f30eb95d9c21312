"""`upgrade_estimators`: native mode's first step, for a file that uses tf.estimator (hooked in run.py).

    upgrade_estimators(code, tree, rule_types)  ->  None (no tf.estimator here) | Result | [Blocked]

The file is analysed (native/estimator.py), rewritten (rules/native_estimator.py), and then renamed by the
native rules like any native conversion; anything TF1 or tf.estimator left over blocks it.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked


def upgrade_estimators(code: str, tree: ast.Module, rule_types: list[type]) -> "Result | list[Blocked] | None":
    """Native conversion of a file that uses tf.estimator (None: it does not); called first by run.py."""
    from upgrader.engine import Result, _syntax_error, upgrade_rules
    from upgrader.native import leftover
    from upgrader.native.estimator import analyze_estimators
    from upgrader.native.estimator_hooks import hook_edits
    from upgrader.native.estimator_specs import check_warm_start
    from upgrader.rule import Context
    from upgrader.rules.native_estimator import NativeEstimator
    from upgrader.scan import Scan
    from upgrader.tables import tables
    try:
        plan = analyze_estimators(code, tree)
        if plan is None:
            return None
        plan.edits += hook_edits(plan)   # NOTE: after the model_fns' analysis: named tensors join their returns
        check_warm_start(plan)
        ctx = Context(scan=Scan(aliases=dict(plan.prog.aliases)), tables=tables())
        new = NativeEstimator(ctx).convert(plan)
        if _syntax_error(new) is not None:
            return [Blocked(1, "internal error: the Estimator conversion did not parse")]
        renamed = upgrade_rules(new, rule_types)
        left = leftover(renamed.code, renamed.diagnostics)
    except Blocked as b:
        return [b]
    except Exception as e:   # NOTE: an analysis bug must never cost the user a working (compat) upgrade
        return [Blocked(1, f"internal error in the Estimator conversion ({type(e).__name__}: {e})")]
    if left is None and "estimator" in {n.attr for n in ast.walk(ast.parse(renamed.code)) if isinstance(n, ast.Attribute)}:
        line = next(i for i, t in enumerate(code.splitlines(), 1) if "estimator." in t and "numpy_input_fn" not in t)
        left = Blocked(line, "tf.estimator is still needed after conversion (native mode converts model_fn Estimators "
                             "with train/evaluate/predict; run the rest with `tfcompat run`)")
    if left is not None:   # NOTE: a leftover's line is the converted file's: the original's line naming it
        from upgrader.native.run import _original_line
        return [Blocked(_original_line(code, left.reason, left.line), left.reason)]
    notes = sorted(ctx.diagnostics, key=lambda d: (d.line, d.col))
    return Result(renamed.code, code, notes + [d for d in renamed.diagnostics if d.severity != "change"])
