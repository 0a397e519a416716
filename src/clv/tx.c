/* tx.c - transaction logs: dates, time units, building a sorted and merged log
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

/* --- time units ---------------------------------------------------------------------------- */

double cip_clv_unit_days(cip_clv_unit u)
{
    switch (u) {
    case CIP_CLV_WEEKS:
        return 7.0;
    case CIP_CLV_MONTHS:
        return 365.25 / 12.0;
    case CIP_CLV_DAYS:
    default:
        return 1.0;
    }
}

const char *cip_clv_unit_name(cip_clv_unit u)
{
    return u == CIP_CLV_WEEKS ? "weeks" : u == CIP_CLV_MONTHS ? "months" : "days";
}

cip_status cip_clv_unit_parse(cip_ctx *ctx, const char *s, cip_clv_unit *out)
{
    static const struct {
        const char *name;
        cip_clv_unit u;
    } tab[] = {{"day", CIP_CLV_DAYS},    {"days", CIP_CLV_DAYS},    {"week", CIP_CLV_WEEKS},
               {"weeks", CIP_CLV_WEEKS}, {"month", CIP_CLV_MONTHS}, {"months", CIP_CLV_MONTHS}};
    for (size_t k = 0; s != NULL && k < CIP_ARRAY_LEN(tab); k++)
        if (strcmp(s, tab[k].name) == 0) {
            *out = tab[k].u;
            return CIP_OK;
        }
    return cipi_fail(ctx, CIP_ERR_INVALID, "unknown time unit '%s' (day, week, month)",
                     s ? s : "(null)");
}

/* --- dates ----------------------------------------------------------------------------------- */

int32_t cipi_clv_days_from_civil(int y, int m, int d)
{
    /* shift the year to start in March so the leap day is last */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

void cip_clv_date_str(int32_t day, char buf[11])
{
    int64_t z = (int64_t)day + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = 0;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    memcpy(buf, tmp, 10);
    buf[10] = '\0';
}

/* Read exactly n digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
    int r = 0;
    for (int k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        r = r * 10 + (s[k] - '0');
    }
    *v = r;
    return true;
}

static bool ymd_ok(int y, int m, int d, int32_t *day)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *day = cipi_clv_days_from_civil(y, m, d);
    return true;
}

int cip_clv_date_format_ok(const char *fmt)
{
    static const char *const ok[] = {"auto", "yyyymmdd", "iso", "mm/dd/yyyy", "dd/mm/yyyy"};
    for (size_t k = 0; fmt != NULL && k < CIP_ARRAY_LEN(ok); k++)
        if (strcmp(fmt, ok[k]) == 0)
            return 1;
    return 0;
}

int cip_clv_date_parse(const char *s, size_t len, const char *fmt, int32_t *day)
{
    int y, m, d;
    if (fmt == NULL || strcmp(fmt, "auto") == 0)
        fmt = memchr(s, '-', len) != NULL ? "iso" : memchr(s, '/', len) ? "mm/dd/yyyy" : "yyyymmdd";
    if (strcmp(fmt, "yyyymmdd") == 0)
        return len == 8 && digits(s, 4, &y) && digits(s + 4, 2, &m) && digits(s + 6, 2, &d) &&
               ymd_ok(y, m, d, day);
    if (strcmp(fmt, "iso") == 0) {
        if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
            !digits(s + 8, 2, &d))
            return 0;
        if (len > 10 && s[10] != 'T' && s[10] != ' ')
            return 0;
        return ymd_ok(y, m, d, day);
    }
    bool us = strcmp(fmt, "mm/dd/yyyy") == 0;
    if (!us && strcmp(fmt, "dd/mm/yyyy") != 0)
        return 0;
    if (len != 10 || s[2] != '/' || s[5] != '/' || !digits(s + 6, 4, &y))
        return 0;
    int a, b;
    if (!digits(s, 2, &a) || !digits(s + 3, 2, &b))
        return 0;
    return us ? ymd_ok(y, a, b, day) : ymd_ok(y, b, a, day);
}

/* --- building ----------------------------------------------------------------------------------
 */

cip_status cipi_clv_recs_push(cip_ctx *ctx, struct cipi_clv_recs *r, const struct cipi_clv_rec *rec)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024, bytes;
        if (!cipi_mul_ok(cap, sizeof *r->v, &bytes))
            return cipi_fail(ctx, CIP_ERR_LIMIT, "too many transactions");
        void *v = cipi_realloc(ctx, r->v, bytes);
        if (v == NULL)
            return CIP_ERR_NOMEM;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = *rec;
    return CIP_OK;
}

