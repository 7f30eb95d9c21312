"""`tf.train.Example` protos, TFRecord writing and `tf.io.parse_single_example` with `FixedLenFeature`.

    ex = tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[3]))}))
    with tf.python_io.TFRecordWriter("data.tfrecord") as w: w.write(ex.SerializeToString())
    tf.parse_single_example(serialized, {"label": tf.FixedLenFeature([], tf.int64)})   # {"label": <int64>}

The protos are encoded by hand (io/wire.py) with protobuf's field numbers, so files
interoperate with TensorFlow's; parsing only splits bytes, no code runs.
"""
from __future__ import annotations

import collections
import io
import struct
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.graph_tensor import pseudo_op

from ..io import events, tfrecord_options, wire
from ._api import shared_export


class _List:
    """BytesList / FloatList / Int64List: `value` is a list; field 1 holds the values."""

    def __init__(self, value: Any = ()) -> None:
        self.value = list(value)

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and other.value == self.value

    def __repr__(self) -> str:
        return "".join(f"value: {v!r}\n" for v in self.value)

    @classmethod
    def FromString(cls, data: bytes) -> Any:  # noqa: N802
        obj = cls()
        obj.ParseFromString(data)
        return obj


@shared_export("train.BytesList", v1=("train.BytesList",))
class BytesList(_List):
    def SerializeToString(self) -> bytes:  # noqa: N802
        return b"".join(wire.field_bytes(1, v) for v in self.value)

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802
        self.value = [v for n, v in wire.fields(data) if n == 1]


@shared_export("train.FloatList", v1=("train.FloatList",))
class FloatList(_List):
    def SerializeToString(self) -> bytes:  # noqa: N802
        return wire.field_bytes(1, struct.pack(f"<{len(self.value)}f", *self.value)) if self.value else b""

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802
        out: list = []
        for n, v in wire.fields(data):
            if n == 1:
                out += list(struct.unpack(f"<{len(v) // 4}f", v)) if isinstance(v, bytes) else [wire.as_float(v)]
        self.value = out


@shared_export("train.Int64List", v1=("train.Int64List",))
class Int64List(_List):
    def SerializeToString(self) -> bytes:  # noqa: N802
        return wire.field_bytes(1, b"".join(wire.varint(int(v)) for v in self.value)) if self.value else b""

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802
        out: list = []
        for n, v in wire.fields(data):
            if n == 1 and isinstance(v, bytes):
                pos = 0
                while pos < len(v):
                    x, pos = wire.read_varint(v, pos)
                    out.append(wire.signed64(x))
            elif n == 1:
                out.append(wire.signed64(v))
        self.value = out


_KINDS = ((1, "bytes_list", BytesList), (2, "float_list", FloatList), (3, "int64_list", Int64List))


@shared_export("train.Feature", v1=("train.Feature",))
class Feature:
    """One of bytes_list / float_list / int64_list."""

    def __init__(self, bytes_list: Any = None, float_list: Any = None, int64_list: Any = None) -> None:
        self.bytes_list, self.float_list, self.int64_list = bytes_list, float_list, int64_list

    def WhichOneof(self, name: str) -> str | None:  # noqa: N802
        return next((k for _, k, _ in _KINDS if getattr(self, k) is not None), None)

    def SerializeToString(self) -> bytes:  # noqa: N802
        return b"".join(wire.field_bytes(n, getattr(self, k).SerializeToString())
                        for n, k, _ in _KINDS if getattr(self, k) is not None)

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802
        for n, v in wire.fields(data):
            for num, k, cls in _KINDS:
                if n == num:
                    setattr(self, k, cls.FromString(v))

    FromString = classmethod(_List.FromString.__func__)  # type: ignore[attr-defined]


@shared_export("train.Features", v1=("train.Features",))
class Features:
    """`feature`: a dict of name -> Feature (protobuf map<string, Feature>)."""

    def __init__(self, feature: Any = None) -> None:
        self.feature = collections.OrderedDict(feature or {})

    def SerializeToString(self) -> bytes:  # noqa: N802
        return b"".join(wire.field_bytes(1, wire.field_bytes(1, k) + wire.field_bytes(2, f.SerializeToString()))
                        for k, f in self.feature.items())

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802
        self.feature = collections.OrderedDict()
        for n, entry in wire.fields(data):
            if n == 1:
                parts = dict(wire.fields(entry))
                self.feature[parts.get(1, b"").decode()] = Feature.FromString(parts.get(2, b""))

    FromString = classmethod(_List.FromString.__func__)  # type: ignore[attr-defined]


