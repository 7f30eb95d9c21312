/* Direct float32 convolution kernels, NHWC (runtime/ops/conv_direct.py builds and loads this).

   No im2col matrix: each image is copied once into a zero-padded scratch buffer (a few tens of
   kilobytes, so it stays in cache), and register-blocked loops read the windows straight from it.
   Filter offsets: tap k = (i, j, c) of the [kh, kw, C] window sits at off[k] = (i*dh*Wp + j*dw)*C + c
   from the window's corner, so strides and dilations cost nothing in the inner loops.

     conv_fwd: y[p, o]  = sum_k xpad[corner(p) + off[k]] * w[k, o]   (R pixels x 16*OB channels in registers)
                          (+ bias[o], then relu: an epilogue on the registers)
     conv_bpf: dw[k, o] += sum_p xpad[corner(p) + off[k]] * dy[p, o]  (KB taps x 16*OB channels in registers)

   Output channels must be a multiple of 16 (one vector); the Python side checks. Vectors are GCC
   vector extensions of 16 floats: AVX-512 registers where the CPU has them, two AVX registers
   otherwise. Each call is single-threaded and covers the images it is given. */
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

typedef struct { int64_t n, h, w, c, ho, wo, o, pt, pl, hp, wp, sh, sw, dh, dw, kh, kw; } D;
/* A max pool over the convolution's output (the fused conv -> bias -> relu -> max_pool chain). */
typedef struct { int64_t kh, kw, sh, sw, pt, pl, ho, wo; } PG;

/* out[pho, pwo, o] = max over each window of y[ho, wo, o] (one image, still in cache); NumPy's NaN
   rule (a NaN wins) as a mask blend; windows wholly in the padding give -inf. */
static void pool_image(const D *d, const PG *p, const T *restrict y, T *restrict out) {
    const int64_t O = d->o;
    for (int64_t ph = 0; ph < p->ho; ph++)
        for (int64_t pw = 0; pw < p->wo; pw++)
            for (int64_t o0 = 0; o0 < O; o0 += VL) {
                V a = (V){0} - (T)INFINITY;
                for (int64_t i = 0; i < p->kh; i++) {
                    const int64_t ih = ph * p->sh - p->pt + i;
                    if (ih < 0 || ih >= d->ho) continue;
                    for (int64_t j = 0; j < p->kw; j++) {
                        const int64_t iw = pw * p->sw - p->pl + j;
                        if (iw < 0 || iw >= d->wo) continue;
                        const V v = LD(y + (ih * d->wo + iw) * O + o0);
                        const VI take = (v > a) | (v != v);
                        a = (V)(((VI)v & take) | ((VI)a & ~take));
                    }
                }
                ST(out + (ph * p->wo + pw) * O + o0, a);
            }
}

/* xpad[hp, wp, c] = image b of x placed at (pt, pl), zeros around it. */
static void pad_image(const D *d, const T *restrict x, int64_t b, T *restrict xpad) {
    const int64_t row = d->wp * d->c, img = d->h * d->w * d->c;
    memset(xpad, 0, sizeof(T) * d->hp * row);
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

static int64_t *offsets(const D *d) {
    int64_t *off = malloc(sizeof(int64_t) * d->kh * d->kw * d->c), k = 0;
    if (!off) return NULL;
    for (int64_t i = 0; i < d->kh; i++)
        for (int64_t j = 0; j < d->kw; j++)
            for (int64_t c = 0; c < d->c; c++) off[k++] = (i * d->dh * d->wp + j * d->dw) * d->c + c;
    return off;
}

/* R output pixels (window corners px[r]) x OB vectors of output channels, over all K taps. */
#define FWD(R, OB)                                                                                  \
static void fwd_##R##_##OB(const T *const *px, const T *restrict w, const int64_t *restrict off,  \
                           int64_t K, int64_t O, const T *bias, int relu, T *restrict y) {         \
    V acc[R][OB];                                                                                   \
    _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                           \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] = (V){0};                   \
    for (int64_t k = 0; k < K; k++) {                                                               \
        V wv[OB];                                                                                   \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) wv[v] = LD(w + k * O + v * VL);       \
        const int64_t o = off[k];                                                                   \
        _Pragma("GCC unroll 32") for (int r = 0; r < R; r++) {                                     \
            const T s = px[r][o];                                                                   \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] += s * wv[v];           \
        }                                                                                           \
    }                                                                                               \
    if (bias) {                                                                                     \
        V bv[OB];                                                                                   \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) bv[v] = LD(bias + v * VL);            \
        _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                       \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[r][v] += bv[v];               \
    }                                                                                               \
    if (relu)   /* NOTE: x < 0 -> 0 by mask, so NaN stays NaN as in max(x, 0) */                   \
        _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                       \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++)                                   \
                acc[r][v] = (V)((VI)acc[r][v] & ~(acc[r][v] < (V){0}));                            \
    _Pragma("GCC unroll 32") for (int r = 0; r < R; r++)                                           \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) ST(y + r * O + v * VL, acc[r][v]);   \
}

