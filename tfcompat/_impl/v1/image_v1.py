"""TF1's `tf.image.resize_images` family: integer ResizeMethod, align_corners, no half-pixel centres.

    tf.compat.v1.image.resize_images(img, [4, 4])                     # ResizeBilinear(align_corners=False)
    tf.compat.v1.image.resize_bilinear(img, [4, 4], half_pixel_centers=True)
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch

from ..image_resize import resample, resize_common, resize_with_pad_common
from ._api import v1_export

_METHODS = {0: "bilinear", 1: "nearest", 2: "bicubic", 3: "area", "bilinear": "bilinear", "nearest": "nearest",
            "bicubic": "bicubic", "area": "area"}


@v1_export("image.ResizeMethod")
class ResizeMethodV1:
    """tf.compat.v1.image.ResizeMethod: TF1's integer method codes."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def _method(method: Any) -> str:
    if method not in _METHODS:
        raise ValueError(f"Resize method is not implemented: {method}")
    return _METHODS[method]


def _batched(images: Any, size: Any, method: str, align: bool, half: bool) -> Any:
    if align and half:
        raise ValueError("If half_pixel_centers is True, align_corners must be False.")
    return resize_common(images, size, lambda x, s: resample(x, s, method, align, half), False, False)


@v1_export("image.resize_images", "image.resize")
def resize_images(images: Any, size: Any, method: Any = ResizeMethodV1.BILINEAR, align_corners: bool = False,
                  preserve_aspect_ratio: bool = False, name: str | None = None) -> Any:
    """TF1 resize: legacy pixel mapping; returns `images` unchanged when the size already matches."""
    m = _method(method)
    return resize_common(images, size, lambda x, s: resample(x, s, m, bool(align_corners), False),
                         preserve_aspect_ratio, True)


@v1_export("image.resize_bilinear")
def resize_bilinear(images: Any, size: Any, align_corners: bool = False, name: str | None = None,
                    half_pixel_centers: bool = False) -> Any:
    """The raw ResizeBilinear op (4-D images, float32 out)."""
    return _batched(images, size, "bilinear", bool(align_corners), bool(half_pixel_centers))


@v1_export("image.resize_nearest_neighbor")
def resize_nearest_neighbor(images: Any, size: Any, align_corners: bool = False, name: str | None = None,
                            half_pixel_centers: bool = False) -> Any:
    """The raw ResizeNearestNeighbor op (dtype kept)."""
    return _batched(images, size, "nearest", bool(align_corners), bool(half_pixel_centers))


@v1_export("image.resize_bicubic")
def resize_bicubic(images: Any, size: Any, align_corners: bool = False, name: str | None = None,
                   half_pixel_centers: bool = False) -> Any:
    """The raw ResizeBicubic op (float32 out)."""
    return _batched(images, size, "bicubic", bool(align_corners), bool(half_pixel_centers))


@v1_export("image.resize_area")
def resize_area(images: Any, size: Any, align_corners: bool = False, name: str | None = None) -> Any:
    """The raw ResizeArea op (float32 out)."""
    return _batched(images, size, "area", bool(align_corners), False)


@v1_export("image.resize_image_with_pad")
def resize_image_with_pad(image: Any, target_height: Any, target_width: Any, method: Any = ResizeMethodV1.BILINEAR,
                          align_corners: bool = False) -> Any:
    """TF1 resize_with_pad: TF1 resize_images, then centred zero padding."""
    return resize_with_pad_common(dispatch.convert_to_tensor(image), target_height, target_width,
                                  lambda x, s: resize_images(x, s, method, align_corners))
