/* regex_int.h - the Go-compatible regular expression engine behind the regex
 * builtins, private to src/rego/builtins/ (and the regex fuzzer):
 *   re2.c        RE2 syntax (Go regexp/syntax, Perl flags) -> validated and
 *                translated into an equivalent PCRE2 pattern;
 *   regex.c      compiled-pattern cache (per thread) and matching that
 *                follows Go's regexp semantics (leftmost-first, Go's rules
 *                for empty matches), plus the regex.* builtins;
 *   glob_isect.c regex.globs_match (yashtewari/glob-intersection semantics).
 * Errors carry Go's text ("error parsing regexp: invalid escape sequence:
 * `\1`") so OPA policies and tests that match on them keep working. */
#ifndef GH_REGO_REGEX_INT_H
#define GH_REGO_REGEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "value/value.h"

/* ---- RE2 -> PCRE2 translation (re2.c) ----------------------------------------
 * The translated pattern must be compiled with REGO_RE2_PCRE_OPTIONS (see
 * regex.c), LF newlines and a parens nesting limit >= REGO_RE2_MAX_NEST. */
#define REGO_RE2_MAX_HEIGHT 1000 /* Go's maxHeight: parse tree height */
#define REGO_RE2_MAX_REPEAT 1000 /* Go's maxRepeat: x{n,m} counts and their products */
#define REGO_RE2_MAX_NEST 2100   /* PCRE2 parens nesting the translation may need */

/* Go never repeats a loop body that matched empty (its matchers drop a
 * thread that returns to the loop at the same position), while PCRE2
 * records the empty iteration's captures before leaving the loop. Loops
 * whose body can match empty and holds captures are therefore emitted as
 * ()(?:()body(?Ck))* with two hidden groups (loop entry f, iteration start
 * e); callout k fails an empty iteration that is not the loop's first. */
typedef struct {
    uint32_t f, e; /* PCRE2 group numbers of the hidden groups */
} rego_re2_loop;

typedef struct rego_re2 {
    gh_buf pcre;          /* translated pattern, NUL-terminated */
    uint32_t ncap;        /* number of RE2 capture groups ((...) and (?P<name>...)) */
    gh_buf names;         /* ncap NUL-terminated names in group order ("" = unnamed) */
    bool has_names;       /* some group is named */
    uint32_t *capmap;     /* ncap + 1 entries: RE2 group i is PCRE2 group capmap[i] */
    uint32_t ngroups;     /* PCRE2 capture groups, hidden ones included */
    rego_re2_loop *loops; /* callout k (1-based) guards loops[k - 1] */
    uint32_t nloops;
} rego_re2;

/* Parse pat[0..n) as Go's regexp.Compile does. On success returns 0 and fills
 * *out (release with rego_re2_free). On a syntax error returns GH_EINVAL and
 * appends Go's message ("error parsing regexp: ...") to *errmsg; GH_ENOMEM
 * when memory ran out. *out needs no initialisation and is always safe to
 * free afterwards. */
int rego_re2_translate(const char *pat, size_t n, rego_re2 *out, gh_buf *errmsg);
void rego_re2_free(rego_re2 *r);

/* ---- compiled patterns and matching (regex.c) ---------------------------------- */
typedef struct rego_re rego_re;

/* Look up the compiled form of an RE2 pattern in a per-thread LRU cache (no
 * locks on the hot path), compiling it on a miss. Returns 0 with *out set;
 * GH_EINVAL for a syntax error (Go's message in e); GH_ENOMEM. *out stays
 * valid until the next rego_re_get/rego_re_cache_clear on the same thread,
 * so use it before looking up another pattern. */
int rego_re_get(const char *pat, size_t n, const rego_re **out, gh_err *e);
/* The same for a string value: its precomputed hash keys the cache, so the
 * hot path (a policy's constant pattern) hashes nothing. */
int rego_re_get_val(const val_t *pat, const rego_re **out, gh_err *e);
/* Number of capture groups; the name of group i (1-based), "" when unnamed. */
uint32_t rego_re_ncap(const rego_re *re);
const char *rego_re_group_name(const rego_re *re, uint32_t i);

/* One leftmost-first match of re in s[0..n) at or after byte `start` (text
 * before start is context for \b and ^, as Go's doExecute). ov receives
 * 2 * (ncap + 1) offsets, -1 for groups that did not participate (ov may be
 * NULL when only the answer matters; novec is its capacity in pairs, groups
 * beyond it are not reported). Returns 1 match, 0 no match, or GH_EINVAL when
 * the backtracking budget ran out (message in e). */
int rego_re_exec(const rego_re *re, const char *s, size_t n, size_t start, ptrdiff_t *ov,
                 size_t novec, gh_err *e);
/* True when re matches anywhere in s (Go's MatchString). Never exhausts:
 * falls back to PCRE2's DFA matcher when backtracking gets too expensive.
 * Returns 1, 0, or a negative GH_E* code. */
int rego_re_test(const rego_re *re, const char *s, size_t n, gh_err *e);

/* Drop this thread's cached patterns (tests; worker shutdown). */
void rego_re_cache_clear(void);

/* ---- glob intersection (glob_isect.c) --------------------------------------------
 * regex.globs_match: whether the intersection of two globs over the symbols
 * . * + [ - ] \ matches a non-empty set of non-empty strings, exactly as
 * github.com/yashtewari/glob-intersection v0.2.0 (OPA's dependency) decides,
 * including its simplifications. Returns 1/0, GH_EINVAL with the library's
 * message in errmsg for malformed globs, GH_ENOMEM. Time is polynomial
 * (memoised), never exponential. */
int rego_globs_intersect(const char *g1, size_t n1, const char *g2, size_t n2, gh_buf *errmsg);

#endif
