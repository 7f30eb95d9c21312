/* The filter backprop (conv_bpf) of conv_direct.c, appended to it by conv_direct.py like
   conv_direct_pool.c: one compilation unit, so its types, vectors and geometry structs are in scope. */

/* KB consecutive taps (offsets off0 + t) x OB vectors of output channels, summed over the output
   pixels [oh0, oh1) x [ow0, ow1) of one image (the others read only padding for these taps); added
   into dw (rows of O). */
#define BPFV(KB, OB, VV, VLEN, LDV, STV, NAME)                                                      \
static void NAME##_##KB##_##OB(const D *d, const T *restrict xpad, int64_t off0, const T *restrict dy, \
                               const int64_t *box, T *restrict dw) {                               \
    const int64_t O = d->o;                                                                         \
    VV acc[KB][OB];                                                                                 \
    _Pragma("GCC unroll 32") for (int t = 0; t < KB; t++)                                          \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[t][v] = (VV){0};                  \
    for (int64_t oh = box[0]; oh < box[1]; oh++)                                                    \
        for (int64_t ow = box[2]; ow < box[3]; ow++) {                                              \
            const T *src = xpad + (oh * d->sh * d->wp + ow * d->sw) * d->c + off0;                  \
            const T *g0 = dy + (oh * d->wo + ow) * O;                                               \
            VV g[OB];                                                                               \
            _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) g[v] = LDV(g0 + v * VLEN);         \
            _Pragma("GCC unroll 32") for (int t = 0; t < KB; t++) {                                \
                const T s = src[t];                                                                 \
                _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++) acc[t][v] += s * g[v];        \
            }                                                                                       \
        }                                                                                           \
    _Pragma("GCC unroll 32") for (int t = 0; t < KB; t++)                                          \
        _Pragma("GCC unroll 4") for (int v = 0; v < OB; v++)                                       \
            STV(dw + t * O + v * VLEN, LDV(dw + t * O + v * VLEN) + acc[t][v]);                     \
}
#define BPF(KB, OB) BPFV(KB, OB, V, VL, LD, ST, bpf)
#define BPFH(KB) BPFV(KB, 2, H, 8, LDH, STH, bpfh)

typedef void (*bpf_fn)(const D *, const T *, int64_t, const T *, const int64_t *, T *);
#define KMAX2 8
#define KMAX1 16
BPF(1, 2) BPF(2, 2) BPF(3, 2) BPF(4, 2) BPF(5, 2) BPF(6, 2) BPF(7, 2) BPF(8, 2)
BPF(1, 1) BPF(2, 1) BPF(3, 1) BPF(4, 1) BPF(5, 1) BPF(6, 1) BPF(7, 1) BPF(8, 1) BPF(9, 1) BPF(10, 1)
BPF(11, 1) BPF(12, 1) BPF(13, 1) BPF(14, 1) BPF(15, 1) BPF(16, 1)
BPFH(1) BPFH(2) BPFH(3) BPFH(4) BPFH(5) BPFH(6) BPFH(7) BPFH(8)
static const bpf_fn BPF2[KMAX2 + 1] = {0, bpf_1_2, bpf_2_2, bpf_3_2, bpf_4_2, bpf_5_2, bpf_6_2, bpf_7_2,
                                       bpf_8_2};
static const bpf_fn BPFH2[KMAX2 + 1] = {0, bpfh_1_2, bpfh_2_2, bpfh_3_2, bpfh_4_2, bpfh_5_2, bpfh_6_2,
                                        bpfh_7_2, bpfh_8_2};
static const bpf_fn BPF1[KMAX1 + 1] = {0, bpf_1_1, bpf_2_1, bpf_3_1, bpf_4_1, bpf_5_1, bpf_6_1, bpf_7_1,
                                       bpf_8_1, bpf_9_1, bpf_10_1, bpf_11_1, bpf_12_1, bpf_13_1, bpf_14_1,
                                       bpf_15_1, bpf_16_1};

