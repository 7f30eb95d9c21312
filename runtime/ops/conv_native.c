/* Compiled CPU kernels for sliding-window ops (runtime/ops/conv_native.py builds and loads this).

   One copy per element type: the loader prepends `typedef float T;` or `typedef double T;`.
   Layout is NHWC, contiguous. `G` is the window geometry of runtime/ops/conv.py::Geometry:
   output size (ho, wo), padding before (pt, pl), strides (sh, sw), dilations (dh, dw), taps (kh, kw).
   Each call is single-threaded; the caller runs tiles of whole images on its own threads, so no
   two threads ever write the same element. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

typedef struct { int64_t n, h, w, c, ho, wo, pt, pl, sh, sw, dh, dw, kh, kw; } G;

#define IN_ROW(g, oh, i) ((oh) * (g)->sh - (g)->pt + (i) * (g)->dh)
#define IN_COL(g, ow, j) ((ow) * (g)->sw - (g)->pl + (j) * (g)->dw)

/* dst[0:n] = src[0:n] (zeros when src is NULL); short spans inline, long ones through memcpy. */
static inline void put(T *restrict dst, const T *restrict src, int64_t n) {
    if (n > 16) { if (src) memcpy(dst, src, sizeof(T) * n); else memset(dst, 0, sizeof(T) * n); return; }
    if (src) for (int64_t k = 0; k < n; k++) dst[k] = src[k];
    else for (int64_t k = 0; k < n; k++) dst[k] = 0;
}

/* cols[n, ho, wo, kh, kw, c] = x at each window tap (zero where the tap is in the padding).
   NOTE: with dw == 1 the kw taps of one filter row are kw*c contiguous inputs: one memcpy. */
void im2col(const G *g, const T *restrict x, T *restrict cols) {
    const int64_t row = g->wo * g->kh * g->kw * g->c, span = g->kw * g->c;
    for (int64_t r = 0; r < g->n * g->ho; r++) {
        const int64_t b = r / g->ho, oh = r % g->ho;
        T *dst = cols + r * row;
        for (int64_t ow = 0; ow < g->wo; ow++)
            for (int64_t i = 0; i < g->kh; i++, dst += span) {
                const int64_t ih = IN_ROW(g, oh, i), iw0 = IN_COL(g, ow, 0);
                const T *src = x + ((b * g->h + ih) * g->w + iw0) * g->c;
                if (ih < 0 || ih >= g->h) { put(dst, NULL, span); continue; }
                if (g->dw == 1 && iw0 >= 0 && iw0 + g->kw <= g->w) { put(dst, src, span); continue; }
                for (int64_t j = 0; j < g->kw; j++) {
                    const int64_t iw = iw0 + j * g->dw;
                    put(dst + j * g->c, iw >= 0 && iw < g->w ? src + j * g->dw * g->c : NULL, g->c);
                }
            }
    }
}

/* x[n, h, w, c] = sum of cols[n, ho, wo, kh, kw, c] over the taps that read each input (adjoint of im2col). */
void col2im(const G *g, const T *restrict cols, T *restrict x) {
    const int64_t img = g->h * g->w * g->c, row = g->wo * g->kh * g->kw * g->c;
    memset(x, 0, sizeof(T) * g->n * img);
    for (int64_t b = 0; b < g->n; b++) {
        for (int64_t oh = 0; oh < g->ho; oh++) {
            const T *src = cols + (b * g->ho + oh) * row;
            for (int64_t ow = 0; ow < g->wo; ow++)
                for (int64_t i = 0; i < g->kh; i++) {
                    const int64_t ih = IN_ROW(g, oh, i);
                    for (int64_t j = 0; j < g->kw; j++, src += g->c) {
                        const int64_t iw = IN_COL(g, ow, j);
                        if (ih < 0 || ih >= g->h || iw < 0 || iw >= g->w) continue;
                        T *dst = x + b * img + (ih * g->w + iw) * g->c;
                        for (int64_t k = 0; k < g->c; k++) dst[k] += src[k];
                    }
                }
        }
    }
}

