/* glob_int.h - the pieces of glob.match shared by glob.c (lexer, parser,
 * NFA fallback, cache, builtins) and glob_gobwas.c (a faithful port of the
 * matcher tree github.com/gobwas/glob v0.2.3 builds, which decides OPA's
 * answers, quirks included). Private to src/rego/builtins/. */
#ifndef GH_REGO_GLOB_INT_H
#define GH_REGO_GLOB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* AST node kinds, as gobwas/glob syntax/ast names them */
enum { G_NOTHING, G_PATTERN, G_LIST, G_RANGE, G_TEXT, G_ANY, G_SUPER, G_SINGLE, G_ANYOF };

typedef struct gnode gnode;
struct gnode {
    int kind;
    gnode *parent;
    gnode **kids;
    uint32_t nkids, capkids;
    uint32_t *r; /* G_TEXT runes / G_LIST chars */
    size_t n;
    uint32_t lo, hi; /* G_RANGE */
    bool not ;       /* G_LIST / G_RANGE */
};

/* Append child to parent (arena-grown array); NULL on exhaustion. */
gnode *rego_glob_node(gh_arena *a, int kind, gnode *parent);

/* A gobwas matcher (match package types, one struct for all). */
typedef struct gm gm;
enum {
    M_ANY,
    M_ANYOF,
    M_BTREE,
    M_CONTAINS,
    M_EVERYOF,
    M_LIST,
    M_MAX,
    M_MIN,
    M_NOTHING,
    M_PREFIX,
    M_PREFIX_ANY,
    M_PREFIX_SUFFIX,
    M_RANGE,
    M_ROW,
    M_SINGLE,
    M_SUFFIX,
    M_SUFFIX_ANY,
    M_SUPER,
    M_TEXT,
};

struct gm {
    int type;
    const uint32_t *runes; /* separators (ANY, SINGLE, *_ANY) or LIST chars */
    size_t nrunes;
    bool not ;
    uint32_t lo, hi;
    int limit;           /* MIN / MAX */
    const char *s1, *s2; /* TEXT/CONTAINS/PREFIX/SUFFIX text; PREFIX_SUFFIX prefix, suffix */
    size_t n1, n2;
    int runes_len; /* TEXT rune count, ROW length */
    gm **subs;     /* ANYOF, EVERYOF, ROW */
    size_t nsubs;
    gm *value, *left, *right; /* BTREE */
    int vlen, llen, rlen, len;
};

/* Matcher.Len() as the library computes it (bugs included). */
int rego_glob_m_len(const gm *m);

/* Compile an AST as gobwas/glob's compiler does. Returns NULL when the
 * pattern is too large for the port's bounds (callers then use the NFA) or
 * the arena ran out (a->oom). */
gm *rego_glob_gobwas_compile(gh_arena *a, const gnode *root, const uint32_t *seps, size_t nseps);

/* Run a compiled matcher on s. Returns 1/0; -1 when the step budget ran out
 * (use the NFA answer); -2 where gobwas/glob itself panics (slice bounds in
 * Row); GH_ENOMEM. */
int rego_glob_gobwas_match(const gm *m, const char *s, size_t n);

#endif
