"""`tf.nn` convolutions and pooling: conv1d/2d, conv2d_transpose, depthwise_conv2d, max/avg pool.

    tf.nn.conv2d(x, w, strides=2, padding="SAME")          # NHWC, w [kh, kw, in, out]
    tf.nn.conv2d(x, w, 1, [[0, 0], [1, 1], [2, 2], [0, 0]])  # explicit padding

The runtime's kernels are NHWC; NCHW (and NCW) inputs are transposed around them.
1-D ops run as 2-D ops over a height of 1, as TensorFlow does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch
from runtime.ops import array, conv, pool
from runtime.ops.gather import gather

from .._export import export

_TO_NHWC, _TO_NCHW = (0, 2, 3, 1), (0, 3, 1, 2)


def _seq(value: Any, n: int, channels_last: bool, what: str) -> tuple:
    """TF's `_get_sequence`: an int, n ints or n+2 ints -> the full [1, ..., 1] NHWC-ordered list."""
    if value is None:
        return (1,) * (n + 2)
    v = [int(d) for d in np.reshape(value, -1)]
    if len(v) == 1:
        v = v * n
    if len(v) == n:
        return (1, *v, 1)
    if len(v) == n + 2:
        return tuple(v) if channels_last else (v[0], *v[2:], v[1])
    raise ValueError(f"{what} should be of length 1, {n} or {n + 2}. Received: {what}={value} of length {len(v)}")


def _padding(padding: Any, channels_last: bool) -> dict:
    if isinstance(padding, str):
        p = padding.upper()
        if p not in ("SAME", "VALID"):
            raise ValueError(f"`padding` must be 'VALID', 'SAME' or a list of explicit paddings. Received: "
                             f"padding={padding}")
        return {"padding": p}
    pairs = [tuple(int(d) for d in pair) for pair in padding]
    if len(pairs) != 4:
        raise ValueError(f"When `padding` is a list it must have 4 [before, after] pairs, got {padding}")
    if not channels_last:
        pairs = [pairs[0], pairs[2], pairs[3], pairs[1]]
    if pairs[0] != (0, 0) or pairs[3] != (0, 0):
        raise ValueError(f"Explicit padding of the batch or depth dimension is not supported, got {padding}")
    return {"padding": "EXPLICIT", "explicit_paddings": tuple(d for pair in pairs for d in pair)}


def _nc(data_format: Any) -> bool:
    return data_format is not None and str(data_format).startswith("NC")


def _in(x: Any, nchw: bool) -> Any:
    x = dispatch.convert_to_tensor(x)
    return array.transpose(x, perm=_TO_NHWC) if nchw else x


def _out(y: Any, nchw: bool) -> Any:
    return array.transpose(y, perm=_TO_NCHW) if nchw else y


@export("nn.conv2d", v1=())
def conv2d(input: Any, filters: Any, strides: Any, padding: Any, data_format: str = "NHWC",  # noqa: A002
           dilations: Any = None, name: str | None = None) -> Any:
    """tf.nn.conv2d(x [N,H,W,C], w [kh,kw,C,O], strides, padding) -> [N,Ho,Wo,O]."""
    nchw = _nc(data_format)
    x = _in(input, nchw)
    w = dispatch.convert_to_tensor(filters, dtype=x.dtype if not dispatch.is_tensor(filters) else None)
    y = conv.conv2d(x, w, strides=_seq(strides, 2, not nchw, "strides"),
                    dilations=_seq(dilations, 2, not nchw, "dilations"), **_padding(padding, not nchw),
                    name=None if nchw else name)
    return _out(y, nchw)


@export("nn.conv1d", v1=())
def conv1d(input: Any, filters: Any, stride: Any, padding: Any, data_format: str = "NWC",  # noqa: A002
           dilations: Any = None, name: str | None = None) -> Any:
    """tf.nn.conv1d(x [N,W,C], w [kw,C,O], stride, padding) -> [N,Wo,O]."""
    ncw = _nc(data_format)
    x = dispatch.convert_to_tensor(input)
    x = array.expand_dims(array.transpose(x, perm=(0, 2, 1)) if ncw else x, axis=1)
    w = array.expand_dims(dispatch.convert_to_tensor(filters, dtype=x.dtype), axis=0)
    s = _seq(stride, 1, not ncw, "stride")[1]
    d = _seq(dilations, 1, not ncw, "dilations")[1]
    y = conv.conv2d(x, w, strides=(1, 1, s, 1), dilations=(1, 1, d, 1), **_padding(padding, True)
                    if isinstance(padding, str) else _padding([[0, 0], [0, 0], *padding[1:2], [0, 0]], True))
    y = array.squeeze(y, axis=(1,))
    return array.transpose(y, perm=(0, 2, 1), name=name) if ncw else array.identity(y, name=name)