typedef void (*fwd_fn)(const T *const *, const T *, const int64_t *, int64_t, int64_t, const T *, int, T *);
#define RMAX2 12
#define RMAX1 24
FWD(1, 2) FWD(2, 2) FWD(3, 2) FWD(4, 2) FWD(5, 2) FWD(6, 2) FWD(7, 2) FWD(8, 2) FWD(9, 2) FWD(10, 2)
FWD(11, 2) FWD(12, 2)
FWD(1, 1) FWD(2, 1) FWD(3, 1) FWD(4, 1) FWD(5, 1) FWD(6, 1) FWD(7, 1) FWD(8, 1) FWD(9, 1) FWD(10, 1)
FWD(11, 1) FWD(12, 1) FWD(13, 1) FWD(14, 1) FWD(15, 1) FWD(16, 1) FWD(17, 1) FWD(18, 1) FWD(19, 1)
FWD(20, 1) FWD(21, 1) FWD(22, 1) FWD(23, 1) FWD(24, 1)
static const fwd_fn FWD2[RMAX2 + 1] = {0, fwd_1_2, fwd_2_2, fwd_3_2, fwd_4_2, fwd_5_2, fwd_6_2, fwd_7_2,
                                       fwd_8_2, fwd_9_2, fwd_10_2, fwd_11_2, fwd_12_2};
static const fwd_fn FWD1[RMAX1 + 1] = {0, fwd_1_1, fwd_2_1, fwd_3_1, fwd_4_1, fwd_5_1, fwd_6_1, fwd_7_1,
                                       fwd_8_1, fwd_9_1, fwd_10_1, fwd_11_1, fwd_12_1, fwd_13_1, fwd_14_1,
                                       fwd_15_1, fwd_16_1, fwd_17_1, fwd_18_1, fwd_19_1, fwd_20_1,
                                       fwd_21_1, fwd_22_1, fwd_23_1, fwd_24_1};

/* y[n, ho, wo, o] for the d->n images of x, plus bias[o] when given, then max(., 0) when relu
   (Conv2D -> BiasAdd -> Relu in one pass, as TensorFlow's fused conv), and max-pooled into `pooled`
   image by image while the image is in cache when `pool` is given; 0, or -1 when out of memory. */
int conv_fwd(const D *d, const T *x, const T *w, const T *bias, int relu, const PG *pool, T *pooled, T *y) {
    const int64_t K = d->kh * d->kw * d->c, P = d->ho * d->wo, O = d->o;
    T *xpad = malloc(sizeof(T) * (d->hp * d->wp * d->c + VL));
    int64_t *off = offsets(d);
    const T *px[RMAX1];
    if (!xpad || !off) { free(xpad); free(off); return -1; }
    for (int64_t b = 0; b < d->n; b++) {
        pad_image(d, x, b, xpad);
        T *yb = y + b * P * O;
        for (int64_t o0 = 0; o0 < O; o0 += VL) {
            const int ob = (O - o0) >= 2 * VL ? 2 : 1, rmax = ob == 2 ? RMAX2 : RMAX1;
            for (int64_t p = 0; p < P; p += rmax) {
                const int r = (int)(P - p < rmax ? P - p : rmax);
                for (int q = 0; q < r; q++) {
                    const int64_t oh = (p + q) / d->wo, ow = (p + q) % d->wo;
                    px[q] = xpad + (oh * d->sh * d->wp + ow * d->sw) * d->c;
                }
                (ob == 2 ? FWD2 : FWD1)[r](px, w + o0, off, K, O, bias ? bias + o0 : NULL, relu, yb + p * O + o0);
            }
            if (ob == 2) o0 += VL;
        }
        if (pool) pool_image(d, pool, yb, pooled + b * pool->ho * pool->wo * O);
    }
    free(xpad);
    free(off);
    return 0;
}

/* KB consecutive taps (offsets off0 + t) x OB vectors of output channels, summed over the P pixels
   of one image; added into dw (rows of O). */
