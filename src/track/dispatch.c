/* dispatch.c - the public write API of a tracking store, over its backend
 *
 * Every public function validates its arguments here (MLflow's name and
 * value rules), so both backends see checked input, then calls the store's
 * cipi_store_ops: SQLite (the MLflow database file) or REST (an MLflow
 * tracking server, rest_ops.c). Single params, tags and metrics go through
 * the batch entry, like MLflow's own client does.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "track_int.h"

const struct cipi_store_ops cipi_sqlite_ops = {
    .name = "sqlite",
    .close = cipi_sql_close,
    .experiment_get_id = cipi_sql_experiment_get_id,
    .run_start = cipi_sql_run_start,
    .run_attach = cipi_sql_run_attach,
    .log_batch = cipi_sql_log_batch,
    .run_end = cipi_sql_run_end,
    .put_artifact = cipi_sql_put_artifact,
    .log_model = cipi_sql_log_model,
    .reg_register = NULL, /* src/registry speaks SQL itself */
    .reg_set_alias = NULL,
    .reg_get_alias = NULL,
};

static bool is_server_uri(const char *uri)
{
    return strncmp(uri, "http://", 7) == 0 || strncmp(uri, "https://", 8) == 0;
}

cip_status cip_store_open(cip_ctx *ctx, const char *uri, const cip_store_opts *opts,
                          cip_store **out)
{
    *out = NULL;
    cip_store_opts o;
    if (opts == NULL)
        cip_store_opts_default(&o);
    else
        o = *opts;
    const char *u = cip_store_resolve_uri(uri);
    if (!is_server_uri(u))
        return cipi_sql_open(ctx, u, &o, out);
    if (o.read_only)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "reading from tracking server URIs ('%s') is not supported yet: cip "
                         "writes runs and models to them (cip train/pipeline --tracking-uri); "
                         "read them with the MLflow UI, or use a sqlite:///PATH store",
                         u);
    return cipi_rest_open(ctx, u, &o, out);
}

void cip_store_close(cip_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

cip_status cip_experiment_get_id(cip_ctx *ctx, cip_store *s, const char *name, int create,
                                 int64_t *id_out)
{
    if (name == NULL || name[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "experiment name is empty");
    return s->ops->experiment_get_id(ctx, s, name, create, id_out);
}

cip_status cip_run_start(cip_ctx *ctx, cip_store *s, const cip_run_params *p, cip_run **out)
{
    *out = NULL;
    cip_run_params def;
    if (p == NULL) {
        cip_run_params_default(&def);
        p = &def;
    }
    if (p->run_name != NULL && strlen(p->run_name) > 250)
        return cipi_fail(ctx, CIP_ERR_INVALID, "run name is longer than 250 characters");
    return s->ops->run_start(ctx, s, p, out);
}

cip_status cip_run_attach(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run **out)
{
    *out = NULL;
    return s->ops->run_attach(ctx, s, run_id, out);
}

cip_status cip_run_log_batch(cip_ctx *ctx, cip_run *r, const cip_param *params, size_t n_params,
                             const cip_param *tags, size_t n_tags, const cip_metric *metrics,
                             size_t n_metrics)
{
    if ((n_params > 0 && params == NULL) || (n_tags > 0 && tags == NULL))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "batch array is NULL");
    /* validate the whole batch first: a bad key rejects it untouched */
    cip_status rc = cipi_track_check_metrics(ctx, metrics, n_metrics);
    for (size_t i = 0; rc == CIP_OK && i < n_params; i++) {
        rc = cipi_track_check_key(ctx, "param", params[i].key);
        if (rc == CIP_OK)
            rc = cipi_track_check_value(ctx, "param", params[i].key, params[i].value, 6000);
    }
    for (size_t i = 0; rc == CIP_OK && i < n_tags; i++) {
        rc = cipi_track_check_key(ctx, "tag", tags[i].key);
        if (rc == CIP_OK)
            rc = cipi_track_check_value(ctx, "tag", tags[i].key, tags[i].value, 8000);
    }
    if (rc != CIP_OK)
        return rc;
    if (n_params == 0 && n_tags == 0 && n_metrics == 0)
        return CIP_OK;
    return r->s->ops->log_batch(ctx, r, params, n_params, tags, n_tags, metrics, n_metrics);
}

cip_status cip_run_log_param(cip_ctx *ctx, cip_run *r, const char *key, const char *value)
{
    cip_param p = {key, value};
    return cip_run_log_batch(ctx, r, &p, 1, NULL, 0, NULL, 0);
}

cip_status cip_run_set_tag(cip_ctx *ctx, cip_run *r, const char *key, const char *value)
{
    cip_param t = {key, value};
    return cip_run_log_batch(ctx, r, NULL, 0, &t, 1, NULL, 0);
}

cip_status cip_run_log_metrics(cip_ctx *ctx, cip_run *r, const cip_metric *m, size_t n)
{
    return cip_run_log_batch(ctx, r, NULL, 0, NULL, 0, m, n);
}

cip_status cip_run_log_metric(cip_ctx *ctx, cip_run *r, const char *key, double value, int64_t step)
{
    cip_metric m = {key, value, step, 0};
    return cip_run_log_batch(ctx, r, NULL, 0, NULL, 0, &m, 1);
}

cip_status cip_run_end(cip_ctx *ctx, cip_run *r, cip_run_status status)
{
    if (cip_run_status_name(status) == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "invalid run status %d", (int)status);
    return r->s->ops->run_end(ctx, r, status);
}

cip_status cip_run_log_text(cip_ctx *ctx, cip_run *r, const char *dest, const char *data,
                            size_t len)
{
    if (data == NULL && len > 0)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "artifact data is NULL");
    cip_status rc = cipi_track_check_dest(ctx, dest);
    if (rc != CIP_OK)
        return rc;
    return r->s->ops->put_artifact(ctx, r, dest, data ? data : "", len);
}

cip_status cip_run_log_artifact(cip_ctx *ctx, cip_run *r, const char *src, const char *dest)
{
    if (src == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "artifact source path is NULL");
    if (dest == NULL) {
        const char *slash = strrchr(src, '/');
        dest = slash ? slash + 1 : src;
    }
    cip_status rc = cipi_track_check_dest(ctx, dest);
    if (rc != CIP_OK)
        return rc;
    char *data = NULL;
    size_t len = 0;
    rc = cipi_read_file(ctx, src, 0, &data, &len);
    if (rc == CIP_OK)
        rc = r->s->ops->put_artifact(ctx, r, dest, data, len);
    cipi_free(ctx, data);
    return rc;
}

cip_status cip_run_log_model(cip_ctx *ctx, cip_run *r, const cip_model_spec *spec,
                             char **model_id_out)
{
    if (model_id_out)
        *model_id_out = NULL;
    if (spec == NULL || (spec->n_inputs > 0 && spec->inputs == NULL) ||
        (spec->n_files > 0 && spec->files == NULL))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "model spec is incomplete");
    if (spec->name != NULL) {
        cip_status rc = cipi_track_check_key(ctx, "model", spec->name);
        if (rc != CIP_OK)
            return rc;
    }
    return r->s->ops->log_model(ctx, r, spec, model_id_out);
}

const struct cipi_store_ops *cipi_track_ops(const cip_store *s)
{
    return s->ops;
}
