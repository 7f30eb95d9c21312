/* Direct float32 convolution kernels, NHWC (runtime/ops/conv_direct.py builds and loads this).

   No im2col matrix: each image is copied once into a zero-padded scratch buffer (a few tens of
   kilobytes, so it stays in cache), and register-blocked loops read the windows straight from it.
   Taps that fall in the padding are skipped, not multiplied by zero (a 5x5 SAME layer on 14x14
   reads 16% padding): output pixels are grouped by which filter rows and columns read the image,
   and each group walks only its taps, as spans contiguous in both the image and the filter.

     conv_fwd: y[p, o]  = sum over the group's taps of xpad[corner(p) + tap] * w[tap, o]
                          (R pixels x 16*OB channels in registers; + bias[o], then relu: an epilogue)
     conv_bpf: dw[k, o] += sum over the pixels that read real input at tap k of xpad[...] * dy[p, o]
                          (KB taps x 16*OB channels in registers)

   Output channels must be a multiple of 16 (one vector); the Python side checks. Vectors are GCC
   vector extensions of 16 floats: AVX-512 registers where the CPU has them, two AVX registers
   otherwise; 16 channels alone may run as two 8-float halves (`halves`, set per CPU). Each call is
   single-threaded and covers the images it is given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

typedef float T;
typedef T V __attribute__((vector_size(64)));
typedef T VU __attribute__((vector_size(64), aligned(4)));
typedef int32_t VI __attribute__((vector_size(64)));
#define VL 16
#define LD(p) (*(const VU *)(p))
#define ST(p, v) (*(VU *)(p) = (v))
typedef T H __attribute__((vector_size(32)));      /* half a vector: 8 floats */
typedef T HU __attribute__((vector_size(32), aligned(4)));
typedef int32_t HI __attribute__((vector_size(32)));
#define LDH(p) (*(const HU *)(p))
#define STH(p, v) (*(HU *)(p) = (v))

int halves = 0;   /* 16 channels as two halves (conv_direct.py sets it per CPU) */

/* Geometry; yrow, ypix, yimg: the output's row, pixel and image pitches in floats (0: contiguous
   [ho, wo, o] images; others let the phases of a strided input gradient write in place). */
typedef struct { int64_t n, h, w, c, ho, wo, o, pt, pl, hp, wp, sh, sw, dh, dw, kh, kw, yrow, ypix, yimg; } D;
/* A max pool over the convolution's output (the fused conv -> bias -> relu -> max_pool chain). */
typedef struct { int64_t kh, kw, sh, sw, pt, pl, ho, wo; } PG;

/* In conv_direct_pool.c (built as one unit with this file): the max pool of one image's output,
   and the workspace of a relu -> max pool pair for its backward pass. */
static void pool_image(const D *d, const PG *p, const T *restrict y, T *restrict out);
static void pool_codes(const D *d, const PG *p, const T *restrict y, uint8_t *restrict codes);
void pool_relu_grad(const D *d, const PG *p, const uint8_t *codes, const T *dp, T *dx, double *dbias);

/* xpad[hp, wp, c] = image b of x placed at (pt, pl), zeros around it (zeroed when fresh; every image
   fills the same interior, so the zeros stay for the next one). */
static void pad_image(const D *d, const T *restrict x, int64_t b, T *restrict xpad, int fresh) {
    const int64_t row = d->wp * d->c, img = d->h * d->w * d->c;
    if (fresh) memset(xpad, 0, sizeof(T) * d->hp * row);   /* NOTE: later images overwrite only the interior */
    for (int64_t ih = 0; ih < d->h; ih++) {
        const int64_t r = ih + d->pt;
        if (r < 0 || r >= d->hp) continue;
        int64_t iw0 = d->pl < 0 ? -d->pl : 0, iw1 = d->w;
        if (iw1 + d->pl > d->wp) iw1 = d->wp - d->pl;
        if (iw1 > iw0)
            memcpy(xpad + r * row + (iw0 + d->pl) * d->c, x + b * img + (ih * d->w + iw0) * d->c,
                   sizeof(T) * (iw1 - iw0) * d->c);
    }
}

/* The filter taps t in [t0, t1) whose input row (or column) o*s + t*dl of the padded image lies in
   the real image [pad, pad + size): the others read only padding zeros and are skipped. */
