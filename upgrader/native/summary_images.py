"""Whether an image summary's data is uint8, read from the source: then TF1 and TF2 write the same pixels.

    image = tf.image.decode_png(png_bytes, channels=4)
    image = tf.expand_dims(image, 0)
    tf.summary.image("plot", image)        # uint8: TF1 and TF2 both encode the values as they are

TF1's `tf.summary.image` rescales float images to 0..255 (by their maximum, or around 128 when negative);
TF2's clips floats to [0, 1] and scales by 255. Only uint8 data means the same in both; other data is
written through `tf1_image_pixels` (PIXELS, emitted once into the converted file), which computes the
pixels TF1's image summary kernel wrote, image by image, and passes uint8 data through:

    uint8(prog, <image>)  ->  True
    pixels_helper("tf")   ->  'def tf1_image_pixels(images): ...'
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program

DECODERS = frozenset(f"tf.{m}.decode_{f}" for m in ("image", "io") for f in ("png", "jpeg", "image", "bmp", "gif"))
CASTS = frozenset({"tf.cast", "tf.saturate_cast", "tf.image.convert_image_dtype", "tf.dtypes.cast"})
SAME_DTYPE = frozenset(f"tf.{n}" for n in ("expand_dims", "reshape", "squeeze", "identity", "tile", "transpose",
                                           "reverse", "image.flip_left_right", "image.flip_up_down",
                                           "image.resize_with_crop_or_pad", "image.central_crop"))
UINT8 = ("tf.uint8", "tf.dtypes.uint8")


def uint8(prog: Program, node: ast.expr | None, depth: int = 0) -> bool:
    """`node` is a uint8 tensor: a decoded image, a cast to uint8, a uint8 placeholder, or a reshaping of one."""
    if node is None or depth > 50:
        return False
    if isinstance(node, ast.Name):
        e = prog.entities.get(node.id)
        value = getattr(e.stmt, "value", None) if e is not None and isinstance(e.stmt, ast.Assign) else None
        return value is not None and uint8(prog, value, depth + 1)
    if not isinstance(node, ast.Call):
        return False
    key = prog.call_key(node)
    dtype = next((k.value for k in node.keywords if k.arg == "dtype"), None)
    if key in DECODERS:
        return dtype is None or prog.key(dtype) in UINT8
    if key in CASTS or key == "tf.placeholder":
        given = node.args[1] if key in CASTS and len(node.args) > 1 else node.args[0] if key == "tf.placeholder" \
            and node.args else dtype
        return given is not None and prog.key(given) in UINT8
    if key in SAME_DTYPE and node.args:
        return uint8(prog, node.args[0], depth + 1)
    if key in ("tf.concat", "tf.stack") and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
        return bool(node.args[0].elts) and all(uint8(prog, e, depth + 1) for e in node.args[0].elts)
    return False


PIXELS = "tf1_image_pixels"


def pixels_helper(tf: str) -> str:
    """The helper converted image summaries of float data call; checked pixel for pixel against TF1's PNGs."""
    return f'''def {PIXELS}(images):
    """The uint8 pixels TF1's tf.summary.image wrote: each float image scaled by its largest value to 0..255
    (by its largest magnitude around 128 when it has negative values), pixels with a non-finite channel red."""
    images = {tf}.convert_to_tensor(images)
    if images.dtype == {tf}.uint8:
        return images
    images = {tf}.cast(images, {tf}.float32)
    finite = {tf}.cast({tf}.reduce_all({tf}.math.is_finite(images), axis=-1, keepdims=True), {tf}.float32)
    finite = {tf}.broadcast_to(finite, {tf}.shape(images))
    clean = {tf}.math.divide_no_nan(images, finite)   # NOTE: 0 where not finite (tf.where is a v1 name with other semantics)
    low = {tf}.reduce_min(clean + (1.0 - finite) * 3e38, axis=[1, 2, 3], keepdims=True)
    high = {tf}.reduce_max(clean - (1.0 - finite) * 3e38, axis=[1, 2, 3], keepdims=True)
    negative = {tf}.cast(low < 0, {tf}.float32)
    bound = negative * {tf}.maximum({tf}.abs(low), {tf}.abs(high)) + (1.0 - negative) * high
    keep = {tf}.cast(bound >= 1e-6, {tf}.float32)
    scale = (127.0 * negative + 255.0 * (1.0 - negative)) / (bound * keep + (1.0 - keep)) * keep
    pixels = {tf}.cast(clean * scale + 128.0 * negative, {tf}.uint8)
    red = {tf}.constant([255, 0, 0, 255], {tf}.uint8)[:images.shape[-1]]
    return pixels * {tf}.cast(finite, {tf}.uint8) + red * {tf}.cast(1.0 - finite, {tf}.uint8)'''
