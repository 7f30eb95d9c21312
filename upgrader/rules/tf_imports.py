"""`from tensorflow import X` where X changed in TF2 -> import it from tensorflow.compat.v1."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, dotted_expr
from upgrader.scan import compat_import_target


def _name(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)


class TfImports(Rule):
    """Move from-imports of symbols that changed in TF2 onto tensorflow.compat.v1.

    from tensorflow import placeholder, layers  ->  from tensorflow.compat.v1 import placeholder, layers
    """

    DESCRIPTION = "from-imports of v1-only TensorFlow names come from tensorflow.compat.v1"
    PRIORITY = 80

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.BaseSmallStatement:
        if updated.relative or updated.module is None or isinstance(updated.names, cst.ImportStar):
            return updated
        module = _name(updated.module)
        if not (module == "tensorflow" or module.startswith("tensorflow.")) or module.startswith("tensorflow.compat"):
            return updated
        names = [a.name.value for a in updated.names if isinstance(a.name, cst.Name)]
        new_module = compat_import_target(module, names, self.ctx.tables)
        if new_module is None:
            if not all(self.ctx.tables.known("tf" + module[len("tensorflow"):] + "." + n) for n in names):
                self.warn(f"from {module} import ...: names unknown to TensorFlow 2.21 (or mixing v1/v2-only); check by hand")
            return updated
        keys = ["tf" + module[len("tensorflow"):] + "." + n for n in names]
        self.change(f"from {module} import ... -> from {new_module} import ...")
        for k in keys:
            if k.startswith("tf.layers") or k.startswith("tf.nn.rnn_cell"):
                self.warn("tf.compat.v1.layers / nn.rnn_cell need tf_keras on TF >= 2.16 "
                          "(pip install tf_keras; export TF_USE_LEGACY_KERAS=1)", once=True)
        return updated.with_changes(module=dotted_expr(new_module))