void cip_clv_tx_free(cip_clv_tx *tx)
{
    if (tx == NULL)
        return;
    struct cipi_alloc a = tx->a;
    cipi_afree(&a, tx->start);
    cipi_afree(&a, tx->day);
    cipi_afree(&a, tx->amount);
    cipi_afree(&a, tx->qty);
    cipi_afree(&a, tx->ids);
    cipi_afree(&a, tx->id_blob);
    cipi_afree(&a, tx);
}

struct first_key {
    int32_t day;
    uint32_t raw;
};

static int cmp_first(const void *pa, const void *pb)
{
    const struct first_key *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return a->raw < b->raw ? -1 : a->raw > b->raw;
}

static int cmp_rec_day(const void *pa, const void *pb)
{
    const struct cipi_clv_rec *a = pa, *b = pb;
    return a->day < b->day ? -1 : a->day > b->day;
}

/* Sort each customer's records by day and merge same days; returns the new
 * per-customer counts in cnt. sorted is grouped by customer via off. */
static size_t sort_merge(struct cipi_clv_rec *sorted, const size_t *off, size_t n_cust, int merge,
                         size_t *cnt)
{
    size_t merged = 0;
    for (size_t c = 0; c < n_cust; c++) {
        struct cipi_clv_rec *v = sorted + off[c];
        size_t n = off[c + 1] - off[c];
        bool ordered = true;
        for (size_t i = 1; i < n && ordered; i++)
            ordered = v[i].day >= v[i - 1].day;
        if (!ordered) /* stable enough: same-day records are merged or kept adjacent */
            qsort(v, n, sizeof *v, cmp_rec_day);
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (merge && w > 0 && v[w - 1].day == v[i].day) {
                v[w - 1].amount += v[i].amount;
                v[w - 1].qty += v[i].qty;
                merged++;
            } else {
                v[w++] = v[i];
            }
        }
        cnt[c] = w;
    }
    return merged;
}

static cip_status fill_ids(cip_ctx *ctx, cip_clv_tx *tx, const struct first_key *order,
                           char *const *ids, const size_t *id_lens)
{
    size_t blob = 0;
    for (size_t c = 0; c < tx->n_cust; c++)
        blob += id_lens[c] + 1;
    tx->id_blob = cipi_malloc(ctx, blob);
    tx->ids = cipi_mallocarray(ctx, tx->n_cust ? tx->n_cust : 1, sizeof *tx->ids);
    if (tx->id_blob == NULL || tx->ids == NULL)
        return CIP_ERR_NOMEM;
    char *p = tx->id_blob;
    for (size_t k = 0; k < tx->n_cust; k++) {
        size_t raw = order[k].raw;
        memcpy(p, ids[raw], id_lens[raw]);
        p[id_lens[raw]] = '\0';
        tx->ids[k] = p;
        p += id_lens[raw] + 1;
    }
    return CIP_OK;
}

static cip_status build_arrays(cip_ctx *ctx, cip_clv_tx *tx, const struct cipi_clv_rec *sorted,
                               const size_t *off, const size_t *cnt, const struct first_key *order)
{
    size_t n = 0;
    for (size_t c = 0; c < tx->n_cust; c++)
        n += cnt[c];
    tx->n = n;
    tx->start = cipi_mallocarray(ctx, tx->n_cust + 1, sizeof *tx->start);
    tx->day = cipi_mallocarray(ctx, n ? n : 1, sizeof *tx->day);
    tx->amount = cipi_mallocarray(ctx, n ? n : 1, sizeof *tx->amount);
    tx->qty = cipi_mallocarray(ctx, n ? n : 1, sizeof *tx->qty);
    if (!tx->start || !tx->day || !tx->amount || !tx->qty)
        return CIP_ERR_NOMEM;
    size_t w = 0;
    tx->first = n ? INT32_MAX : 0;
    tx->last = n ? INT32_MIN : 0;
    for (size_t k = 0; k < tx->n_cust; k++) {
        size_t raw = order[k].raw;
        tx->start[k] = w;
        for (size_t i = 0; i < cnt[raw]; i++, w++) {
            const struct cipi_clv_rec *r = &sorted[off[raw] + i];
            tx->day[w] = r->day;
            tx->amount[w] = r->amount;
            tx->qty[w] = r->qty;
            if (r->day < tx->first)
                tx->first = r->day;
            if (r->day > tx->last)
                tx->last = r->day;
        }
    }
    tx->start[tx->n_cust] = w;
    return CIP_OK;
}

