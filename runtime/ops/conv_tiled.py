"""Conv2D and its two backprops as cache-sized tiles of im2col + GEMM, run on a thread pool.

    y = forward(np, x, w, g)     # [N,Ho,Wo,O], or None: the caller runs its whole-batch NumPy path

The batch is cut into tiles of whole images whose column matrix ([images*Ho*Wo, kh*kw*C])
is about conv_native.TILE_BYTES, so it is written by the C im2col and read by the GEMM while still in
cache (the whole-batch matrix of a 14x14x16 layer under a 5x5 filter is 20 MB, written once
and read once from memory). Tiles run on conv_native's pool of Python threads: the C kernels and BLAS
release the GIL, and each tile's GEMM runs on its own thread's single BLAS thread, so one
pool, which sleeps when idle, is the only parallelism (no spinning OpenMP or OpenBLAS teams
competing for the cores). The filter gradient sums the tiles' partial products in tile
order, so results do not depend on thread timing.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import blas
from . import conv_native

def _usable(xp: Any, batch: Any, *arrays: Any) -> bool:
    """Native kernels can run, and there is at least one image (an empty batch takes the NumPy path)."""
    return conv_native._ready(xp, batch, *arrays) is not None and batch.ndim == 4 and batch.shape[0] > 0


def forward(xp: Any, x: Any, w: Any, g: Any) -> Any:
    if not _usable(xp, x, w):
        return None
    n, c, o = x.shape[0], w.shape[2], w.shape[3]
    out = np.empty((n, g.ho, g.wo, o), dtype=x.dtype)
    w2 = np.ascontiguousarray(w).reshape(-1, o)

    def tile(r: tuple) -> None:
        cols = conv_native.im2col(xp, x[r[0]:r[1]], g, tiled=False)
        blas.serial_matmul(cols, w2, out=out[r[0]:r[1]].reshape(-1, o))
    conv_native.map_tiles(tile, n, g.ho * g.wo * g.kh * g.kw * c * x.itemsize)
    return out


def backprop_input(xp: Any, sizes: tuple, w: Any, dy: Any, g: Any) -> Any:
    if not _usable(xp, dy, w):
        return None
    n, c, o = sizes[0], sizes[3], w.shape[3]
    dx = np.empty(sizes, dtype=dy.dtype)
    wt = np.ascontiguousarray(w).reshape(-1, o).T
    dy = np.ascontiguousarray(dy)

    def tile(r: tuple) -> None:
        cols = blas.serial_matmul(dy[r[0]:r[1]].reshape(-1, o), wt)
        conv_native.col2im(xp, cols, (r[1] - r[0], *sizes[1:]), g, out=dx[r[0]:r[1]], tiled=False)
    conv_native.map_tiles(tile, n, g.ho * g.wo * g.kh * g.kw * c * dy.itemsize)
    return dx


def backprop_filter(xp: Any, x: Any, fsizes: tuple, dy: Any, g: Any) -> Any:
    if not _usable(xp, x, dy):
        return None
    n, c, o = x.shape[0], x.shape[3], fsizes[3]
    dy = np.ascontiguousarray(dy)

    def tile(r: tuple) -> Any:
        cols = conv_native.im2col(xp, x[r[0]:r[1]], g, tiled=False)
        return blas.serial_matmul(cols.T, dy[r[0]:r[1]].reshape(-1, o))
    parts = conv_native.map_tiles(tile, n, g.ho * g.wo * g.kh * g.kw * c * x.itemsize)
    total = parts[0]
    for p in parts[1:]:
        total += p
    return total.reshape(fsizes)
