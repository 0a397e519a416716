/* refdata.c - reference-value files and x/y/w data files shared by unit tests
 *
 * tests/data/validate/ref.txt holds one "key value value ..." line per
 * scikit-learn reference (tools/ref_validate.py); data files are "n p" then
 * rows "x_1..x_p y w". Used by test_validate.c and test_baseline.c.
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* strdup, getline, strtok_r */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refdata.h"

static struct ref_line refs[512];
static size_t n_refs;

int cipt_ref_load(void **state)
{
    (void)state;
    char path[1024], *line = NULL;
    size_t cap = 0;
    FILE *f = fopen(cipt_data_path(path, sizeof path, "validate/ref.txt"), "r");
    assert_non_null(f);
    while (getline(&line, &cap, f) > 0 && n_refs < 512) {
        struct ref_line *r = &refs[n_refs++];
        char *save = NULL, *t = strtok_r(line, " \n", &save);
        r->key = strdup(t);
        r->tok = calloc(strlen(line + strlen(t) + 1) / 2 + 2, sizeof *r->tok);
        while ((t = strtok_r(NULL, " \n", &save)) != NULL)
            r->tok[r->n++] = strdup(t);
    }
    free(line);
    fclose(f);
    return 0;
}

int cipt_ref_free(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_refs; i++) {
        for (size_t k = 0; k < refs[i].n; k++)
            free(refs[i].tok[k]);
        free(refs[i].tok);
        free(refs[i].key);
    }
    n_refs = 0;
    return 0;
}

const struct ref_line *cipt_ref_get(const char *key)
{
    for (size_t i = 0; i < n_refs; i++)
        if (strcmp(refs[i].key, key) == 0)
            return &refs[i];
    fail_msg("reference '%s' missing from ref.txt", key);
    return NULL;
}

/* Numbers of a reference line (malloc'd; "none" gives NaN). */
double *cipt_ref_nums(const char *key, size_t *n)
{
    const struct ref_line *r = cipt_ref_get(key);
    double *v = malloc((r->n + 1) * sizeof *v);
    for (size_t k = 0; k < r->n; k++)
        v[k] = strcmp(r->tok[k], "none") == 0 ? NAN : strtod(r->tok[k], NULL);
    *n = r->n;
    return v;
}

/* --- data files: "n p" then rows "x_1..x_p y w" ----------------------------------------- */

void cipt_xyw_load(cip_ctx *ctx, const char *name, struct cipt_xyw *d)
{
    char path[1024];
    FILE *f = fopen(cipt_data_path(path, sizeof path, name), "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%zu %zu", &d->n, &d->p), 2);
    double *cols = malloc(d->n * d->p * sizeof *cols);
    d->y = malloc(d->n * sizeof *d->y);
    d->w = malloc(d->n * sizeof *d->w);
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->p; j++)
            assert_int_equal(fscanf(f, "%lf", &cols[j * d->n + i]), 1);
        assert_int_equal(fscanf(f, "%lf %lf", &d->y[i], &d->w[i]), 2);
    }
    fclose(f);
    assert_int_equal(cip_frame_new(ctx, d->n, &d->x), CIP_OK);
    for (size_t j = 0; j < d->p; j++) {
        char nm[16];
        snprintf(nm, sizeof nm, "x%zu", j);
        assert_int_equal(cip_frame_add_f64(ctx, d->x, nm, cols + j * d->n, NULL), CIP_OK);
    }
    free(cols);
}

void cipt_xyw_free(struct cipt_xyw *d)
{
    cip_frame_free(d->x);
    free(d->y);
    free(d->w);
}

cip_ctx *cipt_ctx_threads(int threads)
{
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, threads);
    return ctx;
}
