/* cip/registry.h - the MLflow model registry in a cip tracking store
 *
 * Registered models and their numbered versions live in the same SQLite
 * store as the runs (MLflow's registered_models, model_versions, *_tags and
 * registered_model_aliases tables, workspace "default"). A version points at
 * a LoggedModel: source "models:/m-<id>", storage_location = the model's
 * artifact directory. Aliases (champion, challenger, ...) are preferred to
 * the deprecated stages; new versions get current_stage "None".
 * Same threading rule as cip/track.h: one store handle per thread.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_REGISTRY_H
#define CIP_REGISTRY_H

#include <stdint.h>

#include "cip/core.h"
#include "cip/track.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Register `source` as the next version of model `name` (created when
 * missing). source: "runs:/<run_id>/<model name>" (the run's LoggedModel of
 * that name), "models:/m-<id>" or a bare "m-<id>". description may be NULL.
 * Errors: INVALID (bad name/source), NOT_FOUND (no such run/model), IO.
 * *version_out receives the new version number. One transaction. */
CIP_API cip_status cip_registry_register(cip_ctx *ctx, cip_store *s, const char *name,
                                         const char *source, const char *description,
                                         int64_t *version_out);

/* Point alias at version (moving it if it pointed elsewhere). Alias rules as
 * MLflow: letters, digits, '_' and '-', not "latest", not "v<digits>".
 * Errors: INVALID, NOT_FOUND (model or version). */
CIP_API cip_status cip_registry_set_alias(cip_ctx *ctx, cip_store *s, const char *name,
                                          const char *alias, int64_t version);
/* The version alias points at. Errors: INVALID, NOT_FOUND (no such alias or
 * model; no message difference needed by callers). */
CIP_API cip_status cip_registry_get_alias(cip_ctx *ctx, cip_store *s, const char *name,
                                          const char *alias, int64_t *version);
/* Remove an alias. Errors: NOT_FOUND when it does not exist. */
CIP_API cip_status cip_registry_delete_alias(cip_ctx *ctx, cip_store *s, const char *name,
                                             const char *alias);
/* Tag the registered model (version 0) or one version (version >= 1);
 * value NULL deletes the tag. Errors: INVALID, NOT_FOUND. */
CIP_API cip_status cip_registry_set_tag(cip_ctx *ctx, cip_store *s, const char *name,
                                        int64_t version, const char *key, const char *value);
/* Description of the model (version 0) or of a version. */
CIP_API cip_status cip_registry_set_description(cip_ctx *ctx, cip_store *s, const char *name,
                                                int64_t version, const char *text);

/* Local directory holding the model files for `uri`:
 *   models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest,
 *   models:/m-<id>, runs:/RUN_ID/PATH (the run's LoggedModel named PATH, else
 *   <run artifacts>/PATH).
 * *path_out is owned (free with cip_free). Errors: INVALID (malformed URI),
 * NOT_FOUND (unknown model, alias, version, run, or the directory is gone). */
CIP_API cip_status cip_registry_resolve(cip_ctx *ctx, cip_store *s, const char *uri,
                                        char **path_out);

/* Registered models (with latest version and aliases), as a text table or a
 * JSON array. Owned; free with cip_free. */
CIP_API cip_status cip_registry_list(cip_ctx *ctx, cip_store *s, int json, char **out);
/* One model with all its versions, tags and aliases, as text or JSON.
 * Errors: NOT_FOUND. */
CIP_API cip_status cip_registry_show(cip_ctx *ctx, cip_store *s, const char *name, int json,
                                     char **out);

#ifdef __cplusplus
}
#endif
#endif /* CIP_REGISTRY_H */
