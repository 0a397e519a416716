/* test_report.c - the HTML report rendered from a pipeline summary
 *
 * Renders the hand-written fixtures (tests/data/summary_full.json: every
 * section, a feature named "<script>...", markup in the command line;
 * summary_minimal.json: one partial model) and checks the chart ids, the
 * escaping, the number formatting, "not available" notes for missing
 * parts, parse errors with line:column, the page size for 2000-point
 * charts, the atomic file output, and that no allocation failure leaks.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/report_int.h"
#include "cip/report.h"
#include "testutil.h"

static const char *const all_charts[] = {
    "chart-clv-importance",
    "chart-churn-importance",
    "chart-segments-importance",
    "chart-clv-actual-predicted",
    "chart-clv-residuals",
    "chart-churn-roc",
    "chart-churn-pr",
    "chart-churn-confusion",
    "chart-segments-sweep",
    "chart-segments-profiles",
    "chart-segments-projection",
    "chart-tx-cumulative",
};

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 22);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 22) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static char *render_fixture(cip_ctx *ctx, const char *name)
{
    char path[4096];
    size_t len;
    char *json = read_text(cipt_data_path(path, sizeof path, name), &len);
    char *html = NULL;
    cip_status rc = cip_report_render(ctx, json, len, &html);
    if (rc != CIP_OK)
        fail_msg("render %s: %s", name, cip_ctx_errmsg(ctx));
    free(json);
    return html;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static cip_ctx *new_ctx(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    return ctx;
}

static void test_report_render_full_has_every_chart(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char *html = render_fixture(ctx, "summary_full.json");
    char want[128];
    for (size_t i = 0; i < CIP_ARRAY_LEN(all_charts); i++) {
        snprintf(want, sizeof want, "<svg id=\"%s\"", all_charts[i]);
        if (count(html, want) != 1)
            fail_msg("chart %s appears %zu times", all_charts[i], count(html, want));
        snprintf(want, sizeof want, "<title id=\"%s-t\">", all_charts[i]);
        assert_int_equal(count(html, want), 1);
    }
    assert_int_equal(count(html, "<svg "), CIP_ARRAY_LEN(all_charts));
    assert_int_equal(count(html, "</svg>"), CIP_ARRAY_LEN(all_charts));
    /* self-contained: no scripts, no external resources */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src=\"http"));
    assert_null(strstr(html, "href=\"http"));
    assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(html, "</html>\n"));
    /* sections present, none reported missing */
    assert_null(strstr(html, "Not available"));
    assert_non_null(strstr(html, "id=\"criteria-table\""));
    assert_non_null(strstr(html, "id=\"audit-table\""));
    assert_non_null(strstr(html, "id=\"baseline-table\""));
    assert_non_null(strstr(html, "id=\"runs-table\""));
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static void test_report_render_escapes_text(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char *html = render_fixture(ctx, "summary_full.json");
    /* the feature "<script>alert(1)</script>" is shown, as text, in the importance
     * bars (label + tooltip) of clv and segments and in the profile heatmap row */
    assert_true(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 4);
    assert_null(strstr(html, "<script"));
    /* the command line "... out & <b>x</b>" */
    assert_non_null(strstr(html, "--out out &amp; &lt;b&gt;x&lt;/b&gt;</pre>"));
    assert_null(strstr(html, "<b>x</b>"));
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static void test_report_render_numbers_formatted(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char *html = render_fixture(ctx, "summary_full.json");
    /* criteria: honest 0.512, leaky 0.993, fail; two leaky passes flagged */
    assert_non_null(strstr(html, "<td class=\"n\">0.512</td><td class=\"n\">0.993</td>"
                                 "<td class=\"fail\">"));
    assert_int_equal(count(html, "it passes only because of leakage"), 2);
    /* money with separators: baseline RMSE 1243.9 -> 1,244; lift 0.5077 -> 50.8% */
    assert_non_null(strstr(html, "<td class=\"n\">1,244</td><td class=\"n\">50.8%</td>"));
    /* headline: R2 0.512 -> "explains 51.2% ..." */
    assert_non_null(strstr(html, "explains 51.2% of the variation"));
    /* transactions: 2357 customers, aggregate error -0.041 -> -4.1% */
    assert_non_null(strstr(html, "for 2,357 customers"));
    assert_non_null(strstr(html, "<td class=\"n\">-4.1%</td>"));
    /* confusion matrix cells print the counts; the chosen k is marked */
    assert_non_null(strstr(html, ">27</text>"));
    assert_non_null(strstr(html, "chosen k = 4"));
    assert_non_null(strstr(html, "Verdict: the numbers are realistic."));
    assert_non_null(strstr(html, "0 of 4 success criteria"));
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static void test_report_format_helpers_values(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, 0.812345), "0.8123");
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, 912.55), "912.5");
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, 1234567.8), "1,234,568");
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, -4321.0), "-4,321");
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, -0.0), "0");
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, 1.5e-5), "1.50e-05");
    assert_string_equal(cipi_report_fmt_num(b, sizeof b, NAN), "n/a");
    assert_string_equal(cipi_report_fmt_money(b, sizeof b, 99.5), "99.50");
    assert_string_equal(cipi_report_fmt_money(b, sizeof b, 1243.9), "1,244");
    assert_string_equal(cipi_report_fmt_money(b, sizeof b, -100.0), "-100");
    assert_string_equal(cipi_report_fmt_pct(b, sizeof b, 0.4237), "42.4%");
    assert_string_equal(cipi_report_fmt_int(b, sizeof b, 999.0), "999");
    assert_string_equal(cipi_report_fmt_int(b, sizeof b, 1000.0), "1,000");
    /* nice axes (Heckbert): steps of 1, 2, 5 x 10^k covering the data */
    struct cipi_axis a = cipi_report_axis(0.31, 0.384, 6);
    assert_float_equal(a.lo, 0.3, 1e-12);
    assert_float_equal(a.hi, 0.4, 1e-12);
    assert_float_equal(a.step, 0.02, 1e-12);
    a = cipi_report_axis(2.0, 8.0, 7);
    assert_float_equal(a.lo, 2.0, 1e-12);
    assert_float_equal(a.hi, 8.0, 1e-12);
    assert_float_equal(a.step, 2.0, 1e-12);
    a = cipi_report_axis(37.0, 2950.0, 6);
    assert_float_equal(a.lo, 0.0, 1e-12);
    assert_float_equal(a.hi, 3000.0, 1e-12); /* range 2913 -> 5000, step 5000/5 -> 1000 */
    assert_float_equal(a.step, 1000.0, 1e-12);
    a = cipi_report_axis(5.0, 5.0, 6); /* constant data still gets a range */
    assert_true(a.lo < 5.0 && a.hi > 5.0);
}

