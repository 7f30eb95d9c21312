/* The max pools fused into conv_direct.c's forward pass (appended to it by conv_direct.py, so one
   compilation unit: its types, vectors and geometry structs are in scope here). */

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

/* The workspace of a relu -> max pool pair with disjoint windows, one byte per pooled value and
   channel: the window tap MaxPoolGrad routes the gradient to (its first maximum, strict >, over
   the in-bounds taps in row-major order), plus 64 when the relu output there is > 0 (ReluGrad's
   mask). With it the backward pass needs neither the relu output nor a second look at it. */
#define WS_POS 64
typedef uint8_t VB __attribute__((vector_size(16)));
typedef uint8_t VBU __attribute__((vector_size(16), aligned(1)));

/* The in-bounds taps of pooling window (ph, pw) over a [hh, ww] image: their row-major index in the
   window (tap[]) and their offset in pixels (off[]); returns their count. */
static int window(const PG *p, int64_t hh, int64_t ww, int64_t ph, int64_t pw, int *tap, int64_t *off) {
    int n = 0;
    for (int64_t i = 0; i < p->kh; i++)
        for (int64_t j = 0; j < p->kw; j++) {
            const int64_t ih = ph * p->sh - p->pt + i, iw = pw * p->sw - p->pl + j;
            if (ih < 0 || ih >= hh || iw < 0 || iw >= ww) continue;
            tap[n] = (int)(i * p->kw + j), off[n++] = ih * ww + iw;
        }
    return n;
}

static void pool_codes(const D *d, const PG *p, const T *restrict y, uint8_t *restrict codes) {
    const int64_t O = d->o;
    int tap[WS_POS];
    int64_t off[WS_POS];
    for (int64_t ph = 0; ph < p->ho; ph++)
        for (int64_t pw = 0; pw < p->wo; pw++) {
            const int n = window(p, d->ho, d->wo, ph, pw, tap, off);
            uint8_t *cb = codes + (ph * p->wo + pw) * O;
            for (int64_t o = 0; o < O; o += VL) {
                if (!n) { *(VBU *)(cb + o) = (VB){0}; continue; }   /* wholly in the padding: no tap */
                V best = LD(y + off[0] * O + o);
                VI at = (VI){0} + tap[0];
                for (int t = 1; t < n; t++) {
                    const V v = LD(y + off[t] * O + o);
                    const VI gt = v > best;
                    best = (V)(((VI)v & gt) | ((VI)best & ~gt));
                    at = (((VI){0} + tap[t]) & gt) | (at & ~gt);
                }
                at |= (best > (V){0}) & WS_POS;
                *(VBU *)(cb + o) = __builtin_convertvector(at, VB);
            }
        }
}

/* ReluGrad(MaxPoolGrad(h, ., dp), h) from the workspace: dx[tap] = dp * (relu mask) at each window's
   routed tap, 0 at its other taps (and where no window reads), as the two ops compute it (dp * 0
   keeps ReluGrad's -0 and NaN). dx: d->n images [d->ho, d->wo, d->o] (the relu output's shape);
   dp and codes: [p->ho, p->wo, d->o] each. With dbias, also BiasAddGrad(dx), the sum of dx over
   pixels, added into dbias[o] in double precision: one term per window (its routed value). */
typedef double VD __attribute__((vector_size(64)));
typedef double VDU __attribute__((vector_size(64), aligned(8)));
void pool_relu_grad(const D *d, const PG *p, const uint8_t *codes, const T *dp, T *dx, double *dbias) {
    const int64_t O = d->o, img = d->ho * d->wo * O, pimg = p->ho * p->wo * O;
    int tap[WS_POS];
    int64_t off[WS_POS];
    if (!(p->pt == 0 && p->pl == 0 && p->sh == p->kh && p->sw == p->kw && p->ho * p->kh == d->ho &&
          p->wo * p->kw == d->wo))
        memset(dx, 0, sizeof(T) * d->n * img);
    for (int64_t b = 0; b < d->n; b++)
        for (int64_t ph = 0; ph < p->ho; ph++)
            for (int64_t pw = 0; pw < p->wo; pw++) {
                const int n = window(p, d->ho, d->wo, ph, pw, tap, off);
                const int64_t q = b * pimg + (ph * p->wo + pw) * O;
                for (int64_t o = 0; o < O; o += VL) {
                    const VI c = __builtin_convertvector(*(const VBU *)(codes + q + o), VI);
                    const V g = LD(dp + q + o) * (V)((VI)((V){0} + 1) & ((c & WS_POS) != 0));
                    for (int t = 0; t < n; t++)
                        ST(dx + b * img + off[t] * O + o, (V)((VI)g & ((c & (WS_POS - 1)) == tap[t])));
                    if (dbias && n) {
                        H lo, hi;
                        memcpy(&lo, &g, sizeof lo);
                        memcpy(&hi, (const char *)&g + sizeof lo, sizeof hi);
                        *(VDU *)(dbias + o) += __builtin_convertvector(lo, VD);
                        *(VDU *)(dbias + o + 8) += __builtin_convertvector(hi, VD);
                    }
                }
            }
}