static void valid_taps(int64_t o, int64_t s, int64_t dl, int64_t k, int64_t pad, int64_t size,
                       int64_t *t0, int64_t *t1) {
    int64_t lo = pad - o * s, hi = pad + size - o * s;          /* need lo <= t*dl < hi */
    int64_t a = lo <= 0 ? 0 : (lo + dl - 1) / dl, b = hi <= 0 ? 0 : (hi + dl - 1) / dl;
    *t0 = a;
    *t1 = b > k ? k : b;
    if (*t1 <= *t0) *t0 = *t1 = 0;                              /* none: one empty range */
}

/* The number of runs of consecutive outputs (of n) with equal valid tap ranges along one axis. */
static int64_t runs(int64_t n, int64_t s, int64_t dl, int64_t k, int64_t pad, int64_t size) {
    int64_t count = 0, a0 = -1, b0 = -1;
    for (int64_t o = 0; o < n; o++) {
        int64_t a, b;
        valid_taps(o, s, dl, k, pad, size, &a, &b);
        if (a != a0 || b != b0) count++, a0 = a, b0 = b;
    }
    return count;
}

/* A rectangle of output pixels [r0, r1) x [c0, c1) that reads the same filter taps, as spans of
   taps contiguous both in the padded image and in the filter: (image offset, filter row, length). */
typedef struct { int64_t r0, r1, c0, c1, ns, sp0, i0, i1, j0, j1; } Grp;

/* The spans of group g's taps (rows [i0, i1), columns [j0, j1)) in filter columns [lo, hi): their number. */
static int64_t spans(const D *d, const Grp *g, int64_t lo, int64_t hi, int64_t *sp) {
    const int64_t j0 = g->j0 > lo ? g->j0 : lo, j1 = g->j1 < hi ? g->j1 : hi;
    int64_t ns = 0;
    if (j1 <= j0) return 0;
    for (int64_t i = g->i0; i < g->i1; i++)
        for (int64_t j = j0; j < j1; j += d->dw == 1 ? j1 - j0 : 1) {
            sp[3 * ns] = (i * d->dh * d->wp + j * d->dw) * d->c;
            sp[3 * ns + 1] = (i * d->kw + j) * d->c;
            sp[3 * ns + 2] = (d->dw == 1 ? j1 - j0 : 1) * d->c;
            ns++;
        }
    return ns;
}

/* Output rows with the same valid filter rows form a band; within a band, columns with the same
   valid filter columns form a group. A band too thin for such groups to fill the registers (the
   top and bottom rows) is one group over all columns, reading the union of their taps (the extra
   taps read zeros). Returns the number of groups (grp and sp sized for runs(rows) x runs(columns)
   groups), -1 on OOM. */
static int64_t groups(const D *d, int64_t rmax, Grp *grp, int64_t *sp) {
    int64_t ng = 0, ns = 0, *cj = malloc(sizeof(int64_t) * 2 * (d->wo + 1));
    if (!cj) return -1;
    int64_t thin = d->wo;                                     /* the narrowest run of equal columns */
    for (int64_t c = 0; c < d->wo; c++)
        valid_taps(c, d->sw, d->dw, d->kw, d->pl, d->w, &cj[2 * c], &cj[2 * c + 1]);
    for (int64_t c = 0, run = 1; c < d->wo; c++, run++)
        if (c + 1 == d->wo || cj[2 * c + 2] != cj[2 * c] || cj[2 * c + 3] != cj[2 * c + 1]) {
            if (run < thin) thin = run;
            run = 0;
        }
    for (int64_t r0 = 0, r1; r0 < d->ho; r0 = r1) {
        int64_t i0, i1, a, b;
        valid_taps(r0, d->sh, d->dh, d->kh, d->pt, d->h, &i0, &i1);
        for (r1 = r0 + 1; r1 < d->ho; r1++) {
            valid_taps(r1, d->sh, d->dh, d->kh, d->pt, d->h, &a, &b);
            if (a != i0 || b != i1) break;
        }
        const int whole = (r1 - r0) * thin < 4;
        for (int64_t c0 = 0, c1; c0 < d->wo; c0 = c1) {
            int64_t j0 = d->kw, j1 = 0;                        /* the union of non-empty ranges */
            for (c1 = c0; c1 < d->wo; c1++) {
                if (!whole && (cj[2 * c1] != cj[2 * c0] || cj[2 * c1 + 1] != cj[2 * c0 + 1])) break;
                if (cj[2 * c1] >= cj[2 * c1 + 1]) continue;
                if (cj[2 * c1] < j0) j0 = cj[2 * c1];
                if (cj[2 * c1 + 1] > j1) j1 = cj[2 * c1 + 1];
            }
            Grp *g = &grp[ng++];
            g->r0 = r0, g->r1 = r1, g->c0 = c0, g->c1 = c1, g->sp0 = ns;
            g->i0 = i0, g->i1 = i1, g->j0 = j0, g->j1 = j1;
            g->ns = spans(d, g, 0, d->kw, sp + 3 * ns);
            ns += g->ns;
        }
    }
    free(cj);
    return ng;
}

