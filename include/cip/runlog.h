/* cip/runlog.h - log a finished training as one MLflow run (contract C6)
 *
 * cip_runlog_train() records a cip_train_result in a tracking store (any
 * backend of cip/track.h): every hyper-parameter, the feature list, split,
 * seed and CV folds as params; the data file's path and SHA-256 fingerprint;
 * all metrics, with the per-fold CV scores as steps of cv_<score>; MLflow's
 * system tags plus cip.* tags (version, build, exact command line, audit
 * verdict, duration); the model bundle as an MLflow-3 LoggedModel named
 * "model" with a signature over the bundle's raw input columns and an input
 * example; optionally audit.json and other files; optionally a registered
 * version with an alias. `cip train` and `cip pipeline` log through it, and
 * `cip runs reproduce` re-runs the recorded command (docs/TRACKING.md).
 * Threading: as cip/track.h (one store handle per thread).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_RUNLOG_H
#define CIP_RUNLOG_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/track.h"
#include "cip/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_runlog_params {
    const char *experiment;      /* NULL = "cip" */
    const char *run_name;        /* NULL = "<task>-<first 8 hex of the run id>" */
    const char *parent_run_id;   /* NULL = none (tag mlflow.parentRunId) */
    const char *command_line;    /* exact argv joined (cip_runlog_join_argv), tag cip.command;
                                    `cip runs reproduce` re-executes it */
    const char *data_path;       /* params data_path + data_fingerprint (SHA-256 of the file
                                    bytes); NULL = none */
    const char *audit_verdict;   /* tag cip.audit (NULL = not audited) */
    const char *audit_json_path; /* logged as artifact audit.json when not NULL */
    const char *register_name;   /* register the model as a new version of this name; NULL =
                                    don't */
    int set_alias;               /* 1: alias "champion" when the model has none, else
                                    "challenger" (only with register_name) */
    const char *const *extra_artifacts; /* local files logged at the run's top level */
    size_t n_extra_artifacts;
    /* --- additions beyond C6 (zero/NULL from cip_runlog_params_default) --- */
    const cip_train_params *train; /* the params the result was trained with: split kind,
                                      test_size, seed, cv, grid, preset, label rule, k-means
                                      sweep; NULL = log only what the result holds */
    int64_t start_time_ms;         /* when training started (run start, so the run's
                                      duration covers training); 0 = now */
    const char *note;              /* markdown appended to the generated run description */
    const char *source_name;       /* tag mlflow.source.name; NULL = "cip" */
} cip_runlog_params;

CIP_API void cip_runlog_params_default(cip_runlog_params *p);

/* Log a finished cip_train_result as one FINISHED run: every hyper-parameter,
 * feature list, split, seed, metrics (CV fold scores as steps of cv_<metric>),
 * tags, the model bundle as an MLflow-3 LoggedModel named "model" (MLmodel with
 * signature + input_example.json + serving_input_example.json + the bundle
 * files: manifest.json, model.forest/model.kmeans, featpipe.txt), optionally
 * registered + aliased.
 * raw_example: the raw table the model was trained from (its first row is the
 * input example; column types give the signature); may be NULL (signature
 * typed double, no example). s: an open writable store.
 * run_id_out (optional) receives 32 hex + NUL; *version_out (optional) the
 * registered version (0 when not registered). When anything fails after the
 * run was created, the run is ended FAILED and the error returned.
 * Errors: INVALID, IO (data file, artifacts), NOT_FOUND (parent run),
 * CONFLICT, NOMEM, and the store's errors. Allocates temporaries only. */
CIP_API cip_status cip_runlog_train(cip_ctx *ctx, cip_store *s, const cip_train_result *r,
                                    const cip_frame *raw_example, const cip_runlog_params *p,
                                    char run_id_out[33], int64_t *version_out);

/* "sha256:<64 lowercase hex>" of the bytes of the file at path, into out
 * (CIP_RUNLOG_FINGERPRINT_LEN bytes incl. NUL). Reads in blocks (any size).
 * Errors: IO. Allocates: no. */
#define CIP_RUNLOG_FINGERPRINT_LEN 72
CIP_API cip_status cip_runlog_file_fingerprint(cip_ctx *ctx, const char *path,
                                               char out[CIP_RUNLOG_FINGERPRINT_LEN]);
/* SHA-256 of len bytes as 64 lowercase hex + NUL (FIPS 180-4). */
CIP_API void cip_runlog_sha256_hex(const void *data, size_t len, char out[65]);

/* Join argv into one shell-quoted command line (words with characters other
 * than letters, digits and "-_./=:,+@%" are single-quoted), so that
 * cip_runlog_split_command gives back the same words. Owned; free with
 * cip_free. Errors: NOMEM. */
CIP_API cip_status cip_runlog_join_argv(cip_ctx *ctx, int argc, const char *const *argv,
                                        char **out);
/* Split a command line as a POSIX shell would split words (single quotes,
 * double quotes with \" \\ \$ \`, backslash escapes; no expansion). *argv_out
 * is one owned allocation holding a NULL-terminated array and the strings
 * (free with cip_free). Errors: PARSE (unterminated quote), NOMEM. */
CIP_API cip_status cip_runlog_split_command(cip_ctx *ctx, const char *cmd, char ***argv_out,
                                            size_t *argc_out);

#ifdef __cplusplus
}
#endif
#endif /* CIP_RUNLOG_H */
