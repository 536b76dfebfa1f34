/* test_net.c - the net family: OPA 0.61's recorded answers
 * (tests/differential/net.expect + .rtexpect), the cases where OPA's
 * cidr_merge panics (we answer with the exact cover), the cidr_expand
 * bound, name lookups that need no network, a brute-force check of
 * cidr_merge against an address bitmap, and out-of-memory behaviour. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_net, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("net", tabs, NULL, 165);
}

static int call(gh_arena *a, const char *line, const char **res) {
    return bd_call(a, tabs, 0, line, res);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* OPA 0.61 panics on these merges (index out of range in its CIDR
     * code); gatehouse returns the exact minimal cover */
    expect(&a, "net.cidr_merge([\"::1:1/128\", \"::1:2/128\"])", 0,
           "[\"::1:1/128\",\"::1:2/128\"]");
    expect(&a, "net.cidr_merge([\"1::1/128\", \"1::2/128\", \"1::3/128\"])", 0,
           "[\"1::1/128\",\"1::2/127\"]");
    expect(&a, "net.cidr_merge([\"1::/17\", \"1:8000::/17\"])", 0, "[\"1::/16\"]");
    expect(&a, "net.cidr_merge([\"255.255.255.255/32\", \"::1:0:0:0/128\"])", 0,
           "[\"255.255.255.255/32\",\"::1:0:0:0/128\"]");
    expect(&a, "net.cidr_merge([\"::ffff:1.2.3.0/120\", \"::ffff:1.2.4.0/120\"])", 0,
           "[\"1.2.3.0/24\",\"1.2.4.0/24\"]");
    expect(&a, "net.cidr_merge([\"::ffff:1.2.2.0/120\", \"::ffff:1.2.3.0/120\"])", 0,
           "[\"1.2.2.0/23\"]");
    expect(&a, "net.cidr_merge([\"::ffff:1.2.3.0/120\", \"::ffff:1.2.3.0/120\"])", 0,
           "[\"1.2.3.0/24\"]");
    /* the expansion bound */
    expect(&a, "net.cidr_expand(\"10.0.0.0/8\")", GH_EINVAL,
           "CIDR 10.0.0.0/8 expands to more than 65536 addresses");
    expect(&a, "net.cidr_expand(\"0.0.0.0/0\")", GH_EINVAL,
           "CIDR 0.0.0.0/0 expands to more than 65536 addresses");
    expect(&a, "net.cidr_expand(\"::/0\")", GH_EINVAL,
           "CIDR ::/0 expands to more than 65536 addresses");
    const char *got;
    assert_int_equal(call(&a, "net.cidr_expand(\"10.1.0.0/16\")", &got), 0);
    assert_int_equal(call(&a, "net.cidr_expand(\"2001:db8::/112\")", &got), 0);
    assert_int_equal(call(&a, "net.cidr_expand(\"10.1.0.0/15\")", &got), GH_EINVAL);
    /* lookups that stay on this machine */
    expect(&a, "net.lookup_ip_addr(\"127.0.0.1\")", 0, "[\"127.0.0.1\"]");
    expect(&a, "net.lookup_ip_addr(\"fe80::1%eth7\")", 0, "[\"fe80::1%eth7\"]");
    expect(&a, "net.lookup_ip_addr(\"01.2.3.4\")", GH_EINVAL, "lookup 01.2.3.4: no such host");
    expect(&a, "net.lookup_ip_addr(\"1.2.3\")", GH_EINVAL, "lookup 1.2.3: no such host");
    expect(&a, "net.lookup_ip_addr(\"\")", GH_EINVAL, "lookup : no such host");
    assert_int_equal(call(&a, "net.lookup_ip_addr(\"localhost\")", &got), 0);
    assert_non_null(strstr(got, "127.0.0.1"));
    gh_arena_free(&a);
}

/* The per-query cache answers a repeated lookup with the same value. */
static void test_lookup_cache(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    const rego_builtin *b = bd_find(tabs, "net.lookup_ip_addr");
    val_t *arg = val_strc(&a, "localhost"), *o1 = NULL, *o2 = NULL;
    assert_int_equal(b->fn(&c, &arg, &o1), 0);
    assert_int_equal(b->fn(&c, &arg, &o2), 0);
    assert_ptr_equal(o1, o2);
    gh_arena_free(&a);
}

/* cidr_merge against a bitmap of 10.0.0.0/24: random sets of small CIDRs
 * must be covered exactly, by CIDRs that neither overlap nor could merge. */
static void test_merge_bitmap(void **state) {
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15u;
    const rego_builtin *b = bd_find(tabs, "net.cidr_merge");
    for (int round = 0; round < 300; round++) {
        gh_arena a;
        gh_arena_init(&a, 0);
        bool want[256] = {false}, got[256] = {false};
        val_t *arr = val_arr_new(&a, 8);
        int n = 1 + (int)(x % 8);
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            int len = 26 + (int)(x % 7), start = (int)((x >> 8) % 256);
            start &= ~((1 << (32 - len)) - 1);
            for (int k = start; k < start + (1 << (32 - len)); k++)
                want[k] = true;
            char buf[32];
            snprintf(buf, sizeof buf, "10.0.0.%d/%d", start, len);
            val_arr_push(&a, arr, val_strc(&a, buf));
        }
        gh_err e;
        rego_bctx c = {.a = &a, .err = &e};
        val_t *out = NULL;
        assert_int_equal(b->fn(&c, &arr, &out), 0);
        for (size_t i = 0; i < val_set_len(out); i++) {
            unsigned o1, o2, o3, o4, len;
            assert_int_equal(
                sscanf(val_str_ptr(val_set_at(out, i)), "%u.%u.%u.%u/%u", &o1, &o2, &o3, &o4, &len),
                5);
            assert_true(o1 == 10 && o2 == 0 && o3 == 0 && len >= 24);
            for (unsigned k = o4; k < o4 + (1u << (32 - len)); k++) {
                assert_false(got[k]); /* no overlap */
                got[k] = true;
            }
        }
        assert_memory_equal(want, got, sizeof want);
        gh_arena_free(&a);
    }
}

static void test_oom(void **state) {
    (void)state;
    static const char *const lines[] = {
        "net.cidr_expand(\"10.0.0.0/24\")",
        "net.cidr_merge([\"10.0.0.0/25\", \"10.0.0.128/25\", \"1.2.3.4\", \"::1:1/128\"])",
        "net.cidr_contains_matches([\"10.0.0.0/8\", \"1.0.0.0/8\"], {\"a\": \"10.1.1.1\"})",
        "net.lookup_ip_addr(\"127.0.0.1\")",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        bd_oom_sweep(tabs, lines[i], (bd_budgets){1, 40000, 997}, RB_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential), cmocka_unit_test(test_cases),
        cmocka_unit_test(test_lookup_cache), cmocka_unit_test(test_merge_bitmap),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