/* NumPy's maximum: a NaN already held stays, a NaN read wins. */
static inline T max_nan(T a, T v) { return (v > a || v != v) ? v : a; }

/* The first maximum (row-major tap order, strict >) of window (b, oh, ow), per channel: its offset in x. */
static void argmax(const G *g, const T *restrict x, int64_t b, int64_t oh, int64_t ow,
                   T *restrict best, int64_t *restrict at) {
    int64_t i0 = 0, j0 = 0;
    while (i0 < g->kh && (IN_ROW(g, oh, i0) < 0 || IN_ROW(g, oh, i0) >= g->h)) i0++;
    while (j0 < g->kw && (IN_COL(g, ow, j0) < 0 || IN_COL(g, ow, j0) >= g->w)) j0++;
    if (i0 == g->kh || j0 == g->kw) {   /* a window wholly in the padding */
        for (int64_t k = 0; k < g->c; k++) at[k] = -1;
        return;
    }
    const int64_t first = ((b * g->h + IN_ROW(g, oh, i0)) * g->w + IN_COL(g, ow, j0)) * g->c;
    for (int64_t k = 0; k < g->c; k++) { best[k] = x[first + k]; at[k] = first + k; }
    for (int64_t i = i0; i < g->kh; i++) {
        const int64_t ih = IN_ROW(g, oh, i);
        if (ih < 0 || ih >= g->h) continue;
        for (int64_t j = (i == i0 ? j0 + 1 : j0); j < g->kw; j++) {
            const int64_t iw = IN_COL(g, ow, j);
            if (iw < 0 || iw >= g->w) continue;
            const int64_t off = ((b * g->h + ih) * g->w + iw) * g->c;
            /* NOTE: branch-free, so it vectorizes (a data-dependent branch mispredicts half the time) */
            for (int64_t k = 0; k < g->c; k++) {
                const T v = x[off + k];
                const int gt = v > best[k];
                best[k] = gt ? v : best[k];
                at[k] = gt ? off + k : at[k];
            }
        }
    }
}

typedef T VT __attribute__((vector_size(32)));
typedef T VTU __attribute__((vector_size(32), aligned(sizeof(T))));
typedef TI VM __attribute__((vector_size(32)));   /* TI: the integer type of T's width */
#define LANES ((int64_t)(sizeof(VT) / sizeof(T)))

#define MAX_TAPS 64

/* The offsets in x of window (b, oh, ow)'s in-bounds taps, in row-major tap order; their count. */
static inline int window_taps(const G *g, int64_t b, int64_t oh, int64_t ow, int64_t *off) {
    int nt = 0;
    for (int64_t i = 0; i < g->kh; i++)
        for (int64_t j = 0; j < g->kw; j++) {
            const int64_t ih = IN_ROW(g, oh, i), iw = IN_COL(g, ow, j);
            if (ih >= 0 && ih < g->h && iw >= 0 && iw < g->w) off[nt++] = ((b * g->h + ih) * g->w + iw) * g->c;
        }
    return nt;
}

/* y[n, ho, wo, c] = max of each window; windows wholly in the padding give -inf. A vector of
   channels at a time (NumPy's NaN rule as a mask blend), the leftover channels one by one. */
