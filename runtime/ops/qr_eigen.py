"""TensorFlow's Qr kernel bit for bit on the CPU, for tall matrices with fewer than 48 columns.

    q, r = qr(a)          # == tf.linalg.qr(a) of TF 2.21, every bit (a: [..., m, n], m >= n, n < 48)

TensorFlow computes QR with Eigen's HouseholderQR on row-major matrices, then Q as
householderQ() times the first n columns of the identity. Below 48 reflectors Eigen applies
them one at a time (householder_qr_inplace_unblocked, HouseholderSequence's unblocked
branch); this module repeats that arithmetic in the same order, in a few lines of C built
with the system compiler (no fast-math, no FMA contraction, as TF's AVX build computes):

- a column's squared norm and a one-column product are sequential sums;
- w = essential' * rows (R phase) is Eigen's column-major matrix-vector kernel: per output a
  sequential sum, in blocks of 16 terms added to the result once there are 128 terms or more;
- in the Q phase it is the row-major kernel: 8-lane (float) or 4-lane (double) packet
  accumulators reduced pairwise (AVX's predux), then the remaining terms in order; outputs
  left over after groups of 8, 4 and 2 also take a half packet before the scalar tail.

Other shapes (48+ columns, wide matrices, complete Q) go through Eigen's blocked code, which
this does not repeat: `qr` returns None for them and the caller's LAPACK result differs from
TensorFlow's in the last bits. With no C compiler, None too.
"""
from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

MAX_COLUMNS = 47  # NOTE: Eigen's HouseholderQR and HouseholderSequence block from 48 reflectors

