"""The table-driven rule: v1 names -> v2 names or tf.compat.v1, keyword renames, reorders."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star
from upgrader.tables import ApiChange


class ApiRename(Rule):
    """Rename v1 symbols by their `ApiChange` row and fix the call's arguments.

    tf.reduce_sum(x, reduction_indices=1, keep_dims=True)  ->  tf.reduce_sum(x, axis=1, keepdims=True)
    tf.placeholder(tf.float32)                             ->  tf.compat.v1.placeholder(tf.float32)
    """

    DESCRIPTION = "v1 symbols get their v2 names or tf.compat.v1; keywords and argument order follow"
    PRIORITY = 90

    def _ref(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        key = self.key(original)
        if key is None or key.startswith("tf.compat.") or ".contrib" in key or key == "tf" or key in self.ctx.owned:
            return updated
        found = self.ctx.tables.longest_row(key)
        if found is None:
            self._check_known(key)
            return updated
        row, tail = found
        if row.new is None or row.error or row.special:
            return updated
        if isinstance(original, cst.Name) and not tail:
            return updated   # a bare imported name: the import statement itself is rewritten
        target = row.new + ("." + tail if tail else "")
        if target.startswith("tf.raw_ops.") and not tail:
            target = row.compat_name   # NOTE: a raw op takes keywords only; leave_Call renames the calls
        self.change(f"{key} -> {target}" + (f" ({row.why})" if row.why else ""))
        new = self.ctx.expr(target)
        return new.with_changes(lpar=getattr(updated, "lpar", ()), rpar=getattr(updated, "rpar", ()))

    def _check_known(self, key: str) -> None:
        parts = key.split(".")
        t = self.ctx.tables
        for i in range(2, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in t.symbols or prefix in ("tf.python", "tf.raw_ops"):
                return   # NOTE: private modules still exist in TF 2.21; the API data does not list the raw ops
            if prefix not in t.modules:
                self.error(f"{prefix} does not exist in TensorFlow 2.21 (neither v1 nor v2 API); left unchanged")
                return

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return self._ref(original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self._ref(original, updated)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        row = None if key is None else self.ctx.tables.rows.get(key)
        if row is None or row.error or row.special or (row.new and row.to_compat):
            return updated
        if not (row.renames or row.v1_only or row.drop or row.guards or row.prefix is not None):
            return updated
        args = self.fix_args(row, updated)
        if args is None:
            return self.to_compat(row, updated)
        raw = bool(row.new and row.new.startswith("tf.raw_ops."))
        if args == list(updated.args) and not raw:
            return updated
        what = sorted({f"{a.keyword.value}=" for a in args if a.keyword} - {f"{a.keyword.value}=" for a in updated.args if a.keyword})
        self.change(f"{key}: arguments rewritten for TF2" + (f" (now {', '.join(what)})" if what else ""))
        if args and updated.args:   # NOTE: the new last argument ends as the old last one did (dropped ones too)
            args[-1] = args[-1].with_changes(comma=updated.args[-1].comma)
        if raw:
            self.change(f"{key} -> {row.new} (TF2 has this op only as a raw op, whose arguments are keywords)")
            return updated.with_changes(func=self.ctx.expr(row.new), args=_fix_commas(args))
        return updated.with_changes(args=_fix_commas(args))

    def fix_args(self, row: ApiChange, call: cst.Call) -> list[cst.Arg] | None:
        """The call's arguments for the v2 signature, or None when only tf.compat.v1 keeps its meaning."""
        if has_star(call):
            return None
        out: list[cst.Arg] = []
        seen: set[str] = set()
        first = row.prefix
        if first is not None and self.ctx.keywords and (row.reorder or sum(a.keyword is None for a in call.args) > first):
            first = 0   # NOTE: compat mode writes a reordered call all in keywords, as tf_upgrade_v2 does
        for i, arg in enumerate(call.args):
            name = arg.keyword.value if arg.keyword else None
            if name is None and first is not None and i >= first:
                if i >= len(row.v1_args):
                    return None
                name = row.v1_args[i]
            if name is None:
                out.append(arg)
                continue
            if name in row.drop:
                self.warn(f"{row.old} no longer takes {name!r} (it has no effect in TF2); removed")
                continue
            if name in row.v1_only:
                return None
            new = row.renames.get(name, name)
            if new in seen:
                return None
            seen.add(new)
            if arg.keyword is not None and new == name:
                out.append(arg)
            else:
                out.append(arg.with_changes(keyword=cst.Name(new), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))))
        positional = sum(1 for a in call.args if a.keyword is None)
        for g in row.guards:
            if g not in seen and g not in row.v1_args[:positional]:
                return None
        return out

    def to_compat(self, row: ApiChange, call: cst.Call) -> cst.Call:
        self.change(f"{row.old} -> {row.compat_name} (this call uses v1-only arguments or defaults)")
        return call.with_changes(func=self.ctx.expr(row.compat_name))


def _fix_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Keep a comma after every argument but the last (the last keeps what the original last had)."""
    if not args:
        return args
    fixed = [a if a.comma is not cst.MaybeSentinel.DEFAULT else a.with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]]
    return fixed + [args[-1]]