void max_pool(const G *g, const T *restrict x, T *restrict y) {
    int64_t off[MAX_TAPS];
    const int64_t C = g->c;
    const int wide = g->kh * g->kw <= MAX_TAPS;
    for (int64_t r = 0; r < g->n * g->ho; r++) {
        const int64_t b = r / g->ho, oh = r % g->ho;
        for (int64_t ow = 0; ow < g->wo; ow++) {
            T *dst = y + (r * g->wo + ow) * C;
            int64_t k0 = 0;
            if (wide) {
                const int nt = window_taps(g, b, oh, ow, off);
                for (; k0 + LANES <= C; k0 += LANES) {
                    VT a = (VT){0} - (T)INFINITY;
                    for (int t = 0; t < nt; t++) {
                        const VT v = *(const VTU *)(x + off[t] + k0);
                        const VM take = (v > a) | (v != v);
                        a = (VT)(((VM)v & take) | ((VM)a & ~take));
                    }
                    *(VTU *)(dst + k0) = a;
                }
            }
            for (int64_t k = k0; k < C; k++) dst[k] = -INFINITY;
            if (k0 == C) continue;
            for (int64_t i = 0; i < g->kh; i++) {
                const int64_t ih = IN_ROW(g, oh, i);
                if (ih < 0 || ih >= g->h) continue;
                for (int64_t j = 0; j < g->kw; j++) {
                    const int64_t iw = IN_COL(g, ow, j);
                    if (iw < 0 || iw >= g->w) continue;
                    const T *src = x + ((b * g->h + ih) * g->w + iw) * C;
                    for (int64_t k = k0; k < C; k++) dst[k] = max_nan(dst[k], src[k]);
                }
            }
        }
    }
}

/* dx = dy routed to each window's first maximum (mode 0), or out = ddx read there (mode 1). */
static void max_pool_route(const G *g, const T *restrict x, const T *restrict in, T *restrict out,
                           int mode) {
    if (mode == 0) memset(out, 0, sizeof(T) * g->n * g->h * g->w * g->c);
    {
        T *best = malloc(sizeof(T) * g->c);
        int64_t *at = malloc(sizeof(int64_t) * g->c);
        for (int64_t b = 0; b < g->n; b++)
            for (int64_t oh = 0; oh < g->ho; oh++)
                for (int64_t ow = 0; ow < g->wo; ow++) {
                    const int64_t o = ((b * g->ho + oh) * g->wo + ow) * g->c;
                    argmax(g, x, b, oh, ow, best, at);
                    for (int64_t k = 0; k < g->c; k++) {
                        if (mode == 0) { if (at[k] >= 0) out[at[k]] += in[o + k]; }
                        else out[o + k] = at[k] >= 0 ? in[at[k]] : 0;
                    }
                }
        free(best);
        free(at);
    }
}

/* max_pool_grad when windows do not overlap (stride >= window, the usual 2x2/2): each input is in
   at most one window, so dx is written in one pass (no scatter), zeroed first only where windows
   leave inputs uncovered. Same first-maximum rule as argmax(), a vector of channels at a time.
   NOTE: explicit vectors and mask blends: GCC left the plain-C loops scalar (28x slower). */
/* One window (at most MAX_TAPS taps): its in-bounds taps' offsets once, then vectors of channels. */
static inline void pool_grad_window(const G *g, const T *restrict x, const T *restrict d, T *restrict dx,
                                    int64_t b, int64_t oh, int64_t ow, int relu) {
    const int64_t C = g->c;
    int64_t off[MAX_TAPS];
    const int nt = window_taps(g, b, oh, ow, off);
    if (!nt) return;
    int64_t k0 = 0;
    for (; k0 + LANES <= C; k0 += LANES) {
        VT best = *(const VTU *)(x + off[0] + k0);
        VM at = {0};
        for (int t = 1; t < nt; t++) {
            const VT v = *(const VTU *)(x + off[t] + k0);
            const VM gt = v > best;
            best = (VT)(((VM)v & gt) | ((VM)best & ~gt));
            at = (((VM){0} + t) & gt) | (at & ~gt);
        }
        const VM dv = (VM) * (const VTU *)(d + k0);
        if (!relu) {
            for (int t = 0; t < nt; t++) *(VTU *)(dx + off[t] + k0) = (VT)(dv & (at == (VM){0} + t));
            continue;
        }
        for (int t = 0; t < nt; t++) {   /* ReluGrad(dx, x) = dx * (x > 0), x being the pooled relu output */
            const VT xv = *(const VTU *)(x + off[t] + k0), one = (VT){0} + 1;
            *(VTU *)(dx + off[t] + k0) = (VT)(dv & (at == (VM){0} + t)) * (VT)((VM)one & (xv > (VT){0}));
        }
    }
    for (int64_t k = k0; k < C; k++) {        /* channels left over after whole vectors */
        T best = x[off[0] + k];
        int at = 0;
        for (int t = 1; t < nt; t++)
            if (x[off[t] + k] > best) { best = x[off[t] + k]; at = t; }
        for (int t = 0; t < nt; t++)
            dx[off[t] + k] = (t == at ? d[k] : (T)0) * (relu ? (T)(x[off[t] + k] > 0) : (T)1);
    }
}