_C = r"""
#include <math.h>
#include <stdint.h>
#define QR(T, P, NAME, TMIN)                                                                          \
static T NAME##_pred(const T *acc, int p) {                                                          \
    T b[8]; int i;                                                                                  \
    for (i = 0; i < p; ++i) b[i] = acc[i];                                                            \
    while (p > 2) { p /= 2; for (i = 0; i < p; ++i) b[i] = b[i] + b[i + p]; }                       \
    return b[0] + b[1];                                                                             \
}                                                                                                   \
/* tmp[j] = sum_i M[(i+1)*ld + j] * e[i*es], i < nt, as Eigen's gemv kernel of that phase */           \
static void NAME##_gemv(const T *M, int64_t ld, int64_t cols, int64_t nt, const T *e, int64_t es,     \
                        int rowmajor_kernel, T *tmp) {                                              \
    int64_t i, j, l;                                                                                \
    if (cols == 1) {                                   /* a 1x1 result: Eigen's dot, in order */     \
        T s = M[ld] * e[0];                                                                         \
        for (i = 1; i < nt; ++i) s = s + M[(i + 1) * ld] * e[i * es];                               \
        tmp[0] = s; return;                                                                         \
    }                                                                                               \
    if (!rowmajor_kernel) {                                                                         \
        int64_t block = nt < 128 ? nt : ((int64_t)(ld * sizeof(T)) < 32000 ? 16 : 4);                \
        for (j = 0; j < cols; ++j) {                                                                \
            T res = 0;                                                                              \
            for (i = 0; i < nt; i += block) {                                                       \
                T c = 0; int64_t end = i + block < nt ? i + block : nt;                             \
                for (l = i; l < end; ++l) c = c + M[(l + 1) * ld + j] * e[l * es];                   \
                res = res + c;                                                                      \
            }                                                                                       \
            tmp[j] = res;                                                                           \
        }                                                                                           \
        return;                                                                                     \
    }                                                                                               \
    int64_t grouped = 0;                                                                            \
    while (grouped < cols - 7) grouped += 8;                                                        \
    while (grouped < cols - 3) grouped += 4;                                                        \
    while (grouped < cols - 1) grouped += 2;                                                        \
    int64_t full = P * (nt / P), half = (P / 2) * (nt / (P / 2));                                   \
    for (j = 0; j < cols; ++j) {                                                                    \
        T acc[8] = {0}, acch[8] = {0}, cc;                                                          \
        for (i = 0; i < full; i += P)                                                               \
            for (l = 0; l < P; ++l) acc[l] = acc[l] + M[(i + l + 1) * ld + j] * e[(i + l) * es];     \
        cc = NAME##_pred(acc, P);                                                                   \
        i = full;                                                                                   \
        if (j >= grouped) {                                                                         \
            for (; i < half; i += P / 2)                                                            \
                for (l = 0; l < P / 2; ++l) acch[l] = acch[l] + M[(i + l + 1) * ld + j] * e[(i + l) * es]; \
            cc = cc + NAME##_pred(acch, P / 2);                                                     \
        }                                                                                           \
        for (; i < nt; ++i) cc = cc + M[(i + 1) * ld + j] * e[i * es];                              \
        tmp[j] = cc;                                                                                \
    }                                                                                               \
}                                                                                                   \
/* applyHouseholderOnTheLeft of (I - tau [1; e][1; e]') to the rows x cols block M (row stride ld) */ \
static void NAME##_left(T *M, int64_t ld, int64_t rows, int64_t cols, const T *e, int64_t es, T tau,  \
                        int rowmajor_kernel, T *tmp) {                                              \
    int64_t i, j;                                                                                   \
    if (cols == 0) return;                                                                          \
    if (rows == 1) { T f = (T)1 - tau; for (j = 0; j < cols; ++j) M[j] = M[j] * f; return; }         \
    if (tau == 0) return;                                                                           \
    NAME##_gemv(M, ld, cols, rows - 1, e, es, rowmajor_kernel, tmp);                                \
    for (j = 0; j < cols; ++j) { tmp[j] = tmp[j] + M[j]; M[j] = M[j] - tau * tmp[j]; }              \
    for (i = 1; i < rows; ++i) {                                                                    \
        T te = tau * e[(i - 1) * es];                                                               \
        for (j = 0; j < cols; ++j) M[i * ld + j] = M[i * ld + j] - te * tmp[j];                      \
    }                                                                                               \
}                                                                                                   \
/* A (m x n row-major, m >= n) becomes R in its upper triangle; Q (m x n row-major) is written. */    \
void NAME(T *A, int64_t m, int64_t n, T *Q, T *h, T *tmp) {                                         \
    int64_t k, i;                                                                                   \
    for (k = 0; k < n; ++k) {                                                                       \
        T *col = A + k * n + k, tsq = 0, c0 = col[0], beta, tau;                                    \
        int64_t nt = m - k - 1;                                                                     \
        if (nt > 0) { tsq = col[n] * col[n]; for (i = 1; i < nt; ++i) tsq = tsq + col[(i + 1) * n] * col[(i + 1) * n]; } \
        if (tsq <= TMIN) {                                                                          \
            tau = 0; beta = c0; for (i = 0; i < nt; ++i) col[(i + 1) * n] = 0;                      \
        } else {                                                                                    \
            beta = sqrt(c0 * c0 + tsq);                                                             \
            if (c0 >= 0) beta = -beta;                                                              \
            T d = c0 - beta;                                                                        \
            for (i = 0; i < nt; ++i) col[(i + 1) * n] = col[(i + 1) * n] / d;                       \
            tau = (beta - c0) / beta;                                                               \
        }                                                                                           \
        col[0] = beta; h[k] = tau;                                                                  \
        NAME##_left(col + 1, n, m - k, n - k - 1, col + n, n, tau, 0, tmp);                         \
    }                                                                                               \
    for (i = 0; i < m * n; ++i) Q[i] = 0;                                                           \
    for (i = 0; i < n; ++i) Q[i * n + i] = 1;                                                       \
    for (k = n - 1; k >= 0; --k)                                                                    \
        NAME##_left(Q + k * n, n, m - k, n, A + (k + 1) * n + k, n, h[k], 1, tmp);                 \
}
QR(float, 8, qr_f32, 1.17549435082228750797e-38F)
QR(double, 4, qr_f64, 2.2250738585072013830902e-308)
"""
_LIB: list = []


def _lib() -> Any:
    if not _LIB:
        from .. import fusion_native  # noqa: PLC0415
        lib = fusion_native.shared_library(_C)
        if lib is not None:
            for name in ("qr_f32", "qr_f64"):
                getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64] + [ctypes.c_void_p] * 3
                getattr(lib, name).restype = None
        _LIB.append(lib)
    return _LIB[0]


def qr(a: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(q, r) of TF's reduced QR for a [..., m, n] float32/float64 host array with m >= n, n < 48; else None."""
    if a.dtype not in (np.float32, np.float64) or a.ndim < 2:
        return None
    m, n = a.shape[-2:]
    if m < n or n > MAX_COLUMNS or n == 0:
        return None
    lib = _lib()
    if lib is None:
        return None
    fn = lib.qr_f32 if a.dtype == np.float32 else lib.qr_f64
    work = np.array(a, order="C", copy=True).reshape(-1, m, n)
    q = np.empty_like(work)
    h, tmp = np.empty(n, a.dtype), np.empty(n, a.dtype)
    for b in range(work.shape[0]):
        fn(work[b].ctypes.data, m, n, q[b].ctypes.data, h.ctypes.data, tmp.ctypes.data)
    r = np.triu(work[:, :n, :])
    return q.reshape(a.shape[:-2] + (m, n)), r.reshape(a.shape[:-2] + (n, n))
