"""The embedding projector moved from `tf.contrib.tensorboard.plugins` to the tensorboard package."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

OLD = "tensorflow.contrib.tensorboard.plugins"
NAMES = ("ProjectorConfig", "EmbeddingInfo", "SpriteMetadata", "visualize_embeddings")


class ContribProjector(Rule):
    """Import the projector plugin from tensorboard, where TF2 keeps it (same ProjectorConfig and functions).

    from tensorflow.contrib.tensorboard.plugins import projector  ->  from tensorboard.plugins import projector
    import tensorflow.contrib.tensorboard.plugins.projector as pj  ->  import tensorboard.plugins.projector as pj

    `projector.visualize_embeddings(writer, config)` keeps working: tensorboard's takes a logdir
    or a `tf.compat.v1.summary.FileWriter` (native mode passes the logdir: native/projector.py).
    """

    DESCRIPTION = "tf.contrib.tensorboard.plugins.projector -> tensorboard.plugins.projector"
    PRIORITY = 5   # NOTE: before the contrib rule, which reports every other tf.contrib import as an error
    OWNS = frozenset(f"tf.contrib.tensorboard.plugins.projector.{n}" for n in NAMES)   # uses through the new import

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.BaseSmallStatement:
        module = cst.Module([]).code_for_node(updated.module) if updated.module and not updated.relative else ""
        if not (module == OLD and not isinstance(updated.names, cst.ImportStar)
                and all(a.name.value == "projector" for a in updated.names)
                or module == OLD + ".projector"):
            return updated
        new = "tensorboard.plugins" + module[len(OLD):]
        self.change(f"from {module} import ... -> from {new} import ... (the projector lives in tensorboard in TF2)")
        return updated.with_changes(module=cst.parse_expression(new))

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.BaseSmallStatement:
        names = [cst.Module([]).code_for_node(a.name) for a in updated.names]
        if not any(n == OLD + ".projector" for n in names):
            return updated
        if not all(n == OLD + ".projector" and a.asname for n, a in zip(names, updated.names)):
            return updated   # `import tensorflow.contrib...projector` without `as`: the contrib rule reports it
        self.change(f"import {OLD}.projector -> import tensorboard.plugins.projector")
        return updated.with_changes(names=[a.with_changes(name=cst.parse_expression("tensorboard.plugins.projector"))
                                           for a in updated.names])
