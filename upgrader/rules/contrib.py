"""`tf.contrib`: rewrite names that have a core equivalent, report the rest as errors."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star


def _v1(key: str) -> str:
    return "tf" + key[len("tf.compat.v1"):] if key.startswith("tf.compat.v1.") else key


class Contrib(Rule):
    """tf.contrib is gone in TF2: map what core TensorFlow has, error on the rest.

    tf.contrib.rnn.LSTMCell(64)              ->  tf.compat.v1.nn.rnn_cell.LSTMCell(64)
    tf.contrib.layers.l2_regularizer(0.1)    ->  lambda w: 0.1 * tf.nn.l2_loss(w)
    slim.conv2d(...)                         ->  error: use tf_slim
    """

    DESCRIPTION = "tf.contrib names -> core equivalents, or an error naming the replacement"
    PRIORITY = 10

    def _lookup(self, key: str | None) -> tuple[str, dict[str, str] | None, str] | None:
        if key is None or ".contrib" not in key or key in self.ctx.owned:   # owned: a native rule converts it
            return None
        key = _v1(key)
        found = self.ctx.tables.longest_row(key)
        if found is None or not (found[0].new or found[0].error or found[0].special):
            return key, None, ""
        row, tail = found
        return key, {"new": row.new or "", "error": row.error or "", "special": row.special or "",
                     "renames": row.renames if not tail else {}}, tail

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return self._ref(original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self._ref(original, updated)

    def _ref(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        found = self._lookup(self.key(original))
        if found is None:
            return updated
        key, spec, tail = found
        if spec is None:
            self.error(f"{key} has no TensorFlow 2 equivalent; rewrite it by hand (left unchanged)")
        elif spec["error"]:
            self.error(f"{key}: {spec['error']} (left unchanged)")
        elif spec["new"] and not isinstance(original, cst.Name):
            target = spec["new"] + ("." + tail if tail else "")
            self.change(f"{key} -> {target}")
            if target.startswith("tf.compat.v1.nn.rnn_cell"):
                self.warn("tf.compat.v1.nn.rnn_cell needs tf_keras on TF >= 2.16 "
                          "(pip install tf_keras; export TF_USE_LEGACY_KERAS=1)", once=True)
            return self.ctx.expr(target).with_changes(lpar=updated.lpar, rpar=updated.rpar)
        elif spec["new"]:
            self.error(f"{key}: import it as {spec['new']} instead (left unchanged)")
        return updated

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.BaseSmallStatement:
        for a in updated.names:
            name = cst.Module([]).code_for_node(a.name)
            if ".contrib" in name:
                self.error(f"import {name}: tf.contrib does not exist in TF2 (left unchanged)")
        return updated

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.BaseSmallStatement:
        module = cst.Module([]).code_for_node(updated.module) if updated.module else ""
        if ".contrib" in module or (module == "tensorflow" and not isinstance(updated.names, cst.ImportStar)
                                    and any(a.name.value == "contrib" for a in updated.names)):
            found = self._lookup("tf" + module[len("tensorflow"):] + ".x") if ".contrib" in module else None
            hint = f": {found[1]['error']}" if found and found[1] and found[1]["error"] else ""
            self.error(f"from {module} import ...: tf.contrib does not exist in TF2{hint} (left unchanged)")
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        found = self._lookup(self.key(original.func))
        if found is not None and found[1] is not None and found[1]["renames"]:
            ren = found[1]["renames"]
            return updated.with_changes(args=[a.with_changes(keyword=cst.Name(ren[a.keyword.value]))
                                              if a.keyword is not None and a.keyword.value in ren else a
                                              for a in updated.args])
        if found is None or found[1] is None or not found[1]["special"] or has_star(updated):
            return updated
        special, args = found[1]["special"], list(updated.args)
        kw = {a.keyword.value: a.value for a in args if a.keyword}
        pos = [a.value for a in args if a.keyword is None]
        if special == "xavier":
            uniform = kw.get("uniform", pos[0] if pos else cst.Name("True"))
            if not isinstance(uniform, cst.Name) or uniform.value not in ("True", "False"):
                self.error(f"{found[0]}: uniform= must be a literal True/False to rewrite (left unchanged)")
                return updated
            target = "tf.compat.v1.glorot_uniform_initializer" if uniform.value == "True" else "tf.compat.v1.glorot_normal_initializer"
            rest = [cst.Arg(v, keyword=cst.Name(k), equal=_eq()) for k, v in kw.items() if k in ("seed", "dtype")]
            rest += [cst.Arg(v, keyword=cst.Name(k), equal=_eq()) for k, v in zip(("seed", "dtype"), pos[1:])]
            self.change(f"{found[0]} -> {target}")
            return cst.Call(self.ctx.expr(target), _commas(rest))
        scale = kw.get("scale", pos[0] if pos else None)
        if scale is None:
            return updated
        w = cst.Name("weights")
        body = cst.Call(self.ctx.expr("tf.nn.l2_loss"), [cst.Arg(w)]) if special == "l2" else \
            cst.Call(self.ctx.expr("tf.reduce_sum"), [cst.Arg(cst.Call(self.ctx.expr("tf.abs"), [cst.Arg(w)]))])
        scale = scale if isinstance(scale, (cst.Name, cst.Integer, cst.Float, cst.Attribute)) else \
            scale.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self.change(f"{found[0]} -> lambda weights: scale * {'tf.nn.l2_loss' if special == 'l2' else 'sum(|w|)'}(weights)")
        return cst.Lambda(cst.Parameters([cst.Param(w)]), cst.BinaryOperation(scale, cst.Multiply(), body),
                          lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _eq() -> cst.AssignEqual:
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]] + args[-1:]
