"""Host kernels of TF's image codecs: decode JPEG/PNG/GIF/BMP with Pillow, encode PNG with zlib.

    decode(jpeg_bytes, op="DecodeJpeg", channels=0)      # uint8 [H, W, C], C as stored (1 or 3)
    decode(gif_bytes, op="DecodeGif")                    # uint8 [frames, H, W, 3]
    encode_png(uint8_hwc, compression=-1)                # PNG bytes (uint8 or uint16, 1-4 channels)

Pillow is optional (`pip install pillow`): only decoding and JPEG encoding need it.
Pixels equal TensorFlow's: JPEG through the same libjpeg DCTs (TF's default IFAST + fancy chroma
upsampling is rebuilt here from Pillow's IFAST planes), JPEG grey is libjpeg's luma, PNG grey is
libpng's fixed-point 0.299/0.587/0.114 weighting, added alpha is opaque.
"""
from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import numpy as np

from runtime.errors import InvalidArgumentError

UNKNOWN_FORMAT = "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required."


def pillow() -> Any:
    """The `PIL.Image` module, or an ImportError saying how to install it."""
    try:
        from PIL import Image  # noqa: PLC0415  (optional dependency)
    except ImportError:
        raise ImportError("Decoding and encoding images (tf.io.decode_jpeg/decode_png/decode_image/encode_jpeg...) "
                          "requires Pillow: pip install pillow  (or pip install 'tfcompat[images]')") from None
    return Image


def sniff(data: bytes) -> str | None:
    """The format named by the leading magic bytes, as TF's DecodeImage classifies them."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _bad(msg: str, op: str) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, msg)  # NOTE: dispatch appends " [Op:<op>]" as TF does


def _check_channels(op: str, kind: str, channels: int) -> None:
    if channels not in (0, 1, 3, 4):
        raise _bad(f"`channels` must be 0, 1, 3 or 4 but got {channels}", op)
    if kind == "bmp" and channels == 1:
        raise _bad(f"`channels` must be 0, 3 or 4 for BMP, but got {channels}", op)
    if kind == "gif" and channels not in (0, 3):
        raise _bad(f"channels must be 0 or 3 for GIF, got {channels}", op)
    if kind == "jpeg" and channels == 4:
        raise _bad("JPEG does not support 4 channels", op)


def _set_scale(im: Any, scale: int) -> None:
    # NOTE: what Pillow's JpegImageFile.draft does for a size, but with TF's exact denominator
    from PIL import ImageFile  # noqa: PLC0415
    d, e, o, a = im.tile[0]
    e = (e[0], e[1], (e[2] - e[0] + scale - 1) // scale + e[0], (e[3] - e[1] + scale - 1) // scale + e[1])
    tile = getattr(ImageFile, "_Tile", None)  # NOTE: a namedtuple since Pillow 11, a plain tuple before
    im.tile = [tile(d, e, o, a) if tile else (d, e, o, a)]
    im._size = ((im.size[0] + scale - 1) // scale, (im.size[1] + scale - 1) // scale)


def _fix(x: float) -> int:
    return int(x * 65536 + 0.5)  # libjpeg's FIX() in 16.16 fixed point


def _fancy(plane: np.ndarray, vs: int, h: int, w: int) -> np.ndarray:
    """libjpeg-turbo's h2v1/h2v2 "fancy" (triangle) chroma upsampling, with its rounding, vectorised."""
    c = plane.astype(np.int64)
    if vs == 2:  # columns sums 3*near + far over the row above/below (edge rows repeat)
        rows = np.empty((2 * c.shape[0], c.shape[1]), np.int64)
        rows[0::2] = 3 * c + np.concatenate([c[:1], c[:-1]])
        rows[1::2] = 3 * c + np.concatenate([c[1:], c[-1:]])
        c, lo, hi, shift = rows, 8, 7, 4
    else:
        lo, hi, shift = 1, 2, 2
    left = np.concatenate([c[:, :1], c[:, :-1]], axis=1)
    right = np.concatenate([c[:, 1:], c[:, -1:]], axis=1)
    out = np.empty((c.shape[0], 2 * c.shape[1]), np.int64)
    out[:, 0::2] = (3 * c + left + lo) >> shift
    out[:, 1::2] = (3 * c + right + hi) >> shift
    return out[:h, :w]