/* R output pixels (window corners px[r], outputs py[r]) x OB vectors of output channels, over the
   tap spans sp[0:ns], then vector v alone over its own spans esp[v][0:ens[v]] (the taps where the
   other vectors' filter is known zero: a strided input gradient's shorter phases). NOTE: four taps of a span per step, so each pixel's pointer is loaded once
   per 4 x OB FMAs (with one vector of channels, pointer loads otherwise limit it at ~75% of peak). */
#define FWDV(R, OB, VV, VLEN, LDV, STV, NAME)                                                                                  \
static void NAME##_##R##_##OB(const T *const *px, T *const *py, const int64_t *sp, int64_t ns,        \
                           const T *restrict w, int64_t O, const T *bias, int relu,                \
                           const int64_t *const *esp, const int64_t *ens) {                       \
    VV acc[R][OB];                                                                                   \
    _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                           \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] = (VV){0};                   \
    for (int64_t s = 0; s < ns; s++) {                                                              \
        const int64_t xo = sp[3 * s], len = sp[3 * s + 2];                                          \
        const T *ws = w + sp[3 * s + 1] * O;                                                        \
        int64_t t = 0;                                                                              \
        for (; t + 4 <= len; t += 4)                                                                \
            _Pragma("GCC unroll 4") for (int u = 0; u < 4; u++) {                                   \
                VV wv[OB];                                                                           \
                _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) wv[v] = LDV(ws + (t + u) * O + v * VLEN); \
                _Pragma("GCC unroll 32") for (int r = 0; r < R; r++) {                             \
                    const T x = px[r][xo + t + u];                                                  \
                    _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] += x * wv[v];   \
                }                                                                                   \
            }                                                                                       \
        for (; t < len; t++) {                                                                      \
            VV wv[OB];                                                                               \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) wv[v] = LDV(ws + t * O + v * VLEN); \
            _Pragma("GCC unroll 32") for (int r = 0; r < R; r++) {                                 \
                const T x = px[r][xo + t];                                                          \
                _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] += x * wv[v];       \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
    _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++)                                           \
        for (int64_t s = 0; s < ens[v]; s++) {                                                      \
            const int64_t xo = esp[v][3 * s], len = esp[v][3 * s + 2];                              \
            const T *ws = w + esp[v][3 * s + 1] * O + v * VLEN;                                     \
            int64_t t = 0;                                                                          \
            for (; t + 4 <= len; t += 4) {       /* NOTE: 4 taps a step, as above */                 \
                VV wv[4];                                                                            \
                _Pragma("GCC unroll 4") for (int u = 0; u < 4; u++) wv[u] = LDV(ws + (t + u) * O);  \
                _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                               \
                    _Pragma("GCC unroll 4") for (int u = 0; u < 4; u++) acc[r][v] += px[r][xo + t + u] * wv[u]; \
            }                                                                                       \
            for (; t < len; t++) {                                                                  \
                const VV wv = LDV(ws + t * O);                                                      \
                _Pragma("GCC unroll 32") for (int r = 0; r < R; r++) acc[r][v] += px[r][xo + t] * wv; \
            }                                                                                       \
        }                                                                                           \
    if (bias) {                                                                                     \
        VV bv[OB];                                                                                   \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) bv[v] = LDV(bias + v * VLEN);            \
        _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                       \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] += bv[v];               \
    }                                                                                               \
    if (relu)   /* NOTE: x < 0 -> 0 by mask, so NaN stays NaN as in max(x, 0) */                   \
        _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                       \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++)                                   \
                acc[r][v] = (VV)((VV##I)acc[r][v] & ~(acc[r][v] < (VV){0}));                            \
    _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                           \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) STV(py[r] + v * VLEN, acc[r][v]);       \
}

