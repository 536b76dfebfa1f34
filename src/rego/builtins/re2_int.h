/* re2_int.h - the parse tree shared by re2.c (parser: Go regexp/syntax
 * rules and errors) and re2_emit.c (PCRE2 text generation). Private to
 * those two files. Nodes live in the parser's arena. */
#ifndef GH_REGO_RE2_INT_H
#define GH_REGO_RE2_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "regex_int.h"

enum {
    N_EMPTY, N_NOMATCH, N_LIT, N_CLASS, N_ANYNL, N_ANY, N_BOL, N_EOL, N_BOT, N_EOT, N_WB, N_NWB,
    N_CAP, N_STAR, N_PLUS, N_QUEST, N_REPEAT, N_CAT, N_ALT,
};

typedef struct node node;
struct node {
    uint8_t op, fold, greedy;
    int32_t min, max;      /* repetition bounds, max -1 = unbounded */
    uint32_t rune;         /* N_LIT code point; N_CAP capture index */
    const char *cls;       /* N_CLASS: PCRE2 class text "[...]" */
    uint32_t clen;
    node **sub;            /* N_CAP/N_STAR.. (1), N_CAT/N_ALT (nsub) */
    uint32_t nsub;
    int32_t height;        /* Go's parse-tree height, approximately */
    int64_t size;          /* Go's compiled size estimate (calcSize), clamped */
};

/* Write root as PCRE2 text into out->pcre and fill out->capmap, ngroups,
 * loops (out->ncap is already set). 0 or GH_ENOMEM. */
int rego_re2_emit(const node *root, rego_re2 *out);

#endif