cip_status cipi_clv_tx_build(cip_ctx *ctx, const struct cipi_clv_recs *recs, size_t n_cust,
                             char *const *ids, const size_t *id_lens, int merge, cip_clv_tx **out)
{
    cip_status rc = CIP_ERR_NOMEM;
    size_t *off = cipi_calloc(ctx, n_cust + 1, sizeof *off);
    size_t *cnt = cipi_calloc(ctx, n_cust + 1, sizeof *cnt);
    struct cipi_clv_rec *sorted = cipi_mallocarray(ctx, recs->n ? recs->n : 1, sizeof *sorted);
    struct first_key *order = cipi_mallocarray(ctx, n_cust ? n_cust : 1, sizeof *order);
    cip_clv_tx *tx = cipi_calloc(ctx, 1, sizeof *tx);
    if (tx != NULL)
        tx->a = cipi_ctx_alloc(ctx);
    if (!off || !cnt || !sorted || !order || !tx)
        goto done;
    tx->n_cust = n_cust;
    /* counting sort by raw customer, stable */
    for (size_t i = 0; i < recs->n; i++)
        off[recs->v[i].cust + 1]++;
    for (size_t c = 0; c < n_cust; c++)
        off[c + 1] += off[c];
    for (size_t i = 0; i < recs->n; i++)
        sorted[off[recs->v[i].cust] + cnt[recs->v[i].cust]++] = recs->v[i];
    tx->merged = sort_merge(sorted, off, n_cust, merge, cnt);
    for (size_t c = 0; c < n_cust; c++) {
        order[c].raw = (uint32_t)c;
        order[c].day = cnt[c] ? sorted[off[c]].day : INT32_MAX;
    }
    qsort(order, n_cust, sizeof *order, cmp_first);
    if ((rc = build_arrays(ctx, tx, sorted, off, cnt, order)) != CIP_OK)
        goto done;
    if ((rc = fill_ids(ctx, tx, order, ids, id_lens)) != CIP_OK)
        goto done;
    *out = tx;
    tx = NULL;
done:
    cip_clv_tx_free(tx);
    cipi_free(ctx, off);
    cipi_free(ctx, cnt);
    cipi_free(ctx, sorted);
    cipi_free(ctx, order);
    return rc;
}

/* --- from arrays --------------------------------------------------------------------------- */

static cip_status dense_direct(cip_ctx *ctx, size_t n, const int64_t *customer, int64_t lo,
                               size_t range, uint32_t *raw, size_t *n_cust, int64_t **uniq)
{
    uint32_t *tab = cipi_calloc(ctx, range, sizeof *tab);
    int64_t *u = cipi_mallocarray(ctx, n, sizeof *u);
    if (tab == NULL || u == NULL) {
        cipi_free(ctx, tab);
        cipi_free(ctx, u);
        return CIP_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)((uint64_t)customer[i] - (uint64_t)lo);
        if (tab[h] == 0) {
            u[k++] = customer[i];
            tab[h] = (uint32_t)k;
        }
        raw[i] = tab[h] - 1;
    }
    cipi_free(ctx, tab);
    *n_cust = k;
    *uniq = u;
    return CIP_OK;
}

