/* drift.c - parsing population shifts for the synthetic generator ("age+5,region=East:0.3")
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_int.h"

static const char *const k_attrs[CIP_SYNTH_N_ATTRS] = {"age", "annual_income", "purchase_amount",
                                                       "loyalty_score", "purchase_frequency"};

void cip_synth_drift_default(cip_synth_drift *d)
{
    for (int k = 0; k < CIP_SYNTH_N_ATTRS; k++) {
        d->mul[k] = 1.0;
        d->add[k] = 0.0;
    }
    for (int k = 0; k < 4; k++)
        d->region_share[k] = (double)NAN;
}

static int parse_num(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end != '\0' || errno != 0 || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* One "region=LEVEL:SHARE" item. */
static cip_status parse_region(cip_ctx *ctx, const char *it, size_t len, cip_synth_drift *d)
{
    const char *lv = it + 7, *colon = memchr(lv, ':', len - 7);
    double share;
    if (colon == NULL || !parse_num(colon + 1, (size_t)(it + len - colon - 1), &share) ||
        share < 0 || share > 1)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "drift: '%.*s' needs region=LEVEL:SHARE with "
                         "SHARE in [0, 1]",
                         (int)len, it);
    for (int k = 0; k < SYNTH_N_REGIONS; k++) {
        if (strlen(cipi_synth_regions[k]) == (size_t)(colon - lv) &&
            memcmp(cipi_synth_regions[k], lv, (size_t)(colon - lv)) == 0) {
            d->region_share[k] = share;
            return CIP_OK;
        }
    }
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "drift: unknown region '%.*s' (North, South, West or East)", (int)(colon - lv),
                     lv);
}

static cip_status parse_item(cip_ctx *ctx, const char *it, size_t len, cip_synth_drift *d)
{
    if (len > 7 && strncmp(it, "region=", 7) == 0)
        return parse_region(ctx, it, len, d);
    size_t op = 0;
    while (op < len && strchr("+-*", it[op]) == NULL)
        op++;
    double v;
    if (op == 0 || op == len || !parse_num(it + op + 1, len - op - 1, &v))
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "drift: '%.*s' is not COLUMN+X, COLUMN-X, COLUMN*X or "
                         "region=LEVEL:SHARE",
                         (int)len, it);
    for (int k = 0; k < CIP_SYNTH_N_ATTRS; k++) {
        if (strlen(k_attrs[k]) != op || memcmp(k_attrs[k], it, op) != 0)
            continue;
        if (it[op] == '*') { /* (x * m + a) * v */
            d->mul[k] *= v;
            d->add[k] *= v;
        } else {
            d->add[k] += it[op] == '+' ? v : -v;
        }
        return CIP_OK;
    }
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "drift: unknown column '%.*s' (age, annual_income, purchase_amount, "
                     "loyalty_score, purchase_frequency, region)",
                     (int)op, it);
}

cip_status cip_synth_drift_parse(cip_ctx *ctx, const char *spec, cip_synth_drift *out)
{
    cip_synth_drift d;
    cip_synth_drift_default(&d);
    const char *s = spec;
    if (s == NULL || *s == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "drift: empty specification");
    while (*s != '\0') {
        size_t len = strcspn(s, ",");
        cip_status rc = parse_item(ctx, s, len, &d);
        if (rc != CIP_OK)
            return rc;
        s += len;
        if (*s == ',')
            s++;
    }
    double set = 0;
    for (int k = 0; k < 4; k++)
        if (!isnan(d.region_share[k]))
            set += d.region_share[k];
    if (set > 1 + 1e-12)
        return cipi_fail(ctx, CIP_ERR_INVALID, "drift: region shares sum to %g > 1", set);
    *out = d;
    return CIP_OK;
}
