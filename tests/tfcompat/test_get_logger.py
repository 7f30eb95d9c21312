"""`tf.get_logger()` (TF2 and compat.v1) is the "tensorflow" Python logger that tf.logging writes to."""
from __future__ import annotations

import logging

import tfcompat as tf
import tfcompat.compat.v1 as v1


def test_get_logger_is_the_tensorflow_logger_in_both_apis(capsys) -> None:
    logger = tf.get_logger()
    assert logger is logging.getLogger("tensorflow") and v1.get_logger() is logger
    level = logger.level
    try:
        logger.setLevel(logging.INFO)
        logger.info("loss = %s", 0.5)
        assert "loss = 0.5" in capsys.readouterr().err
        logger.setLevel(logging.WARN)
        logger.info("hidden")
        assert "hidden" not in capsys.readouterr().err
    finally:
        logger.setLevel(level)
