"""Findings for v1 APIs whose TF2 replacement needs a person: flags, metrics, losses, schedules, summaries."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

_DECAYS = ("exponential_decay polynomial_decay natural_exp_decay inverse_time_decay cosine_decay "
           "cosine_decay_restarts linear_cosine_decay noisy_linear_cosine_decay piecewise_constant "
           "piecewise_constant_decay").split()
_OO = "have been replaced with object oriented versions in TF2 ({}); this call keeps TF1's graph version ({})"

# table key (any dotted prefix of a reference, v1 spelling) -> (severity, message)
NOTES: dict[str, tuple[str, str]] = {
    "tf.flags": ("warning", "tf.flags and tf.app.flags have been removed in TF2; use absl.flags "
                            "(`from absl import flags`), which has the same DEFINE_* functions"),
    "tf.app.flags": ("warning", "tf.flags and tf.app.flags have been removed in TF2; use absl.flags "
                                "(`from absl import flags`), which has the same DEFINE_* functions"),
    "tf.metrics": ("info", "tf.metrics " + _OO.format("tf.keras.metrics", "tf.compat.v1.metrics")),
    "tf.losses": ("info", "tf.losses " + _OO.format("tf.keras.losses", "tf.compat.v1.losses")),
    **{f"tf.train.{d}": ("info", f"tf.train.{d} returns a value for graph mode; for TF2 code switch to the "
                                 "schedules in `tf.keras.optimizers.schedules`, which optimizers call each step")
       for d in _DECAYS},
    **{f"tf.summary.{s}": ("info", "TF 1.x summary API cannot be automatically migrated to TF 2.x (tf.summary.* "
                                   "there writes through a default writer with a step); kept as tf.compat.v1.summary")
       for s in ("scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge", "merge_all",
                 "FileWriter")},
    "tf.pywrap_tensorflow": ("warning", "`tf.pywrap_tensorflow` will not be distributed with TensorFlow 2: it is "
                                        "internal; use the public API for what it was used for (left unchanged)"),
    "tf.keras.estimator.model_to_estimator": ("info", "in TF2 model_to_estimator will save object-based "
                                                      "checkpoints; pass checkpoint_format='saver' to keep "
                                                      "name-based ones"),
    "tf.keras.experimental.export_saved_model": ("warning", "tf.keras.experimental.export_saved_model is gone in "
                                                            "TF2. Please use model.save(path) (left unchanged)"),
    "tf.keras.experimental.load_from_saved_model": ("warning", "tf.keras.experimental.load_from_saved_model is "
                                                               "gone in TF2. Please use model.save(path) and "
                                                               "tf.keras.models.load_model (left unchanged)"),
}


class V1Notes(Rule):
    """Report v1 APIs that compat mode keeps or cannot map, naming the TF2 replacement; the code is unchanged by it.

    lr = tf.train.exponential_decay(0.1, step, 100, 0.9)  ->  (unchanged here; api_rename makes it tf.compat.v1...)
        info: tf.train.exponential_decay ... switch to the schedules in `tf.keras.optimizers.schedules` ...
    """

    DESCRIPTION = "notes on v1 APIs whose TF2 replacement needs a person (flags, metrics, losses, schedules)"
    PRIORITY = 5
    MODES = frozenset({"compat"})   # NOTE: native mode converts flags, schedules and summaries itself
    KEYS = frozenset(NOTES)
    ATTRS = frozenset({"export_savedmodel"})

    def _note(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        key = self.key(original)
        if key is None:
            return updated
        parts = key.split(".")
        for i in range(len(parts), 1, -1):
            found = NOTES.get(".".join(parts[:i]))
            if found is not None:
                self.ctx.report(self.NAME, found[1], found[0], once=True)
                break
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if original.attr.value == "export_savedmodel" and self.key(original) is None:
            self.ctx.report(self.NAME, "Estimator.export_savedmodel is gone in TF2: rename the method "
                                       "export_savedmodel() to export_saved_model()", "info", once=True)
        return self._note(original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self._note(original, updated)
