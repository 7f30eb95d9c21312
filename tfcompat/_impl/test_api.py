"""`tf.test`: `TestCase` (unittest with TensorFlow's array assertions and eager sessions) and `main`.

    class ShapeTest(tf.test.TestCase):
        def test_ones(self):
            self.assertAllClose(tf.ones([2]), [1.0, 1.0])
            with self.cached_session() as sess:
                self.assertAllEqual(sess.run(tf.zeros([1])), [0.0])

    if __name__ == "__main__":
        tf.test.main()

Eager only, as in TensorFlow 2: `cached_session()` yields a session whose `run(t)` is `evaluate(t)`,
`session()` one that refuses every use, and the deprecated `test_session()` yields None.
"""
from __future__ import annotations

import contextlib
import importlib.util
import tempfile
import unittest
from typing import Any, Iterator

import numpy as np

from .._export import export
from .config_api import list_physical_devices


def _value(x: Any) -> Any:
    """Tensors and variables -> NumPy, through lists, tuples and dicts."""
    if isinstance(x, dict):
        return {k: _value(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_value(v) for v in x) if not hasattr(x, "_fields") else type(x)(*(_value(v) for v in x))
    return x.numpy() if hasattr(x, "numpy") else x


class _FakeEagerSession:
    """What `cached_session()` yields under eager execution: `run(t)` is shorthand for `t.numpy()`."""

    def __init__(self, case: "TestCase") -> None:
        self._case = case

    def run(self, fetches: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.pop("feed_dict", {}):
            raise RuntimeError("feed_dict is not supported when eager execution is enabled (in this case, "
                               "sess.run(t) is shorthand for t.numpy()")
        if args or kwargs:
            raise RuntimeError("Optional args are not supported when eager execution is enabled (in this case, "
                               "sess.run(t) is shorthand for t.numpy()")
        return self._case.evaluate(fetches)


class _EagerSessionWarner:
    """What `session()` yields under eager execution: any use raises, as TensorFlow 2's does."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError("Trying to access properties or call methods on the result of self.session(), "
                             "self.cached_session(), etc while eager execution is enabled. If you're porting this "
                             "test case to TF 2.0, either adapt the test to work with eager execution or insert a "
                             "call to tf.disable_eager_execution() in the main() function of this test file.")


@export("test.TestCase", v1=())   # NOTE: TF1's graph-mode sessions (test_session over the default graph) are not here
class TestCase(unittest.TestCase):
    """unittest.TestCase with TensorFlow's assertions on tensors, arrays and nested structures of them."""

    def evaluate(self, tensors: Any) -> Any:
        """Tensors (any nesting of lists, tuples and dicts) -> their NumPy values."""
        return _value(tensors)

    @contextlib.contextmanager
    def cached_session(self, graph: Any = None, config: Any = None, use_gpu: bool = True,
                       force_gpu: bool = False) -> Iterator[_FakeEagerSession]:
        yield _FakeEagerSession(self)

    @contextlib.contextmanager
    def session(self, graph: Any = None, config: Any = None, use_gpu: bool = True,
                force_gpu: bool = False) -> Iterator[_EagerSessionWarner]:
        yield _EagerSessionWarner()

    @contextlib.contextmanager
    def _test_session(self, graph: Any = None, config: Any = None, use_gpu: bool = True,
                      force_gpu: bool = False) -> Iterator[None]:
        yield None   # NOTE: TensorFlow 2's deprecated test_session yields None under eager execution

    # NOTE: a property, so unittest's loader (which collects callables named test*) does not run it as a test
    test_session = property(lambda self: self._test_session)

    def get_temp_dir(self) -> str:
        if not hasattr(self, "_tempdir"):
            self._tempdir = tempfile.mkdtemp()
        return self._tempdir

    def _arrays(self, a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.evaluate(a)), np.asarray(self.evaluate(b))

    def assertAllClose(self, a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-6, msg: Any = None) -> None:
        if isinstance(a, dict) or isinstance(b, dict):
            self.assertEqual(set(a), set(b), msg)
            for k in a:
                self.assertAllClose(a[k], b[k], rtol=rtol, atol=atol, msg=msg)
            return
        x, y = self._arrays(a, b)
        self.assertEqual(x.shape, y.shape, f"Shape mismatch: expected {x.shape}, got {y.shape}. {msg or ''}")
        np.testing.assert_allclose(y, x, rtol=rtol, atol=atol, err_msg=str(msg or ""), equal_nan=True)

    def assertNotAllClose(self, a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-6, msg: Any = None) -> None:
        try:
            self.assertAllClose(a, b, rtol=rtol, atol=atol)
        except AssertionError:
            return
        raise AssertionError(msg or "The two values are close at all elements")

    def assertAllEqual(self, a: Any, b: Any, msg: Any = None) -> None:
        x, y = self._arrays(a, b)
        self.assertEqual(x.shape, y.shape, f"Shape mismatch: expected {x.shape}, got {y.shape}. {msg or ''}")
        np.testing.assert_array_equal(x, y, err_msg=str(msg or ""))

    def assertNotAllEqual(self, a: Any, b: Any, msg: Any = None) -> None:
        x, y = self._arrays(a, b)
        self.assertFalse(x.shape == y.shape and bool(np.all(x == y)), msg or "The two values are equal")

    def assertShapeEqual(self, input_a: Any, input_b: Any, msg: Any = None) -> None:
        """`input_a` a NumPy array, `input_b` a tensor: their shapes are equal."""
        if not isinstance(input_a, (np.ndarray, np.generic)):
            raise TypeError(f"input_a must be a np.ndarray, not {type(input_a).__name__}")
        self.assertEqual(tuple(np.shape(input_a)), tuple(input_b.shape), msg)

    def assertNear(self, f1: float, f2: float, err: float, msg: Any = None) -> None:
        self.assertTrue(abs(f1 - f2) <= err, f"{f1} != {f2} +/- {err}{' : ' + str(msg) if msg else ''}")

    def assertArrayNear(self, farray1: Any, farray2: Any, err: float, msg: Any = None) -> None:
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertAllGreater(self, a: Any, comparison_target: Any) -> None:
        self.assertTrue(np.all(np.asarray(self.evaluate(a)) > comparison_target))

    def assertAllGreaterEqual(self, a: Any, comparison_target: Any) -> None:
        self.assertTrue(np.all(np.asarray(self.evaluate(a)) >= comparison_target))

    def assertAllLess(self, a: Any, comparison_target: Any) -> None:
        self.assertTrue(np.all(np.asarray(self.evaluate(a)) < comparison_target))

    def assertAllLessEqual(self, a: Any, comparison_target: Any) -> None:
        self.assertTrue(np.all(np.asarray(self.evaluate(a)) <= comparison_target))


@export("test.main")
def main(argv: Any = None) -> None:
    """Run the test cases of `__main__` (unittest's runner; exits with its status, as TensorFlow's does)."""
    unittest.main(module="__main__", argv=argv)


@export("test.is_gpu_available")
def is_gpu_available(cuda_only: bool = False, min_cuda_compute_capability: Any = None) -> bool:
    """Whether the runtime found a GPU (CuPy's)."""
    return bool(list_physical_devices("GPU"))


@export("test.gpu_device_name")
def gpu_device_name() -> str:
    """'/device:GPU:0' when a GPU is available, else ''."""
    return "/device:GPU:0" if is_gpu_available() else ""


@export("test.is_built_with_cuda")
def is_built_with_cuda() -> bool:
    """Whether tfcompat can run on CUDA GPUs here: its device backend, CuPy, is installed (a GPU need not be)."""
    return importlib.util.find_spec("cupy") is not None


@export("test.is_built_with_gpu_support")
def is_built_with_gpu_support() -> bool:
    """The same as is_built_with_cuda: CUDA (through CuPy) is tfcompat's only GPU platform."""
    return is_built_with_cuda()
