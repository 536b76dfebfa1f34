/* parse_test.h - what every tests/unit/policy/test_parse_*.c repeats: the
 * arena A with its setup/teardown (from gh_test.h), the error E of the last
 * parse, J: parse a text and give it back as sorted JSON, and J_ERR: parsing
 * a text fails with a given code (and line). Define PARSE
 * (the pol_parse_* function) before including; optionally PARSE_FILE (the
 * file name passed, default "t") and PARSE_JSON (the val_to_json flags,
 * default VAL_JSON_SORTED). Header-only; include it first. */
#ifndef GH_PARSE_TEST_H
#define GH_PARSE_TEST_H

#include "../gh_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#ifndef PARSE
#error "define PARSE (the pol_parse_* function under test) before including parse_test.h"
#endif
#ifndef PARSE_FILE
#define PARSE_FILE "t"
#endif
#ifndef PARSE_JSON
#define PARSE_JSON VAL_JSON_SORTED
#endif

/* The error of the last PV/JN/J call that failed (cleared before each). */
__attribute__((unused)) static gh_err E;

/* The parse of n bytes of src (in arena A), or NULL with E set. */
__attribute__((unused)) static val_t *PV_N(const char *src, size_t n) {
    val_t *v = NULL;
    gh_err_clear(&E);
    if (PARSE(&A, src, n, PARSE_FILE, &v, &E)) return NULL;
    return v;
}

/* The parse of n bytes of src as JSON (PARSE_JSON flags), or NULL with E set. */
__attribute__((unused)) static const char *JN(const char *src, size_t n) {
    val_t *v = PV_N(src, n);
    return v ? val_to_json(&A, v, PARSE_JSON) : NULL;
}

/* The parse of the string src as JSON, or NULL with E set. */
__attribute__((unused)) static const char *J(const char *src) { return JN(src, strlen(src)); }

/* Parsing the string src fails with error code `code` at line `line` (0:
 * any line); E then holds the error. Reported at the caller's line. */
__attribute__((unused)) static void J_ERR_(const char *src, int code, int line, int at) {
    const char *got = J(src);
    if (got) fail_msg("line %d: parsed, want error %d: %s", at, code, got);
    if (E.code != code || (line && E.line != line))
        fail_msg("line %d: error %d at line %d (%s), want %d at line %d", at, E.code, E.line, E.msg,
                 code, line);
}
#define J_ERR(src, code, line) J_ERR_((src), (code), (line), __LINE__)

#endif
