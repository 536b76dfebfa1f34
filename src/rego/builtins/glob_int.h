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
    uint32_t *r;   /* G_TEXT runes / G_LIST chars */
    size_t n;
    uint32_t lo, hi; /* G_RANGE */
    bool not;      /* G_LIST / G_RANGE */
};

/* Append child to parent (arena-grown array); NULL on exhaustion. */
gnode *rego_glob_node(gh_arena *a, int kind, gnode *parent);

typedef struct gm gm; /* a gobwas matcher */

/* Compile an AST as gobwas/glob's compiler does. Returns NULL when the
 * pattern is too large for the port's bounds (callers then use the NFA) or
 * the arena ran out (a->oom). */
gm *rego_glob_gobwas_compile(gh_arena *a, const gnode *root, const uint32_t *seps, size_t nseps);

/* Run a compiled matcher on s. Returns 1/0; -1 when the step budget ran out
 * (use the NFA answer); -2 where gobwas/glob itself panics (slice bounds in
 * Row); GH_ENOMEM. */
int rego_glob_gobwas_match(const gm *m, const char *s, size_t n);

#endif