static void test_report_render_missing_sections_notes(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char *html = NULL;
    assert_int_equal(cip_report_render(ctx, "{}", 2, &html), CIP_OK);
    assert_null(strstr(html, "<svg"));
    assert_true(count(html, "class=\"na\">Not available") >= 8);
    assert_non_null(strstr(html, "no honesty verdict was recorded"));
    cip_free(ctx, html);

    html = render_fixture(ctx, "summary_minimal.json");
    assert_non_null(strstr(html, "<svg id=\"chart-segments-profiles\""));
    assert_null(strstr(html, "<svg id=\"chart-clv"));
    assert_null(strstr(html, "<svg id=\"chart-churn"));
    assert_null(strstr(html, "<svg id=\"chart-tx"));
    assert_non_null(strstr(html, "Not available: 2-D projection of the segments"));
    assert_non_null(strstr(html, "Not available: no transaction log was given"));
    assert_int_equal(count(html, "Not available: this model was not trained in this run"), 2);
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static void test_report_render_wrong_types_tolerated(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"models\":{\"clv\":{\"actual\":\"x\",\"predicted\":[1,2],"
        "\"importances\":[1,{\"feature\":5},{\"feature\":\"a\",\"importance\":null}],"
        "\"metrics\":[1]},\"churn\":{\"confusion\":[[1],[2,\"x\"]],\"roc\":{\"fpr\":[0,1],"
        "\"tpr\":[0]}},\"segments\":{\"profiles\":[[1,2],[3]],\"features\":[\"a\",7],"
        "\"sweep\":[{\"k\":\"2\"}],\"projection\":{\"x\":[1,2],\"y\":[1,2],"
        "\"segment\":[0,99]}}},\"criteria\":[1,\"a\",{\"model\":7}],"
        "\"audit\":{\"findings\":[null,{\"columns\":\"x\",\"severity\":\"<u>\"}]},"
        "\"transactions\":{\"methods\":{},\"cumulative\":{\"t\":[1],\"actual\":[1,2]}},"
        "\"verdict\":{\"honesty\":\"suspicious\",\"reasons\":[1,null]},"
        "\"data\":[],\"split\":{\"n_train\":\"many\"}}";
    cip_ctx *ctx = new_ctx();
    char *html = NULL;
    cip_status rc = cip_report_render(ctx, doc, sizeof doc - 1, &html);
    if (rc != CIP_OK)
        fail_msg("%s", cip_ctx_errmsg(ctx));
    assert_non_null(strstr(html, "Verdict: treat these numbers with suspicion."));
    assert_null(strstr(html, "<u>"));
    assert_non_null(strstr(html, "sev-&lt;u&gt;"));
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static void test_report_render_suspicious_explained(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"verdict\":{\"honesty\":\"suspicious\",\"reasons\":[\"churn: label rule\","
        "\"churn (honest model): f1 too good\"]},"
        "\"criteria\":[{\"model\":\"churn\",\"metric\":\"test_f1\",\"op\":\">\","
        "\"threshold\":0.8,\"value\":0.95,\"leaky_value\":0.99,\"pass\":true},"
        "{\"model\":\"clv\",\"metric\":\"test_r2\",\"op\":\">=\",\"threshold\":0.8,"
        "\"value\":0.5}],"
        "\"audit\":{\"findings\":[{\"model\":\"churn\",\"severity\":\"high\","
        "\"kind\":\"lineage\",\"title\":\"lineage\",\"columns\":[\"is_loyal\"]},"
        "{\"severity\":\"warning\",\"title\":\"weak thing\"}]}}";
    cip_ctx *ctx = new_ctx();
    char *html = NULL;
    assert_int_equal(cip_report_render(ctx, doc, sizeof doc - 1, &html), CIP_OK);
    assert_non_null(strstr(html, "1 of 2 success criteria of the reference project are met on "
                                 "paper"));
    /* churn has 2 reasons; clv has none, so its row is realistic; pass computed from op */
    assert_non_null(strstr(html, "suspicious</span>: 2 audit reasons for this model"));
    assert_non_null(strstr(html, "<td class=\"fail\">&#10007; fail</td><td>realistic</td>"));
    assert_non_null(strstr(html, "<li>churn: lineage (<code>is_loyal</code>)</li>"));
    assert_null(strstr(html, "<li>weak thing"));
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static void test_report_render_bad_json_line_col(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char *html = (char *)"sentinel";
    static const char bad[] = "{\"a\":1,\n \"b\": [1,2,}";
    assert_int_equal(cip_report_render(ctx, bad, sizeof bad - 1, &html), CIP_ERR_PARSE);
    assert_null(html);
    /* the '}' is line 2, column 12 */
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "2:12: invalid summary JSON"));

    static const char dup[] = "{\"seed\":1,\"seed\":2}";
    assert_int_equal(cip_report_render(ctx, dup, sizeof dup - 1, &html), CIP_ERR_PARSE);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "duplicate"));

    assert_int_equal(cip_report_render(ctx, "[1,2]", 5, &html), CIP_ERR_PARSE);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "must be a JSON object"));
    assert_int_equal(cip_report_render(ctx, "", 0, &html), CIP_ERR_PARSE);
    assert_null(html);
    cip_ctx_free(ctx);
}

