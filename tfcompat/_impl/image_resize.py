"""`tf.image.resize` and TF1's `resize_images`/`resize_bilinear`: separable resampling as two matmuls.

    tf.image.resize(img, [286, 286])                      # bilinear, half-pixel centres (TF2), float32
    tf.compat.v1.image.resize_bilinear(img, [4, 4])       # TF1: align_corners/half_pixel_centers False

Every method TF offers here (bilinear, nearest, bicubic, area) resamples rows and
columns independently, so out = Ry @ x @ Rx^T with constant (out, in) weight
matrices built from TF's kernels' index/weight rules (float32 arithmetic, as the
C++ kernels). Gradients come from MatMul/GatherV2: no resize primitive is needed.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes

from .._export import export
from . import array_ops as ao, array_ops_index as ai, linalg_ops as lo, math_ops as mo

_F = np.float32


def _scale(n_in: int, n_out: int, align: bool) -> Any:
    return _F(n_in - 1) / _F(n_out - 1) if align and n_out > 1 else _F(n_in) / _F(n_out)


def _src(n_in: int, n_out: int, align: bool, half: bool, shift: Any = _F(0.5)) -> np.ndarray:
    i = np.arange(n_out, dtype=_F)
    s = _scale(n_in, n_out, align)
    return ((i + _F(0.5)) * s - shift).astype(_F) if half else (i * s).astype(_F)


def linear_weights(n_in: int, n_out: int, align: bool, half: bool) -> np.ndarray:
    """(n_out, n_in) bilinear weights: TF's compute_interpolation_weights."""
    src = _src(n_in, n_out, align, half)
    f = np.floor(src)
    lo_i = np.maximum(f, 0).astype(np.int64)
    hi_i = np.minimum(np.ceil(src), n_in - 1).astype(np.int64)
    lerp = (src - f).astype(_F)
    w = np.zeros((n_out, n_in), _F)
    np.add.at(w, (np.arange(n_out), lo_i), _F(1) - lerp)
    np.add.at(w, (np.arange(n_out), hi_i), lerp)
    return w


def nearest_index(n_in: int, n_out: int, align: bool, half: bool) -> np.ndarray:
    """Source index of each output row: TF's ResizeNearestNeighbor rule (roundf when aligned)."""
    src = _src(n_in, n_out, align, half, shift=_F(0))
    idx = np.floor(src + _F(0.5)) if align else np.floor(src)
    idx = np.minimum(idx, n_in - 1)
    return (np.maximum(idx, 0) if half else idx).astype(np.int32)


def _cubic_table(a: float) -> np.ndarray:
    x = np.arange(1025, dtype=np.float64) / 1024
    t = np.empty((1025, 2), _F)
    t[:, 0] = ((a + 2) * x - (a + 3)) * x * x + 1
    x1 = x + 1
    t[:, 1] = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
    return t


def cubic_weights(n_in: int, n_out: int, align: bool, half: bool) -> np.ndarray:
    """Bicubic weights: Keys a=-0.5 with renormalised borders (half-pixel), else a=-0.75 with clamping."""
    table = _cubic_table(-0.5 if half else -0.75)
    src = _src(n_in, n_out, align, half)
    w = np.zeros((n_out, n_in), _F)
    for i, s in enumerate(src):
        loc = int(np.floor(s))
        off = int(np.rint((s - loc) * 1024))
        taps = [table[off, 1], table[off, 0], table[1024 - off, 0], table[1024 - off, 1]]
        idx = [loc - 1, loc, loc + 1, loc + 2]
        if half:  # NOTE: TF zeroes taps outside the image and renormalises
            taps = [t if 0 <= j < n_in else _F(0) for t, j in zip(taps, idx)]
            total = _F(sum(taps))
            taps = [_F(t / total) for t in taps] if abs(total) >= 1000 * np.finfo(_F).tiny else taps
        for t, j in zip(taps, idx):
            w[i, min(max(j, 0), n_in - 1)] += t
    return w


def area_weights(n_in: int, n_out: int, align: bool, half: bool) -> np.ndarray:
    """ResizeArea: each output averages the input span [i*s, (i+1)*s) by overlap."""
    s = _scale(n_in, n_out, align)
    w = np.zeros((n_out, n_in), _F)
    for i in range(n_out):
        a, b = _F(i * s), _F((i + 1) * s)
        v = int(np.floor(a))
        while v < b:
            w[i, min(v, n_in - 1)] += (min(_F(v + 1), b) - max(_F(v), a)) / s
            v += 1
    return w


_WEIGHTS = {"bilinear": linear_weights, "bicubic": cubic_weights, "area": area_weights}


