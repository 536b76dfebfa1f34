/* parse_int.h - small helpers shared by the conftest-format input parsers
 * (parse_edn.c, parse_hocon.c, parse_hcl1.c, parse_hcl2.c). Private to
 * src/policy/. */
#ifndef GH_POLICY_PARSE_INT_H
#define GH_POLICY_PARSE_INT_H

#include <stdint.h>

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

#endif
