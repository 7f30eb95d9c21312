"""`tf.keras.layers.StringLookup` and `IntegerLookup`: vocabulary tokens -> int64 indices (Keras 3's IndexLookup).

    StringLookup(vocabulary=["a", "b", "c"])([["a", "z"], ["c", "b"]])   ->  [[1, 0], [3, 2]]  (0: OOV)
    IntegerLookup(vocabulary=[12, 36], mask_token=0)([12, 0, 7])        ->  [2, 0, 1]
    StringLookup(vocabulary=["a", "b"], invert=True)([0, 1, 2])          ->  [b"[UNK]", b"a", b"b"]

Indices are [mask][OOV x num_oov_indices][vocabulary...]; with several OOV indices a string goes to
TensorFlow's FarmHash bucket (`tf.strings.to_hash_bucket_fast`), an integer to `x mod n` (or its
decimal text's FarmHash with oov_method="farmhash"), so the numbers are TF's.
"""
from __future__ import annotations

import collections
import itertools
import os
from typing import Any

import numpy as np

from runtime import backend, dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.graph_tensor import pseudo_op

from ..._export import export
from ..feature_column.fingerprint import hash_bucket_ids
from .common import tf
from .preprocessing_common import PreprocessingLayer, as_tensor, batches, check_mode, encode


class _Table:
    """A static hash table (keys -> values, `default` otherwise), hashed by identity as an op attr.

    Integer keys are looked up with a binary search over the sorted keys (NumPy); string keys in a dict.
    """

    def __init__(self, keys: Any, values: Any, default: Any, strict: bool = False) -> None:
        keys, values = list(keys), list(values)
        self.map = dict(zip(keys, values))
        self.default, self.strict = default, strict
        self.dtype = dtypes.string if isinstance(default, bytes) else dtypes.int64
        self.sorted = self.dense = None
        if keys and all(isinstance(k, int) for k in keys):
            k = np.asarray(keys, np.int64)
            order = np.argsort(k, kind="stable")
            v = np.asarray(values, object if self.dtype == dtypes.string else np.int64)
            self.sorted = (k[order], v[order])
            low, span = int(k.min()), int(k.max()) - int(k.min()) + 1
            if span <= max(4 * len(k), 1 << 16):   # NOTE: keys in a small range: a direct table, O(1) a value
                dense = np.full(span + 1, default, v.dtype)   # NOTE: the last slot answers out-of-range values
                dense[k - low] = v
                hit = np.zeros(span + 1, bool)
                hit[k - low] = True
                self.dense = (low, span, dense, hit)

    def find(self, x: Any) -> np.ndarray:
        x = np.asarray(backend.to_host(x))
        if self.dense is not None and x.dtype.kind in "iu":
            low, span, dense, found = self.dense
            x = x.astype(np.int64)
            with np.errstate(over="ignore"):   # NOTE: a difference that wraps is outside the range anyway
                slot = np.where((x >= low) & (x <= low + (span - 1)), x - low, span)
            if self.strict and not found[slot].all():
                self._missing(x[~found[slot]].tolist())
            return dense[slot]
        if self.sorted is not None and x.dtype.kind in "iu":
            keys, values = self.sorted
            pos = np.minimum(np.searchsorted(keys, x), len(keys) - 1)
            hit = keys[pos] == x
            if self.strict and not hit.all():
                self._missing(x[~hit].tolist())
            return np.where(hit, values[pos], np.asarray(self.default, values.dtype))
        flat = x.reshape(-1).tolist()
        if self.dtype == dtypes.int64 and not self.strict:
            return np.fromiter(map(self.map.get, flat, itertools.repeat(self.default)), np.int64, len(flat)).reshape(
                x.shape)
        out = list(map(self.map.get, flat, itertools.repeat(self.default)))
        if self.strict and self.default in out:
            self._missing([v for v in flat if v not in self.map])
        if self.dtype == dtypes.string:
            return np.array(out, dtype=object).reshape(x.shape)
        return np.array(out, dtype=np.int64).reshape(x.shape)

    @staticmethod
    def _missing(values: list) -> None:
        shown = " ".join(f'"{v.decode()}"' if isinstance(v, bytes) else str(v) for v in values)
        raise InvalidArgumentError(None, None, "When `num_oov_indices=0` all inputs should be in vocabulary, "
                                   f"found OOV values [{shown}], consider setting `num_oov_indices=1`.")


