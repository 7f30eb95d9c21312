"""TF1's `tf.logging`: the "tensorflow" Python logger, printing `INFO:tensorflow:msg` to stderr.

    tf.logging.set_verbosity(tf.logging.INFO);  tf.logging.info("step %d", 3)   # INFO:tensorflow:step 3
"""
from __future__ import annotations

import logging
import sys
from typing import Any

from ..._export import export, export_value

DEBUG, INFO, WARN, ERROR, FATAL = logging.DEBUG, logging.INFO, logging.WARN, logging.ERROR, logging.FATAL
for _name, _level in (("DEBUG", DEBUG), ("INFO", INFO), ("WARN", WARN), ("ERROR", ERROR), ("FATAL", FATAL)):
    export_value(_level, v1=(f"logging.{_name}",))

_counts: dict[Any, int] = {}


class _StderrHandler(logging.StreamHandler):
    """Writes to the *current* sys.stderr (so redirection and capture see it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter(logging.BASIC_FORMAT))

    @property
    def stream(self) -> Any:  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """Ignored: always the current sys.stderr."""


@export("get_logger")
def get_logger() -> logging.Logger:
    """The "tensorflow" logger (`tf.get_logger()`), printing to the current stderr at WARN unless set otherwise."""
    logger = logging.getLogger("tensorflow")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
        logger.propagate = False
        if logger.level == logging.NOTSET:
            logger.setLevel(WARN)
    return logger


@export(v1=("logging.set_verbosity",))
def set_verbosity(v: int) -> None:
    get_logger().setLevel(v)


@export(v1=("logging.get_verbosity",))
def get_verbosity() -> int:
    return get_logger().getEffectiveLevel()


@export(v1=("logging.log",))
def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().log(level, msg, *args, **kwargs)


@export(v1=("logging.debug",))
def debug(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().debug(msg, *args, **kwargs)


@export(v1=("logging.info",))
def info(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().info(msg, *args, **kwargs)


@export(v1=("logging.warning",))
def warning(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().warning(msg, *args, **kwargs)


@export(v1=("logging.warn",))
def warn(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().warning(msg, *args, **kwargs)


@export(v1=("logging.error",))
def error(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().error(msg, *args, **kwargs)


@export(v1=("logging.fatal",))
def fatal(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().fatal(msg, *args, **kwargs)


@export(v1=("logging.vlog",))
def vlog(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().log(level, msg, *args, **kwargs)


@export(v1=("logging.log_if",))
def log_if(level: int, msg: Any, condition: Any, *args: Any) -> None:
    if condition:
        log(level, msg, *args)


@export(v1=("logging.log_every_n",))
def log_every_n(level: int, msg: Any, n: int, *args: Any) -> None:
    key = ("every", sys._getframe(1).f_code, sys._getframe(1).f_lineno)
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    log_if(level, msg, count % n == 0, *args)


@export(v1=("logging.log_first_n",))
def log_first_n(level: int, msg: Any, n: int, *args: Any) -> None:
    key = ("first", sys._getframe(1).f_code, sys._getframe(1).f_lineno)
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    log_if(level, msg, count < n, *args)


@export(v1=("logging.flush",))
def flush() -> None:
    for handler in get_logger().handlers:
        handler.flush()


@export(v1=("logging.TaskLevelStatusMessage",))
def TaskLevelStatusMessage(msg: Any) -> None:  # noqa: N802  (TF's name)
    error(msg)
