/* cip/bundle.h - trained model bundles: load once, predict on raw customer rows
 *
 * A bundle is the directory written by cip_train_save_bundle(): manifest.json
 * (task, target, model columns, metrics), model.forest or model.kmeans, and
 * featpipe.txt when the model was trained on engineered features of a raw
 * customer table. A registered model version or a run's LoggedModel directory
 * holds the same files at its top level (next to MLmodel and the examples).
 * A loaded bundle is immutable: predict, features and every getter may run
 * concurrently from many threads on one bundle (one ctx per thread).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_BUNDLE_H
#define CIP_BUNDLE_H

#include <stddef.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/features.h"
#include "cip/forest.h"
#include "cip/kmeans.h"
#include "cip/track.h"
#include "cip/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_bundle cip_bundle; /* opaque, immutable after load */

/* Load the bundle in directory dir. The task comes from manifest.json ("task"),
 * else from the model (k-means -> segments, classifier -> churn, regressor -> clv).
 * Errors: NOT_FOUND ("'dir' is not a model bundle": no model.forest/model.kmeans),
 * PARSE (corrupt model, pipeline or manifest), IO, NOMEM. On CIP_OK *out owns the
 * bundle (free with cip_bundle_free); else *out = NULL. Allocates. */
CIP_API cip_status cip_bundle_load(cip_ctx *ctx, const char *dir, cip_bundle **out);

/* As cip_bundle_load, resolving `uri` first when it is models:/NAME@ALIAS,
 * models:/NAME/VERSION, models:/NAME/latest, models:/m-ID or runs:/ID/PATH
 * (cip_registry_resolve on store s); anything else is a directory. s may be NULL
 * for plain directories (a model URI without a store is CIP_ERR_MISUSE).
 * Errors: those of cip_registry_resolve and cip_bundle_load. */
CIP_API cip_status cip_bundle_open_uri(cip_ctx *ctx, cip_store *s, const char *uri,
                                       cip_bundle **out);

CIP_API void cip_bundle_free(cip_bundle *b); /* NULL is a no-op */

/* CIP_TRAIN_CLV | CIP_TRAIN_CHURN | CIP_TRAIN_SEGMENTS. */
CIP_API cip_train_task cip_bundle_task(const cip_bundle *b);
/* The directory it was loaded from (borrowed). */
CIP_API const char *cip_bundle_dir(const cip_bundle *b);

/* The raw input columns a caller must supply (the model signature): the six
 * customer columns (age int, annual_income, purchase_amount, loyalty_score
 * float, region category, purchase_frequency int) when the bundle has a feature
 * pipeline, else the model columns with every one-hot "col=level" replaced by
 * its categorical source column col (once). Names borrow from b. */
CIP_API size_t cip_bundle_n_inputs(const cip_bundle *b);
CIP_API const char *cip_bundle_input_name(const cip_bundle *b, size_t i); /* NULL if out of range */
CIP_API cip_type cip_bundle_input_type(const cip_bundle *b, size_t i);

/* Predict every row of raw (the columns a user supplies, e.g. the customer CSV;
 * extra columns are ignored, int and float are interchangeable for numeric
 * inputs). *out (owned) has n_rows rows and the columns
 *   CLV       "prediction" (float)
 *   CHURN     "probability" (float, of the largest class: 1 for a 0/1 label),
 *             "label" (int, the class with the highest probability; for 0/1
 *             labels: probability > 0.5)
 *   SEGMENTS  "segment" (int, 0-based cluster).
 * Errors: SCHEMA (a missing or mistyped column, named), INVALID (missing or
 * non-finite values the pipeline needs), NOMEM. Allocates. Parallel: the ctx's
 * threads (set 1 in servers). Thread-safe on a shared bundle. */
CIP_API cip_status cip_bundle_predict(cip_ctx *ctx, const cip_bundle *b, const cip_frame *raw,
                                      cip_frame **out);

/* The model-feature frame for raw: exactly the model columns in model order
 * (after the feature pipeline and one-hot encoding), for explanations and
 * monitoring. Errors and threading as cip_bundle_predict. Allocates. */
CIP_API cip_status cip_bundle_features(cip_ctx *ctx, const cip_bundle *b, const cip_frame *raw,
                                       cip_frame **out);

/* The fitted pieces (borrowed; NULL when absent). */
CIP_API const cip_forest *cip_bundle_forest(const cip_bundle *b);     /* NULL for segments */
CIP_API const cip_kmeans *cip_bundle_kmeans(const cip_bundle *b);     /* NULL for forests */
CIP_API const cip_featpipe *cip_bundle_featpipe(const cip_bundle *b); /* NULL: raw columns */

#ifdef __cplusplus
}
#endif
#endif /* CIP_BUNDLE_H */