#define FWD(R, OB) FWDV(R, OB, V, VL, LD, ST, fwd)
#define FWDH(R) FWDV(R, 2, H, 8, LDH, STH, fwdh)
typedef void (*fwd_fn)(const T *const *, T *const *, const int64_t *, int64_t, const T *, int64_t, const T *, int,
                       const int64_t *const *, const int64_t *);
#define RMAX2 12
#define RMAX1 24
FWD(1, 2) FWD(2, 2) FWD(3, 2) FWD(4, 2) FWD(5, 2) FWD(6, 2) FWD(7, 2) FWD(8, 2) FWD(9, 2) FWD(10, 2)
FWD(11, 2) FWD(12, 2)
FWD(1, 1) FWD(2, 1) FWD(3, 1) FWD(4, 1) FWD(5, 1) FWD(6, 1) FWD(7, 1) FWD(8, 1) FWD(9, 1) FWD(10, 1)
FWD(11, 1) FWD(12, 1) FWD(13, 1) FWD(14, 1) FWD(15, 1) FWD(16, 1) FWD(17, 1) FWD(18, 1) FWD(19, 1)
FWD(20, 1) FWD(21, 1) FWD(22, 1) FWD(23, 1) FWD(24, 1)
FWDH(1) FWDH(2) FWDH(3) FWDH(4) FWDH(5) FWDH(6) FWDH(7) FWDH(8) FWDH(9) FWDH(10) FWDH(11) FWDH(12)
static const fwd_fn FWDH2[RMAX2 + 1] = {0, fwdh_1_2, fwdh_2_2, fwdh_3_2, fwdh_4_2, fwdh_5_2, fwdh_6_2, fwdh_7_2,
                                        fwdh_8_2, fwdh_9_2, fwdh_10_2, fwdh_11_2, fwdh_12_2};
static const fwd_fn FWD2[RMAX2 + 1] = {0, fwd_1_2, fwd_2_2, fwd_3_2, fwd_4_2, fwd_5_2, fwd_6_2, fwd_7_2,
                                       fwd_8_2, fwd_9_2, fwd_10_2, fwd_11_2, fwd_12_2};
static const fwd_fn FWD1[RMAX1 + 1] = {0, fwd_1_1, fwd_2_1, fwd_3_1, fwd_4_1, fwd_5_1, fwd_6_1, fwd_7_1,
                                       fwd_8_1, fwd_9_1, fwd_10_1, fwd_11_1, fwd_12_1, fwd_13_1, fwd_14_1,
                                       fwd_15_1, fwd_16_1, fwd_17_1, fwd_18_1, fwd_19_1, fwd_20_1,
                                       fwd_21_1, fwd_22_1, fwd_23_1, fwd_24_1};

/* One group's pixels in row-major order, in near-equal blocks of at most rmax. */
static void fwd_group(const D *d, const Grp *g, const int64_t *sp, int64_t ns, const int64_t *const *esp,
                      const int64_t *ens, const T *xpad, T *yb, const T *w, const T *bias, int relu, int64_t o0,
                      int ob, int rmax) {
    const int64_t cols = g->c1 - g->c0, n = (g->r1 - g->r0) * cols, O = d->o;
    const int64_t nb = (n + rmax - 1) / rmax;
    const T *px[RMAX1];
    T *py[RMAX1];
    const int64_t xrow = d->sh * d->wp * d->c, xpix = d->sw * d->c;
    const int64_t yrow = d->yrow ? d->yrow : d->wo * O, ypix = d->ypix ? d->ypix : O;
    int64_t oh = g->r0, ow = g->c0;                           /* the next pixel, in row-major order */
    for (int64_t q = 0, blk = 0; q < n; blk++) {
        const int r = (int)((n * (blk + 1)) / nb - q);
        for (int k = 0; k < r; k++) {
            px[k] = xpad + oh * xrow + ow * xpix;
            py[k] = yb + oh * yrow + ow * ypix + o0;
            if (++ow == g->c1) ow = g->c0, oh++;
        }
        (ob == 2 ? FWD2 : ob ? FWD1 : FWDH2)[r](px, py, sp, ns, w + o0, O, bias ? bias + o0 : NULL, relu, esp, ens);
        q += r;
    }
}

/* y[n, ho, wo, o] for the d->n images of x, plus bias[o] when given, then max(., 0) when relu
   (Conv2D -> BiasAdd -> Relu in one pass, as TensorFlow's fused conv), and max-pooled into `pooled`
   image by image while the image is in cache when `pool` is given; with `codes`, y is not written
   (each image goes through a scratch buffer) and the pool's workspace is: 0, or -1 when out of memory.
   With `live` ([lo, hi) per vector of 16 output channels), filter columns outside a vector's range
   are zero for it and are never multiplied (not even by an inf or NaN input). */
