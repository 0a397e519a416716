/* csv_infer.c - field classification, number parsing and column type inference
 *
 * Classes (csv_int.h) are decided from the text alone, so the type of a
 * column is a function of the set of classes seen in it: a union, which makes
 * inference independent of how the file was chunked.
 *
 * Floats are exact: the result is always the double strtod returns for the
 * same text (glibc's strtod rounds correctly). Clinger's fast path handles
 * decimal mantissas up to 2^53 with |decimal exponent| <= 22, where
 * (double)mantissa and 10^|e| are both exact and a single multiply or divide
 * rounds correctly; anything else goes to strtod on a bounded copy (mantissas
 * longer than 780 significant digits keep a sticky trailing 1, which cannot
 * change the rounding: deciding a double needs at most 767 digits).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_int.h"

/* Missing-value tokens: pandas' default na_values. */
static const char *const missing_tokens[] = {
    "NA",   "N/A",  "n/a",  "NaN",      "nan", "-NaN",    "-nan",     "null",   "NULL",
    "None", "<NA>", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
};

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Numbers may carry surrounding spaces or tabs (as pandas accepts). */
static void trim(const char **pp, size_t *pn)
{
    const char *p = *pp;
    size_t n = *pn;
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    *pp = p;
    *pn = n;
}

static bool ieq(const char *p, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (n != k)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

/* Magnitude of the digits d[0..n) fits in int64 with the given sign. */
static bool int_fits(const char *d, size_t n, bool neg)
{
    uint64_t v = 0;
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint64_t dig = (uint64_t)(d[i] - '0');
        if (v > (lim - dig) / 10)
            return false;
        v = v * 10 + dig;
    }
    return true;
}

/* Numeric class of trimmed text, or CSV_STR. */
static enum csv_class classify_number(const char *p, size_t n)
{
    const char *s = p, *e = p + n;
    bool neg = false;
    if (s < e && (*s == '+' || *s == '-')) {
        neg = *s == '-';
        s++;
    }
    const char *d1 = s;
    while (s < e && is_digit(*s))
        s++;
    size_t n1 = (size_t)(s - d1);
    if (s == e && n1 > 0) {
        if (n1 <= 18 || int_fits(d1, n1, neg))
            return CSV_INT;
        return CSV_BIGINT;
    }
    size_t n2 = 0;
    if (s < e && *s == '.') {
        s++;
        const char *d2 = s;
        while (s < e && is_digit(*s))
            s++;
        n2 = (size_t)(s - d2);
    }
    if (n1 + n2 == 0) {
        size_t k = (size_t)(e - d1);
        if (ieq(d1, k, "inf") || ieq(d1, k, "infinity"))
            return CSV_FLOAT;
        return CSV_STR;
    }
    if (s < e && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < e && (*s == '+' || *s == '-'))
            s++;
        const char *d3 = s;
        while (s < e && is_digit(*s))
            s++;
        if (s == d3)
            return CSV_STR;
    }
    return s == e ? CSV_FLOAT : CSV_STR;
}

enum csv_class cipi_csv_classify(const char *p, size_t n)
{
    if (n == 0)
        return CSV_MISSING;
    if (n == 1 && (*p == '0' || *p == '1'))
        return CSV_01;
    const char *t = p;
    size_t tn = n;
    trim(&t, &tn);
    if (tn > 0) {
        enum csv_class c = classify_number(t, tn);
        if (c != CSV_STR)
            return c;
    }
    for (size_t k = 0; k < CIP_ARRAY_LEN(missing_tokens); k++) {
        if (strlen(missing_tokens[k]) == n && memcmp(missing_tokens[k], p, n) == 0)
            return CSV_MISSING;
    }
    if ((n == 4 &&
         (memcmp(p, "True", 4) == 0 || memcmp(p, "true", 4) == 0 || memcmp(p, "TRUE", 4) == 0)) ||
        (n == 5 &&
         (memcmp(p, "False", 5) == 0 || memcmp(p, "false", 5) == 0 || memcmp(p, "FALSE", 5) == 0)))
        return CSV_WBOOL;
    return CSV_STR;
}

int64_t cipi_csv_parse_int(const char *p, size_t n)
{
    trim(&p, &n);
    bool neg = false;
    size_t i = 0;
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        neg = p[i] == '-';
        i++;
    }
    uint64_t v = 0;
    for (; i < n; i++)
        v = v * 10 + (uint64_t)(p[i] - '0');
    /* v <= 2^63 by classification; negate in unsigned arithmetic. */
    return neg ? (int64_t)(0u - v) : (int64_t)v;
}