@shared_export("train.Example", v1=("train.Example",))
class Example:
    """`features`: a Features message."""

    def __init__(self, features: Any = None) -> None:
        self.features = features if features is not None else Features()

    def SerializeToString(self) -> bytes:  # noqa: N802
        return wire.field_bytes(1, self.features.SerializeToString())

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802
        self.features = Features()
        for n, v in wire.fields(data):
            if n == 1:
                self.features = Features.FromString(v)

    FromString = classmethod(_List.FromString.__func__)  # type: ignore[attr-defined]


@shared_export("io.TFRecordWriter", v1=("python_io.TFRecordWriter", "io.TFRecordWriter"))
class TFRecordWriter:
    """Writes records in TFRecord framing (length, masked CRC32C of length, data, masked CRC32C of data)."""

    def __init__(self, path: str, options: Any = None) -> None:
        self._f = tfrecord_options.open_for_write(path, options)  # "", "ZLIB", "GZIP" or TFRecordOptions

    def write(self, record: Any) -> None:
        self._f.write(events.encode_record(record.encode() if isinstance(record, str) else bytes(record)))

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "TFRecordWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@shared_export(v1=("python_io.tf_record_iterator", "io.tf_record_iterator"))
def tf_record_iterator(path: str, options: Any = None) -> Any:
    """Yield each record (bytes) of a TFRecord file (compressed as `options` says)."""
    kind = tfrecord_options.compression_name(options) if options is not None else ""
    if not kind:
        return events.tf_record_iterator(path)
    with open(path, "rb") as f:
        data = tfrecord_options.decompress(f.read(), kind, path)
    return events.read_records(io.BytesIO(data), path)


FixedLenFeature = collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])
FixedLenFeature.__new__.__defaults__ = (None,)
FixedLenFeature.__doc__ = "A dense feature of fixed `shape` and `dtype` (int64, float32 or string)."
shared_export("io.FixedLenFeature", v1=("io.FixedLenFeature", "FixedLenFeature"))(FixedLenFeature)


VarLenFeature = collections.namedtuple("VarLenFeature", ["dtype"])
VarLenFeature.__doc__ = "A variable-length feature: parsed into a SparseTensor of `dtype` (int64, float32 or string)."
shared_export("io.VarLenFeature", v1=("io.VarLenFeature", "VarLenFeature"))(VarLenFeature)


def _values(feature: Any, dtype: Any) -> list:
    kind = {dtypes.int64: "int64_list", dtypes.float32: "float_list", dtypes.string: "bytes_list"}.get(dtype)
    if kind is None:
        raise ValueError(f"Unsupported dtype {dtype.name} for FixedLenFeature (use int64, float32 or string)")
    got = getattr(feature, kind, None) if feature is not None else None
    if feature is not None and got is None and feature.WhichOneof("kind") is not None:
        raise InvalidArgumentError(None, None, f"Name: <unknown>, Feature has data of type "
                                   f"{feature.WhichOneof('kind')} but {kind} was expected ({dtype.name})")
    return None if got is None else got.value


def _parse_one(data: bytes, keys: list, specs: list) -> list:
    feats = Example.FromString(bytes(data)).features.feature
    out = []
    for key, spec in zip(keys, specs):
        dtype = dtypes.as_dtype(spec.dtype)
        vals = _values(feats.get(key), dtype)
        shape = list(spec.shape)
        if vals is None:
            if spec.default_value is None:
                raise InvalidArgumentError(None, None, f"Name: <unknown>, Feature: {key} (data type: {dtype.name})"
                                           " is required but could not be found.")
            vals = np.broadcast_to(np.asarray(spec.default_value, dtype=dtype.as_numpy_dtype), shape).ravel()
        want = int(np.prod(shape)) if shape else 1
        if len(vals) != want:
            raise InvalidArgumentError(None, None, f"Name: <unknown>, Key: {key}, Index: 0.  Number of "
                                       f"{'int64' if dtype is dtypes.int64 else dtype.name} values != expected.  "
                                       f"Values size: {len(vals)} but output shape: [{','.join(map(str, shape))}]")
        np_dtype = object if dtype is dtypes.string else dtype.as_numpy_dtype
        out.append(np.array(list(vals), dtype=np_dtype).reshape(shape))
    return out


def _parse_kernel(serialized: Any, *, keys: tuple, specs: tuple) -> Any:
    batch = np.asarray(serialized, dtype=object)
    rows = [_parse_one(s, list(keys), list(specs)) for s in batch.ravel()]
    if batch.ndim == 0:
        outs = rows[0]
    else:
        outs = [np.stack([r[i] for r in rows]) if rows else
                np.zeros((0, *specs[i].shape), dtype=dtypes.as_dtype(specs[i].dtype).as_numpy_dtype)
                for i in range(len(keys))]
    return tuple(outs)


