/* schema_int.h - the validation report's layout, shared by src/schema files
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SCHEMA_INT_H
#define CIP_SCHEMA_INT_H

#include "cip/schema.h"
#include "cipi.h"

/* One violation class; all pointers owned by the report. */
struct viol {
    cip_violation_kind kind; /* what is wrong */
    cip_severity severity;   /* error or warning */
    char *column;            /* column name or NULL */
    char *rule;              /* rule in words */
    size_t count;            /* offending rows */
    size_t n_ex;             /* examples recorded */
    size_t *lines;           /* [max_examples] file lines of the examples */
    char **values;           /* [max_examples] example values as text */
};

struct cip_validation {
    struct cipi_alloc alloc; /* allocator of everything below */
    size_t n_rows;           /* rows of the validated frame */
    size_t n_cols;           /* columns of the validated frame */
    size_t max_examples;     /* capacity of each viol's example arrays */
    size_t n;                /* violation classes in use */
    size_t cap;              /* allocated */
    struct viol *v;          /* owned [cap] */
    size_t n_errors;         /* classes with severity error */
    size_t n_warnings;       /* classes with severity warning */
};

#endif /* CIP_SCHEMA_INT_H */