_FIND = pseudo_op("LookupTableFindV2", lambda x, table: table.find(x), shape=lambda s, table: s,
                  dtype=lambda d, table: table.dtype, host_only="hash tables live on the host, as in TF")


def _token(v: Any, string: bool) -> Any:
    if string:
        return v if isinstance(v, bytes) else str(v).encode()
    return int(v)


class IndexLookup(PreprocessingLayer):
    """The shared lookup: `vocabulary_dtype` "string" (StringLookup) or "int64" (IntegerLookup)."""

    def __init__(self, max_tokens: Any, num_oov_indices: int, mask_token: Any, oov_token: Any,
                 vocabulary_dtype: str, vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Unknown value for `oov_method` argument of {type(self).__name__}. Allowed values "
                             f"are: ('floormod', 'farmhash'). Received: oov_method={oov_method}")
        output_mode = check_mode(output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"), type(self).__name__)
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                             f"`'tf_idf'`. Received: sparse={sparse} and output_mode={output_mode}")
        for arg, value, why in (("output_mode", output_mode == "tf_idf", "'tf_idf'"), ("sparse", sparse, "True"),
                                ("salt", salt is not None, "a salt (SipHash)")):
            if value:
                raise NotImplementedError(f"{type(self).__name__}({arg}={why}) is not supported by tfcompat; use "
                                          "output_mode='int'/'one_hot'/'multi_hot'/'count' without it")
        for saved in ("trainable", "dtype", "vocabulary_size", "has_input_vocabulary"):   # NOTE: get_config's
            kwargs.pop(saved, None)
        super().__init__(name=name, **kwargs)
        self.invert, self.max_tokens, self.num_oov_indices = invert, max_tokens, num_oov_indices
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.sparse, self.pad_to_max_tokens, self.oov_method, self.salt = sparse, pad_to_max_tokens, oov_method, salt
        self.vocabulary_dtype = vocabulary_dtype
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self._string = vocabulary_dtype == "string"
        self._has_input_vocabulary = vocabulary is not None
        self._tokens: list = []
        self._counts: collections.Counter = collections.Counter()
        self._frozen_vocab_size: Any = None
        self._table = self._make_table()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- the vocabulary ----------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _default(self) -> Any:
        if self.invert:
            return _token(self.oov_token, self._string)
        return self._oov_start_index() if self.num_oov_indices == 1 else -1

    def _make_table(self) -> _Table:
        start = self._token_start_index()
        indices = range(start, start + len(self._tokens))
        keys, values = (indices, self._tokens) if self.invert else (self._tokens, indices)
        return _Table(keys, values, self._default(), strict=self.num_oov_indices == 0 and not self.invert)

    def vocabulary_size(self) -> int:
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        start = self._token_start_index()
        vocab = [self.oov_token] * start + [v.decode() if isinstance(v, bytes) else v for v in self._tokens]
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[start:]

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        if idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\r\n") for line in f]
            vocabulary = [int(v) for v in vocabulary] if not self._string else vocabulary
        if dispatch.is_tensor(vocabulary):
            vocabulary = vocabulary.numpy()
        vocabulary = [v.decode() if isinstance(v, bytes) else v for v in np.asarray(vocabulary).reshape(-1).tolist()]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        tokens = vocabulary[start:] if vocabulary[:start] == special else vocabulary
        repeated = [v for v, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        for token, arg in ((self.mask_token, "mask_token"), (self.oov_token if self.invert else None, "oov_token")):
            if token is not None and token in tokens:
                raise ValueError(f"Found reserved {'mask' if arg == 'mask_token' else 'OOV'} token at unexpected "
                                 "location in `vocabulary`. Note that passed `vocabulary` does not need to include "
                                 "the OOV and mask tokens. Either remove all mask and OOV tokens, or include them "
                                 f"only at the start of the vocabulary in precisely this order: {special}. Received: "
                                 f"{arg}={token} at vocabulary index {vocabulary.index(token)}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        self._tokens = [_token(v, self._string) for v in tokens]
        self._table = self._make_table()
        self._frozen_vocab_size = self.vocabulary_size()

    def adapt(self, data: Any, steps: Any = None) -> None:
        """The vocabulary from data: tokens by decreasing frequency (ties: the larger token first)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        self._counts = collections.Counter()
        for batch in batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        values = as_tensor(data, None if self._string else "int64").numpy().reshape(-1).tolist()
        self._counts.update(_token(v, self._string) for v in values)

    def finalize_state(self) -> None:
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                self._counts.pop(_token(special, self._string), None)
        ranked = sorted(self._counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        self._tokens = [k for k, _ in ranked]
        self._table = self._make_table()
        self._counts = collections.Counter()
        self._frozen_vocab_size = self.vocabulary_size()

    # -- calling -----------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        t = tf()
        if self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must "
                               "set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to "
                               "the layer, or call `adapt` with some sample data.")
        key_dtype = "int64" if self.invert or not self._string else "string"
        x = as_tensor(inputs, None if key_dtype == "string" else key_dtype)
        scalar = x.shape.rank == 0
        if scalar:
            x = t.expand_dims(x, -1)
        lookups = dispatch.execute(_FIND, (x,), {"table": self._table})
        if self.mask_token is not None:
            if self.invert:
                mask_key, mask_value = t.constant(0, t.int64), t.constant(
                    _token(self.mask_token, self._string), None if self._string else t.int64)
            else:
                mask_key = t.constant(_token(self.mask_token, self._string), None if self._string else t.int64)
                mask_value = t.constant(0 if self.output_mode == "int" else np.iinfo(np.int64).max, t.int64)
            lookups = t.where(t.equal(x, mask_key), t.fill(t.shape(lookups), mask_value), lookups)
        if not self.invert and self.num_oov_indices > 1:
            if not self._string and self.oov_method == "floormod":
                oov = t.math.floormod(x, t.constant(self.num_oov_indices, t.int64))
            else:
                oov = hash_bucket_ids(x, self.num_oov_indices)
            lookups = t.where(t.equal(lookups, -1), oov + self._oov_start_index(), lookups)
        if self.output_mode == "int":
            return t.squeeze(lookups, -1) if scalar else lookups
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return encode(lookups, self.output_mode, depth, t.int64)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return tuple(input_shape[:-1]) + (depth,) if len(input_shape) > 1 else (depth,)

    def get_config(self) -> dict:
        vocab = self.input_vocabulary
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token, "mask_token": self.mask_token,
                "output_mode": self.output_mode, "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary": list(np.asarray(vocab).tolist()) if vocab is not None else None,
                "idf_weights": None, "vocabulary_size": self._frozen_vocab_size, "salt": self.salt}


@export("keras.layers.StringLookup")
class StringLookup(IndexLookup):
    """Strings -> indices (OOV index 1 by default, "[UNK]"); `invert=True` maps indices back to strings."""

    def __init__(self, max_tokens: Any = None, num_oov_indices: int = 1, mask_token: Any = None,
                 oov_token: str = "[UNK]", vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "encoding": self.encoding}


@export("keras.layers.IntegerLookup")
class IntegerLookup(IndexLookup):
    """int64 tokens -> indices (OOV token -1); several OOV indices take `x mod num_oov_indices`."""

    def __init__(self, max_tokens: Any = None, num_oov_indices: int = 1, mask_token: Any = None, oov_token: int = -1,
                 vocabulary: Any = None, vocabulary_dtype: str = "int64", idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod", salt: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. "
                             f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name, **kwargs)
