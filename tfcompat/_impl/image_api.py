"""`tf.image`: flips, rotations, crops/pads, dtype conversion and colour adjustments, as in TF 2.21.

    tf.image.flip_left_right(img)                       # [H, W, C] or [N, H, W, C]
    tf.image.convert_image_dtype(u8, tf.float32)        # u8 / 255
    tf.image.crop_to_bounding_box(img, 1, 2, 3, 4)      # img[1:4, 2:6]

All are compositions of array/math ops, so they trace and differentiate. Offsets and
sizes must be known when the op is built (Python values, eager tensors, constants).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes

from .._export import export
from . import array_ops as ao, array_ops_index as ai, math_ops as mo, math_ops_reduce as mr
from . import core, random_ops as ro
from .extra_math_api import static_value


def _t(x: Any) -> Any:
    return dispatch.convert_to_tensor(x)


def _image(image: Any, least: int = 3) -> Any:
    image = _t(image)
    if image.shape.rank is None or image.shape.rank < least:
        raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.")
    return image


def _int(v: Any, what: str) -> int:
    return int(static_value(v, what))


@export("image.flip_left_right")
def flip_left_right(image: Any) -> Any:
    """Mirror the width axis."""
    image = _image(image)
    return ao.reverse(image, [image.shape.rank - 2])


@export("image.flip_up_down")
def flip_up_down(image: Any) -> Any:
    """Mirror the height axis."""
    image = _image(image)
    return ao.reverse(image, [image.shape.rank - 3])


def _random_flip(image: Any, axis: int, seed: Any) -> Any:
    image = _image(image)
    if image.shape.rank == 3:
        flip = ro.uniform([], 0, 1.0, seed=seed) < 0.5
        return ai.where(flip, ao.reverse(image, [axis]), image)
    n = ao.shape(image)[0]
    flips = mo.cast(mo.round(ao.reshape(ro.uniform([n], 0, 1.0, seed=seed), [-1, 1, 1, 1])), image.dtype)
    return flips * ao.reverse(image, [axis + 1]) + (1 - flips) * image


@export("image.random_flip_left_right")
def random_flip_left_right(image: Any, seed: Any = None) -> Any:
    """Mirror the width axis with probability 1/2 (each image of a batch on its own draw)."""
    return _random_flip(image, 1, seed)


@export("image.random_flip_up_down")
def random_flip_up_down(image: Any, seed: Any = None) -> Any:
    """Mirror the height axis with probability 1/2."""
    return _random_flip(image, 0, seed)


@export("image.rot90")
def rot90(image: Any, k: Any = 1, name: str | None = None) -> Any:
    """Rotate counter-clockwise by k * 90 degrees."""
    image = _image(image)
    k, b = _int(k, "k") % 4, image.shape.rank - 3
    h, w = b, b + 1
    perm = list(range(b)) + [w, h, b + 2]
    if k == 1:
        return ao.transpose(ao.reverse(image, [w]), perm)
    if k == 2:
        return ao.reverse(image, [h, w])
    if k == 3:
        return ao.reverse(ao.transpose(image, perm), [w])
    return image


@export("image.transpose", v1=("image.transpose", "image.transpose_image"))
def transpose(image: Any, name: str | None = None) -> Any:
    """Swap height and width."""
    image = _image(image)
    b = image.shape.rank - 3
    return ao.transpose(image, list(range(b)) + [b + 1, b, b + 2])


def _saturate(x: Any, dtype: dtypes.DType) -> Any:
    lo, hi = max(dtype.min, x.dtype.min), min(dtype.max, x.dtype.max)
    if x.dtype.is_floating:
        lo, hi = x.dtype.as_numpy_dtype(lo), x.dtype.as_numpy_dtype(hi)
    return mo.cast(mr.clip_by_value(x, lo, hi), dtype)


@export("image.convert_image_dtype")
def convert_image_dtype(image: Any, dtype: Any, saturate: bool = False, name: str | None = None) -> Any:
    """Rescale between integer ranges [0, MAX] and floats [0, 1] (tf.image's rules)."""
    image, dtype = _t(image), dtypes.as_dtype(dtype)
    src = image.dtype
    if not (src.is_floating or src.is_integer) or not (dtype.is_floating or dtype.is_integer):
        raise AttributeError(f"convert_image_dtype converts between integer and floating dtypes, got "
                             f"{src.name} -> {dtype.name}")
    if src == dtype:
        return core.identity(image)
    if src.is_integer and dtype.is_integer:
        if src.max > dtype.max:
            scaled = mo.floordiv(image, (src.max + 1) // (dtype.max + 1))
            return _saturate(scaled, dtype) if saturate else mo.cast(scaled, dtype)
        cast = _saturate(image, dtype) if saturate else mo.cast(image, dtype)
        return cast * ((dtype.max + 1) // (src.max + 1))
    if src.is_floating and dtype.is_floating:
        return mo.cast(image, dtype)
    if src.is_integer:
        return mo.cast(image, dtype) * dtype.as_numpy_dtype(1.0 / src.max)
    scaled = image * src.as_numpy_dtype(dtype.max + 0.5)
    return _saturate(scaled, dtype) if saturate else mo.cast(scaled, dtype)


@export("image.per_image_standardization")
def per_image_standardization(image: Any) -> Any:
    """(x - mean) / max(stddev, 1/sqrt(num_pixels)) per image, float32."""
    image = mo.cast(_image(image), dtypes.float32)
    n = int(np.prod(image.shape.as_list()[-3:]))
    mean = mr.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
    std = mr.reduce_std(image, axis=[-1, -2, -3], keepdims=True)
    return (image - mean) / mo.maximum(std, np.float32(1.0 / np.sqrt(np.float32(n))))


@export("image.rgb_to_grayscale")
def rgb_to_grayscale(images: Any, name: str | None = None) -> Any:
    """Luma 0.2989 R + 0.5870 G + 0.1140 B, shape [..., 1], same dtype."""
    images = _t(images)
    flt = convert_image_dtype(images, dtypes.float32)
    gray = mr.reduce_sum(flt * np.array([0.2989, 0.5870, 0.1140], np.float32), axis=-1, keepdims=True)
    return convert_image_dtype(gray, images.dtype)


@export("image.grayscale_to_rgb")
def grayscale_to_rgb(images: Any, name: str | None = None) -> Any:
    """Repeat the single channel three times."""
    images = _t(images)
    if images.shape.rank is not None and (images.shape.rank < 2 or images.shape.as_list()[-1] not in (1, None)):
        raise ValueError(f"Last dimension of a grayscale image should be size 1, got shape {images.shape}")
    return ao.tile(images, [1] * (images.shape.rank - 1) + [3])


def _hw(image: Any) -> tuple:
    dims = image.shape.as_list()
    return dims[-3], dims[-2]


def _crop(image: Any, top: int, left: int, height: int, width: int) -> Any:
    b = image.shape.rank - 3
    return ai.slice(image, [0] * b + [top, left, 0], [-1] * b + [height, width, -1])


@export("image.crop_to_bounding_box")
def crop_to_bounding_box(image: Any, offset_height: Any, offset_width: Any, target_height: Any,
                         target_width: Any) -> Any:
    """image[..., oh:oh+th, ow:ow+tw, :]."""
    image = _image(image)
    oh, ow = _int(offset_height, "offset_height"), _int(offset_width, "offset_width")
    th, tw = _int(target_height, "target_height"), _int(target_width, "target_width")
    h, w = _hw(image)
    for ok, msg in [(oh >= 0, "offset_height must be >= 0."), (ow >= 0, "offset_width must be >= 0."),
                    (th > 0, "target_height must be > 0."), (tw > 0, "target_width must be > 0."),
                    (h is None or h >= oh + th, "height must be >= target + offset."),
                    (w is None or w >= ow + tw, "width must be >= target + offset.")]:
        if not ok:
            raise ValueError(msg)
    return _crop(image, oh, ow, th, tw)


@export("image.pad_to_bounding_box")
def pad_to_bounding_box(image: Any, offset_height: Any, offset_width: Any, target_height: Any,
                        target_width: Any) -> Any:
    """Zero-pad to target_height x target_width with the image at (offset_height, offset_width)."""
    image = _image(image)
    oh, ow = _int(offset_height, "offset_height"), _int(offset_width, "offset_width")
    th, tw = _int(target_height, "target_height"), _int(target_width, "target_width")
    h, w = _hw(image)
    for ok, msg in [(oh >= 0, "offset_height must be >= 0"), (ow >= 0, "offset_width must be >= 0"),
                    (th - oh - h >= 0, "height must be <= target - offset"),
                    (tw - ow - w >= 0, "width must be <= target - offset")]:
        if not ok:
            raise ValueError(msg)
    b = image.shape.rank - 3
    return ao.pad(image, [[0, 0]] * b + [[oh, th - oh - h], [ow, tw - ow - w], [0, 0]])


@export("image.central_crop")
def central_crop(image: Any, central_fraction: Any) -> Any:
    """Keep the central `central_fraction` of height and width."""
    image = _image(image)
    f = float(static_value(central_fraction, "central_fraction"))
    if f <= 0.0 or f > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    if f == 1.0:
        return image
    if image.shape.rank not in (3, 4):
        raise ValueError(f"`image` should either be a Tensor with rank = 3 or rank = 4. Had rank = "
                         f"{image.shape.rank}.")
    h, w = _hw(image)
    top, left = int((h - h * f) / 2), int((w - w * f) / 2)
    return _crop(image, top, left, h - 2 * top, w - 2 * left)


@export("image.resize_with_crop_or_pad", v1=("image.resize_with_crop_or_pad", "image.resize_image_with_crop_or_pad"))
def resize_with_crop_or_pad(image: Any, target_height: Any, target_width: Any) -> Any:
    """Centre-crop and/or zero-pad to the target size."""
    image = _image(image)
    th, tw = _int(target_height, "target_height"), _int(target_width, "target_width")
    if th <= 0 or tw <= 0:
        raise ValueError("target_height must be > 0." if th <= 0 else "target_width must be > 0.")
    h, w = _hw(image)
    crop_h, crop_w = min(h, th), min(w, tw)
    cropped = _crop(image, max((h - th) // 2, 0), max((w - tw) // 2, 0), crop_h, crop_w)
    return pad_to_bounding_box(cropped, max((th - h) // 2, 0), max((tw - w) // 2, 0), th, tw)


def _as_float(image: Any) -> Any:
    return image if image.dtype in (dtypes.float16, dtypes.float32) else convert_image_dtype(image, dtypes.float32)


@export("image.adjust_brightness")
def adjust_brightness(image: Any, delta: Any) -> Any:
    """image + delta in float, converted back (saturating) to the input dtype."""
    image = _t(image)
    flt = _as_float(image)
    return convert_image_dtype(flt + mo.cast(delta, flt.dtype), image.dtype, saturate=True)


@export("image.adjust_contrast")
def adjust_contrast(images: Any, contrast_factor: Any) -> Any:
    """(x - mean) * contrast_factor + mean, the mean per image and channel."""
    images = _t(images)
    flt = _as_float(images)
    mean = mr.reduce_mean(flt, axis=[-3, -2], keepdims=True)
    out = (flt - mean) * mo.cast(contrast_factor, flt.dtype) + mean
    return convert_image_dtype(out, images.dtype, saturate=True)


@export("image.random_crop", v1=("image.random_crop", "random_crop"))
def random_crop(value: Any, size: Any, seed: Any = None, name: str | None = None) -> Any:
    """A random `size` slice of `value` (offset uniform over the valid positions)."""
    value = _t(value)
    want = [int(s) for s in np.asarray(static_value(size, "size")).reshape(-1)]
    have = value.shape.as_list()
    if len(want) != len(have) or any(h is not None and s > h for s, h in zip(want, have)):
        raise ValueError(f"random_crop size {want} must fit in the value's shape {have}")
    limit = ao.shape(value) - np.array(want, np.int32) + 1
    offset = ro.uniform([len(want)], dtype=dtypes.int32, maxval=dtypes.int32.max, seed=seed) % limit
    return ai.slice(value, offset, want)
