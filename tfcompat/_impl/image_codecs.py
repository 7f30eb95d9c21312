"""`tf.io.decode_jpeg/png/bmp/gif/image`, `encode_jpeg/png` (and their `tf.image.*` names) as graph ops.

    img = tf.io.decode_image(tf.io.read_file("cat.jpg"), channels=3)   # uint8 [H, W, 3]
    tf.io.decode_gif(gif_bytes)                                        # uint8 [frames, H, W, 3]
    tf.io.encode_png(img)                                              # a scalar string

Each is one op (TF's raw-op name) run through `dispatch.execute`, so it works eagerly,
in `tf.function`, in `tf.data` map functions and in v1 graphs, with TF's static shapes:
[None, None, channels] (channels unknown when 0), 4-D for GIF, unknown rank for
`decode_image` with `expand_animations=True`. Decoding needs Pillow (`pip install pillow`).
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from runtime import backend, dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.graph_tensor import pseudo_op

from .._export import export
from . import image_codec_kernels as k


def _scalar_bytes(contents: Any, op: str) -> bytes:
    arr = np.asarray(contents, dtype=object)
    if arr.ndim != 0:
        raise InvalidArgumentError(None, None, f"`contents` must be scalar but got shape{list(arr.shape)}"
                                   .replace(", ", ","))
    data = arr.item()
    return data.encode() if isinstance(data, str) else bytes(data)


def _decode_kernel(contents: Any, *, op: str, **attrs: Any) -> Any:
    return k.decode(_scalar_bytes(contents, op), op, **attrs)


def _decode_shape(s: Any, *, op: str, channels: int, expand_animations: bool = True, **_: Any) -> Any:
    c = channels or None
    if op == "DecodeGif":
        return (None, None, None, 3)
    if op == "DecodeImage" and expand_animations:
        return None
    return (None, None, c)


_DECODERS = {name: pseudo_op(name, _decode_kernel, shape=_decode_shape, host_output=True,
                             dtype=lambda d, **a: dtypes.as_dtype(a.get("dtype", "uint8")))
             for name in ("DecodeJpeg", "DecodePng", "DecodeBmp", "DecodeGif", "DecodeImage")}


def _decode(contents: Any, op: str, name: str | None, **attrs: Any) -> Any:
    t = dispatch.convert_to_tensor(contents, dtype=dtypes.string)
    if t.shape.rank not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {t.shape.rank} for '{{{{node {op}}}}} = {op}' "
                         f"(the `contents` of one image: decode each element, e.g. with tf.map_fn)")
    return dispatch.execute(_DECODERS[op], (t,), {"op": op, **attrs}, name or op)


def _int(value: Any, what: str) -> int:
    v = np.asarray(value)
    if v.ndim != 0 or not np.issubdtype(v.dtype, np.integer):
        raise TypeError(f"Expected int for argument '{what}' not {value!r}.")
    return int(v)


@export("io.decode_jpeg", "image.decode_jpeg")
def decode_jpeg(contents: Any, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                name: str | None = None) -> Any:
    """A JPEG (or PNG/BMP, or a GIF's first frame) as uint8 [H, W, channels]."""
    return _decode(contents, "DecodeJpeg", name, **_jpeg_attrs(channels, ratio, fancy_upscaling,
                                                               try_recover_truncated, acceptable_fraction, dct_method))


def _jpeg_attrs(channels: Any, ratio: Any, fancy_upscaling: bool, try_recover_truncated: bool,
                acceptable_fraction: float, dct_method: str) -> dict:
    if try_recover_truncated:
        raise NotImplementedError("decode_jpeg(try_recover_truncated=True) is not implemented by tfcompat; "
                                  "re-encode the damaged file or drop it from the dataset")
    if acceptable_fraction != 1:
        raise NotImplementedError("decode_jpeg(acceptable_fraction < 1) is not implemented by tfcompat; it needs "
                                  "try_recover_truncated, which is not either")
    if dct_method not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise InvalidArgumentError(None, None, "dct_method must be one of {'', 'INTEGER_FAST', "
                                   "'INTEGER_ACCURATE'} [Op:DecodeJpeg]")
    ratio = _int(ratio, "ratio")
    if ratio not in (1, 2, 4, 8):
        raise InvalidArgumentError(None, None, f"ratio must be 1, 2, 4, or 8, got {ratio} [Op:DecodeJpeg]")
    return {"channels": _int(channels, "channels"), "dct_method": str(dct_method),
            "fancy_upscaling": bool(fancy_upscaling), "ratio": ratio}


def _image_dtype(dtype: Any, allowed: tuple) -> str:
    dt = dtypes.as_dtype(dtype)
    if dt.name not in allowed:
        raise TypeError(f"Value passed to parameter 'dtype' has DataType {dt.name} not in list of allowed values: "
                        f"{', '.join(allowed)}")
    return dt.name


@export("io.decode_png", "image.decode_png")
def decode_png(contents: Any, channels: int = 0, dtype: Any = dtypes.uint8, name: str | None = None) -> Any:
    """A PNG as uint8 or uint16 [H, W, channels] (8-bit data is scaled by 257 for uint16)."""
    return _decode(contents, "DecodePng", name, channels=_int(channels, "channels"),
                   dtype=_image_dtype(dtype, ("uint8", "uint16")))


@export("io.decode_bmp", "image.decode_bmp")
def decode_bmp(contents: Any, channels: int = 0, name: str | None = None) -> Any:
    """A BMP as uint8 [H, W, channels] (channels 0, 3 or 4)."""
    return _decode(contents, "DecodeBmp", name, channels=_int(channels, "channels"))


@export("io.decode_gif", "image.decode_gif")
def decode_gif(contents: Any, name: str | None = None) -> Any:
    """Every frame of a GIF, composited, as uint8 [frames, H, W, 3]."""
    return _decode(contents, "DecodeGif", name, channels=0)


@export("io.decode_image", "image.decode_image")
def decode_image(contents: Any, channels: Any = None, dtype: Any = dtypes.uint8, name: str | None = None,
                 expand_animations: bool = True) -> Any:
    """Any of JPEG/PNG/GIF/BMP: 3-D, or 4-D for a GIF when `expand_animations`; floats are scaled to [0, 1]."""
    return _decode(contents, "DecodeImage", name, channels=_int(channels or 0, "channels"),
                   dtype=_image_dtype(dtype, ("uint8", "uint16", "float16", "float32", "float64")),
                   expand_animations=bool(expand_animations))


def _encode_kernel(image: Any, *, op: str, **attrs: Any) -> Any:
    arr = backend.to_host(image)  # NOTE: encoding runs on the host, as TF's EncodePng/EncodeJpeg do
    out = k.encode_png(arr, **attrs) if op == "EncodePng" else k.encode_jpeg(arr, **attrs)
    return np.array(out, dtype=object)


_ENCODERS = {name: pseudo_op(name, _encode_kernel, shape=lambda s, **a: (), dtype=lambda d, **a: dtypes.string,
                             host_output=True) for name in ("EncodePng", "EncodeJpeg")}


def _encode(image: Any, op: str, allowed: tuple, channels: tuple, name: str | None, **attrs: Any) -> Any:
    t = dispatch.convert_to_tensor(image)
    if t.dtype.name not in allowed:
        raise TypeError(f"Value passed to parameter 'image' has DataType {t.dtype.name} not in list of allowed "
                        f"values: {', '.join(allowed)}")
    shape = t.shape.as_list() if t.shape.rank is not None else None
    if shape is not None and (len(shape) != 3 or (shape[2] is not None and shape[2] not in channels)):
        raise InvalidArgumentError(None, None, f"image must be 3-dimensional [height, width, channels] with "
                                   f"channels in {channels}, got shape {shape} [Op:{op}]")
    return dispatch.execute(_ENCODERS[op], (t,), {"op": op, **attrs}, name or op)


@export("io.encode_png", "image.encode_png")
def encode_png(image: Any, compression: int = -1, name: str | None = None) -> Any:
    """PNG bytes of a uint8/uint16 [H, W, 1-4] image (lossless: decode_png gives it back)."""
    level = _int(compression, "compression")
    if not -1 <= level <= 9:
        raise InvalidArgumentError(None, None, f"compression should be in [-1,9], got {level} [Op:EncodePng]")
    return _encode(image, "EncodePng", ("uint8", "uint16"), (1, 2, 3, 4), name, compression=level)


@export("io.encode_jpeg", "image.encode_jpeg")
def encode_jpeg(image: Any, format: str = "", quality: int = 95, progressive: bool = False,  # noqa: A002
                optimize_size: bool = False, chroma_downsampling: bool = True, density_unit: str = "in",
                x_density: int = 300, y_density: int = 300, xmp_metadata: str = "",
                name: str | None = None) -> Any:
    """JPEG bytes of a uint8 [H, W, 1 or 3] image (libjpeg via Pillow; 4:2:0 chroma unless told otherwise)."""
    want = {"": (1, 3), "grayscale": (1,), "rgb": (3,)}.get(format)
    if want is None:
        raise InvalidArgumentError(None, None, f"format must be '', 'grayscale' or 'rgb', got {format!r}")
    if density_unit != "in":
        raise NotImplementedError(f"encode_jpeg(density_unit={density_unit!r}) is not implemented by tfcompat "
                                  "(Pillow writes dots per inch); use density_unit='in'")
    if not 0 <= int(quality) <= 100:
        raise InvalidArgumentError(None, None, f"quality must be in [0,100], got {quality}")
    return _encode(image, "EncodeJpeg", ("uint8",), want, name, fmt=format, quality=int(quality),
                   progressive=bool(progressive), optimize_size=bool(optimize_size),
                   chroma_downsampling=bool(chroma_downsampling), density_unit=density_unit,
                   x_density=int(x_density), y_density=int(y_density), xmp_metadata=str(xmp_metadata))


def _crop_kernel(contents: Any, window: Any, **attrs: Any) -> Any:
    y, x, h, w = (int(v) for v in np.asarray(backend.to_host(window)).reshape(-1))
    data = _scalar_bytes(contents, "DecodeAndCropJpeg")
    if k.sniff(data) == "jpeg":
        width, height = k.pillow().open(io.BytesIO(data)).size
        if min(y, x) < 0 or h <= 0 or w <= 0 or y + h > height or x + w > width:
            raise InvalidArgumentError(None, None, "jpeg::Uncompress failed. Invalid JPEG data or crop window.")
    return np.ascontiguousarray(k.decode(data, "DecodeAndCropJpeg", crop=(y, x, h, w), **attrs))


_CROP = pseudo_op("DecodeAndCropJpeg", _crop_kernel, shape=lambda s, w, **a: (None, None, a["channels"] or None),
                  dtype=lambda d, w, **a: dtypes.uint8, host_output=True)


@export("io.decode_and_crop_jpeg", "image.decode_and_crop_jpeg")
def decode_and_crop_jpeg(contents: Any, crop_window: Any, channels: int = 0, ratio: int = 1,
                         fancy_upscaling: bool = True, try_recover_truncated: bool = False,
                         acceptable_fraction: float = 1, dct_method: str = "", name: str | None = None) -> Any:
    """decode_jpeg, then the [y, x, height, width] `crop_window` of the decoded image (same pixels)."""
    attrs = _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method)
    t = dispatch.convert_to_tensor(contents, dtype=dtypes.string)
    window = dispatch.convert_to_tensor(crop_window, dtype=dtypes.int32)
    return dispatch.execute(_CROP, (t, window), attrs, name or "DecodeAndCropJpeg")


def _shape_kernel(contents: Any, *, output_type: Any) -> Any:
    data = _scalar_bytes(contents, "ExtractJpegShape")
    if k.sniff(data) != "jpeg":
        raise InvalidArgumentError(None, None, "Invalid JPEG data or crop window.")
    im = k.pillow().open(io.BytesIO(data))
    return np.array([im.size[1], im.size[0], len(im.getbands())], output_type.as_numpy_dtype)


_SHAPE = pseudo_op("ExtractJpegShape", _shape_kernel, shape=lambda s, **a: (3,), dtype=lambda d, **a: a["output_type"],
                   host_output=True)


@export("io.extract_jpeg_shape", "image.extract_jpeg_shape")
def extract_jpeg_shape(contents: Any, output_type: Any = dtypes.int32, name: str | None = None) -> Any:
    """[height, width, channels] read from a JPEG's header, without decoding it."""
    return dispatch.execute(_SHAPE, (dispatch.convert_to_tensor(contents, dtype=dtypes.string),),
                            {"output_type": dtypes.as_dtype(output_type)}, name or "ExtractJpegShape")
