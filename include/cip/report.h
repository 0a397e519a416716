/* cip/report.h - the self-contained HTML report of a pipeline run
 *
 * Renders the pipeline summary document (`<out>/summary.json`, contract C4
 * in docs/REPORT.md) as one HTML file a business user can read offline:
 * inline CSS and SVG charts, no scripts, no network. Every text taken from
 * the summary is HTML-escaped. Sections whose data is absent (a model that
 * was not trained, no audit, no transactions) are rendered as short
 * "not available" notes, never as errors.
 * Chart ids (each an <svg> with a <title>), present when their data is:
 *   chart-clv-importance chart-churn-importance chart-segments-importance
 *   chart-clv-actual-predicted chart-clv-residuals chart-churn-roc chart-churn-pr
 *   chart-churn-confusion chart-segments-sweep chart-segments-profiles
 *   chart-segments-projection chart-tx-cumulative
 * Thread-safety: reentrant; use one ctx per thread. Nothing runs in parallel.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_REPORT_H
#define CIP_REPORT_H

#include <stddef.h>

#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bound of the summary document accepted by cip_report_render_file. */
#define CIP_REPORT_MAX_SUMMARY_BYTES ((size_t)64 << 20)

/* Render a summary document (JSON text, len bytes, need not be
 * NUL-terminated) as an HTML page.
 * On CIP_OK *html_out owns the NUL-terminated page; free it with cip_free().
 * Errors: CIP_ERR_PARSE (not JSON, or the top level is not an object;
 * the message gives "line:column"), CIP_ERR_LIMIT (page over 64 MiB),
 * CIP_ERR_NOMEM. On error *html_out is NULL.
 * Allocates: yes. Parallel: no.                      [in: json; out: page] */
CIP_API cip_status cip_report_render(cip_ctx *ctx, const char *summary_json, size_t len,
                                     char **html_out);

/* Read summary_path, render it, and write html_path atomically (temporary
 * file + rename: readers never see a half-written page). Parse errors are
 * reported as "summary_path:line:column: ...".
 * Errors: CIP_ERR_IO, CIP_ERR_PARSE, CIP_ERR_LIMIT, CIP_ERR_NOMEM.
 * Allocates: temporarily. Parallel: no.             [in: file; out: file] */
CIP_API cip_status cip_report_render_file(cip_ctx *ctx, const char *summary_path,
                                          const char *html_path);

#ifdef __cplusplus
}
#endif
#endif /* CIP_REPORT_H */