static void test_report_render_file_atomic_and_errors(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char src[4096], out[4096], bad[4096];
    cipt_data_path(src, sizeof src, "summary_minimal.json");
    cipt_write_temp(out, sizeof out, ".html", "old", 3);
    assert_int_equal(cip_report_render_file(ctx, src, out), CIP_OK);
    size_t len;
    char *html = read_text(out, &len);
    assert_true(len > 1000);
    assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(html, "<svg id=\"chart-segments-profiles\""));
    free(html);

    assert_int_equal(cip_report_render_file(ctx, "/nonexistent/summary.json", out), CIP_ERR_IO);
    cipt_write_temp(bad, sizeof bad, ".json", "{\n\n  oops", 9);
    assert_int_equal(cip_report_render_file(ctx, bad, out), CIP_ERR_PARSE);
    char want[4200];
    snprintf(want, sizeof want, "%s:3:", bad);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), want));
    /* the earlier page is untouched after a failure */
    html = read_text(out, &len);
    assert_non_null(strstr(html, "chart-segments-profiles"));
    free(html);
    remove(out);
    remove(bad);
    cip_ctx_free(ctx);
}

/* A summary with 2000-point scatter charts and a 2000-point projection. */
static char *big_summary(size_t n)
{
    size_t cap = 200 + n * 120, o = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    o += (size_t)snprintf(s + o, cap - o, "{\"models\":{\"clv\":{\"actual\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%.6f", i ? "," : "", 1000.0 + 37.3 * (double)i);
    o += (size_t)snprintf(s + o, cap - o, "],\"predicted\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%.6f", i ? "," : "", 900.0 + 36.1 * (double)i);
    o += (size_t)snprintf(s + o, cap - o, "]},\"segments\":{\"projection\":{\"x\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%.5f", i ? "," : "", sin((double)i));
    o += (size_t)snprintf(s + o, cap - o, "],\"y\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%.5f", i ? "," : "", cos(0.7 * (double)i));
    o += (size_t)snprintf(s + o, cap - o, "],\"segment\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%zu", i ? "," : "", i % 5);
    o += (size_t)snprintf(s + o, cap - o, "]}}}}");
    assert_true(o < cap);
    return s;
}