def _ifast_fancy_rgb(im: Any, crop: tuple | None = None) -> np.ndarray:
    """TF's default colour decode (IFAST DCT + fancy upsampling), exactly: Pillow's draft mode gives
    the IFAST planes (chroma replicated), then libjpeg's upsampling and YCbCr->RGB run here."""
    from PIL import JpegImagePlugin  # noqa: PLC0415
    vs = 2 if JpegImagePlugin.get_sampling(im) == 2 else 1
    im.draft("YCbCr", None)
    im.decoderconfig = (1, 1)
    im.load()
    ycc = np.asarray(im)
    h, w = ycc.shape[:2]
    x0, full_w = 0, w
    if crop is not None:  # NOTE: libjpeg's crop starts at an iMCU (16 px) and upsamples as if at the image edges
        x0 = crop[1] // 16 * 16  # NOTE: rows keep their neighbours: only the columns start and end afresh
        end = crop[1] + crop[3]
        if end - x0 <= 2 and (full_w + 1) // 2 > 2:  # NOTE: one chroma column: libjpeg reads past it
            raise NotImplementedError("decode_and_crop_jpeg: a crop window of colour JPEG with subsampled chroma "
                                      "ending in the first 2 columns of a 16-pixel block is not implemented by "
                                      "tfcompat; use decode_jpeg and then slice")
        ycc, w = ycc[:, x0:end], end - x0
    y = ycc[..., 0].astype(np.int64)
    if (full_w + 1) // 2 > 2:  # NOTE: decided on the whole image's width, also when cropping
        cb, cr = (_fancy(ycc[::vs, ::2, i], vs, h, w) - 128 for i in (1, 2))
    else:  # NOTE: libjpeg upsamples by plain replication when the chroma is at most 2 samples wide
        cb, cr = (ycc[..., i].astype(np.int64) - 128 for i in (1, 2))
    rgb = (y + ((_fix(1.402) * cr + 32768) >> 16), y + ((-_fix(0.34414) * cb + 32768 - _fix(0.71414) * cr) >> 16),
           y + ((_fix(1.772) * cb + 32768) >> 16))
    out = np.clip(np.stack(rgb, axis=-1), 0, 255).astype(np.uint8)
    return out if crop is None else out[crop[0]:crop[0] + crop[2], crop[1] - x0:crop[1] - x0 + crop[3]]


