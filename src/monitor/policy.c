/* policy.c - retraining policy: `key = value` lines or a flat JSON object
 *
 * Keys: trigger (drift | decay | always), psi_alert, min_improvement, alpha, metric,
 * bootstrap, seed, test_size. Unknown keys are errors (a typo must not silently keep a
 * default).
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor_int.h"

void cip_retrain_policy_default(cip_retrain_policy *p)
{
    memset(p, 0, sizeof *p);
    p->trigger = CIP_TRIGGER_DRIFT;
    p->psi_alert = 0.25;
    p->min_improvement = 0;
    p->alpha = 0.05;
    p->bootstrap = 1000;
    p->seed = 42;
    p->test_size = 0.2;
}

const char *cip_retrain_trigger_name(cip_retrain_trigger t)
{
    return t == CIP_TRIGGER_ALWAYS ? "always" : t == CIP_TRIGGER_DECAY ? "decay" : "drift";
}

static int num(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == v || *end != '\0' || errno != 0)
        return 0;
    *out = d;
    return 1;
}

/* Apply key = value; returns a message on error, NULL on success. */
static const char *apply(cip_retrain_policy *p, const char *key, const char *val)
{
    double d;
    if (strcmp(key, "trigger") == 0) {
        if (strcmp(val, "drift") == 0)
            p->trigger = CIP_TRIGGER_DRIFT;
        else if (strcmp(val, "decay") == 0)
            p->trigger = CIP_TRIGGER_DECAY;
        else if (strcmp(val, "always") == 0)
            p->trigger = CIP_TRIGGER_ALWAYS;
        else
            return "trigger must be drift, decay or always";
    } else if (strcmp(key, "metric") == 0) {
        static const char *const ok[] = {"r2", "rmse", "mae", "roc_auc", "f1", "accuracy"};
        size_t k = 0;
        while (k < 6 && strcmp(val, ok[k]) != 0)
            k++;
        if (k == 6)
            return "metric must be r2, rmse, mae, roc_auc, f1 or accuracy";
        snprintf(p->metric, sizeof p->metric, "%s", val);
    } else if (!num(val, &d)) {
        return "value must be a number";
    } else if (strcmp(key, "psi_alert") == 0) {
        if (!(d > 0))
            return "psi_alert must be > 0";
        p->psi_alert = d;
    } else if (strcmp(key, "min_improvement") == 0) {
        if (!(d >= 0))
            return "min_improvement must be >= 0";
        p->min_improvement = d;
    } else if (strcmp(key, "alpha") == 0) {
        if (!(d > 0 && d < 0.5))
            return "alpha must be in (0, 0.5)";
        p->alpha = d;
    } else if (strcmp(key, "bootstrap") == 0) {
        if (!(d >= 10 && d <= 100000) || d != (double)(size_t)d)
            return "bootstrap must be an integer in [10, 100000]";
        p->bootstrap = (size_t)d;
    } else if (strcmp(key, "seed") == 0) {
        if (!(d >= 0 && d < 9007199254740992.0) || d != (double)(uint64_t)d)
            return "seed must be a non-negative integer";
        p->seed = (uint64_t)d;
    } else if (strcmp(key, "test_size") == 0) {
        if (!(d > 0 && d < 1))
            return "test_size must be in (0, 1)";
        p->test_size = d;
    } else {
        return "unknown key (trigger, psi_alert, min_improvement, alpha, metric, bootstrap, "
               "seed, test_size)";
    }
    return NULL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static cip_status parse_json(cip_ctx *ctx, const char *name, const char *text, size_t len,
                             cip_retrain_policy *p)
{
    json_error_t err;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (doc == NULL)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%d:%d: %s", name, err.line, err.column, err.text);
    cip_status rc =
        json_is_object(doc) ? CIP_OK : cipi_fail(ctx, CIP_ERR_PARSE, "%s: not a JSON object", name);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (rc != CIP_OK)
            break;
        char val[64];
        if (json_is_string(v))
            snprintf(val, sizeof val, "%s", json_string_value(v));
        else if (json_is_number(v))
            snprintf(val, sizeof val, "%.17g", json_number_value(v));
        else {
            rc = cipi_fail(ctx, CIP_ERR_PARSE, "%s: \"%s\" must be a string or number", name, key);
            break;
        }
        const char *msg = apply(p, key, val);
        if (msg != NULL)
            rc = cipi_fail(ctx, CIP_ERR_INVALID, "%s: \"%s\": %s", name, key, msg);
    }
    json_decref(doc);
    return rc;
}

cip_status cip_retrain_policy_parse(cip_ctx *ctx, const char *name, const char *text, size_t len,
                                    cip_retrain_policy *out)
{
    cip_retrain_policy p;
    cip_retrain_policy_default(&p);
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    cip_status rc = CIP_OK;
    if (i < len && text[i] == '{') {
        rc = parse_json(ctx, name, text, len, &p);
    } else {
        size_t line = 0;
        for (size_t a = 0; rc == CIP_OK && a < len;) {
            size_t b = a;
            while (b < len && text[b] != '\n')
                b++;
            line++;
            char buf[512];
            size_t l = b - a < sizeof buf - 1 ? b - a : sizeof buf - 1;
            memcpy(buf, text + a, l);
            buf[l] = '\0';
            a = b + 1;
            char *hash = strchr(buf, '#');
            if (hash != NULL)
                *hash = '\0';
            char *s = trim(buf);
            if (*s == '\0')
                continue;
            char *eq = strchr(s, '=');
            if (eq == NULL) {
                rc = cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: expected key = value", name, line);
                break;
            }
            *eq = '\0';
            const char *msg = apply(&p, trim(s), trim(eq + 1));
            if (msg != NULL)
                rc = cipi_fail(ctx, CIP_ERR_INVALID, "%s:%zu: %s: %s", name, line, trim(s), msg);
        }
    }
    if (rc == CIP_OK)
        *out = p;
    return rc;
}
