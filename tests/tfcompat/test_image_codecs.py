"""tf.io/tf.image decode_* and encode_* : recorded expectations, then differential against TF 2.21.

Images are generated here (random pixels, encoded with Pillow or TF), never read from disk.
"""
from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as tf1
from runtime.errors import InvalidArgumentError

Image = pytest.importorskip("PIL.Image", reason="image codecs need Pillow: pip install pillow")

RNG = np.random.default_rng(7)
RGB = RNG.integers(0, 256, (37, 51, 3), dtype=np.uint8)
GREY16 = RNG.integers(0, 65536, (9, 11), dtype=np.uint16)


def enc(arr, fmt, mode=None, **kw):
    out = io.BytesIO()
    Image.fromarray(arr, mode).save(out, fmt, **kw) if mode else Image.fromarray(arr).save(out, fmt, **kw)
    return out.getvalue()


def gif_frames(n=3):
    frames = [Image.fromarray(RNG.integers(0, 256, (6, 8, 3), dtype=np.uint8)).convert("P", palette=Image.ADAPTIVE)
              for _ in range(n)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue(), [np.asarray(f.convert("RGB")) for f in frames]


PNGS = {"rgb": enc(RGB, "PNG"), "rgba": enc(np.dstack([RGB, RGB[..., :1]]), "PNG"),
        "grey": enc(RGB[..., 0], "PNG"), "greya": enc(np.dstack([RGB[..., 0], RGB[..., 1]]), "PNG", "LA")}


def _palette_png() -> bytes:
    out = io.BytesIO()
    Image.fromarray(RGB).convert("P", palette=Image.ADAPTIVE).save(out, "PNG")
    return out.getvalue()


PNGS["palette"] = _palette_png()
JPEGS = {"420": enc(RGB, "JPEG", quality=90), "444": enc(RGB, "JPEG", quality=90, subsampling=0),
         "grey": enc(RGB[..., 0], "JPEG", quality=90)}


# -- recorded expectations (always run) -------------------------------------------------------------
def test_png_roundtrip_and_channel_rules():
    assert np.array_equal(tf.io.decode_png(tf.io.encode_png(RGB)).numpy(), RGB)
    grey = tf.io.decode_png(PNGS["rgb"], channels=1).numpy()[..., 0]
    r, g, b = (RGB[..., i].astype(np.int64) for i in range(3))
    np.testing.assert_array_equal(grey, (9797 * r + 19234 * g + 3737 * b) >> 15)  # libpng's fixed-point weights
    rgba = tf.io.decode_png(PNGS["rgb"], channels=4).numpy()
    assert rgba.shape == (37, 51, 4) and (rgba[..., 3] == 255).all()
    assert tf.io.decode_png(PNGS["greya"]).shape == (37, 51, 2)
    assert tf.io.decode_png(PNGS["rgba"], channels=3).numpy().tolist() == RGB.tolist()
    u16 = tf.io.decode_png(PNGS["rgb"], dtype=tf.uint16).numpy()
    np.testing.assert_array_equal(u16, RGB.astype(np.uint16) * 257)


def test_png_16bit_grey_roundtrip():
    data = tf.io.encode_png(GREY16[..., None])
    np.testing.assert_array_equal(tf.io.decode_png(data, dtype=tf.uint16).numpy()[..., 0], GREY16)
    np.testing.assert_array_equal(tf.io.decode_png(data).numpy()[..., 0], GREY16 >> 8)


def test_decode_image_shapes_dtypes_and_gif():
    data, frames = gif_frames()
    assert tf.io.decode_image(data).shape == (3, 6, 8, 3)
    np.testing.assert_array_equal(tf.io.decode_gif(data).numpy(), np.stack(frames))
    np.testing.assert_array_equal(tf.io.decode_image(data, expand_animations=False).numpy(), frames[0])
    assert tf.io.decode_gif(PNGS["rgb"]).shape == (1, 37, 51, 3)
    f = tf.io.decode_image(PNGS["rgb"], dtype=tf.float32).numpy()
    np.testing.assert_array_equal(f, (RGB.astype(np.float32) * 257) * np.float32(1 / 65535))  # PNG: via 16 bits
    np.testing.assert_array_equal(tf.io.decode_bmp(enc(RGB, "BMP")).numpy(), RGB)


def test_static_shapes_in_function_and_v1_graph():
    @tf.function
    def shapes(x):
        return (tf.io.decode_png(x, channels=3), tf.io.decode_png(x), tf.io.decode_image(x),
                tf.io.decode_image(x, channels=3, expand_animations=False), tf.io.decode_gif(x))

    outs = shapes.get_concrete_function(tf.TensorSpec([], tf.string)).outputs
    assert [o.shape.as_list() if o.shape.rank is not None else None for o in outs] == [
        [None, None, 3], [None, None, None], None, [None, None, 3], [None, None, None, 3]]
    g = tf1.Graph()
    with g.as_default():
        p = tf1.placeholder(tf1.string, [])
        img = tf1.image.decode_jpeg(p, channels=3)
        assert img.shape.as_list() == [None, None, 3]
        with tf1.Session() as sess:
            assert sess.run(img, {p: JPEGS["420"]}).shape == (37, 51, 3)


def test_in_dataset_map(tmp_path):
    path = str(tmp_path / "a.png")
    tf.io.write_file(path, tf.io.encode_png(RGB))
    ds = tf.data.Dataset.from_tensor_slices([path, path]).map(
        lambda p: tf.image.convert_image_dtype(tf.io.decode_png(tf.io.read_file(p), channels=3), tf.float32))
    got = [x.numpy() for x in ds]
    assert len(got) == 2 and got[0].shape == (37, 51, 3) and got[0].dtype == np.float32


def test_errors():
    with pytest.raises(InvalidArgumentError, match="Unknown image file format"):
        tf.io.decode_image(b"not an image")
    with pytest.raises(InvalidArgumentError, match="Invalid PNG data"):
        tf.io.decode_png(PNGS["rgb"][:60])
    with pytest.raises(InvalidArgumentError, match="jpeg::Uncompress failed"):
        tf.io.decode_jpeg(JPEGS["420"][:len(JPEGS["420"]) // 2])
    with pytest.raises(InvalidArgumentError, match="JPEG does not support 4 channels"):
        tf.io.decode_jpeg(JPEGS["420"], channels=4)
    with pytest.raises(InvalidArgumentError, match="must be 0, 1, 3 or 4"):
        tf.io.decode_png(PNGS["rgb"], channels=2)
    with pytest.raises(InvalidArgumentError, match="for BMP"):
        tf.io.decode_bmp(enc(RGB, "BMP"), channels=1)
    with pytest.raises(InvalidArgumentError, match="Trying to decode GIF"):
        tf.io.decode_bmp(gif_frames()[0])
    with pytest.raises(NotImplementedError, match="try_recover_truncated"):
        tf.io.decode_jpeg(JPEGS["420"], try_recover_truncated=True)
    with pytest.raises(NotImplementedError, match="fancy_upscaling"):
        tf.io.decode_jpeg(JPEGS["420"], fancy_upscaling=False, dct_method="INTEGER_ACCURATE")


def test_missing_pillow_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        tf.io.decode_png(PNGS["rgb"])
    assert tf.io.encode_png(RGB).numpy()[:4] == b"\x89PNG"  # PNG encoding needs only zlib


# -- differential against TensorFlow 2.21 ------------------------------------------------------------
@pytest.mark.oracle
@pytest.mark.parametrize("kind", sorted(PNGS))
@pytest.mark.parametrize("channels", [0, 1, 3, 4])
@pytest.mark.parametrize("dtype", ["uint8", "uint16"])
def test_png_matches_tensorflow(oracle, kind, channels, dtype):
    mine = tf.io.decode_png(PNGS[kind], channels=channels, dtype=getattr(tf, dtype)).numpy()
    real = oracle.io.decode_png(PNGS[kind], channels=channels, dtype=getattr(oracle, dtype)).numpy()
    assert mine.dtype == real.dtype
    np.testing.assert_array_equal(mine, real)


@pytest.mark.oracle
def test_png_16bit_matches_tensorflow(oracle):
    data = enc(GREY16, "PNG")
    for dtype, channels in [("uint16", 0), ("uint8", 0), ("uint16", 3), ("uint8", 4)]:
        np.testing.assert_array_equal(
            tf.io.decode_png(data, channels, getattr(tf, dtype)).numpy(),
            oracle.io.decode_png(data, channels, getattr(oracle, dtype)).numpy())


# (jpeg kind, channels, dct_method, fancy_upscaling, ratio) where Pillow's libjpeg decodes exactly as TF's
EXACT_JPEG = [(k, c, d, f, r) for k in ("420", "444", "grey") for c in (0, 1, 3) for r in (1, 2, 8)
              for d, f in (("INTEGER_ACCURATE", True), ("INTEGER_FAST", False), ("", False))] + [
    (k, c, "", True, r) for k in ("444", "grey") for c in (0, 1, 3) for r in (1, 4)] + [
    ("420", c, "", True, r) for c in (0, 3) for r in (2, 4, 8)] + [
    ("420", 1, "", True, 1), ("420", 1, "INTEGER_FAST", True, 2)]


@pytest.mark.oracle
@pytest.mark.parametrize("case", EXACT_JPEG, ids=str)
def test_jpeg_matches_tensorflow_exactly(oracle, case):
    kind, channels, dct, fancy, ratio = case
    args = dict(channels=channels, dct_method=dct, fancy_upscaling=fancy, ratio=ratio)
    mine = tf.io.decode_jpeg(JPEGS[kind], **args).numpy()
    np.testing.assert_array_equal(mine, oracle.io.decode_jpeg(JPEGS[kind], **args).numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("quality", [50, 75, 95])
@pytest.mark.parametrize("subsampling", [1, 2])  # 4:2:2, 4:2:0
@pytest.mark.parametrize("size", [(37, 51), (64, 64), (1, 3), (17, 2)])
def test_jpeg_default_colour_decode_is_exact(oracle, quality, subsampling, size):
    # TF's default dct_method '' is libjpeg's IFAST DCT with fancy chroma upsampling
    y, x = np.mgrid[0:size[0], 0:size[1]]
    for img in (RNG.integers(0, 256, (*size, 3), dtype=np.uint8),
                np.dstack([x * 3 % 256, y * 5 % 256, (x + y) % 256]).astype(np.uint8)):
        data = enc(img, "JPEG", quality=quality, subsampling=subsampling)
        for op in ("decode_jpeg", "decode_image", "decode_png"):
            np.testing.assert_array_equal(getattr(tf.io, op)(data).numpy(), getattr(oracle.io, op)(data).numpy())
        np.testing.assert_array_equal(tf.io.decode_jpeg(data, channels=3, ratio=1).numpy(),
                                      oracle.io.decode_jpeg(data, channels=3).numpy())


@pytest.mark.oracle
def test_gif_bmp_and_decode_image_match_tensorflow(oracle):
    data, _ = gif_frames()
    np.testing.assert_array_equal(tf.io.decode_gif(data).numpy(), oracle.io.decode_gif(data).numpy())
    np.testing.assert_array_equal(tf.io.decode_image(data, expand_animations=False).numpy(),
                                  oracle.io.decode_image(data, expand_animations=False).numpy())
    for arr in (RGB, RGB[..., 0]):
        bmp = enc(arr, "BMP")
        for c in (0, 3, 4):
            np.testing.assert_array_equal(tf.io.decode_bmp(bmp, c).numpy(), oracle.io.decode_bmp(bmp, c).numpy())
    for data in (PNGS["rgb"], enc(RGB, "BMP"), JPEGS["420"], gif_frames()[0]):
        for dtype in ("uint16", "float32", "float16", "float64"):
            np.testing.assert_array_equal(tf.io.decode_image(data, dtype=getattr(tf, dtype)).numpy(),
                                          oracle.io.decode_image(data, dtype=getattr(oracle, dtype)).numpy())


@pytest.mark.oracle
def test_encoders_roundtrip_like_tensorflow(oracle):
    for img in (RGB, RGB[..., :1]):
        for kw in ({}, {"quality": 60}, {"chroma_downsampling": False}, {"progressive": True}):
            mine, real = tf.io.encode_jpeg(img, **kw).numpy(), oracle.io.encode_jpeg(img, **kw).numpy()
            np.testing.assert_array_equal(oracle.io.decode_jpeg(mine, dct_method="INTEGER_ACCURATE").numpy(),
                                          oracle.io.decode_jpeg(real, dct_method="INTEGER_ACCURATE").numpy())
    for img in (RGB, np.dstack([RGB, RGB[..., :1]]), GREY16[..., None]):
        mine = tf.io.encode_png(img).numpy()
        np.testing.assert_array_equal(oracle.io.decode_png(mine, dtype=oracle.as_dtype(img.dtype)).numpy(), img)


CROPS = [[0, 0, 3, 3], [3, 5, 2, 1], [2, 17, 5, 3], [5, 31, 4, 2], [1, 9, 3, 7], [16, 16, 4, 16], [0, 0, 37, 51]]


def test_decode_and_crop_and_shape():
    full = tf.io.decode_jpeg(JPEGS["444"]).numpy()
    np.testing.assert_array_equal(tf.io.decode_and_crop_jpeg(JPEGS["444"], [3, 5, 10, 7]).numpy(), full[3:13, 5:12])
    assert tf.io.extract_jpeg_shape(JPEGS["grey"]).numpy().tolist() == [37, 51, 1]
    with pytest.raises(InvalidArgumentError, match="crop window"):
        tf.io.decode_and_crop_jpeg(JPEGS["420"], [30, 0, 10, 10])


@pytest.mark.oracle
@pytest.mark.parametrize("kind", sorted(JPEGS))
@pytest.mark.parametrize("window", CROPS, ids=str)
def test_decode_and_crop_matches_tensorflow(oracle, kind, window):
    # libjpeg's crop starts at a 16-pixel block and upsamples chroma as if its columns were the image's edges
    for channels in (0, 1, 3):
        for dct, fancy in (("", True), ("INTEGER_FAST", False)):
            args = dict(channels=channels, dct_method=dct, fancy_upscaling=fancy)
            np.testing.assert_array_equal(tf.io.decode_and_crop_jpeg(JPEGS[kind], window, **args).numpy(),
                                          oracle.io.decode_and_crop_jpeg(JPEGS[kind], window, **args).numpy())
    assert tf.io.extract_jpeg_shape(JPEGS[kind]).numpy().tolist() == \
        oracle.io.extract_jpeg_shape(JPEGS[kind]).numpy().tolist()
