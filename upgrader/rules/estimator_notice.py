"""One report line per file that uses tf.estimator: TensorFlow 2.16 removed it, so say what runs the file."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

MESSAGE = ("this file uses tf.estimator, which TensorFlow removed in 2.16 (tf.compat.v1.estimator too), so it cannot "
           "run on TensorFlow >= 2.16 as upgraded: run it unchanged with `tfcompat run` (tfcompat provides "
           "tf.estimator, its hooks and canned estimators), or convert it with `tf-upgrade --mode native` (model_fn "
           "Estimators become a tf.Module and a GradientTape loop, canned DNN/Linear estimators on feature columns a "
           "TF2 model of TF 1.15's defaults; hooks are not converted); "
           "tf.estimator names are kept (canned estimators get TF1's summed loss or tf.compat.v1.estimator; see estimator_canned)")


class EstimatorNotice(Rule):
    """Report, once per file, that tf.estimator code cannot run on TensorFlow >= 2.16; the code is unchanged by it.

    est = tf.estimator.Estimator(model_fn)  ->  (unchanged)
        warning: this file uses tf.estimator, which TensorFlow removed in 2.16 ... run it with `tfcompat run` ...
    """

    DESCRIPTION = "tf.estimator is gone from TensorFlow >= 2.16: one line per file naming tfcompat run"
    PRIORITY = 5
    MODES = frozenset({"compat"})
    KEYS = frozenset({"tf.estimator"})
    OWNS = frozenset({"tf.estimator"})   # NOTE: api_rename skips only this exact key; per-symbol lines remain

    def _note(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        key = self.key(original)
        if key is not None and (key == "tf.estimator" or key.startswith("tf.estimator.")):
            self.warn(MESSAGE, once=True)
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return self._note(original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self._note(original, updated)