static void max_pool_grad_disjoint(const G *g, const T *restrict x, const T *restrict dy, T *restrict dx,
                                   int relu) {
    if (!(g->pt == 0 && g->pl == 0 && g->sh == g->kh && g->sw == g->kw && g->ho * g->kh == g->h &&
          g->wo * g->kw == g->w))
        memset(dx, 0, sizeof(T) * g->n * g->h * g->w * g->c);
    for (int64_t r = 0; r < g->n * g->ho; r++)
        for (int64_t ow = 0; ow < g->wo; ow++)
            pool_grad_window(g, x, dy + (r * g->wo + ow) * g->c, dx, r / g->ho, r % g->ho, ow, relu);
}

void max_pool_grad(const G *g, const T *x, const T *dy, T *dx) {
    if (g->sh >= g->kh && g->sw >= g->kw && g->kh * g->kw <= MAX_TAPS) max_pool_grad_disjoint(g, x, dy, dx, 0);
    else max_pool_route(g, x, dy, dx, 0);
}

/* ReluGrad(MaxPoolGrad(x, y, dy), x) in one pass, for non-overlapping windows only (the caller checks):
   the backward of relu -> max_pool, x being the relu's output. */
void max_pool_grad_relu(const G *g, const T *x, const T *dy, T *dx) {
    max_pool_grad_disjoint(g, x, dy, dx, 1);
}

void max_pool_grad_grad(const G *g, const T *x, const T *ddx, T *out) {
    max_pool_route(g, x, ddx, out, 1);
}

static int64_t span(int64_t start, int64_t k, int64_t size) {
    const int64_t lo = start < 0 ? 0 : start, hi = start + k > size ? size : start + k;
    return hi - lo;
}

/* 1 / count where that is exact (count a power of two: a * inv is then a / count to the bit, and
   a vector product costs a fraction of a vector division), else 0: divide. */
static inline T exact_inverse(int64_t count) {
    return count > 0 && (count & (count - 1)) == 0 ? (T)1 / (T)count : (T)0;
}

/* The windows [*a, *z) of output row r whose taps all read the image (none when its rows do not,
   or C is not a whole number of vectors): their taps sit at fixed offsets from the window corner. */
static void interior(const G *g, int64_t r, int64_t *a, int64_t *z) {
    const int64_t oh = r % g->ho, reach = (g->kw - 1) * g->dw;
    *a = *z = 0;
    if (g->c % LANES || IN_ROW(g, oh, 0) < 0 || IN_ROW(g, oh, g->kh - 1) >= g->h || g->w - reach <= 0) return;
    *a = (g->pl + g->sw - 1) / g->sw;
    *z = (g->w - 1 - reach + g->pl) / g->sw + 1;                    /* IN_COL(ow, kw-1) < w */
    if (*z > g->wo) *z = g->wo;
    if (*a > *z) *a = *z;
}

