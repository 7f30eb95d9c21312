"""EditDistance: Levenshtein distances between the sequences of two sparse tensors.

    hypothesis [[b, e, a, r]] vs truth [[b, e, e, r, s]]  ->  [2.] (normalize=False), [0.4] (normalize=True)

Each sparse input is (indices, values, dense_shape) of rank >= 2; the last axis runs along a
sequence and the leading axes say which sequence. The output (float32) has the elementwise
maximum of the two leading shapes; normalize=True divides by the truth's length (inf where the
truth is empty and the hypothesis is not). A dynamic program over (often string) values: it runs
on the host.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..backend import to_host
from ..errors import invalid
from .registry import op
from .testcases import given


def _codes(*arrays: np.ndarray) -> list:
    """Equal values get equal integer codes across `arrays` (strings, numbers)."""
    joined = np.concatenate([np.asarray(a).reshape(-1) for a in arrays])
    if joined.dtype != object:
        codes = np.unique(joined, return_inverse=True)[1].reshape(-1)
    else:  # NOTE: strings: a dict by first appearance (sorting Python objects is 10x slower)
        seen: dict = {}
        codes = np.array([seen.setdefault(v, len(seen)) for v in joined.tolist()], np.int64)
    return np.split(codes, np.cumsum([np.size(a) for a in arrays])[:-1])


def _sequences(indices, codes, out_shape) -> tuple:
    """(flat output position, position in the sequence, code) per entry, in sequence order."""
    idx = np.asarray(indices, np.int64).reshape(len(codes), len(out_shape) + 1)
    if len(codes) and (np.any(idx[:, :-1] >= np.asarray(out_shape)) or np.any(idx < 0)):
        raise invalid(f"Got an index {idx.tolist()} outside the output shape {list(map(int, out_shape))}")
    where = np.ravel_multi_index(tuple(idx[:, :-1].T), tuple(int(d) for d in out_shape)) if len(out_shape) else \
        np.zeros(len(codes), np.int64)
    order = np.lexsort((idx[:, -1], where))
    where, codes = where[order], codes[order]
    first = np.searchsorted(where, where)                              # where each entry's sequence starts
    return where, np.arange(len(where)) - first, codes


def _table(where, pos, codes, keys, fill):
    """[len(keys), longest] codes padded with `fill`, and each sequence's length."""
    row = np.searchsorted(keys, where)
    lengths = np.bincount(row, minlength=len(keys))
    out = np.full((len(keys), max(int(lengths.max(initial=0)), 1)), fill, np.int64)
    out[row, pos] = codes
    return out, lengths


def _levenshtein(hyp, lh, truth, lt) -> np.ndarray:
    """Levenshtein distances of padded code rows, one dynamic program for all pairs: row i of every pair's table
    at once, the insertion chain along a row as a running minimum."""
    steps = np.arange(truth.shape[1] + 1)
    row = np.broadcast_to(steps, (len(hyp), len(steps))).copy()       # row 0: j insertions
    out = lt.astype(np.float64)                                        # an empty hypothesis: len(truth)
    for i in range(1, int(lh.max(initial=0)) + 1):
        cost = hyp[:, i - 1, None] != truth
        cand = np.concatenate((np.full((len(hyp), 1), i), np.minimum(row[:, :-1] + cost, row[:, 1:] + 1)), axis=1)
        row = np.minimum.accumulate(cand - steps, axis=1) + steps       # NOTE: cur[j] = min(cand[j], cur[j-1] + 1)
        done = lh == i
        out[done] = row[done, lt[done]]
    return out


def _check_ranks(hs, ts):
    if len(ts) != len(hs):
        raise invalid(f"Expected truth and hypothesis to have matching ranks, but their shapes are: [{len(ts)}] and "
                      f"[{len(hs)}]")
    if len(ts) < 2:
        raise invalid(f"Input SparseTensors must have rank at least 2, but truth_shape rank is: {len(ts)}")


def _kernel(xp, hi, hv, hs, ti, tv, ts, normalize=True):
    hs, ts = (np.asarray(to_host(s), np.int64).reshape(-1) for s in (hs, ts))
    _check_ranks(hs, ts)
    out_shape = np.maximum(hs[:-1], ts[:-1])
    hcodes, tcodes = _codes(to_host(hv), to_host(tv))
    h = _sequences(to_host(hi), hcodes, out_shape)
    t = _sequences(to_host(ti), tcodes, out_shape)
    keys = np.union1d(h[0], t[0])
    hyp, lh = _table(*h, keys, -1)
    truth, lt = _table(*t, keys, -2)
    d = _levenshtein(hyp, lh, truth, lt)
    if normalize:
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(lt > 0, d / np.maximum(lt, 1), np.where(lh > 0, np.inf, 0.0))
    out = np.zeros(int(np.prod(out_shape)), np.float32)
    out[keys] = d
    return xp.asarray(out.reshape(tuple(int(d) for d in out_shape)))


def _shape(hi, hv, hs, ti, tv, ts, normalize=True):
    if hs is None or ts is None:
        return None
    hs, ts = (np.reshape(np.asarray(s, dtype=object), -1) for s in (hs, ts))
    _check_ranks(hs, ts)
    return tuple(None if a is None or b is None else max(int(a), int(b)) for a, b in zip(hs[:-1], ts[:-1]))


_H = (np.array([[0, 0, 0], [0, 0, 1], [0, 0, 2], [1, 0, 0]], np.int64), np.array([1, 2, 3, 4], np.int32),
      np.array([2, 2, 3], np.int64))
_T = (np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0]], np.int64), np.array([1, 3, 5], np.int32), np.array([1, 2, 2], np.int64))


def _ref(hi, hv, hs, ti, tv, ts, normalize=True):
    """The same distances by a dense NumPy dynamic program per sequence pair."""
    out_shape = np.maximum(hs[:-1], ts[:-1])
    out = np.zeros(out_shape, np.float32)
    for pos in np.ndindex(*out_shape):
        h = [v for i, v in sorted(zip(hi.tolist(), hv.tolist())) if tuple(i[:-1]) == pos]
        t = [v for i, v in sorted(zip(ti.tolist(), tv.tolist())) if tuple(i[:-1]) == pos]
        table = np.zeros((len(h) + 1, len(t) + 1))
        table[:, 0], table[0, :] = np.arange(len(h) + 1), np.arange(len(t) + 1)
        for i in range(1, len(h) + 1):
            for j in range(1, len(t) + 1):
                table[i, j] = min(table[i - 1, j] + 1, table[i, j - 1] + 1, table[i - 1, j - 1] + (h[i - 1] != t[j - 1]))
        d = table[-1, -1]
        out[pos] = (d / len(t) if t else (np.inf if h else 0.0)) if normalize else d
    return out


@op("EditDistance", shape=_shape, value_inputs=(2, 5), dtype=lambda *_, **__: dtypes.float32, differentiable=False,
    host_only="edit distance is a sequential dynamic program over (often string) values", ref=_ref,
    cases=given(*_H, *_T) + given(*_H, *_T, normalize=False))
def edit_distance(xp):
    """EditDistance(h_indices, h_values, h_shape, t_indices, t_values, t_shape): Levenshtein distance per sequence."""
    return lambda hi, hv, hs, ti, tv, ts, normalize=True: _kernel(xp, hi, hv, hs, ti, tv, ts, normalize)