@export("nn.conv2d_transpose", v1=())
def conv2d_transpose(input: Any, filters: Any, output_shape: Any, strides: Any, padding: Any = "SAME",  # noqa: A002
                     data_format: str = "NHWC", dilations: Any = None, name: str | None = None) -> Any:
    """The gradient of conv2d wrt its input: [N,H,W,O] with w [kh,kw,C,O] -> output_shape [N,Ho,Wo,C]."""
    from .random_ops import shape_tensor  # noqa: PLC0415
    nchw = _nc(data_format)
    x = _in(input, nchw)
    sizes = shape_tensor(output_shape)
    if nchw:
        sizes = gather(sizes, dispatch.constant(np.asarray(_TO_NHWC, np.int32)))
    y = conv.conv2d_backprop_input(sizes, filters, x, strides=_seq(strides, 2, not nchw, "strides"),
                                   dilations=_seq(dilations, 2, not nchw, "dilations"),
                                   **_padding(padding, not nchw), name=None if nchw else name)
    return _out(y, nchw)


@export("nn.depthwise_conv2d", v1=())
def depthwise_conv2d(input: Any, filter: Any, strides: Any, padding: Any, data_format: Any = None,  # noqa: A002
                     dilations: Any = None, name: str | None = None) -> Any:
    """Per-channel conv: x [N,H,W,C], filter [kh,kw,C,M] -> [N,Ho,Wo,C*M]; dilations = [rate_h, rate_w]."""
    nchw = _nc(data_format)
    x = _in(input, nchw)
    w = dispatch.convert_to_tensor(filter, dtype=x.dtype if not dispatch.is_tensor(filter) else None)
    rate = (1, 1) if dilations is None else tuple(int(d) for d in np.reshape(dilations, -1))
    if len(rate) == 1:
        rate = rate * 2
    y = conv.depthwise_conv2d_native(x, w, strides=_seq(strides, 2, not nchw, "strides"),
                                     dilations=(1, rate[0], rate[1], 1), **_padding(padding, not nchw),
                                     name=None if nchw else name)
    return _out(y, nchw)


# -- pooling --------------------------------------------------------------------------------
def _pool(op: Any, input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any, n: int,  # noqa: A002
          name: Any) -> Any:
    x = dispatch.convert_to_tensor(input)
    nc = _nc(data_format)
    last = not nc
    if n == 1:
        x = array.expand_dims(array.transpose(x, perm=(0, 2, 1)) if nc else x, axis=1)
        k, s = _seq(ksize, 1, last, "ksize"), _seq(strides, 1, last, "strides")
        pad = _padding(padding, True) if isinstance(padding, str) else \
            _padding([[0, 0], [0, 0], *padding[1:2], [0, 0]], True)
        y = array.squeeze(op(x, ksize=(1, 1, k[1], 1), strides=(1, 1, s[1], 1), **pad), axis=(1,))
        return array.transpose(y, perm=(0, 2, 1), name=name) if nc else array.identity(y, name=name)
    pad = _padding(padding, last)
    if op is pool.avg_pool and pad["padding"] == "EXPLICIT":
        raise ValueError("avg_pool does not support explicit padding; use 'SAME' or 'VALID'")
    y = op(_in(x, nc), ksize=_seq(ksize, 2, last, "ksize"), strides=_seq(strides, 2, last, "strides"), **pad,
           name=None if nc else name)
    return _out(y, nc)


def _rank_dispatch(op: Any, input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any,  # noqa: A002
                   name: Any) -> Any:
    x = dispatch.convert_to_tensor(input)
    rank = x.shape.rank
    if rank not in (3, 4):
        raise ValueError(f"`input` must have a static rank of 3 or 4 (1-D or 2-D pooling; 3-D pooling is not "
                         f"implemented). Received: input.shape={x.shape} of rank {rank}")
    return _pool(op, x, ksize, strides, padding, data_format, rank - 2, name)


@export("nn.max_pool", v1=("nn.max_pool_v2",))
def max_pool(input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any = None,  # noqa: A002
             name: str | None = None) -> Any:
    """tf.nn.max_pool(x, ksize=2, strides=2, padding="VALID"): window maxima (1-D or 2-D by rank)."""
    return _rank_dispatch(pool.max_pool, input, ksize, strides, padding, data_format, name)


@export("nn.max_pool1d")
def max_pool1d(input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC",  # noqa: A002
               name: str | None = None) -> Any:
    return _pool(pool.max_pool, input, ksize, strides, padding, data_format, 1, name)


@export("nn.max_pool2d")
def max_pool2d(input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",  # noqa: A002
               name: str | None = None) -> Any:
    return _pool(pool.max_pool, input, ksize, strides, padding, data_format, 2, name)


@export("nn.avg_pool", v1=("nn.avg_pool_v2",))
def avg_pool(input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any = None,  # noqa: A002
             name: str | None = None) -> Any:
    """tf.nn.avg_pool(x, 2, 2, "SAME"): window means over real (unpadded) inputs."""
    return _rank_dispatch(pool.avg_pool, input, ksize, strides, padding, data_format, name)


@export("nn.avg_pool1d")
def avg_pool1d(input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC",  # noqa: A002
               name: str | None = None) -> Any:
    return _pool(pool.avg_pool, input, ksize, strides, padding, data_format, 1, name)


@export("nn.avg_pool2d", v1=())
def avg_pool2d(input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",  # noqa: A002
               name: str | None = None) -> Any:
    return _pool(pool.avg_pool, input, ksize, strides, padding, data_format, 2, name)
