"""`tf.keras.initializers` (also `tf.initializers`): callables `init(shape, dtype) -> tensor`.

    tf.initializers.constant(5.0)((1, 1))  ->  [[5.]]
    GlorotUniform(seed=1)((784, 256))      ->  uniform in +-sqrt(6 / (784 + 256))
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from runtime import dtypes

from ..._export import export
from .common import floatx, tf


def _names(*names: str) -> tuple:
    """Each name under tf.keras.initializers and tf.initializers."""
    return tuple(f"{p}.{n}" for n in names for p in ("keras.initializers", "initializers"))


def _dtype(dtype: Any) -> Any:
    return dtypes.as_dtype(dtype or floatx())


def _shape(shape: Any) -> list:
    return [int(d) for d in (shape.as_list() if hasattr(shape, "as_list") else shape)]


def compute_fans(shape: list, input_axes: Any = None, output_axes: Any = None) -> tuple:
    """(fan_in, fan_out) as Keras computes them; conv kernels multiply by the receptive field.

    With both `input_axes` and `output_axes` given, the fans are the products of those axes' sizes.
    """
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


@export(*_names("Initializer"), "keras.Initializer", v1=())
class Initializer:
    """Base class: subclasses define `__call__(shape, dtype=None)` and `get_config()`."""

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(shape, dtype=None)")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        return cls(**config)

    def clone(self) -> "Initializer":
        return type(self).from_config(self.get_config())


@export(*_names("Constant", "constant"), v1=())
class Constant(Initializer):
    """Every element is `value`: Constant(5.0)((2,)) -> [5., 5.]."""

    def __init__(self, value: Any = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        t = tf()
        value = np.asarray(self.value, dtype=_dtype(dtype).as_numpy_dtype)
        return t.constant(np.broadcast_to(value, _shape(shape)).copy())

    def get_config(self) -> dict:
        return {"value": self.value}


@export(*_names("Zeros", "zeros"), v1=())
class Zeros(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return tf().constant(np.zeros(_shape(shape), _dtype(dtype).as_numpy_dtype))


@export(*_names("Ones", "ones"), v1=())
class Ones(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return tf().constant(np.ones(_shape(shape), _dtype(dtype).as_numpy_dtype))


class _Random(Initializer):
    seed: Any = None

    def _seed(self) -> Any:
        return self.seed if isinstance(self.seed, int) else None

    def _draw(self, kind: str, shape: Any, a: float, b: float, dtype: Any) -> Any:
        """Keras 3 on TensorFlow: an int seed draws stateless numbers keyed [seed, 0] (TF's own numbers)."""
        rand, seed = tf().random, self._seed()
        if seed is not None:
            return getattr(rand, f"stateless_{kind}")(shape, [seed, 0], a, b, dtype=dtype)
        return getattr(rand, kind)(shape, a, b, dtype=dtype)


@export(*_names("RandomNormal", "random_normal"), v1=())
class RandomNormal(_Random):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return self._draw("normal", _shape(shape), self.mean, self.stddev, _dtype(dtype))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@export(*_names("TruncatedNormal", "truncated_normal"), v1=())
class TruncatedNormal(_Random):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return self._draw("truncated_normal", _shape(shape), self.mean, self.stddev, _dtype(dtype))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@export(*_names("RandomUniform", "random_uniform"), v1=())
class RandomUniform(_Random):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return self._draw("uniform", _shape(shape), self.minval, self.maxval, _dtype(dtype))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


@export(*_names("VarianceScaling", "variance_scaling"), v1=())
class VarianceScaling(_Random):
    """Random values with variance scale / fan (fan_in, fan_out or fan_avg)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: Any = None, input_axes: Any = None, output_axes: Any = None) -> None:
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: expected one of fan_in, fan_out, fan_avg. Received: {mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError("Invalid `distribution` argument: expected one of uniform, truncated_normal, "
                             f"untruncated_normal. Received: {distribution}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.input_axes, self.output_axes = input_axes, output_axes

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        d = _dtype(dtype)
        if self.distribution == "truncated_normal":
            return self._draw("truncated_normal", shape, 0.0, math.sqrt(scale) / 0.87962566103423978, d)
        if self.distribution == "untruncated_normal":
            return self._draw("normal", shape, 0.0, math.sqrt(scale), d)
        limit = math.sqrt(3.0 * scale)
        return self._draw("uniform", shape, -limit, limit, d)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


def _variance(name: str, scale: float, mode: str, distribution: str) -> type:
    cls = type(name, (VarianceScaling,), {
        "__init__": lambda self, seed=None, input_axes=None, output_axes=None: VarianceScaling.__init__(
            self, scale, mode, distribution, seed, input_axes, output_axes),
        "get_config": lambda self: {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes},
        "__doc__": f"VarianceScaling(scale={scale}, mode={mode!r}, distribution={distribution!r}).",
        "__module__": __name__,
    })
    return cls


GlorotUniform = export(*_names("GlorotUniform", "glorot_uniform"), v1=())(
    _variance("GlorotUniform", 1.0, "fan_avg", "uniform"))
GlorotNormal = export(*_names("GlorotNormal", "glorot_normal"), v1=())(
    _variance("GlorotNormal", 1.0, "fan_avg", "truncated_normal"))
HeNormal = export(*_names("HeNormal", "he_normal"), v1=())(_variance("HeNormal", 2.0, "fan_in", "truncated_normal"))
HeUniform = export(*_names("HeUniform", "he_uniform"), v1=())(_variance("HeUniform", 2.0, "fan_in", "uniform"))
LecunNormal = export(*_names("LecunNormal", "lecun_normal"), v1=())(
    _variance("LecunNormal", 1.0, "fan_in", "truncated_normal"))
LecunUniform = export(*_names("LecunUniform", "lecun_uniform"), v1=())(
    _variance("LecunUniform", 1.0, "fan_in", "uniform"))


@export(*_names("Orthogonal", "orthogonal", "OrthogonalInitializer"), v1=())
class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal draw (TF's numbers)."""

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        self.gain, self.seed = gain, seed

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape} "
                             f"of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        draw = self._draw("normal", [max(rows, cols), min(rows, cols)], 0.0, 1.0, _dtype(dtype))
        return orthogonal_from(draw, rows < cols, shape, self.gain)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