def resample(images: Any, size: tuple, method: str, align: bool, half: bool) -> Any:
    """4-D `images` resampled to `size` (static ints) by one of TF's kernels."""
    _, h, w, _ = images.shape.as_list()
    if h is None or w is None:
        raise ValueError(f"tf.image.resize needs the image height and width known when the graph is built, "
                         f"got shape {images.shape}; set_shape() the images first")
    nh, nw = size
    if method == "nearest":
        out = ai.gather(images, nearest_index(h, nh, align, half), axis=1)
        return ai.gather(out, nearest_index(w, nw, align, half), axis=2)
    make = _WEIGHTS[method]
    x = ao.transpose(mo.cast(images, dtypes.float32), [0, 3, 1, 2])          # N, C, H, W
    x = lo.matmul(lo.matmul(make(h, nh, align, half), x), make(w, nw, align, half).T)
    return ao.transpose(x, [0, 2, 3, 1])


def static_size(size: Any) -> tuple:
    from .extra_math_api import static_value  # noqa: PLC0415
    value = np.asarray(static_value(size, "size")).reshape(-1)
    if value.shape != (2,):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    return int(value[0]), int(value[1])


def resize_common(images: Any, size: Any, fn: Any, preserve_aspect_ratio: bool, skip_if_same: bool) -> Any:
    """TF's _resize_images_common: batch a 3-D image, fit the aspect ratio, resample, unbatch."""
    images = dispatch.convert_to_tensor(images)
    rank = images.shape.rank
    if rank is None:
        raise ValueError("'images' contains no shape.")
    if rank not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    batched = images if rank == 4 else ao.expand_dims(images, 0)
    _, h, w, _ = batched.shape.as_list()
    nh, nw = static_size(size)
    if preserve_aspect_ratio:
        f = min(_F(nh) / _F(h), _F(nw) / _F(w))
        nh, nw = int(np.round(_F(f * _F(h)))), int(np.round(_F(f * _F(w))))
    if skip_if_same and (h, w) == (nh, nw):
        return images
    out = fn(batched, (nh, nw))
    return out if rank == 4 else ao.squeeze(out, [0])


@export("image.ResizeMethod", v1=())
class ResizeMethod:
    """tf.image.ResizeMethod: TF2's method names (strings)."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


@export("image.resize", v1=())
def resize(images: Any, size: Any, method: Any = ResizeMethod.BILINEAR, preserve_aspect_ratio: bool = False,
           antialias: bool = False, name: str | None = None) -> Any:
    """tf.image.resize(img, [h, w]): float32 (nearest keeps the dtype), half-pixel centres."""
    method = str(getattr(method, "value", method)).lower()
    if method not in ("bilinear", "nearest", "bicubic", "area"):
        raise NotImplementedError(f"tf.image.resize method={method!r} is not provided by tfcompat; use "
                                  "'bilinear', 'nearest', 'bicubic' or 'area'")
    if antialias and method in ("bilinear", "bicubic"):
        raise NotImplementedError("tf.image.resize(antialias=True) (ScaleAndTranslate) is not provided by "
                                  "tfcompat; resize with antialias=False, or blur before downsampling")
    return resize_common(images, size, lambda x, s: resample(x, s, method, False, method != "area"),
                         preserve_aspect_ratio, False)


@export("image.resize_with_pad", v1=())
def resize_with_pad(image: Any, target_height: Any, target_width: Any, method: Any = ResizeMethod.BILINEAR,
                    antialias: bool = False) -> Any:
    """Resize keeping the aspect ratio, then zero-pad (centred) to target_height x target_width."""
    return resize_with_pad_common(image, target_height, target_width,
                                  lambda x, s: resize(x, s, method, antialias=antialias))


def resize_with_pad_common(image: Any, target_height: Any, target_width: Any, resize_fn: Any) -> Any:
    from .image_api import pad_to_bounding_box  # noqa: PLC0415
    image = dispatch.convert_to_tensor(image)
    batched = image if image.shape.rank == 4 else ao.expand_dims(image, 0)
    _, h, w, _ = batched.shape.as_list()
    th, tw = int(target_height), int(target_width)
    ratio = max(_F(w) / _F(tw), _F(h) / _F(th))  # NOTE: TF's float32 arithmetic; padding uses the float size
    fh, fw = _F(h) / ratio, _F(w) / ratio
    rh, rw = int(np.floor(fh)), int(np.floor(fw))
    ph = max(0, int(np.floor((_F(th) - fh) / _F(2))))
    pw = max(0, int(np.floor((_F(tw) - fw) / _F(2))))
    out = pad_to_bounding_box(resize_fn(batched, [rh, rw]), ph, pw, th, tw)
    return out if image.shape.rank == 4 else ao.squeeze(out, [0])