static cip_status dense_ids(cip_ctx *ctx, size_t n, const int64_t *customer, uint32_t *raw,
                            size_t *n_cust, int64_t **uniq)
{
    /* small id range: a direct table; otherwise a hash table. Raw ids are
     * dense, in order of first appearance */
    int64_t lo = n ? customer[0] : 0, hi = lo;
    for (size_t i = 1; i < n; i++) {
        lo = customer[i] < lo ? customer[i] : lo;
        hi = customer[i] > hi ? customer[i] : hi;
    }
    if (n > 0 && (uint64_t)hi - (uint64_t)lo < 4 * (uint64_t)n + 1024 &&
        (uint64_t)hi - (uint64_t)lo < UINT32_MAX - 2)
        return dense_direct(ctx, n, customer, lo, (size_t)((uint64_t)hi - (uint64_t)lo) + 1, raw,
                            n_cust, uniq);
    size_t slots = 16;
    while (slots < 2 * n + 16)
        slots *= 2;
    cip_status rc = CIP_ERR_NOMEM;
    uint32_t *tab = cipi_calloc(ctx, slots, sizeof *tab);
    int64_t *u = cipi_mallocarray(ctx, n ? n : 1, sizeof *u);
    if (tab == NULL || u == NULL)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)cipi_hash_bytes(&customer[i], sizeof customer[i]) & (slots - 1);
        while (tab[h] != 0 && u[tab[h] - 1] != customer[i])
            h = (h + 1) & (slots - 1);
        if (tab[h] == 0) {
            if (k >= UINT32_MAX - 1) {
                rc = cipi_fail(ctx, CIP_ERR_LIMIT, "too many customers");
                goto done;
            }
            u[k++] = customer[i];
            tab[h] = (uint32_t)k;
        }
        raw[i] = tab[h] - 1;
    }
    *n_cust = k;
    *uniq = u;
    u = NULL;
    rc = CIP_OK;
done:
    cipi_free(ctx, tab);
    cipi_free(ctx, u);
    return rc;
}

cip_status cip_clv_tx_from_arrays(cip_ctx *ctx, size_t n, const int64_t *customer,
                                  const int32_t *day, const double *amount, const double *qty,
                                  int merge_same_day, cip_clv_tx **out)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (!(amount[i] >= 0) || !isfinite(amount[i]) || (qty && !(qty[i] >= 0)))
            return cipi_fail(ctx, CIP_ERR_INVALID, "transaction %zu: negative or invalid amount",
                             i);
    cip_status rc = CIP_ERR_NOMEM;
    struct cipi_clv_recs recs = {0};
    int64_t *uniq = NULL;
    char *blob = NULL, **ids = NULL;
    size_t *lens = NULL, n_cust = 0;
    uint32_t *raw = cipi_mallocarray(ctx, n ? n : 1, sizeof *raw);
    recs.v = cipi_mallocarray(ctx, n ? n : 1, sizeof *recs.v);
    if (raw == NULL || recs.v == NULL)
        goto done;
    recs.n = recs.cap = n;
    if ((rc = dense_ids(ctx, n, customer, raw, &n_cust, &uniq)) != CIP_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        recs.v[i] = (struct cipi_clv_rec){raw[i], day[i], amount[i], qty ? qty[i] : 0.0};
    rc = CIP_ERR_NOMEM;
    blob = cipi_mallocarray(ctx, n_cust ? n_cust : 1, 21);
    ids = cipi_mallocarray(ctx, n_cust ? n_cust : 1, sizeof *ids);
    lens = cipi_mallocarray(ctx, n_cust ? n_cust : 1, sizeof *lens);
    if (blob == NULL || ids == NULL || lens == NULL)
        goto done;
    for (size_t c = 0; c < n_cust; c++) {
        ids[c] = blob + 21 * c;
        lens[c] = (size_t)snprintf(ids[c], 21, "%lld", (long long)uniq[c]);
    }
    rc = cipi_clv_tx_build(ctx, &recs, n_cust, ids, lens, merge_same_day, out);
done:
    cipi_free(ctx, raw);
    cipi_free(ctx, recs.v);
    cipi_free(ctx, uniq);
    cipi_free(ctx, blob);
    cipi_free(ctx, ids);
    cipi_free(ctx, lens);
    return rc;
}

/* --- accessors ------------------------------------------------------------------------------ */

size_t cip_clv_tx_count(const cip_clv_tx *tx)
{
    return tx ? tx->n : 0;
}
size_t cip_clv_tx_customers(const cip_clv_tx *tx)
{
    return tx ? tx->n_cust : 0;
}
size_t cip_clv_tx_merged(const cip_clv_tx *tx)
{
    return tx ? tx->merged : 0;
}

const char *cip_clv_tx_customer_id(const cip_clv_tx *tx, size_t k)
{
    return tx && k < tx->n_cust ? tx->ids[k] : NULL;
}

void cip_clv_tx_range(const cip_clv_tx *tx, int32_t *first, int32_t *last)
{
    *first = tx ? tx->first : 0;
    *last = tx ? tx->last : 0;
}
