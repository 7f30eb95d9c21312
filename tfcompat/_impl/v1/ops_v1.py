"""TF1 spellings of core ops: deprecated argument names, removed aliases, old argument orders.

    tf.reduce_sum(x, reduction_indices=[1], keep_dims=True)   ->  reduce_sum(x, axis=[1], keepdims=True)
    tf.argmax(x, dimension=1)  ;  tf.to_float(x)  ;  tf.concat(1, [a, b])  (pre-1.0 order)
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.ops import array, elementwise as e, reduce as r

from ._api import alias, pick, v1_export, v2


def _axis(axis: Any) -> Any:
    if axis is None or isinstance(axis, int):
        return axis
    if dispatch.is_tensor(axis):
        axis = axis.numpy()
    return tuple(int(a) for a in axis) if hasattr(axis, "__len__") else int(axis)


def _reduction(opdef: Any, tf_name: str) -> Any:
    def reduce(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Any:
        axis = pick(tf_name, axis, reduction_indices, "axis", "reduction_indices")
        keepdims = bool(pick(tf_name, keepdims, keep_dims, "keepdims", "keep_dims") or False)
        x = dispatch.convert_to_tensor(input_tensor)
        if opdef in (r.reduce_any, r.reduce_all) and x.dtype is not dtypes.bool:
            x = e.cast(x, DstT=dtypes.bool)
        return opdef(x, axis=_axis(axis), keepdims=keepdims, name=name)
    reduce.__name__ = reduce.__qualname__ = tf_name
    reduce.__doc__ = f"tf.{tf_name}(x, reduction_indices=[1], keep_dims=True): TF1 names for axis/keepdims."
    return reduce


for _op, _n in ((r.reduce_sum, "reduce_sum"), (r.reduce_mean, "reduce_mean"), (r.reduce_max, "reduce_max"),
                (r.reduce_min, "reduce_min"), (r.reduce_prod, "reduce_prod"), (r.reduce_any, "reduce_any"),
                (r.reduce_all, "reduce_all")):
    v1_export(_n, f"math.{_n}")(_reduction(_op, _n))


@v1_export("reduce_logsumexp", "math.reduce_logsumexp")
def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
                     reduction_indices: Any = None, keep_dims: Any = None) -> Any:
    axis = pick("reduce_logsumexp", axis, reduction_indices, "axis", "reduction_indices")
    keepdims = bool(pick("reduce_logsumexp", keepdims, keep_dims, "keepdims", "keep_dims") or False)
    x = dispatch.convert_to_tensor(input_tensor)
    m = array.stop_gradient(r.reduce_max(x, axis=_axis(axis), keepdims=True))
    out = e.log(r.reduce_sum(e.exp(x - m), axis=_axis(axis), keepdims=True)) + m
    return out if keepdims else array.squeeze(out, axis=_norm_axes(_axis(axis), out.shape.rank))


def _norm_axes(axis: Any, rank: int | None) -> Any:
    if axis is None:
        return tuple(range(rank)) if rank is not None else None
    return (axis,) if isinstance(axis, int) else axis


@v1_export("count_nonzero", "math.count_nonzero")
def count_nonzero(input_tensor: Any = None, axis: Any = None, keepdims: Any = None, dtype: Any = dtypes.int64,
                  name: str | None = None, reduction_indices: Any = None, keep_dims: Any = None,
                  input: Any = None) -> Any:  # noqa: A002
    x = dispatch.convert_to_tensor(pick("count_nonzero", input_tensor, input, "input_tensor", "input"))
    axis = pick("count_nonzero", axis, reduction_indices, "axis", "reduction_indices")
    keepdims = bool(pick("count_nonzero", keepdims, keep_dims, "keepdims", "keep_dims") or False)
    nonzero = e.cast(e.not_equal(x, array.zeros_like(x)), DstT=dtypes.int64)
    out = r.reduce_sum(nonzero, axis=_axis(axis), keepdims=keepdims)
    return e.cast(out, DstT=dtypes.as_dtype(dtype), name=name)


def _arg(opdef: Any, tf_name: str) -> Any:
    def arg(input: Any, axis: Any = None, name: str | None = None, dimension: Any = None,  # noqa: A002
            output_type: Any = dtypes.int64) -> Any:
        axis = pick(tf_name, axis, dimension, "axis", "dimension")
        return opdef(input, axis=0 if axis is None else int(_axis(axis)),
                     output_type=dtypes.as_dtype(output_type), name=name)
    arg.__name__ = arg.__qualname__ = tf_name
    arg.__doc__ = f"tf.{tf_name}(x, dimension=1): TF1's spelling of axis."
    return arg


v1_export("argmax", "math.argmax")(_arg(r.arg_max, "argmax"))
v1_export("argmin", "math.argmin")(_arg(r.arg_min, "argmin"))


def _to(dtype: dtypes.DType, tf_name: str, default_name: str) -> Any:
    def to(x: Any, name: str = default_name) -> Any:
        x = dispatch.convert_to_tensor(x)
        return x if x.dtype is dtype else e.cast(x, DstT=dtype, name=name)
    to.__name__ = to.__qualname__ = tf_name
    to.__doc__ = f"tf.{tf_name}(x) == tf.cast(x, tf.{dtype.name})."
    return to


for _dt, _n, _d in ((dtypes.float32, "to_float", "ToFloat"), (dtypes.float64, "to_double", "ToDouble"),
                    (dtypes.int32, "to_int32", "ToInt32"), (dtypes.int64, "to_int64", "ToInt64")):
    v1_export(_n)(_to(_dt, _n, _d))


@v1_export("mul")
def mul(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.mul (before TF 1.0) == tf.multiply."""
    return e.multiply(x, y, name=name)


