"""tf.image against TensorFlow 2.21: resize methods (values and gradients), geometry, dtype conversion."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf

RNG = np.random.default_rng(0)
IMG = RNG.uniform(0, 255, size=(2, 5, 7, 3)).astype(np.float32)
U8 = RNG.integers(0, 256, size=(4, 6, 3)).astype(np.uint8)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic", "area"])
@pytest.mark.parametrize("size", [(9, 4), (3, 11), (5, 7)])
def test_resize_matches_tensorflow(oracle, method, size):
    ours = tf.image.resize(IMG, size, method=method)
    theirs = oracle.image.resize(IMG, size, method=method)
    assert ours.dtype.name == theirs.dtype.name and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-3)


def test_resize_3d_uint8_and_aspect_ratio(oracle):
    for kw in [dict(size=[8, 8]), dict(size=[8, 20], preserve_aspect_ratio=True), dict(size=[3, 3], method="nearest")]:
        ours, theirs = tf.image.resize(U8, **kw), oracle.image.resize(U8, **kw)
        assert ours.dtype.name == theirs.dtype.name and ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-3)
    ours, theirs = tf.image.resize_with_pad(U8, 9, 5), oracle.image.resize_with_pad(U8, 9, 5)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-3)


@pytest.mark.parametrize("method", ["bilinear", "bicubic", "nearest"])
def test_resize_gradient_matches_tensorflow(oracle, method):
    w = RNG.standard_normal((2, 6, 5, 3)).astype(np.float32)

    def grad(mod):
        x = mod.constant(IMG)
        with mod.GradientTape() as tape:
            tape.watch(x)
            y = mod.reduce_sum(mod.image.resize(x, [6, 5], method=method) * w)
        return tape.gradient(y, x).numpy()
    np.testing.assert_allclose(grad(tf), grad(oracle), rtol=1e-4, atol=1e-3)


def test_resize_in_function_and_dataset_map():
    f = tf.function(lambda x: tf.image.resize(x, [4, 4]))
    np.testing.assert_allclose(f(tf.constant(IMG)).numpy(), tf.image.resize(IMG, [4, 4]).numpy(), rtol=1e-6)
    ds = tf.data.Dataset.from_tensor_slices(IMG).map(lambda x: tf.image.resize(x, [3, 3]))
    assert repr(ds.element_spec) == "TensorSpec(shape=(3, 3, 3), dtype=tf.float32, name=None)"


GEOMETRY = {
    "flip_left_right": lambda m, x: m.image.flip_left_right(x),
    "flip_up_down": lambda m, x: m.image.flip_up_down(x),
    "rot90_1": lambda m, x: m.image.rot90(x),
    "rot90_3": lambda m, x: m.image.rot90(x, k=3),
    "rot90_2": lambda m, x: m.image.rot90(x, 2),
    "transpose": lambda m, x: m.image.transpose(x),
    "crop": lambda m, x: m.image.crop_to_bounding_box(x, 1, 2, 2, 3),
    "pad": lambda m, x: m.image.pad_to_bounding_box(x, 1, 2, 7, 9),
    "central_crop": lambda m, x: m.image.central_crop(x, 0.5),
    "crop_or_pad": lambda m, x: m.image.resize_with_crop_or_pad(x, 3, 9),
    "to_float": lambda m, x: m.image.convert_image_dtype(x, m.float32),
    "float_back": lambda m, x: m.image.convert_image_dtype(m.image.convert_image_dtype(x, m.float32) * 1.5,
                                                           m.uint8, saturate=True),
    "to_int32": lambda m, x: m.image.convert_image_dtype(x, m.int32),
    "standardize": lambda m, x: m.image.per_image_standardization(x),
    "gray": lambda m, x: m.image.rgb_to_grayscale(x),
    "gray_rgb": lambda m, x: m.image.grayscale_to_rgb(m.image.rgb_to_grayscale(x)),
    "brightness": lambda m, x: m.image.adjust_brightness(x, 0.2),
    "contrast": lambda m, x: m.image.adjust_contrast(x, 1.7),
    "contrast_f": lambda m, x: m.image.adjust_contrast(m.cast(x, m.float32), 0.5),
}


@pytest.mark.parametrize("case", sorted(GEOMETRY))
@pytest.mark.parametrize("batch", [False, True])
def test_image_ops_match_tensorflow(oracle, case, batch):
    x = np.stack([U8, U8[::-1]]) if batch else U8
    ours, theirs = GEOMETRY[case](tf, x), GEOMETRY[case](oracle, x)
    assert ours.dtype.name == theirs.dtype.name
    np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64), atol=1e-5)


def test_random_ops_are_seeded_and_valid():
    tf.random.set_seed(3)
    a = [tf.image.random_flip_left_right(U8).numpy() for _ in range(6)]
    tf.random.set_seed(3)
    b = [tf.image.random_flip_left_right(U8).numpy() for _ in range(6)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert all(np.array_equal(x, U8) or np.array_equal(x, U8[:, ::-1]) for x in a)
    crop = tf.image.random_crop(U8, [2, 3, 3]).numpy()
    hits = [(i, j) for i in range(3) for j in range(4) if np.array_equal(U8[i:i + 2, j:j + 3], crop)]
    assert hits and tf.image.random_crop is tf.compat.v1.random_crop


def test_errors():
    with pytest.raises(ValueError, match="central_fraction must be within"):
        tf.image.central_crop(U8, 0.0)
    with pytest.raises(ValueError, match="width must be >= target \\+ offset"):
        tf.image.crop_to_bounding_box(U8, 0, 4, 2, 3)
    with pytest.raises(NotImplementedError, match="antialias"):
        tf.image.resize(IMG, [2, 2], antialias=True)


V1 = {
    "resize_images": lambda v1: v1.image.resize_images(IMG, [7, 3]),
    "resize_images_same": lambda v1: v1.image.resize_images(U8, [4, 6]),
    "bicubic_aligned": lambda v1: v1.image.resize_images(IMG, [3, 8], method=v1.image.ResizeMethod.BICUBIC,
                                                          align_corners=True),
    "bilinear": lambda v1: v1.image.resize_bilinear(IMG, [6, 6]),
    "bilinear_half": lambda v1: v1.image.resize_bilinear(IMG, [6, 6], half_pixel_centers=True),
    "nearest_aligned": lambda v1: v1.image.resize_nearest_neighbor(IMG, [7, 9], align_corners=True),
    "area": lambda v1: v1.image.resize_area(IMG, [3, 2]),
    "with_pad": lambda v1: v1.image.resize_image_with_pad(U8, 6, 9),
}


@pytest.mark.parametrize("case", sorted(V1))
def test_v1_resize_matches_tensorflow(oracle, case):
    ours, theirs = V1[case](tf.compat.v1), V1[case](oracle.compat.v1)
    assert ours.dtype.name == theirs.dtype.name and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-3)
