"""Files that use graph-only APIs get `tf.compat.v1.disable_eager_execution()` after the import."""
from __future__ import annotations

from upgrader.rule import Rule
from upgrader.scan import COMPAT, TF


class DisableEager(Rule):
    """Placeholders, sessions and queues only work with eager execution off.

    import tensorflow as tf          ->  import tensorflow as tf
    x = tf.placeholder(tf.float32)       tf.compat.v1.disable_eager_execution()
                                         x = tf.compat.v1.placeholder(tf.float32)
    """

    DESCRIPTION = "graph-only v1 programs switch eager execution off right after importing TensorFlow"
    PRIORITY = 95

    def finish(self, source: str) -> list[tuple[int, str]]:
        scan = self.ctx.scan
        if not scan.uses_graph or scan.has_eager_switch or scan.tf_import_line is None:
            return []
        aliases = scan.aliases
        mods = sorted((n for n, q in aliases.items() if q == TF), key=lambda n: (n != "tf", n))
        compat = sorted(n for n, q in aliases.items() if q == COMPAT)
        if compat:
            call = f"{compat[0]}.disable_eager_execution()"
        elif mods:
            call = f"{mods[0]}.compat.v1.disable_eager_execution()"
        else:
            self.ctx.need_tf_import = True
            call = f"{TF}.compat.v1.disable_eager_execution()"
        self.ctx.line, self.ctx.col = scan.tf_import_line + 1, 0
        self.change(f"graph-only APIs used: inserted {call}")
        return [(scan.tf_import_line, call)]
