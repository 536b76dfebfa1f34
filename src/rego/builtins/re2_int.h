/* re2_int.h - the parse tree shared by re2.c (parser: Go regexp/syntax
 * rules and errors) and re2_emit.c (PCRE2 text generation). Private to
 * those two files. Nodes live in the parser's arena. */
#ifndef GH_REGO_RE2_INT_H
#define GH_REGO_RE2_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "regex_int.h"

enum {
    N_EMPTY,
    N_NOMATCH,
    N_LIT,
    N_CLASS,
    N_ANYNL,
    N_ANY,
    N_BOL,
    N_EOL,
    N_BOT,
    N_EOT,
    N_WB,
    N_NWB,
    N_CAP,
    N_STAR,
    N_PLUS,
    N_QUEST,
    N_REPEAT,
    N_CAT,
    N_ALT,
};

typedef struct node node;
struct node {
    uint8_t op, fold, greedy;
    int32_t min, max; /* repetition bounds, max -1 = unbounded */
    uint32_t rune;    /* N_LIT code point; N_CAP capture index */
    const char *cls;  /* N_CLASS: PCRE2 class text "[...]" */
    uint32_t clen;
    node **sub; /* N_CAP/N_STAR.. (1), N_CAT/N_ALT (nsub) */
    uint32_t nsub;
    int32_t height; /* Go's parse-tree height, approximately */
    int64_t size;   /* Go's compiled size estimate (calcSize), clamped */
};

/* ---- parser state (re2.c) and the class parser (re2_class.c) ---------------------- */
enum { F_FOLD = 1, F_MULTI = 2, F_DOTNL = 4, F_NONGREEDY = 8, F_ALL = 15 };

typedef struct {
    node **v;
    uint32_t n, cap;
} nvec;

typedef struct {
    unsigned flags; /* flags when the group opened, restored at ')' */
    uint32_t cap;   /* capture index, 0 for (?: and the top level */
    nvec alts, items;
} frame;

typedef struct {
    char *p;
    size_t n, cap;
    uint32_t nitems;
} clsbuf;

typedef struct {
    gh_arena a;
    const char *whole, *end;
    unsigned flags;
    uint32_t ncap;
    frame *fr;
    uint32_t nfr, capfr;
    size_t nnodes;
    gh_buf *err;
    rego_re2 *out;
} parser;

int re2_perr(parser *p, const char *code, const char *expr, size_t n);
int re2_next_rune(parser *p, const char *t, uint32_t *c, int *w);
int re2_check_utf8(parser *p, const char *s, size_t n);
node *re2_mk(parser *p, int op);
int re2_push(parser *p, node *nd);
int re2_parse_escape(parser *p, const char **tp, uint32_t *out);
/* Parse a bracket class at *tp (on '['), pushing its node. 0 or error. */
int re2_parse_class(parser *p, const char **tp);
/* A class escape at *tp (on '\\'): 1 consumed and pushed, 0 not one, <0 error. */
int re2_escape_class(parser *p, const char **tp);

/* Write root as PCRE2 text into out->pcre and fill out->capmap, ngroups,
 * loops (out->ncap is already set). 0 or GH_ENOMEM. */
int rego_re2_emit(const node *root, rego_re2 *out);

#endif