static void test_report_render_2000_points_under_1mb(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char *json = big_summary(2000), *html = NULL;
    assert_int_equal(cip_report_render(ctx, json, strlen(json), &html), CIP_OK);
    size_t len = strlen(html);
    assert_true(len < 1000000);
    /* every point drawn: 2000 actual-vs-predicted + 2000 residuals + 2000 projection */
    assert_int_equal(count(html, "<circle cx="), 3 * 2000 + 5 /* legend dots */);
    assert_non_null(strstr(html, "Segment 4 (400)"));
    free(json);
    cip_free(ctx, html);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const char *json = arg;
    char *html = NULL;
    cip_status rc = cip_report_render(ctx, json, strlen(json), &html);
    if (rc == CIP_OK)
        assert_non_null(strstr(html, "chart-tx-cumulative"));
    else
        assert_null(html);
    cip_free(ctx, html);
    return rc;
}

static void test_report_render_oom_no_leak(void **state)
{
    (void)state;
    char path[4096];
    size_t len;
    char *json = read_text(cipt_data_path(path, sizeof path, "summary_full.json"), &len);
    assert_true(cipt_oom_sweep(oom_body, json) > 20);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_render_full_has_every_chart),
        cmocka_unit_test(test_report_render_escapes_text),
        cmocka_unit_test(test_report_render_numbers_formatted),
        cmocka_unit_test(test_report_format_helpers_values),
        cmocka_unit_test(test_report_render_missing_sections_notes),
        cmocka_unit_test(test_report_render_wrong_types_tolerated),
        cmocka_unit_test(test_report_render_suspicious_explained),
        cmocka_unit_test(test_report_render_bad_json_line_col),
        cmocka_unit_test(test_report_render_file_atomic_and_errors),
        cmocka_unit_test(test_report_render_2000_points_under_1mb),
        cmocka_unit_test(test_report_render_oom_no_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