/* Row r's interior windows [a, z) of avg_pool, two vectors of channels at a time: the same sums as below. */
static void avg_interior(const G *g, const T *restrict x, T *restrict y, int64_t r, int64_t a, int64_t z) {
    const int64_t C = g->c, taps = g->kh * g->kw, rs = g->dh * g->w * C, cs = g->dw * C;
    const T count = (T)taps, inv = exact_inverse(taps);
    const T *base = x + ((r / g->ho * g->h + IN_ROW(g, r % g->ho, 0)) * g->w) * C;
    for (int64_t ow = a; ow < z; ow++) {
        const T *p = base + IN_COL(g, ow, 0) * C;
        T *dst = y + (r * g->wo + ow) * C;
        int64_t k0 = 0;
        for (; k0 + 2 * LANES <= C; k0 += 2 * LANES) {
            VT s0 = (VT){0}, s1 = (VT){0};
            for (int64_t i = 0; i < g->kh; i++)
                for (int64_t j = 0; j < g->kw; j++) {
                    s0 += *(const VTU *)(p + i * rs + j * cs + k0);
                    s1 += *(const VTU *)(p + i * rs + j * cs + k0 + LANES);
                }
            *(VTU *)(dst + k0) = inv != 0 ? s0 * inv : s0 / count;
            *(VTU *)(dst + k0 + LANES) = inv != 0 ? s1 * inv : s1 / count;
        }
        for (; k0 < C; k0 += LANES) {
            VT s0 = (VT){0};
            for (int64_t i = 0; i < g->kh; i++)
                for (int64_t j = 0; j < g->kw; j++) s0 += *(const VTU *)(p + i * rs + j * cs + k0);
            *(VTU *)(dst + k0) = inv != 0 ? s0 * inv : s0 / count;
        }
    }
}

/* y = mean of the real (unpadded) inputs of each window: 0 + the taps in row-major order, / count. */
void avg_pool(const G *g, const T *restrict x, T *restrict y) {
    const int64_t C = g->c;
    int64_t off[MAX_TAPS];
    const int wide = g->kh * g->kw <= MAX_TAPS;
    for (int64_t r = 0; r < g->n * g->ho; r++) {
        int64_t a, z;
        interior(g, r, &a, &z);
        avg_interior(g, x, y, r, a, z);
        for (int64_t ow = 0; ow < g->wo; ow++) {
            if (ow == a && z > a) { ow = z - 1; continue; }
            const int64_t b = r / g->ho, oh = r % g->ho;
            const int64_t taps = span(oh * g->sh - g->pt, g->kh, g->h) * span(ow * g->sw - g->pl, g->kw, g->w);
            const T count = (T)taps, inv = exact_inverse(taps);
            T *dst = y + (r * g->wo + ow) * C;
            int64_t k0 = 0;
            if (wide) {   /* NOTE: explicit vectors: GCC left the plain loop below scalar */
                const int nt = window_taps(g, b, oh, ow, off);
                for (; k0 + LANES <= C; k0 += LANES) {
                    VT a = (VT){0};
                    for (int t = 0; t < nt; t++) a += *(const VTU *)(x + off[t] + k0);
                    *(VTU *)(dst + k0) = inv != 0 ? a * inv : a / count;
                }
            }
            for (int64_t k = k0; k < C; k++) dst[k] = 0;
            if (k0 == C) continue;
            for (int64_t i = 0; i < g->kh; i++) {
                const int64_t ih = IN_ROW(g, oh, i);
                if (ih < 0 || ih >= g->h) continue;
                for (int64_t j = 0; j < g->kw; j++) {
                    const int64_t iw = IN_COL(g, ow, j);
                    if (iw < 0 || iw >= g->w) continue;
                    const T *src = x + ((b * g->h + ih) * g->w + iw) * C;
                    for (int64_t k = k0; k < C; k++) dst[k] += src[k];
                }
            }
            for (int64_t k = k0; k < C; k++) dst[k] /= count;
        }
    }
}