@v1_export("sub")
def sub(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.sub (before TF 1.0) == tf.subtract."""
    return e.subtract(x, y, name=name)


@v1_export("neg")
def neg(x: Any, name: str | None = None) -> Any:
    """tf.neg (before TF 1.0) == tf.negative."""
    return e.negative(x, name=name)


@v1_export("div", "math.div")
def div(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.div: Python 2 division, integers floor-divide, floats divide."""
    x, y = dispatch.convert_to_tensor(x), dispatch.convert_to_tensor(y, dtype=dispatch.convert_to_tensor(x).dtype)
    name = name or "div"
    return e.floordiv(x, y, name=name) if x.dtype.is_integer else e.real_div(x, y, name=name)


@v1_export("pack")
def pack(values: Any, axis: int = 0, name: str = "pack") -> Any:
    """tf.pack (before TF 1.0) == tf.stack."""
    return array.stack([dispatch.convert_to_tensor(v) for v in values], axis=axis, name=name)


@v1_export("unpack")
def unpack(value: Any, num: Any = None, axis: int = 0, name: str = "unpack") -> Any:
    """tf.unpack (before TF 1.0) == tf.unstack."""
    return array.unstack(value, num=num, axis=axis, name=name)


@v1_export("concat")
def concat(values: Any, axis: Any, name: str = "concat") -> Any:
    """tf.concat(values, axis); the pre-1.0 order tf.concat(axis, values) is accepted too."""
    if isinstance(values, int) and isinstance(axis, (list, tuple)):
        values, axis = axis, values
    values = [dispatch.convert_to_tensor(v) for v in values]
    if len(values) == 1:
        return array.identity(values[0], name=name)
    return array.concat(*values, axis=int(_axis(axis)), name=name)


@v1_export("squeeze")
def squeeze(input: Any, axis: Any = None, name: str | None = None, squeeze_dims: Any = None) -> Any:  # noqa: A002
    axis = pick("squeeze", axis, squeeze_dims, "axis", "squeeze_dims")
    if isinstance(axis, int):
        axis = [axis]
    return v2("squeeze")(input, axis=axis, name=name)


@v1_export("expand_dims")
def expand_dims(input: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Any:  # noqa: A002
    axis = pick("expand_dims", axis, dim, "axis", "dim")
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return v2("expand_dims")(input, axis, name=name)


@v1_export("nn.softmax", "math.softmax")
def softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Any:
    axis = pick("softmax", axis, dim, "axis", "dim")
    return v2("nn.softmax")(logits, axis=-1 if axis is None else axis, name=name)


@v1_export("nn.log_softmax", "math.log_softmax")
def log_softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Any:
    axis = pick("log_softmax", axis, dim, "axis", "dim")
    return v2("nn.log_softmax")(logits, axis=-1 if axis is None else axis, name=name)


@v1_export("nn.softmax_cross_entropy_with_logits_v2")
def softmax_cross_entropy_with_logits_v2(labels: Any, logits: Any, axis: Any = None, name: str | None = None,
                                         dim: Any = None) -> Any:
    axis = pick("softmax_cross_entropy_with_logits_v2", axis, dim, "axis", "dim")
    return v2("nn.softmax_cross_entropy_with_logits")(labels=labels, logits=logits,
                                                      axis=-1 if axis is None else axis, name=name)


@v1_export("nn.softmax_cross_entropy_with_logits")
def softmax_cross_entropy_with_logits(labels: Any = None, logits: Any = None, dim: int = -1,
                                      name: str | None = None, axis: Any = None) -> Any:
    """TF1's version: no gradient flows into `labels`."""
    if labels is None or logits is None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments (labels=..., logits=...)")
    axis = pick("softmax_cross_entropy_with_logits", axis, dim if dim != -1 else None, "axis", "dim")
    labels = array.stop_gradient(dispatch.convert_to_tensor(labels))
    return v2("nn.softmax_cross_entropy_with_logits")(labels=labels, logits=logits,
                                                      axis=-1 if axis is None else axis, name=name)


@v1_export("nn.sparse_softmax_cross_entropy_with_logits")
def sparse_softmax_cross_entropy_with_logits(labels: Any = None, logits: Any = None, name: str | None = None) -> Any:
    if labels is None or logits is None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named arguments")
    return v2("nn.sparse_softmax_cross_entropy_with_logits")(labels=labels, logits=logits, name=name)


@v1_export("nn.dropout")
def dropout(x: Any, keep_prob: Any = None, noise_shape: Any = None, seed: Any = None, name: str | None = None,
            rate: Any = None) -> Any:
    """tf.nn.dropout(x, keep_prob=0.8) == tf.nn.dropout(x, rate=0.2) (keep_prob may be a placeholder)."""
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob' in dropout")
    if keep_prob is not None:
        rate = 1 - keep_prob if not dispatch.is_tensor(keep_prob) else e.subtract(1.0, keep_prob)
    if rate is None:
        raise ValueError("dropout needs keep_prob (TF1) or rate")
    return v2("nn.dropout")(x, rate=rate, noise_shape=noise_shape, seed=seed, name=name)


@v1_export("nn.moments")
def moments(x: Any, axes: Any, shift: Any = None, name: str | None = None, keep_dims: Any = None,
            keepdims: Any = None) -> Any:
    keepdims = bool(pick("moments", keepdims, keep_dims, "keepdims", "keep_dims") or False)
    x = dispatch.convert_to_tensor(x)
    mean = r.reduce_mean(x, axis=_axis(axes), keepdims=True)
    var = r.reduce_mean(e.squared_difference(x, array.stop_gradient(mean)), axis=_axis(axes), keepdims=True)
    if not keepdims:
        mean, var = array.squeeze(mean, axis=_axis(axes)), array.squeeze(var, axis=_axis(axes))
    return mean, var


@v1_export("shape")
def shape(input: Any, name: str | None = None, out_type: Any = None) -> Any:  # noqa: A002
    return v2("shape")(input, out_type=dtypes.int32 if out_type is None else out_type, name=name)


@v1_export("gather")
def gather(params: Any, indices: Any, validate_indices: Any = None, name: str | None = None, axis: Any = None,
           batch_dims: int = 0) -> Any:
    return v2("gather")(params, indices, axis=axis, batch_dims=batch_dims, name=name)


@v1_export("select", "where")
def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Any:
    """TF1 tf.where: with x and y, elementwise select (shapes must match or condition is a vector)."""
    if x is None and y is None:
        return v2("where")(condition, name=name)
    cond = dispatch.convert_to_tensor(condition)
    x = dispatch.convert_to_tensor(x)
    if cond.shape.rank == 1 and x.shape.rank is not None and x.shape.rank > 1:
        cond = array.reshape(cond, [-1] + [1] * (x.shape.rank - 1))
    out = v2("where")(cond, x, y, name=name)
    if getattr(out, "_is_symbolic", False) and x.shape.is_compatible_with(getattr(y, "shape", None)):
        out.set_shape(x.shape.merge_with(y.shape))  # NOTE: TF's Select: the shape of x and y, whatever cond's
    return out


@v1_export("batch_matmul")
def batch_matmul(x: Any, y: Any, adj_x: bool = False, adj_y: bool = False, name: str | None = None) -> Any:
    return v2("linalg.matmul")(x, y, adjoint_a=adj_x, adjoint_b=adj_y, name=name)


@v1_export("norm", "linalg.norm")
def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None, keepdims: Any = None,  # noqa: A002
         name: str | None = None, keep_dims: Any = None) -> Any:
    keepdims = bool(pick("norm", keepdims, keep_dims, "keepdims", "keep_dims") or False)
    return v2("norm")(tensor, ord=ord, axis=axis, keepdims=keepdims, name=name)


for _v1n, _v2n in (("random_normal", "random.normal"), ("random_uniform", "random.uniform"),
                   ("truncated_normal", "random.truncated_normal"), ("random_shuffle", "random.shuffle"),
                   ("log", "math.log"),
                   ("matrix_inverse", "linalg.inv"), ("matrix_determinant", "linalg.det"),
                   ("floordiv", "math.floordiv"), ("negative", "math.negative")):
    alias(_v1n, _v2n)


@v1_export("constant")
def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const", verify_shape: bool = False) -> Any:
    """tf.constant(0.1, shape=[4]): a scalar fills `shape`; `verify_shape` demands an exact shape."""
    if verify_shape and shape is not None:
        import numpy as np  # noqa: PLC0415
        if tuple(np.shape(value)) != tuple(shape):
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {np.shape(value)}.")
    return dispatch.constant(value, dtype=dtype, shape=shape, name=name)


@v1_export("convert_to_tensor")
def convert_to_tensor(value: Any, dtype: Any = None, name: str | None = None, preferred_dtype: Any = None,
                      dtype_hint: Any = None) -> Any:
    return dispatch.convert_to_tensor(value, dtype=dtype, name=name,
                                      dtype_hint=pick("convert_to_tensor", dtype_hint, preferred_dtype,
                                                      "dtype_hint", "preferred_dtype"))
