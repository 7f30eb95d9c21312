"""Compat mode keeps TF2's strategy classes unless the file calls a TF1-only strategy method."""
from __future__ import annotations

import inspect

from upgrader.engine import upgrade_source

LINE = "strategy = tf.distribute.MirroredStrategy()\n"


def test_kept_with_a_note_naming_the_api_changes() -> None:
    result = upgrade_source("import tensorflow as tf\n" + LINE, "compat")
    assert result.code == "import tensorflow as tf\n" + LINE
    infos = [d.message for d in result.diagnostics if d.severity == "info"]
    assert any("tf.distribute.MirroredStrategy API has changed" in m
               and "make_dataset_iterator->experimental_distribute_dataset" in m for m in infos)


def test_same_line_depends_on_the_rest_of_the_file() -> None:
    """The region cache must not replay one file's decision in another (the decision is per file)."""
    v1 = upgrade_source("import tensorflow as tf\n" + LINE + "t = strategy.reduce('sum', x)\n", "compat")
    assert "tf.compat.v1.distribute.MirroredStrategy()" in v1.code
    v2 = upgrade_source("import tensorflow as tf\n" + LINE, "compat")
    assert "tf.compat.v1" not in v2.code
    again = upgrade_source("import tensorflow as tf\n" + LINE + "t = strategy.experimental_run(f)\n", "compat")
    assert "tf.compat.v1.distribute.MirroredStrategy()" in again.code


def test_premise_on_tensorflow(oracle) -> None:
    """Same constructors in TF 2.21; what only the v1 classes have is what the rule looks for."""
    for name in ("MirroredStrategy", "OneDeviceStrategy"):
        v1, v2 = getattr(oracle.compat.v1.distribute, name), getattr(oracle.distribute, name)
        assert inspect.signature(v1.__init__) == inspect.signature(v2.__init__)
        assert hasattr(v1, "experimental_make_numpy_dataset") and not hasattr(v2, "experimental_make_numpy_dataset")
        assert inspect.signature(v1.reduce).parameters["axis"].default is None
        assert inspect.signature(v2.reduce).parameters["axis"].default is inspect.Parameter.empty
