/* fuzz_bignum.c - libFuzzer target for the big-number paths outside
 * arithmetic (src/rego/builtins/bignum.c, bigfloat.c through strings.c,
 * units.c, sprintf.c): the input, when it is a number literal, goes through
 * format_int in bases 2, 8, 10 and 16 (Go's full exponent range: Inf,
 * underflow, "exponent overflow") and sprintf's *big.Int verbs; as a string
 * it goes through units.parse and units.parse_bytes. Every call must give a
 * string/number or a builtin error with a message, never crash or leak, and
 * the four format_int answers must denote the same integer. Replayed over
 * tests/fuzz/corpus/bignum/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/bignum.h"
#include "rego/builtins/builtins.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rego_builtin *find(const rego_builtin *tab, const char *name) {
    for (; tab->name; tab++)
        if (!strcmp(tab->name, name)) return tab;
    abort();
}

/* A call's outcome: the wanted kind, or an error that says something. */
static void check(int rc, const val_t *out, val_kind want, const gh_err *e) {
    if (rc == RB_OK) {
        if (!out || val_kind_of(out) != want) abort();
    } else if (rc != GH_ENOMEM && !e->msg[0]) {
        abort();
    }
}

/* The integer written by format_int in base (optional '-'), as a natural;
 * base 2/8/16 digits are placed straight into limbs (linear time). */
static rn_nat read_int(rn_scratch *s, const char *t, size_t n, int base, bool *neg) {
    *neg = n && t[0] == '-';
    size_t i = *neg ? 1 : 0;
    if (base == 10) return rn_nat_from_dec(s, t + i, n - i);
    unsigned bits = base == 2 ? 1 : base == 8 ? 3 : 4;
    size_t nl = (n - i) * bits / 64 + 1;
    uint64_t *d = rn_salloc(s, nl * sizeof *d);
    if (!d) return (rn_nat){NULL, 0};
    memset(d, 0, nl * sizeof *d);
    for (size_t k = 0; k < n - i; k++) { /* digit k from the right */
        char c = t[n - 1 - k];
        uint64_t v = c >= 'a' ? (uint64_t)(c - 'a' + 10) : (uint64_t)(c - '0');
        if (v >= (uint64_t)base) abort();
        size_t pos = k * bits, w = pos / 64;
        unsigned o = (unsigned)(pos % 64);
        d[w] |= v << o;
        if (o + bits > 64) d[w + 1] |= v >> (64 - o);
    }
    while (nl && !d[nl - 1])
        nl--;
    return (rn_nat){d, nl};
}

static void format_ints(gh_arena *a, val_t *num) {
    static const int bases[] = {10, 2, 8, 16};
    const rego_builtin *fi = find(rego_bi_strings, "format_int");
    rn_scratch s;
    rn_scratch_init(&s);
    rn_nat first = {NULL, 0};
    bool first_neg = false, have = false, nil = false;
    for (int k = 0; k < 4; k++) {
        gh_err e;
        gh_err_clear(&e);
        rego_bctx c = {.a = a, .err = &e};
        val_t *args[2] = {num, val_int(a, bases[k])}, *out = NULL;
        if (!args[1]) break;
        int rc = fi->fn(&c, args, &out);
        check(rc, out, VAL_STRING, &e);
        if (rc != RB_OK) continue;
        const char *t = val_str_ptr(out);
        size_t n = val_str_len(out);
        bool is_nil = n == 5 && !memcmp(t, "<nil>", 5);
        if (have && is_nil != nil) abort(); /* Inf in one base, not in another */
        if (is_nil) {
            nil = have = true;
            continue;
        }
        bool neg;
        rn_nat v = read_int(&s, t, n, bases[k], &neg);
        if (s.err) break;
        if (neg && !v.n) abort(); /* "-0" */
        if (!have) {
            first = v;
            first_neg = neg;
            have = true;
        } else if (rn_nat_cmp(first, v) != 0 || first_neg != neg) {
            abort();
        }
    }
    rn_scratch_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    const char *p = (const char *)data;
    gh_arena a;
    gh_arena_init(&a, 8u << 20);
    gh_err e;
    gh_err_clear(&e);
    val_t *num = val_num_parse(&a, p, size, &e);
    if (num) {
        format_ints(&a, num);
        static const char fmt[] = "%d %x %X %o %O %b %v %#x %+08d %.3x %T";
        val_t *arr = val_arr_new(&a, 11), *args[2], *out = NULL;
        args[0] = val_strc(&a, fmt);
        args[1] = arr;
        bool ok = arr && args[0];
        for (int k = 0; ok && k < 11; k++)
            ok = !val_arr_push(&a, arr, num);
        if (ok) {
            gh_err_clear(&e);
            rego_bctx c = {.a = &a, .err = &e};
            int rc = find(rego_bi_sprintf, "sprintf")->fn(&c, args, &out);
            check(rc, out, VAL_STRING, &e);
        }
    }
    static const char *const units[] = {"units.parse", "units.parse_bytes"};
    for (int k = 0; k < 2; k++) {
        gh_err_clear(&e);
        rego_bctx c = {.a = &a, .err = &e};
        val_t *args[1] = {val_str(&a, p, size)}, *out = NULL;
        if (!args[0]) break;
        int rc = find(rego_bi_units, units[k])->fn(&c, args, &out);
        check(rc, out, VAL_NUMBER, &e);
    }
    gh_arena_free(&a);
    return 0;
}
