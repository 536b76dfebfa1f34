/* parse_int.h - small helpers shared by the conftest-format input parsers
 * (parse_edn.c, parse_hocon.c, parse_hcl1.c, parse_hcl2.c, parse_cue.c,
 * parse_vcl.c, parse_spdx.c, parse_ini.c).
 * Private to src/policy/. */
#ifndef GH_POLICY_PARSE_INT_H
#define GH_POLICY_PARSE_INT_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

/* Append code point c (at most 0x10FFFF; callers pass \u/\U escape values)
 * to b as UTF-8. */
static inline void pol_put_utf8(gh_buf *b, uint32_t c) {
    char t[4];
    size_t n;
    if (c < 0x80) {
        t[0] = (char)c, n = 1;
    } else if (c < 0x800) {
        t[0] = (char)(0xC0 | (c >> 6)), t[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    } else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)), t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    } else {
        if (c > 0x10FFFF) c = 0xFFFD;
        t[0] = (char)(0xF0 | (c >> 18)), t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F)), t[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    }
    gh_buf_append(b, t, n);
}

/* The status a parser's entry point returns for rc, the status of its run
 * over arena a: a failure while a was out of budget is reported as
 * GH_ENOMEM (set in e for file), whatever the parser made of the missing
 * allocation; any other rc is returned as is. */
static inline int pol_budget_rc(gh_arena *a, int rc, const char *file, gh_err *e) {
    if (rc && rc != GH_ENOMEM && a->oom) rc = gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    return rc;
}

/* Whether s[0..n) is a number in Go's strconv.ParseFloat decimal syntax:
 * [+-]digits[.digits][(e|E)[+-]digits] with a digit somewhere before the
 * exponent (inf/nan/hex left out: JSON cannot carry them). */
static inline bool pol_go_number(const char *s, size_t n) {
    size_t i = 0, d = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, d++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, d++;
    }
    if (!d) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t e = 0;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, e++;
        if (!e) return false;
    }
    return i == n;
}

/* The state of a character-level parser over text [p, end) of file: the
 * cursor with its 1-based line:col, the arena results go to, where errors
 * go and the current nesting depth. Parsers with no further state use it
 * as is (parse_cue.c, parse_edn.c); others repeat these fields first. */
typedef struct pol_cursor {
    gh_arena *a;
    const char *p, *end, *file;
    int line, col;
    gh_err *e;
    int depth;
} pol_cursor;

/* POL_CURSOR_FNS(T) defines, for a parser state type T with the fields
 * `const char *p, *end, *file; int line, col; gh_err *e`, the cursor
 * helpers the character-level parsers share (p < end is the caller's
 * check before adv):
 *   adv(P): step over one byte, keeping line:col (a newline starts line+1);
 *   at(P, s): whether the text at the cursor starts with s;
 *   oom(P): GH_ENOMEM at the cursor, returned. */
#define POL_CURSOR_FNS(T)                                                                          \
    __attribute__((unused)) static void adv(T *P) {                                                \
        if (*P->p == '\n') {                                                                       \
            P->line++;                                                                             \
            P->col = 1;                                                                            \
        } else {                                                                                   \
            P->col++;                                                                              \
        }                                                                                          \
        P->p++;                                                                                    \
    }                                                                                              \
    __attribute__((unused)) static bool at(T *P, const char *s) {                                  \
        size_t n = strlen(s);                                                                      \
        return (size_t)(P->end - P->p) >= n && !memcmp(P->p, s, n);                                \
    }                                                                                              \
    __attribute__((unused)) static int oom(T *P) {                                                 \
        return gh_err_set(P->e, GH_ENOMEM, P->file, P->line, P->col, "out of memory");             \
    }

#endif