_PARSE = pseudo_op("ParseExampleV2", lambda s, **a: _parse_kernel(s, **a),
                   shape=lambda s, **a: tuple(((tuple(s) if s else ()) + tuple(sp.shape)) if s is not None else None
                                              for sp in a["specs"]),
                   dtype=lambda d, **a: tuple(dtypes.as_dtype(sp.dtype) for sp in a["specs"]),
                   num_outputs=lambda *x, **a: len(a["keys"]), stateful=False)


def _sparse_kernel(serialized: Any, *, keys: tuple, types: tuple) -> Any:
    batch = np.asarray(serialized, dtype=object)
    rows = [Example.FromString(bytes(s)).features.feature for s in batch.ravel()]
    outs: list = []
    for key, dtype in zip(keys, types):
        vals = [list(_values(r.get(key), dtype) or []) for r in rows]
        np_dtype = object if dtype is dtypes.string else dtype.as_numpy_dtype
        flat = np.array([v for vs in vals for v in vs], dtype=np_dtype)
        if batch.ndim == 0:
            idx = np.arange(len(flat), dtype=np.int64)[:, None]
            shape = np.array([len(flat)], np.int64)
        else:
            idx = np.array([[b, j] for b, vs in enumerate(vals) for j in range(len(vs))], np.int64).reshape(-1, 2)
            shape = np.array([len(rows), max((len(v) for v in vals), default=0)], np.int64)
        outs += [idx, flat, shape]
    return tuple(outs)


def _sparse_shapes(s: Any, **a: Any) -> tuple:
    r = None if s is None else len(s) + 1
    return tuple(x for _ in a["keys"] for x in ((None, r), (None,), (r,)))


_PARSE_SPARSE = pseudo_op("ParseExampleSparse", _sparse_kernel, shape=_sparse_shapes,
                          dtype=lambda d, **a: tuple(x for t in a["types"] for x in (dtypes.int64, t, dtypes.int64)),
                          num_outputs=lambda *x, **a: 3 * len(a["keys"]), stateful=False)


def _parse(serialized: Any, features: dict, name: Any) -> dict:
    from ..sparse_tensor import SparseTensor  # noqa: PLC0415
    for key, spec in features.items():
        if not isinstance(spec, (FixedLenFeature, VarLenFeature)):
            raise ValueError(f"Unsupported feature spec for {key!r}: {type(spec).__name__} (tfcompat parses "
                             f"FixedLenFeature and VarLenFeature)")
    var = tuple(sorted(k for k, v in features.items() if isinstance(v, VarLenFeature)))
    out: dict = {}
    if var:
        t = dispatch.convert_to_tensor(serialized, dtype=dtypes.string)
        types = tuple(dtypes.as_dtype(features[k].dtype) for k in var)
        for k, dt in zip(var, types):
            _values(None, dt)  # NOTE: rejects unsupported dtypes with the FixedLenFeature message
        parts = dispatch.execute(_PARSE_SPARSE, (t,), {"keys": var, "types": types}, name or "ParseExample")
        parts = list(parts) if isinstance(parts, (list, tuple)) else [parts]
        out = {k: SparseTensor(*parts[3 * i:3 * i + 3]) for i, k in enumerate(var)}
        features = {k: v for k, v in features.items() if k not in out}
        if not features:
            return out
    keys = tuple(sorted(features))
    specs = tuple(FixedLenFeature(tuple(features[k].shape), dtypes.as_dtype(features[k].dtype),
                                  features[k].default_value) for k in keys)
    t = dispatch.convert_to_tensor(serialized, dtype=dtypes.string)
    outs = dispatch.execute(_PARSE, (t,), {"keys": keys, "specs": specs}, name or "ParseExample")
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    return {**dict(zip(keys, outs)), **out}


@shared_export(v1=("io.parse_single_example", "parse_single_example"))
def parse_single_example(serialized: Any, features: Any, name: Any = None, example_names: Any = None) -> dict:
    """{feature name: tensor} parsed from one serialized Example (a scalar string)."""
    return _parse(serialized, dict(features), name)


@shared_export("io.parse_single_example", v1=())
def parse_single_example_v2(serialized: Any, features: Any, example_names: Any = None, name: Any = None) -> dict:
    """TF2's argument order (`example_names` before `name`)."""
    return _parse(serialized, dict(features), name)


@shared_export(v1=("io.parse_example", "parse_example"))
def parse_example(serialized: Any, features: Any, name: Any = None, example_names: Any = None) -> dict:
    """{feature name: tensor with a leading batch axis} parsed from a vector of serialized Examples."""
    return _parse(serialized, dict(features), name)


@shared_export("io.parse_example", v1=())
def parse_example_v2(serialized: Any, features: Any, example_names: Any = None, name: Any = None) -> dict:
    """TF2's argument order (`example_names` before `name`)."""
    return _parse(serialized, dict(features), name)
