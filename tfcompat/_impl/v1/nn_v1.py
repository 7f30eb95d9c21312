"""TF1 spellings of `tf.nn` convolution and pooling ops (`filter=`, `value=`, `use_cudnn_on_gpu`).

    tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME")
    tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
"""
from __future__ import annotations

from typing import Any

from ._api import alias, pick, v1_export, v2


@v1_export("nn.conv2d")
def conv2d(input: Any, filter: Any = None, strides: Any = None, padding: Any = None,  # noqa: A002
           use_cudnn_on_gpu: bool = True, data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
           name: str | None = None, filters: Any = None) -> Any:
    filters = pick("conv2d", filters, filter, "filters", "filter")
    return v2("nn.conv2d")(input, filters, strides, padding, data_format=data_format, dilations=list(dilations),
                           name=name)


@v1_export("nn.conv1d")
def conv1d(value: Any = None, filters: Any = None, stride: Any = None, padding: Any = None,
           use_cudnn_on_gpu: Any = None, data_format: Any = None, name: str | None = None, input: Any = None,  # noqa: A002
           dilations: Any = None) -> Any:
    value = pick("conv1d", input, value, "input", "value")
    return v2("nn.conv1d")(value, filters, stride, padding, data_format=data_format or "NWC",
                           dilations=dilations, name=name)


@v1_export("nn.conv2d_transpose")
def conv2d_transpose(value: Any = None, filter: Any = None, output_shape: Any = None, strides: Any = None,  # noqa: A002
                     padding: str = "SAME", data_format: str = "NHWC", name: str | None = None, input: Any = None,  # noqa: A002
                     filters: Any = None, dilations: Any = None) -> Any:
    value = pick("conv2d_transpose", input, value, "input", "value")
    filters = pick("conv2d_transpose", filters, filter, "filters", "filter")
    return v2("nn.conv2d_transpose")(value, filters, output_shape, strides, padding=padding,
                                     data_format=data_format, dilations=dilations, name=name)


@v1_export("nn.max_pool")
def max_pool(value: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC", name: str | None = None,
             input: Any = None) -> Any:  # noqa: A002
    value = pick("max_pool", input, value, "input", "value")
    return v2("nn.max_pool2d")(value, ksize, strides, padding, data_format=data_format, name=name)


@v1_export("nn.avg_pool")
def avg_pool(value: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC", name: str | None = None,
             input: Any = None) -> Any:  # noqa: A002
    value = pick("avg_pool", input, value, "input", "value")
    return v2("nn.avg_pool2d")(value, ksize, strides, padding, data_format=data_format, name=name)


for _n in ("relu", "tanh", "sigmoid", "relu6", "leaky_relu", "softplus", "depthwise_conv2d",
           "sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits", "gelu", "avg_pool2d"):
    alias(f"nn.{_n}", f"nn.{_n}")


@v1_export("nn.in_top_k", "math.in_top_k")
def in_top_k(predictions: Any, targets: Any, k: Any, name: str | None = None) -> Any:
    """Whether each target is among its row's top `k` predictions (TF1 order: predictions first)."""
    return v2("math.in_top_k")(targets, predictions, k, name=name)
