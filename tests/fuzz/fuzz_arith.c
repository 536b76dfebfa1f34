/* fuzz_arith.c - libFuzzer target for OPA arithmetic (src/rego/builtins/
 * arith.c, bigfloat.c, bignum.c): the input is two number literals
 * separated by a newline. Every operator, unary function and fold runs on
 * them; each call must succeed with a number (or set, for minus) or fail
 * with one of the documented errors, never crash or leak. Integer pairs are
 * cross-checked against exact 128-bit arithmetic. Replayed over
 * tests/fuzz/corpus/arith/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/arith.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ok_or_documented(int rc, const val_t *out) {
    if (rc == 0) {
        if (!out || val_kind_of(out) != VAL_NUMBER) abort();
        return;
    }
    if (rc != GH_EINVAL && rc != GH_ENOMEM) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 512) return 0;
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    if (!nl) return 0;
    gh_arena a;
    gh_arena_init(&a, 4u << 20);
    gh_err e;
    val_t *x = val_num_parse(&a, p, (size_t)(nl - p), &e);
    val_t *y = val_num_parse(&a, nl + 1, size - (size_t)(nl + 1 - p), &e);
    if (x && y) {
        val_t *out;
        for (int op = REGO_ARITH_PLUS; op <= REGO_ARITH_REM; op++) {
            out = NULL;
            int rc = rego_arith(&a, (rego_arith_op)op, x, y, &out, &e);
            ok_or_documented(rc, out);
            if (rc == 0 && val_is_int(x) && val_is_int(y) && op != REGO_ARITH_DIV) {
                __int128 i = x->u.i, j = y->u.i;
                __int128 want = op == REGO_ARITH_PLUS    ? i + j
                                : op == REGO_ARITH_MINUS ? i - j
                                : op == REGO_ARITH_MUL   ? i * j
                                                         : (j ? i % j : 0);
                int64_t got;
                if (want >= INT64_MIN && want <= INT64_MAX &&
                    (!val_num_to_int64(out, &got) || got != (int64_t)want))
                    abort();
            }
        }
        for (int op = REGO_ARITH_ABS; op <= REGO_ARITH_FLOOR; op++) {
            out = NULL;
            int rc = rego_arith1(&a, (rego_arith_op1)op, x, &out, &e);
            ok_or_documented(rc, out);
        }
        val_t *arr = val_arr_new(&a, 2);
        if (arr && !val_arr_push(&a, arr, x) && !val_arr_push(&a, arr, y)) {
            out = NULL;
            int rc = rego_arith_fold(&a, false, arr, &out, &e);
            ok_or_documented(rc, out);
            out = NULL;
            rc = rego_arith_fold(&a, true, arr, &out, &e);
            ok_or_documented(rc, out);
        }
        int64_t i;
        (void)rego_num_bigint64(x, &i);
    }
    gh_arena_free(&a);
    return 0;
}