def orthogonal_from(draw: Any, wide: bool, shape: list, gain: float) -> Any:
    """Q of the QR of a [rows, cols] normal draw with R's diagonal made positive (transposed for a wide
    `shape`), reshaped, times `gain`: the ops Keras' and TF1's orthogonal initializers build."""
    t = tf()
    q, r = t.linalg.qr(draw)
    q = q * t.math.sign(t.linalg.diag_part(r))
    if wide:
        q = t.linalg.matrix_transpose(q)
    return gain * t.reshape(q, shape)


@export(*_names("Identity", "identity", "IdentityInitializer"), v1=())
class Identity(Initializer):
    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: {shape}")
        return tf().constant(self.gain * np.eye(*shape, dtype=_dtype(dtype).as_numpy_dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    "variance_scaling": VarianceScaling, "identity": Identity,
    "uniform": RandomUniform, "normal": RandomNormal,
}


@export(*_names("get"), v1=())
def get(identifier: Any) -> Any:
    """'glorot_uniform' / 'GlorotUniform' / an initializer / a callable -> an initializer."""
    if identifier is None or isinstance(identifier, Initializer) or \
            (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, dict):
        cls = _BY_NAME.get(snake_key(identifier["class_name"]))
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = _BY_NAME.get(snake_key(identifier))
        if cls is not None:
            return cls()
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


def snake_key(name: str) -> str:
    from .common import snake  # noqa: PLC0415
    return snake(name) if any(c.isupper() for c in name) else name