/* Row r's interior windows [a, z) of avg_pool_grad: each share added (or, tiled, written) as below. */
static void avg_grad_interior(const G *g, const T *restrict dy, T *dx, int64_t r, int64_t a, int64_t z, int tiled) {
    const int64_t C = g->c, taps = g->kh * g->kw, rs = g->dh * g->w * C, cs = g->dw * C;
    const T count = (T)taps, inv = exact_inverse(taps);
    T *base = dx + ((r / g->ho * g->h + IN_ROW(g, r % g->ho, 0)) * g->w) * C;
    for (int64_t ow = a; ow < z; ow++) {
        T *p = base + IN_COL(g, ow, 0) * C;
        const T *src = dy + (r * g->wo + ow) * C;
        for (int64_t k0 = 0; k0 < C; k0 += LANES) {
            const VT d = *(const VTU *)(src + k0), share = inv != 0 ? d * inv : d / count;
            for (int64_t i = 0; i < g->kh; i++)
                for (int64_t j = 0; j < g->kw; j++) {
                    VTU *q = (VTU *)(p + i * rs + j * cs + k0);
                    *q = (tiled ? (VT){0} : *q) + share;
                }
        }
    }
}

/* dx = dy / count added to each real input of its window, windows in row-major order (as a
   zero-filled scatter-add; the division is done once per window, not once per tap). When the
   windows tile the input exactly (the usual 2x2/2) each input is written once: 0 + share, no memset. */
void avg_pool_grad(const G *g, const T *restrict dy, T *restrict dx) {
    const int64_t C = g->c;
    int64_t off[MAX_TAPS];
    const int tiled = g->pt == 0 && g->pl == 0 && g->sh == g->kh && g->sw == g->kw && g->ho * g->kh == g->h &&
                      g->wo * g->kw == g->w && g->kh * g->kw <= MAX_TAPS;
    if (!tiled) memset(dx, 0, sizeof(T) * g->n * g->h * g->w * C);
    for (int64_t r = 0; r < g->n * g->ho; r++) {
        int64_t a, z;
        interior(g, r, &a, &z);
        for (int64_t ow = 0; ow < g->wo; ow++) {
            if (ow == a && z > a) {   /* NOTE: in window order, so overlapping windows add in the same order */
                avg_grad_interior(g, dy, dx, r, a, z, tiled);
                ow = z - 1;
                continue;
            }
            const int64_t b = r / g->ho, oh = r % g->ho;
            const int64_t taps = span(oh * g->sh - g->pt, g->kh, g->h) * span(ow * g->sw - g->pl, g->kw, g->w);
            const T count = (T)taps, inv = exact_inverse(taps);
            const T *src = dy + (r * g->wo + ow) * C;
            if (g->kh * g->kw <= MAX_TAPS) {
                const int nt = window_taps(g, b, oh, ow, off);
                int64_t k0 = 0;
                for (; k0 + LANES <= C; k0 += LANES) {
                    const VT share = inv != 0 ? *(const VTU *)(src + k0) * inv : *(const VTU *)(src + k0) / count;
                    for (int t = 0; t < nt; t++) {
                        VTU *d = (VTU *)(dx + off[t] + k0);
                        *d = (tiled ? (VT){0} : *d) + share;
                    }
                }
                for (int64_t k = k0; k < C; k++) {
                    const T share = src[k] / count;
                    for (int t = 0; t < nt; t++) dx[off[t] + k] = (tiled ? (T)0 : dx[off[t] + k]) + share;
                }
                continue;
            }
            for (int64_t i = 0; i < g->kh; i++) {
                const int64_t ih = IN_ROW(g, oh, i);
                if (ih < 0 || ih >= g->h) continue;
                for (int64_t j = 0; j < g->kw; j++) {
                    const int64_t iw = IN_COL(g, ow, j);
                    if (iw < 0 || iw >= g->w) continue;
                    T *d = dx + ((b * g->h + ih) * g->w + iw) * C;
                    for (int64_t k = 0; k < C; k++) d[k] += src[k] / count;
                }
            }
        }
    }
}
