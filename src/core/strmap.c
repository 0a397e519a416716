/* strmap.c - string interning map (dictionary encoding of categoricals)
 *
 * Linear probing over a power-of-two table of 32-bit ids kept at most half
 * full; keys live in an array indexed by id so ids are dense and stable.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "cip/rng.h"
#include "cipi.h"

uint64_t cipi_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return cip_mix64(h ^ n);
}

void cipi_strmap_init(struct cipi_strmap *m, const cip_ctx *ctx)
{
    memset(m, 0, sizeof *m);
    m->a = cipi_ctx_alloc(ctx);
}

void cipi_strmap_release(struct cipi_strmap *m)
{
    for (size_t k = 0; k < m->n; k++)
        cipi_afree(&m->a, m->keys[k]);
    cipi_afree(&m->a, m->keys);
    cipi_afree(&m->a, m->key_lens);
    cipi_afree(&m->a, m->slots);
    struct cipi_alloc a = m->a;
    memset(m, 0, sizeof *m);
    m->a = a;
}

static int64_t probe(const struct cipi_strmap *m, const char *key, size_t len, size_t *slot)
{
    size_t mask = m->n_slots - 1;
    size_t s = (size_t)cipi_hash_bytes(key, len) & mask;
    for (;;) {
        uint32_t v = m->slots[s];
        if (v == 0) {
            *slot = s;
            return -1;
        }
        uint32_t id = v - 1;
        if (m->key_lens[id] == len && memcmp(m->keys[id], key, len) == 0) {
            *slot = s;
            return id;
        }
        s = (s + 1) & mask;
    }
}

static cip_status grow_table(cip_ctx *ctx, struct cipi_strmap *m)
{
    size_t ns = m->n_slots ? m->n_slots * 2 : 64;
    uint32_t *slots = cipi_calloc(ctx, ns, sizeof *slots);
    if (slots == NULL)
        return CIP_ERR_NOMEM;
    for (size_t id = 0; id < m->n; id++) {
        size_t s = (size_t)cipi_hash_bytes(m->keys[id], m->key_lens[id]) & (ns - 1);
        while (slots[s] != 0)
            s = (s + 1) & (ns - 1);
        slots[s] = (uint32_t)id + 1;
    }
    cipi_afree(&m->a, m->slots);
    m->slots = slots;
    m->n_slots = ns;
    return CIP_OK;
}

int64_t cipi_strmap_find(const struct cipi_strmap *m, const char *key, size_t len)
{
    if (m->n_slots == 0)
        return -1;
    size_t slot;
    return probe(m, key, len, &slot);
}

cip_status cipi_strmap_intern(cip_ctx *ctx, struct cipi_strmap *m, const char *key, size_t len,
                              uint32_t *id)
{
    size_t slot;
    if (m->n_slots != 0) {
        int64_t found = probe(m, key, len, &slot);
        if (found >= 0) {
            *id = (uint32_t)found;
            return CIP_OK;
        }
    }
    if (m->n >= (size_t)1 << 31)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "more than 2^31 distinct labels");
    if ((m->n + 1) * 2 > m->n_slots) {
        cip_status rc = grow_table(ctx, m);
        if (rc != CIP_OK)
            return rc;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        char **keys = cipi_realloc(ctx, m->keys, cap * sizeof *keys);
        if (keys == NULL)
            return CIP_ERR_NOMEM;
        m->keys = keys;
        size_t *lens = cipi_realloc(ctx, m->key_lens, cap * sizeof *lens);
        if (lens == NULL)
            return CIP_ERR_NOMEM;
        m->key_lens = lens;
        m->cap = cap;
    }
    char *copy = cipi_strndup(ctx, key, len);
    if (copy == NULL)
        return CIP_ERR_NOMEM;
    (void)probe(m, key, len, &slot);
    m->keys[m->n] = copy;
    m->key_lens[m->n] = len;
    m->slots[slot] = (uint32_t)m->n + 1;
    *id = (uint32_t)m->n++;
    return CIP_OK;
}

char **cipi_strmap_detach_keys(struct cipi_strmap *m, size_t *n)
{
    char **keys = m->keys;
    *n = m->n;
    m->keys = NULL;
    m->n = 0;
    cipi_strmap_release(m);
    return keys;
}
