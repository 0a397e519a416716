/* cmdline.c - command lines as recorded in tag cip.command: shell-quoted
 * joining of argv and the inverse split (used by `cip runs reproduce`)
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "runlog_int.h"

static bool plain_word(const char *w)
{
    if (w[0] == '\0')
        return false;
    for (const char *p = w; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("-_./=:,+@%", c) != NULL;
        if (!ok)
            return false;
    }
    return true;
}

cip_status cip_runlog_join_argv(cip_ctx *ctx, int argc, const char *const *argv, char **out)
{
    *out = NULL;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_append(ctx, &b, "", 0);
    for (int i = 0; rc == CIP_OK && i < argc; i++) {
        const char *w = argv[i] ? argv[i] : "";
        if (i > 0)
            rc = cipi_buf_putc(ctx, &b, ' ');
        if (rc == CIP_OK && plain_word(w)) {
            rc = cipi_buf_append(ctx, &b, w, strlen(w));
            continue;
        }
        if (rc == CIP_OK)
            rc = cipi_buf_putc(ctx, &b, '\'');
        for (const char *p = w; rc == CIP_OK && *p; p++)
            rc = *p == '\'' ? cipi_buf_append(ctx, &b, "'\\''", 4) : cipi_buf_putc(ctx, &b, *p);
        if (rc == CIP_OK)
            rc = cipi_buf_putc(ctx, &b, '\'');
    }
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

/* Split into NUL-separated words in dst (same size as cmd + 1); *n words.
 * Errors: PARSE. */
static cip_status split_words(cip_ctx *ctx, const char *cmd, char *dst, size_t *n)
{
    const char *p = cmd;
    char *o = dst;
    *n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (*p == '\0')
            return CIP_OK;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (end == NULL)
                    return cipi_fail(ctx, CIP_ERR_PARSE,
                                     "command line: unterminated single quote at column %zu",
                                     (size_t)(p - cmd) + 1);
                memcpy(o, p + 1, (size_t)(end - p - 1));
                o += end - p - 1;
                p = end + 1;
            } else if (*p == '"') {
                const char *start = p;
                for (p++; *p != '"'; p++) {
                    if (*p == '\0')
                        return cipi_fail(ctx, CIP_ERR_PARSE,
                                         "command line: unterminated double quote at column %zu",
                                         (size_t)(start - cmd) + 1);
                    if (*p == '\\' && p[1] != '\0' && strchr("\"\\$`", p[1]) != NULL)
                        p++;
                    *o++ = *p;
                }
                p++;
            } else if (*p == '\\') {
                if (p[1] == '\0')
                    return cipi_fail(ctx, CIP_ERR_PARSE, "command line ends with a backslash");
                *o++ = p[1];
                p += 2;
            } else {
                *o++ = *p++;
            }
        }
        *o++ = '\0';
        (*n)++;
    }
}

cip_status cip_runlog_split_command(cip_ctx *ctx, const char *cmd, char ***argv_out,
                                    size_t *argc_out)
{
    *argv_out = NULL;
    *argc_out = 0;
    if (cmd == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "command line is NULL");
    size_t len = strlen(cmd), n = 0;
    char *words = cipi_calloc(ctx, 1, len + 1);
    if (words == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = split_words(ctx, cmd, words, &n);
    /* one allocation: n + 1 pointers, then the words */
    size_t ptrs = 0, total = 0;
    if (rc == CIP_OK && (!cipi_mul_ok(n + 1, sizeof(char *), &ptrs) ||
                         __builtin_add_overflow(ptrs, len + 1, &total)))
        rc = cipi_fail(ctx, CIP_ERR_LIMIT, "command line too long");
    char **argv = NULL;
    if (rc == CIP_OK) {
        argv = cipi_malloc(ctx, total);
        if (argv == NULL)
            rc = CIP_ERR_NOMEM;
    }
    if (rc == CIP_OK) {
        char *text = (char *)argv + ptrs;
        memcpy(text, words, len + 1);
        for (size_t k = 0; k < n; k++) {
            argv[k] = text;
            text += strlen(text) + 1;
        }
        argv[n] = NULL;
        *argv_out = argv;
        *argc_out = n;
    }
    cipi_free(ctx, words);
    return rc;
}