#define BPF(KB, OB)                                                                                 \
static void bpf_##KB##_##OB(const D *d, const T *restrict xpad, int64_t off0, const T *restrict dy, \
                            int64_t P, T *restrict dw) {                                           \
    const int64_t O = d->o;                                                                         \
    V acc[KB][OB];                                                                                  \
    _Pragma("GCC unroll 32") for (int t = 0; t < KB; t++)                                          \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[t][v] = (V){0};                   \
    for (int64_t p = 0, oh = 0, ow = 0; p < P; p++) {                                               \
        const T *src = xpad + (oh * d->sh * d->wp + ow * d->sw) * d->c + off0;                      \
        V g[OB];                                                                                    \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) g[v] = LD(dy + p * O + v * VL);       \
        _Pragma("GCC unroll 32") for (int t = 0; t < KB; t++) {                                    \
            const T s = src[t];                                                                     \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[t][v] += s * g[v];            \
        }                                                                                           \
        if (++ow == d->wo) { ow = 0; oh++; }                                                        \
    }                                                                                               \
    _Pragma("GCC unroll 32") for (int t = 0; t < KB; t++)                                          \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++)                                       \
            ST(dw + t * O + v * VL, LD(dw + t * O + v * VL) + acc[t][v]);                           \
}

typedef void (*bpf_fn)(const D *, const T *, int64_t, const T *, int64_t, T *);
#define KMAX2 8
#define KMAX1 16
BPF(1, 2) BPF(2, 2) BPF(3, 2) BPF(4, 2) BPF(5, 2) BPF(6, 2) BPF(7, 2) BPF(8, 2)
BPF(1, 1) BPF(2, 1) BPF(3, 1) BPF(4, 1) BPF(5, 1) BPF(6, 1) BPF(7, 1) BPF(8, 1) BPF(9, 1) BPF(10, 1)
BPF(11, 1) BPF(12, 1) BPF(13, 1) BPF(14, 1) BPF(15, 1) BPF(16, 1)
static const bpf_fn BPF2[KMAX2 + 1] = {0, bpf_1_2, bpf_2_2, bpf_3_2, bpf_4_2, bpf_5_2, bpf_6_2, bpf_7_2,
                                       bpf_8_2};
static const bpf_fn BPF1[KMAX1 + 1] = {0, bpf_1_1, bpf_2_1, bpf_3_1, bpf_4_1, bpf_5_1, bpf_6_1, bpf_7_1,
                                       bpf_8_1, bpf_9_1, bpf_10_1, bpf_11_1, bpf_12_1, bpf_13_1, bpf_14_1,
                                       bpf_15_1, bpf_16_1};

/* dw[kh, kw, c, o] = sum over the d->n images of x and dy; returns 0, or -1 when out of memory.
   NOTE: taps are blocked along one filter row, where consecutive (j, c) are consecutive in memory
   when dw == 1 (else one channel run at a time), so a block's inputs are one pointer + constants. */
int conv_bpf(const D *d, const T *x, const T *dy, T *dw) {
    const int64_t P = d->ho * d->wo, O = d->o, C = d->c;
    const int64_t run = d->dw == 1 ? d->kw * C : C;          /* taps contiguous in xpad */
    T *xpad = malloc(sizeof(T) * (d->hp * d->wp * C + VL));
    if (!xpad) return -1;
    memset(dw, 0, sizeof(T) * d->kh * d->kw * C * O);
    for (int64_t b = 0; b < d->n; b++) {
        pad_image(d, x, b, xpad);
        const T *dyb = dy + b * P * O;
        for (int64_t i = 0; i < d->kh; i++)
            for (int64_t j = 0; j < d->kw; j += run / C) {
                const int64_t k0 = (i * d->kw + j) * C, base = (i * d->dh * d->wp + j * d->dw) * C;
                for (int64_t o0 = 0; o0 < O; o0 += VL) {
                    const int ob = (O - o0) >= 2 * VL ? 2 : 1, kmax = ob == 2 ? KMAX2 : KMAX1;
                    for (int64_t t = 0; t < run; t += kmax) {
                        const int kb = (int)(run - t < kmax ? run - t : kmax);
                        (ob == 2 ? BPF2 : BPF1)[kb](d, xpad, base + t, dyb + o0, P, dw + (k0 + t) * O + o0);
                    }
                    if (ob == 2) o0 += VL;
                }
            }
    }
    free(xpad);
    return 0;
}
