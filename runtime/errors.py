"""One error hierarchy, named like TensorFlow's so `tf.errors.X` re-exports it.

    raise InvalidArgumentError(None, None, "Incompatible shapes: [2,3] vs. [4] [Op:AddV2]")
"""
from __future__ import annotations

from typing import Any

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = 10, 11, 12, 13, 14, 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """Base of every runtime error; `str(e)` is the message, as in TensorFlow.

    OpError(node_def, op, message, error_code) as TF's; the subclasses fix the code:
    InvalidArgumentError(node_def, op, message).
    """

    error_code = UNKNOWN

    def __init__(self, node_def: Any, op: Any, message: str, error_code: int, *args: Any) -> None:
        super().__init__(message)
        self.node_def, self.op, self.message, self.error_code = node_def, op, message, error_code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple:
        return OpError, (self.node_def, self.op, self.message, self.error_code)


def _error(name: str, code: int) -> type[OpError]:
    def __init__(self: OpError, node_def: Any, op: Any, message: str, *args: Any) -> None:
        OpError.__init__(self, node_def, op, message, code, *args)

    def __reduce__(self: OpError) -> tuple:
        return type(self), (self.node_def, self.op, self.message)

    return type(name, (OpError,), {"error_code": code, "__init__": __init__, "__reduce__": __reduce__,
                                   "__doc__": f"TensorFlow's `tf.errors.{name}`.", "__module__": __name__})


CancelledError = _error("CancelledError", CANCELLED)
UnknownError = _error("UnknownError", UNKNOWN)
InvalidArgumentError = _error("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _error("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _error("NotFoundError", NOT_FOUND)
AlreadyExistsError = _error("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _error("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _error("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _error("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _error("AbortedError", ABORTED)
OutOfRangeError = _error("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _error("UnimplementedError", UNIMPLEMENTED)
InternalError = _error("InternalError", INTERNAL)
UnavailableError = _error("UnavailableError", UNAVAILABLE)
DataLossError = _error("DataLossError", DATA_LOSS)
UnauthenticatedError = _error("UnauthenticatedError", UNAUTHENTICATED)


def invalid(message: str) -> InvalidArgumentError:
    """Shorthand used by kernels and shape rules: `raise invalid("...")`."""
    return InvalidArgumentError(None, None, message)
