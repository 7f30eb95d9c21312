"""tf-upgrade: rewrite TensorFlow 1 source into TensorFlow 2 source.

    >>> from upgrader import upgrade_source
    >>> upgrade_source("import tensorflow as tf\\nx = tf.log(y)\\n").code
    'import tensorflow as tf\\nx = tf.math.log(y)\\n'
"""
from __future__ import annotations

from typing import Any

__all__ = ["upgrade_source"]


def __getattr__(name: str) -> Any:
    # NOTE: lazy, so `tf-upgrade --help` does not pay for importing LibCST.
    if name == "upgrade_source":
        from upgrader.engine import upgrade_source
        return upgrade_source
    raise AttributeError(name)