def _jpeg(data: bytes, channels: int, dct: str, fancy: bool, ratio: int, op: str,
          crop: tuple | None = None) -> np.ndarray:
    from PIL import JpegImagePlugin  # noqa: PLC0415
    im = pillow().open(io.BytesIO(data))
    fast = dct != "INTEGER_ACCURATE"  # NOTE: TF's default '' is libjpeg's IFAST ("INTEGER_FAST")
    grey = im.mode == "L" or channels == 1
    sampling = JpegImagePlugin.get_sampling(im)
    upsampled = not grey and im.mode == "RGB" and sampling not in (0, -1)
    if upsampled and not fancy and not fast:
        raise NotImplementedError("decode_jpeg: fancy_upscaling=False with dct_method='INTEGER_ACCURATE' is not "
                                  "implemented by tfcompat; use fancy_upscaling=True or dct_method='INTEGER_FAST'")
    # Pillow's "draft" decoding is libjpeg's IFAST DCT without fancy upsampling; its normal decoding
    # is ISLOW with fancy upsampling. Both match TF bit for bit where TF asks for the same. TF's
    # default on colour JPEGs with 4:2:0/4:2:2 chroma (IFAST + fancy) is rebuilt from the draft planes.
    try:
        if upsampled and fast and fancy and ratio == 1:
            return _ifast_fancy_rgb(im, crop)
        if crop is not None and (ratio != 1 or (upsampled and fancy)):
            raise NotImplementedError("decode_and_crop_jpeg: ratio != 1, or dct_method='INTEGER_ACCURATE' on a "
                                      "colour JPEG with subsampled chroma, is not implemented by tfcompat; use "
                                      "the default dct_method, or decode_jpeg and then crop")
        im.draft("L" if channels == 1 and im.mode == "RGB" else None, None)
        if ratio != 1:
            _set_scale(im, ratio)
        # NOTE: at ratio 2, 4:2:0 chroma is decoded by the full-size (IFAST) IDCT and needs no upsampling
        im.decoderconfig = (ratio, int(fast and (not upsampled or not fancy or (ratio == 2 and sampling == 2))))
        im.load()
    except (OSError, SyntaxError, ValueError):
        raise _bad("jpeg::Uncompress failed. Invalid JPEG data or crop window.", op) from None
    arr = np.asarray(im)
    if crop is not None:
        arr = arr[crop[0]:crop[0] + crop[2], crop[1]:crop[1] + crop[3]]
    return arr[..., None] if arr.ndim == 2 else arr


def _png_info(data: bytes) -> tuple[int, int]:
    return (data[24], data[25]) if len(data) >= 26 else (8, 0)  # IHDR bit depth, colour type


def _png(data: bytes, dtype: str, op: str) -> np.ndarray:
    depth, colour = _png_info(data)
    try:
        im = pillow().open(io.BytesIO(data))
        im.load()
    except (OSError, SyntaxError, ValueError, zlib.error):
        raise _bad(f"Invalid PNG data, size {len(data)}", op) from None
    if depth == 16 and colour != 0:
        if dtype == "uint16":
            raise NotImplementedError("decode_png: 16-bit colour PNGs decode to uint8 only in tfcompat (Pillow "
                                      "keeps 8 bits of them); use dtype=tf.uint8, or a 16-bit greyscale PNG")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    arr = np.asarray(im)
    if arr.dtype != np.uint8:  # 16-bit grey (Pillow "I;16"/"I")
        arr = arr.astype(np.uint16)
    return arr[..., None] if arr.ndim == 2 else arr


def _frames(data: bytes, op: str) -> np.ndarray:
    im = pillow().open(io.BytesIO(data))
    out = []
    try:
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            out.append(np.asarray(im.convert("RGB")))
    except (OSError, SyntaxError, ValueError, EOFError):
        if not out:
            raise _bad("Failed to decode gif image", op) from None
    return np.stack(out)


def _bmp(data: bytes, op: str) -> np.ndarray:
    try:
        im = pillow().open(io.BytesIO(data))
        im.load()
    except (OSError, SyntaxError, ValueError):
        raise _bad("Invalid BMP data", op) from None
    if im.mode not in ("L", "RGB", "RGBA"):
        im = im.convert("RGBA" if "A" in im.mode else "RGB")
    arr = np.asarray(im)
    return arr[..., None] if arr.ndim == 2 else arr


def to_channels(arr: np.ndarray, channels: int) -> np.ndarray:
    """Convert the last axis from what the file holds to `channels` as TF's decoders do."""
    have = arr.shape[-1]
    if channels in (0, have):
        return arr
    top = np.iinfo(arr.dtype).max
    colour = arr[..., :3] if have >= 3 else np.repeat(arr[..., :1], 3, axis=-1)
    if channels == 1:
        if have <= 2:
            return arr[..., :1]
        r, g, b = (colour[..., i].astype(np.int64) for i in range(3))
        return ((9797 * r + 19234 * g + 3737 * b) >> 15).astype(arr.dtype)[..., None]
    if channels == 3:
        return np.ascontiguousarray(colour)
    alpha = arr[..., -1:] if have in (2, 4) else np.full(arr.shape[:-1] + (1,), top, arr.dtype)
    return np.concatenate([colour, alpha], axis=-1)


