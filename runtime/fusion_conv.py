"""Plan pass: the CNN chains that TensorFlow's grappler fuses on the CPU run as one kernel each.

    Conv2D -> BiasAdd -> Relu            ==>  one direct convolution with a bias + relu epilogue
        (-> MaxPool of the relu)          ==>  ... that also max-pools each image while it is in cache
    MaxPoolGrad(x, y, g) -> ReluGrad(., x)  ==>  one pass routing g to each window's maximum where x > 0
    both, when nothing else reads the relu output x  ==>  x is never stored: the forward step hands
        the gradient step a workspace of one byte per pooled value (which tap, and x > 0 there),
        as TensorFlow's oneDNN max pool does; a BiasAddGrad of that gradient is computed with it
        (one float64 term per window, rounded once, where the chain sums float32 pixel by pixel:
        TensorFlow's fused backprop-with-bias differs from its chain by rounding the same way);
        and when only the convolution's filter gradient reads that layer gradient (a first layer),
        it is made image by image inside the filter-gradient kernel, never stored

A chain is fused only when each intermediate value has one consumer and is not fetched, so no
one can see that it was never stored. The fused kernel gives exactly what the chain gives (same
rounding: the bias is added to the float32 convolution result, the relu mask multiplies), and
where its fast path cannot run (dtype, layout, overlapping windows, no compiler) it calls the
chain's own kernels in order, so errors and results are the unfused ones.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import numpy as np

from .errors import InvalidArgumentError
from .ops import conv, conv_direct, conv_native, pool


def fuse(steps: list, fetched: set) -> list:
    """steps ([node, kernel, ins, outs, stateful], in program order) with the chains fused."""
    uses = Counter(n for s in steps for n in s[2])
    uses.update(fetched)
    producer = {s[3][0]: s for s in steps if len(s[3]) == 1}
    # NOTE: a fused kernel runs at the chain's last step; a stateful step (an assign) in between
    # could change what the first one read, so chains never span one (reading a variable is fine)
    epoch, n = {}, 0
    for s in steps:
        n += bool(s[4]) and _op_name(s) != "ReadVariableOp"
        epoch[id(s)] = n
    readers: dict = {}
    for s in steps:
        for name in s[2]:
            readers.setdefault(name, []).append(s)
    drop: set = set()
    pooled: dict = {}       # relu output name -> (fused forward step, pool attrs, its unfused kernels)
    grads: list = []        # (fused pool-grad step, MaxPoolGrad attrs, its unfused kernels)
    for s in steps:
        name = _op_name(s)
        if name == "Relu":
            _conv_bias_relu(s, producer, uses, drop, epoch, readers, pooled)
        elif name == "ReluGrad":
            _pool_grad_relu(s, producer, uses, drop, epoch, grads)
    steps = [s for s in steps if id(s) not in drop]
    _workspaces(steps, fetched, pooled, grads)
    return steps


def _op_name(step: list) -> str | None:
    return getattr(getattr(step[0], "op", None), "name", None)


def _single(name: str, producer: dict, uses: Counter, op: str, drop: set) -> list | None:
    """The step of type `op` producing `name`, when `name` has exactly one use and is unfused."""
    s = producer.get(name)
    if s is None or id(s) in drop or s[4] or uses[name] != 1 or _op_name(s) != op:
        return None
    return s


def _conv_bias_relu(relu: list, producer: dict, uses: Counter, drop: set, epoch: dict, readers: dict,
                    pooled: dict) -> None:
    bias = _single(relu[2][0], producer, uses, "BiasAdd", drop)
    if bias is None or bias[0].attrs.get("data_format", "NHWC") != "NHWC":
        return
    cv = _single(bias[2][0], producer, uses, "Conv2D", drop)
    if cv is None or cv[0].attrs.get("data_format", "NHWC") != "NHWC" or epoch[id(cv)] != epoch[id(relu)]:
        return
    pools = [s for s in readers.get(relu[3][0], ()) if _op_name(s) == "MaxPool" and id(s) not in drop
             and s[0].attrs.get("data_format", "NHWC") == "NHWC" and epoch[id(s)] == epoch[id(relu)]]
    pool_step = pools[0] if pools else None
    relu_node = relu[0]
    chain = (cv[0].attrs, cv[1], bias[1], relu[1], None if pool_step is None else (pool_step[0].attrs, pool_step[1]))
    relu[1] = _conv_bias_relu_kernel(*chain)
    relu[2] = [*cv[2], bias[2][1]]
    relu[0] = cv[0]                          # NOTE: a failure names the convolution, as TF's fused node does
    drop.update((id(cv), id(bias)))
    if pool_step is not None:
        relu[0] = _Outputs(cv[0], (relu_node.outputs[0], pool_step[0].outputs[0]))
        relu[3] = [relu[3][0], pool_step[3][0]]
        drop.add(id(pool_step))
        pooled[relu[3][0]] = (relu, pool_step[0].attrs, chain)


class _Outputs:
    """The plan's node for a fused step with two results (the relu and its max pool): the
    convolution's node (name, op, attrs) with the chain's two output tensors."""

    __slots__ = ("node", "outputs")

    def __init__(self, node: Any, outputs: tuple) -> None:
        self.node, self.outputs = node, outputs

    def __getattr__(self, name: str) -> Any:
        return getattr(self.node, name)


def _conv_bias_relu_kernel(attrs: dict, conv_k: Callable, bias_k: Callable, relu_k: Callable,
                           pooling: tuple | None, workspace: bool = False) -> Callable:
    """relu(bias_add(conv(x, w), b)); with `pooling` (the MaxPool's attrs and kernel), (that, its pool);
    with `workspace`, (conv_direct.Workspace of that, its pool) where the direct kernel runs."""
    strides, padding = tuple(attrs["strides"]), attrs["padding"]
    explicit, dilations = tuple(attrs.get("explicit_paddings", ())), tuple(attrs.get("dilations", (1, 1, 1, 1)))

    def run(x: Any, w: Any, b: Any) -> Any:
        if (type(x) is np.ndarray and type(w) is np.ndarray and type(b) is np.ndarray and x.ndim == 4
                and w.ndim == 4 and x.shape[3] == w.shape[2] and b.shape == (w.shape[3],)):
            g = conv.geometry(x.shape, w.shape[0], w.shape[1], strides, padding, explicit, dilations)
            pg = None if pooling is None else pool._geo((x.shape[0], g.ho, g.wo, w.shape[3]), **pooling[0])
            y = conv_direct.forward(np, x, w, g, bias=b, relu=True, pool=pg, workspace=workspace)
            if y is not None:
                return y
        y = relu_k(bias_k(conv_k(x, w), b))
        return y if pooling is None else (y, pooling[1](y))
    return run


def _pool_grad_relu(rg: list, producer: dict, uses: Counter, drop: set, epoch: dict, grads: list) -> None:
    mpg = _single(rg[2][0], producer, uses, "MaxPoolGrad", drop)
    if (mpg is None or mpg[2][0] != rg[2][1] or mpg[0].attrs.get("data_format", "NHWC") != "NHWC"
            or epoch[id(mpg)] != epoch[id(rg)]):
        return                               # NOTE: fused only when the relu mask is the pool's own input
    grads.append((rg, mpg[0].attrs, (mpg[1], rg[1])))
    rg[1] = _pool_grad_relu_kernel(mpg[0].attrs, mpg[1], rg[1])
    rg[2] = list(mpg[2])
    drop.add(id(mpg))


def _pool_grad_relu_kernel(attrs: dict, mpg_k: Callable, rg_k: Callable) -> Callable:
    def run(x: Any, y: Any, dy: Any) -> Any:
        if type(x) is np.ndarray and type(dy) is np.ndarray and x.ndim == 4 and dy.ndim == 4:
            g = pool._geo(x.shape, **attrs)
            if dy.shape == (x.shape[0], g.ho, g.wo, x.shape[3]):
                out = conv_native.max_pool_grad_relu(np, x, dy, g)
                if out is not None:
                    return out
        return rg_k(mpg_k(x, y, dy), x)
    return run


def _workspaces(steps: list, fetched: set, pooled: dict, grads: list) -> None:
    """A relu output read only by its max pool's fused gradient is never stored: the fused forward
    step hands that gradient a conv_direct.Workspace (one byte per pooled value) instead, as
    TensorFlow's oneDNN max pool does (a 3.2 MB write and two reads fewer per W11 step)."""
    uses = Counter(n for s in steps for n in s[2])
    for rg, attrs, (mpg_k, rg_k) in grads:
        h, p = rg[2][0], rg[2][1]
        fwd = pooled.get(h)
        if (fwd is None or h in fetched or uses[h] != 1 or fwd[0][3][1] != p or dict(fwd[1]) != dict(attrs)
                or attrs.get("data_format", "NHWC") != "NHWC" or not _disjoint(attrs)):
            continue
        step, chain = fwd[0], fwd[2]
        ws = f"{h}_ws"
        step[1] = _conv_bias_relu_kernel(*chain, workspace=True)
        step[3] = [ws, p]
        bag = [s for s in steps if _op_name(s) == "BiasAddGrad" and s[2] == [rg[3][0]] and len(s[3]) == 1
               and s[0].attrs.get("data_format", "NHWC") == "NHWC"]
        rg[1] = _workspace_grad_kernel(mpg_k, rg_k, bag[0][1] if bag else None)
        rg[2] = [ws, p, rg[2][2]]
        if bag:       # its bias gradient too, one term per window (TF's fused backprop-with-bias)
            rg[0] = _Outputs(rg[0], (rg[0].outputs[0], bag[0][0].outputs[0]))
            rg[3] = [rg[3][0], bag[0][3][0]]
            steps.remove(bag[0])
        _into_filter_grad(rg, steps, fetched, bool(bag))


def _into_filter_grad(rg: list, steps: list, fetched: set, bias: bool) -> None:
    """The layer gradient read only by its convolution's filter gradient (a first layer: no input
    gradient) is made image by image inside that kernel, never stored."""
    dx = rg[3][0]
    readers = [s for s in steps if dx in s[2]]
    if dx in fetched or len(readers) != 1 or _op_name(readers[0]) != "Conv2DBackpropFilter":
        return
    bpf = readers[0]
    if bpf[2][2] != dx or bpf[2].count(dx) != 1 or bpf[0].attrs.get("data_format", "NHWC") != "NHWC":
        return
    nodes = (bpf[0].outputs[0], rg[0].outputs[1]) if bias else None
    bpf[1] = _filter_grad_kernel(bpf[0].attrs, bpf[1], rg[1], bias)
    bpf[2] = [bpf[2][0], bpf[2][1], *rg[2]]
    if bias:
        bpf[0] = _Outputs(bpf[0], nodes)
        bpf[3] = [bpf[3][0], rg[3][1]]
    steps.remove(rg)


def _filter_grad_kernel(attrs: dict, bpf_k: Callable, rg_k: Callable, bias: bool) -> Callable:
    strides, padding = tuple(attrs["strides"]), attrs["padding"]
    explicit, dilations = tuple(attrs.get("explicit_paddings", ())), tuple(attrs.get("dilations", (1, 1, 1, 1)))

    def run(x: Any, fsizes: Any, ws: Any, y: Any, dy: Any) -> Any:
        if type(ws) is conv_direct.Workspace and type(x) is np.ndarray and x.ndim == 4 and np.size(fsizes) == 4:
            fs = tuple(int(v) for v in np.reshape(fsizes, -1))
            g = conv.geometry(x.shape, fs[0], fs[1], strides, padding, explicit, dilations)
            out = conv_direct.backprop_filter(np, x, fs, dy, g, ws=ws, bias=bias)
            if out is not None:
                return out
        grads = rg_k(ws, y, dy)       # NOTE: the unfused pair: the layer gradient (and bias gradient) first
        dw = bpf_k(x, fsizes, grads[0] if bias else grads)
        return (dw, grads[1]) if bias else dw
    return run


def _disjoint(attrs: dict) -> bool:
    """MaxPool attrs whose windows never overlap (each input in at most one window), <= 64 taps."""
    k, st = tuple(attrs.get("ksize", ())), tuple(attrs.get("strides", ()))
    return len(k) == 4 and len(st) == 4 and st[1] >= k[1] and st[2] >= k[2] and k[1] * k[2] <= 64


def _workspace_grad_kernel(mpg_k: Callable, rg_k: Callable, bias_k: Callable | None) -> Callable:
    def run(ws: Any, y: Any, dy: Any) -> Any:
        if type(ws) is not conv_direct.Workspace:     # the forward ran unfused: ws is the relu output
            dx = rg_k(mpg_k(ws, y, dy), ws)
            return dx if bias_k is None else (dx, bias_k(dx))
        out = conv_direct.pool_relu_grad(ws, dy, bias=bias_k is not None)
        if out is None:
            raise InvalidArgumentError(None, None, f"MaxPoolGrad: the gradient must be a float32 array of the "
                                       f"pooled shape {list(ws.codes.shape)}, got {getattr(dy, 'dtype', type(dy))} "
                                       f"{list(getattr(dy, 'shape', ()))}")
        return out
    return run