/* The output pixels [lo, hi) along one axis whose input o*s + t*dl (padded) lies in the image. */
static void valid_outputs(int64_t t, int64_t s, int64_t dl, int64_t n, int64_t pad, int64_t size,
                          int64_t *lo, int64_t *hi) {
    const int64_t a = pad - t * dl, b = pad + size - t * dl;   /* need a <= o*s < b */
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = b <= 0 ? 0 : (b + s - 1) / s;
    if (*hi > n) *hi = n;
    if (*lo > *hi) *lo = *hi;
}

/* dw[kh, kw, c, o] = sum over the d->n images of x and dy; returns 0, or -1 when out of memory.
   With `codes` (a relu -> max pool workspace over the convolution's output), dy is the pooled
   gradient and each image's dy is ReluGrad(MaxPoolGrad(.)) of it, made in a scratch buffer (and its
   bias gradient added into dbias) just before use: the layer gradient is never stored.
   NOTE: taps are blocked along one filter row, where consecutive (j, c) are consecutive in memory
   when dw == 1 (else one channel run at a time), so a block's inputs are one pointer + constants. */
int conv_bpf(const D *d, const T *x, const T *dy, T *dw, const PG *pool, const uint8_t *codes, double *dbias) {
    const int64_t P = d->ho * d->wo, O = d->o, C = d->c;
    const int64_t run = d->dw == 1 ? d->kw * C : C;          /* taps contiguous in xpad */
    T *xpad = malloc(sizeof(T) * (d->hp * d->wp * C + VL));
    T *scratch = codes ? malloc(sizeof(T) * P * O) : NULL;
    if (!xpad || (codes && !scratch)) { free(xpad); free(scratch); return -1; }
    D one = *d;                                                /* one image of the relu output */
    one.n = 1, one.h = one.hp = d->ho, one.w = one.wp = d->wo, one.c = O;
    memset(dw, 0, sizeof(T) * d->kh * d->kw * C * O);
    for (int64_t b = 0; b < d->n; b++) {
        pad_image(d, x, b, xpad, b == 0);
        const T *dyb = dy + b * P * O;
        if (codes) {   /* dy is the pooled gradient: this image's layer gradient, made in cache */
            const int64_t q = b * pool->ho * pool->wo * O;
            pool_relu_grad(&one, pool, codes + q, dy + q, scratch, dbias);
            dyb = scratch;
        }
        for (int64_t i = 0; i < d->kh; i++)
            for (int64_t j = 0; j < d->kw; j += run / C) {
                const int64_t k0 = (i * d->kw + j) * C, base = (i * d->dh * d->wp + j * d->dw) * C;
                int64_t box[4], lo, hi;
                valid_outputs(i, d->sh, d->dh, d->ho, d->pt, d->h, &box[0], &box[1]);
                for (int64_t o0 = 0; o0 < O; o0 += VL) {
                    const int ob = (O - o0) >= 2 * VL ? 2 : halves ? 0 : 1, kmax = ob == 1 ? KMAX1 : KMAX2;
                    for (int64_t t = 0; t < run; t += kmax) {
                        const int kb = (int)(run - t < kmax ? run - t : kmax);
                        /* the block's filter columns j + t/C .. j + (t+kb-1)/C: the union of their pixels */
                        valid_outputs(j + (t + kb - 1) / C, d->sw, d->dw, d->wo, d->pl, d->w, &box[2], &hi);
                        valid_outputs(j + t / C, d->sw, d->dw, d->wo, d->pl, d->w, &lo, &box[3]);
                        (ob == 2 ? BPF2 : ob ? BPF1 : BPFH2)[kb](d, xpad, base + t, dyb + o0, box, dw + (k0 + t) * O + o0);
                    }
                    if (ob == 2) o0 += VL;
                }
            }
    }
    free(xpad);
    free(scratch);
    return 0;
}
