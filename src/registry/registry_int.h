/* registry_int.h - private declarations of the model registry (src/registry only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_REGISTRY_INT_H
#define CIP_REGISTRY_INT_H

#include "../track/cipi_track.h"
#include "cip/registry.h"

/* Registered-model name check: non-empty, <= 256 chars, no '/', '%' or ':'. */
CIP_INTERNAL cip_status cipi_registry_check_name(cip_ctx *ctx, const char *name);
/* Artifact location of LoggedModel model_id and its source run (both owned;
 * run may be NULL). Errors: NOT_FOUND. */
CIP_INTERNAL cip_status cipi_registry_logged_model(cip_ctx *ctx, cip_store *s, const char *model_id,
                                                   char **location, char **run_id);
/* The newest active LoggedModel of run `run_id` named `name` (owned id).
 * Errors: NOT_FOUND. */
CIP_INTERNAL cip_status cipi_registry_run_model(cip_ctx *ctx, cip_store *s, const char *run_id,
                                                const char *name, char **model_id);

#endif /* CIP_REGISTRY_INT_H */