int conv_fwd(const D *d, const T *x, const T *w, const T *bias, int relu, const PG *pool, T *pooled,
             uint8_t *codes, const int64_t *live, T *y) {
    const int64_t P = d->ho * d->wo, O = d->o;
    T *scratch = codes ? malloc(sizeof(T) * P * O) : NULL;   /* one image's y: the caller keeps codes */
    if (codes && !scratch) return -1;
    T *xpad = malloc(sizeof(T) * (d->hp * d->wp * d->c + VL));
    /* NOTE: at most one group per (run of rows, run of columns) with equal valid taps: a few dozen */
    const int64_t ng = runs(d->ho, d->sh, d->dh, d->kh, d->pt, d->h) * runs(d->wo, d->sw, d->dw, d->kw, d->pl, d->w);
    Grp *g1 = malloc(sizeof(Grp) * ng), *g2 = malloc(sizeof(Grp) * ng);
    int64_t *s1 = malloc(sizeof(int64_t) * 3 * d->kh * d->kw * ng), *s2 = malloc(sizeof(int64_t) * 3 * d->kh * d->kw * ng);
    const int64_t n1 = (xpad && g1 && s1) ? groups(d, RMAX1, g1, s1) : -1;
    const int64_t n2 = (g2 && s2 && n1 >= 0) ? groups(d, RMAX2, g2, s2) : -1;
    int64_t *ls = live ? malloc(sizeof(int64_t) * 15 * d->kh * d->kw) : NULL;   /* a group's spans: all, 2 x own */
    if (n2 < 0 || (live && !ls)) { free(xpad); free(g1); free(g2); free(s1); free(s2); free(scratch); free(ls); return -1; }
    for (int64_t b = 0; b < d->n; b++) {
        pad_image(d, x, b, xpad, b == 0);
        T *yb = codes ? scratch : y + b * (d->yimg ? d->yimg : P * O);
        for (int64_t o0 = 0; o0 < O; o0 += VL) {
            const int ob = (O - o0) >= 2 * VL ? 2 : halves ? 0 : 1, wide = ob != 1;
            const Grp *g = wide ? g2 : g1;
            const int64_t *sp = wide ? s2 : s1, ng = wide ? n2 : n1, nv = ob == 2 ? 2 : 1, K = d->kh * d->kw;
            const int64_t *lv = live ? live + 2 * (o0 / VL) : NULL;
            int64_t lo = 0, hi = d->kw, ens[2] = {0, 0}, *esp[2] = {ls, ls};
            for (int64_t q = 0; live && q < nv; q++) {              /* the columns every vector reads */
                lo = lv[2 * q] > lo ? lv[2 * q] : lo, hi = lv[2 * q + 1] < hi ? lv[2 * q + 1] : hi;
                esp[q] = ls + (3 + 6 * q) * K;
            }
            for (int64_t k = 0; k < ng; k++) {
                if (!live) {
                    fwd_group(d, &g[k], sp + 3 * g[k].sp0, g[k].ns, (const int64_t *const *)esp, ens, xpad, yb, w,
                              bias, relu, o0, ob, wide ? RMAX2 : RMAX1);
                    continue;
                }
                const int64_t ns = spans(d, &g[k], lo, hi, ls);
                for (int64_t q = 0; q < nv; q++) {                  /* and each vector's own columns */
                    const int64_t a = lv[2 * q], z = lv[2 * q + 1];
                    ens[q] = spans(d, &g[k], a, lo < z ? lo : z, esp[q]);
                    ens[q] += spans(d, &g[k], hi > a ? hi : a, z, esp[q] + 3 * ens[q]);
                }
                fwd_group(d, &g[k], ls, ns, (const int64_t *const *)esp, ens, xpad, yb, w, bias, relu, o0, ob,
                          wide ? RMAX2 : RMAX1);
            }
            if (ob == 2) o0 += VL;
        }
        if (pool) pool_image(d, pool, yb, pooled + b * pool->ho * pool->wo * O);
        if (codes) pool_codes(d, pool, yb, codes + b * pool->ho * pool->wo * O);
    }
    free(xpad); free(g1); free(g2); free(s1); free(s2); free(scratch); free(ls);
    return 0;
}
