"""`tf.keras.layers.Hashing`, `Discretization`, `CategoryEncoding`, `Normalization` (Keras 3's, numbers as TF's).

    Hashing(5)(["paris", "tokyo"])                         ->  [2, 2]   (int64; TF's FarmHash Fingerprint64 % 5)
    Discretization(bin_boundaries=[0.0, 1.0])([-1., 0., 2.]) ->  [0, 1, 2]   (int32; boundaries[i-1] <= x < boundaries[i])
    CategoryEncoding(4, output_mode="count")([[0, 1, 1]])    ->  [[1., 2., 0., 0.]]
    Normalization(mean=2.0, variance=4.0)([[1., 5.]])        ->  [[-0.5, 1.5]]
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._export import export
from ..feature_column.fingerprint import hash_bucket_ids
from .common import EPSILON, floatx, tf
from .preprocessing_common import ENCODINGS, PreprocessingLayer, as_tensor, batches, encode


@export("keras.layers.Hashing", v1=("keras.layers.Hashing", "keras.layers.experimental.preprocessing.Hashing"))
class Hashing(PreprocessingLayer):
    """Values -> `num_bins` buckets by TensorFlow's FarmHash of their text (integers hash as decimal text)."""

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None, output_mode: str = "int",
                 sparse: bool = False, **kwargs: Any) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                             f"Received: num_bins={num_bins}.")
        if output_mode == "int" and self._dtype not in ("int32", "int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             f"Received: dtype={kwargs['dtype']}")
        if output_mode not in ENCODINGS:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {ENCODINGS}. "
                             f"Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                             f"`\"count\"`. Received: sparse={sparse} and output_mode={output_mode}")
        for arg, given in (("salt", salt is not None), ("sparse", sparse)):
            if given:
                raise NotImplementedError(f"Hashing({arg}=...) is not supported by tfcompat (salted hashing is "
                                          "TF's SipHash to_hash_bucket_strong); drop it to get TF's FarmHash buckets")
        self.num_bins, self.mask_value, self.salt = num_bins, mask_value, None
        self.output_mode, self.sparse = output_mode, sparse

    def call(self, inputs: Any) -> Any:
        t = tf()
        values = inputs
        bins, mask = self.num_bins, None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = t.equal(values, t.constant(self.mask_value, values.dtype))
        if values.dtype.is_floating:
            values = t.cast(values, t.int64)
        ids = hash_bucket_ids(values, bins)
        if mask is not None:
            ids = t.where(mask, t.zeros_like(ids), ids + 1)
        return encode(ids, self.output_mode, self.num_bins, self._dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_mode == "int":
            return tuple(input_shape)
        return tuple(input_shape[:-1]) + (self.num_bins,) if len(input_shape) else (self.num_bins,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": self.sparse}


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every step-th sorted value with weight step: a [2, n] (value, weight) quantile summary."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Resample a summary at the quantiles epsilon, 2 epsilon, ..., 1 (interpolating cumulative weights)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    at = cum / cum[-1]
    new_cum = np.interp(percents, at, cum)
    bins = np.interp(percents, at, summary[0])
    return np.stack((bins, new_cum - np.concatenate(([0], new_cum[:-1])))).astype("float32")


@export("keras.layers.Discretization",
        v1=("keras.layers.Discretization", "keras.layers.experimental.preprocessing.Discretization"))
class Discretization(PreprocessingLayer):
    """Floats -> bucket ids: `bin_boundaries` given, or `num_bins` quantiles learnt by `adapt` (Keras's summary)."""

    def __init__(self, bin_boundaries: Any = None, num_bins: Any = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, dtype: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
                             f"`'count'`. Received: sparse={sparse} and output_mode={output_mode}")
        if output_mode not in ENCODINGS:
            raise ValueError(f"Unknown value for `output_mode` argument of Discretization. Allowed values are: "
                             f"{ENCODINGS}. Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if sparse:
            raise NotImplementedError("Discretization(sparse=True) is not supported by tfcompat; use sparse=False")
        self.bin_boundaries, self.num_bins, self.epsilon = bin_boundaries, num_bins, epsilon
        self.output_mode, self.sparse = output_mode, sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")

    @property
    def output_dtype(self) -> str:
        return self._dtype if self.output_mode != "int" else "int32"

    def adapt(self, data: Any, steps: Any = None) -> None:
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        for batch in batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        data = as_tensor(data).numpy() if hasattr(data, "numpy") else np.asarray(data)
        merged = np.concatenate((_summarize(data.astype("float32"), self.epsilon), self.summary), axis=1)
        self.summary = _compress(np.take(merged, np.argsort(merged[0]), axis=1), self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs: Any) -> Any:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        t = tf()
        x = t.cast(inputs, floatx()) if inputs.dtype != t.as_dtype(floatx()) else inputs
        bounds = t.constant(np.asarray(self.bin_boundaries, np.float32).reshape(-1))
        # NOTE: Bucketize is upper_bound: the boundaries b with not (x < b); a NaN is past every boundary
        ids = t.reduce_sum(t.cast(t.logical_not(t.less(t.expand_dims(x, -1), bounds)), t.int32), axis=-1)
        return encode(ids, self.output_mode, len(self.bin_boundaries) + 1, self.output_dtype)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self._dtype}


@export("keras.layers.CategoryEncoding",
        v1=("keras.layers.CategoryEncoding", "keras.layers.experimental.preprocessing.CategoryEncoding"))
class CategoryEncoding(PreprocessingLayer):
    """Integer ids -> one_hot / multi_hot / count vectors of width `num_tokens` (float32 by default)."""

    def __init__(self, num_tokens: Any = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding(sparse=True) is not supported by tfcompat; use sparse=False")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse

    def call(self, inputs: Any, count_weights: Any = None) -> Any:
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                                 f"Received `count_weights={count_weights}`.")
            count_weights = as_tensor(count_weights, self._dtype)
        return encode(inputs, self.output_mode, self.num_tokens, self._dtype, count_weights)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}


@export("keras.layers.Normalization",
        v1=("keras.layers.Normalization", "keras.layers.experimental.preprocessing.Normalization"))
class Normalization(PreprocessingLayer):
    """(x - mean) / max(sqrt(variance), epsilon) per `axis` entry; mean/variance given, or learnt by `adapt`."""

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean, self.input_variance, self.invert = mean, variance, invert
        self.mean = self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. "
                             f"Received: mean={mean} and variance={variance}")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                             f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}")

    def build(self, input_shape: Any = None) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                             f"ndim={ndim}, while axis={self.axis}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        self._reduce = tuple(d for d in range(ndim) if d not in self._keep)
        self._broadcast = [input_shape[d] if d in self._keep else 1 for d in range(ndim)]
        shape = tuple(input_shape[d] for d in self._keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=shape, initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=shape, initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
            return
        mean, variance = (np.asarray(v, np.float32) for v in (self.input_mean, self.input_variance))
        if mean.ndim:
            expanded = [1] * ndim
            for i in range(1, mean.ndim + 1):
                expanded[self._keep[-i]] = mean.shape[-i]
            mean, variance = mean.reshape(expanded), variance.reshape(expanded)
        self.mean = tf().constant(np.broadcast_to(mean, self._broadcast).astype(self._dtype))
        self.variance = tf().constant(np.broadcast_to(variance, self._broadcast).astype(self._dtype))
        self.built = True

    def adapt(self, data: Any) -> None:
        """Mean and variance over the non-`axis` dimensions (batches merged as Keras merges them)."""
        total_mean = total_var = None
        count = 0
        for batch in batches(data):
            batch = batch if isinstance(batch, np.ndarray) else as_tensor(batch, self._dtype).numpy()
            if not self.built:
                self.build(batch.shape)
            n = math.prod(batch.shape[d] for d in self._reduce) if self._reduce else 1
            mean, var = batch.mean(axis=self._reduce), batch.var(axis=self._reduce)
            if total_mean is None:
                total_mean, total_var, count = mean, var, n
                continue
            count += n
            w = n / count
            new_mean = total_mean * (1 - w) + mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) + (var + (mean - new_mean) ** 2) * w
            total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean, np.float32))
        self.adapt_variance.assign(np.asarray(total_var, np.float32))
        self.finalize_state()

    def finalize_state(self) -> None:
        if self.input_mean is not None or not self.built:
            return
        t = tf()
        self.mean = t.reshape(t.cast(self.adapt_mean, self._dtype), self._broadcast)
        self.variance = t.reshape(t.cast(self.adapt_variance, self._dtype), self._broadcast)

    def call(self, inputs: Any) -> Any:
        t = tf()
        x = t.cast(inputs, self._dtype) if inputs.dtype != t.as_dtype(self._dtype) else inputs
        mean, variance = self.mean, self.variance
        if self.input_mean is None:   # NOTE: read the variables now: set_weights or a loaded model changed them
            mean = t.reshape(t.cast(self.adapt_mean, self._dtype), self._broadcast)
            variance = t.reshape(t.cast(self.adapt_variance, self._dtype), self._broadcast)
        scale = t.maximum(t.sqrt(variance), EPSILON)
        return mean + x * scale if self.invert else (x - mean) / scale

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(), "variance": np.array(self.input_variance).tolist()}