def _convert_dtype(arr: np.ndarray, dtype: str, kind: str) -> np.ndarray:
    """TF's DecodeImage dtype rules: 8-bit PNG widens by 257, other 8-bit formats by 256 (x << 8);
    float32 is the 16-bit PNG value / 65535 or the 8-bit value * float(1/255); float16/float64 go
    through uint16 and convert_image_dtype (so a non-PNG white is 0.996, and float16 overflows)."""
    if arr.dtype == np.dtype(dtype):
        return arr
    if dtype == "uint8":
        return (arr >> 8).astype(np.uint8)
    if dtype == "uint16":
        return arr.astype(np.uint16) * np.uint16(257 if kind == "png" else 256)
    if dtype == "float32" and kind != "png":
        return arr.astype(np.float32) * np.float32(1.0 / 255)
    with np.errstate(over="ignore"):
        return _convert_dtype(arr, "uint16", kind).astype(dtype) * np.asarray(1.0 / 65535, dtype)


def decode(data: bytes, op: str, channels: int = 0, dtype: str = "uint8", expand_animations: bool = True,
           dct_method: str = "", fancy_upscaling: bool = True, ratio: int = 1, crop: tuple | None = None) -> np.ndarray:
    """Decode one image as TF's `op` (DecodeJpeg/DecodePng/DecodeBmp/DecodeGif/DecodeImage) does."""
    kind = sniff(data)
    if kind is None:
        raise _bad(UNKNOWN_FORMAT, op)
    if kind == "webp":
        raise NotImplementedError("decoding WebP images is not implemented by tfcompat; convert them to PNG/JPEG")
    if kind == "gif" and op == "DecodeBmp":
        raise _bad("Trying to decode GIF format using DecodeBmp op. Use `decode_gif` or `decode_image` instead.", op)
    _check_channels(op, kind, channels)
    if kind == "jpeg":
        arr = _jpeg(data, channels, dct_method, fancy_upscaling, ratio, op, crop)
    elif kind == "png":
        arr = _png(data, dtype, op)
    elif kind == "bmp":
        arr = _bmp(data, op)
    else:
        arr = _frames(data, op)
    if kind == "gif":
        if op != "DecodeGif" and not (op == "DecodeImage" and expand_animations):
            arr = arr[0]
    else:
        arr = to_channels(arr, channels)
        if op == "DecodeGif":
            arr = arr[None]
    return _convert_dtype(arr, dtype, kind)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png(image: np.ndarray, compression: int = -1) -> bytes:
    """PNG bytes of a uint8/uint16 [H, W, C] array, C in 1..4 (filter 0 rows, zlib level `compression`)."""
    h, w, c = image.shape
    depth = 16 if image.dtype == np.uint16 else 8
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = image.astype(">u2" if depth == 16 else np.uint8).reshape(h, -1).view(np.uint8)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, compression))
            + _chunk(b"IEND", b""))


def encode_jpeg(image: np.ndarray, fmt: str, quality: int, progressive: bool, optimize_size: bool,
                chroma_downsampling: bool, density_unit: str, x_density: int, y_density: int,
                xmp_metadata: str) -> bytes:
    """JPEG bytes of a uint8 [H, W, 1 or 3] array through Pillow's libjpeg."""
    grey = image.shape[-1] == 1
    im = pillow().fromarray(image[..., 0] if grey else image, "L" if grey else "RGB")
    extra: dict = {"xmp": xmp_metadata.encode()} if xmp_metadata else {}
    out = io.BytesIO()
    im.save(out, "JPEG", quality=int(quality), progressive=bool(progressive), optimize=bool(optimize_size),
            subsampling=2 if chroma_downsampling else 0, dpi=(int(x_density), int(y_density)), **extra)
    return out.getvalue()