/* Slow path: canonical bounded copy of the number, then strtod. */
static double parse_float_slow(const char *p, size_t n)
{
    enum { MAX_SIG = 780 };
    char buf[MAX_SIG + 48];
    size_t k = 0, i = 0, nsig = 0;
    int64_t dexp = 0;
    bool nonzero = false, sticky = false;
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        if (p[i] == '-')
            buf[k++] = '-';
        i++;
    }
    size_t sign_len = k;
    for (; i < n && is_digit(p[i]); i++) {
        if (!nonzero && p[i] == '0')
            continue;
        nonzero = true;
        if (nsig < MAX_SIG) {
            buf[k++] = p[i];
            nsig++;
        } else {
            dexp++;
            sticky |= p[i] != '0';
        }
    }
    if (i < n && p[i] == '.') {
        for (i++; i < n && is_digit(p[i]); i++) {
            if (!nonzero && p[i] == '0') {
                dexp--;
                continue;
            }
            nonzero = true;
            if (nsig < MAX_SIG) {
                buf[k++] = p[i];
                nsig++;
                dexp--;
            } else {
                sticky |= p[i] != '0';
            }
        }
    }
    int64_t e = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        bool eneg = false;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) {
            eneg = p[i] == '-';
            i++;
        }
        for (; i < n && is_digit(p[i]); i++)
            if (e < 1000000000)
                e = e * 10 + (p[i] - '0');
        if (eneg)
            e = -e;
    }
    if (!nonzero)
        return sign_len ? -0.0 : 0.0;
    if (sticky) {
        buf[k++] = '1';
        dexp--;
    }
    int64_t total = e + dexp;
    if (total > 100000)
        total = 100000;
    if (total < -100000)
        total = -100000;
    snprintf(buf + k, sizeof buf - k, "e%lld", (long long)total);
    return strtod(buf, NULL);
}

double cipi_csv_parse_float(const char *p, size_t n)
{
    trim(&p, &n);
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        neg = p[i] == '-';
        i++;
    }
    if (i < n && !is_digit(p[i]) && p[i] != '.') /* inf, infinity */
        return neg ? -HUGE_VAL : HUGE_VAL;
    uint64_t m = 0;
    int nd = 0; /* digits accumulated in m (after leading zeros) */
    int e10 = 0;
    for (; i < n && is_digit(p[i]); i++) {
        if (nd < 19) {
            m = m * 10 + (uint64_t)(p[i] - '0');
            nd += m != 0;
        } else {
            return parse_float_slow(p, n);
        }
    }
    if (i < n && p[i] == '.') {
        for (i++; i < n && is_digit(p[i]); i++) {
            if (nd >= 19)
                return parse_float_slow(p, n);
            m = m * 10 + (uint64_t)(p[i] - '0');
            nd += m != 0;
            e10--;
        }
    }
    if (i < n) { /* exponent */
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '+' || p[i] == '-')) {
            eneg = p[i] == '-';
            i++;
        }
        int e = 0;
        for (; i < n; i++) {
            if (e > 10000)
                return parse_float_slow(p, n);
            e = e * 10 + (p[i] - '0');
        }
        e10 += eneg ? -e : e;
    }
    if (m > ((uint64_t)1 << 53) || e10 < -22 || e10 > 22)
        return parse_float_slow(p, n);
    double d = (double)m;
    d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
    return neg ? -d : d;
}

uint8_t cipi_csv_parse_bool(const char *p, size_t n)
{
    return (n == 1 && *p == '1') || n == 4;
}

cip_type cipi_csv_decide_type(unsigned seen)
{
    seen &= ~(CSV_SEEN(CSV_MISSING) | CSV_SEEN_WIDE);
    if (seen == 0)
        return CIP_TYPE_FLOAT;
    if (seen & CSV_SEEN(CSV_STR))
        return CIP_TYPE_CAT;
    if (seen & CSV_SEEN(CSV_WBOOL))
        return (seen & ~(CSV_SEEN(CSV_WBOOL) | CSV_SEEN(CSV_01))) ? CIP_TYPE_CAT : CIP_TYPE_BOOL;
    if (seen & (CSV_SEEN(CSV_FLOAT) | CSV_SEEN(CSV_BIGINT)))
        return CIP_TYPE_FLOAT;
    return CIP_TYPE_INT;
}

bool cipi_csv_class_fits(enum csv_class c, cip_type t, bool *range)
{
    *range = false;
    if (c == CSV_MISSING)
        return true;
    switch (t) {
    case CIP_TYPE_INT:
        *range = c == CSV_BIGINT;
        return c == CSV_INT || c == CSV_01;
    case CIP_TYPE_FLOAT:
        return c == CSV_INT || c == CSV_01 || c == CSV_BIGINT || c == CSV_FLOAT;
    case CIP_TYPE_BOOL:
        return c == CSV_WBOOL || c == CSV_01;
    case CIP_TYPE_CAT:
        return true;
    }
    return false;
}
