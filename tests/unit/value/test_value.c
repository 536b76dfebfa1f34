/* test_value.c - unit tests of value construction, hashing, lookup,
 * ordering (OPA's ast.Compare), canonical order, deep copy and behaviour
 * under arena exhaustion. Values are built with constructors only (the
 * JSON parser is tested on its own). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gh_test.h"

#include "value/value.h"

static val_t *I(int64_t i) { return val_int(&A, i); }
static val_t *S(const char *s) { return val_strc(&A, s); }
static val_t *N(const char *lit) {
    gh_err e;
    val_t *v = val_num_parse(&A, lit, strlen(lit), &e);
    assert_non_null(v);
    return v;
}
static val_t *arr(int n, ...) {
    val_t *a = val_arr_new(&A, 0);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) assert_int_equal(val_arr_push(&A, a, va_arg(ap, val_t *)), 0);
    va_end(ap);
    return a;
}
/* obj(n, k1, v1, k2, v2, ...) */
static val_t *obj(int n, ...) {
    val_t *o = val_obj_new(&A, 0);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        val_t *k = va_arg(ap, val_t *), *v = va_arg(ap, val_t *);
        assert_int_equal(val_obj_put(&A, o, k, v), 0);
    }
    va_end(ap);
    return o;
}
static val_t *set(int n, ...) {
    val_t *s = val_set_new(&A, 0);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) assert_int_equal(val_set_add(&A, s, va_arg(ap, val_t *), NULL), 0);
    va_end(ap);
    return s;
}

#define LT(a, b)                                                                                   \
    do {                                                                                           \
        assert_true(val_compare((a), (b)) < 0);                                                    \
        assert_true(val_compare((b), (a)) > 0);                                                    \
        assert_false(val_equal((a), (b)));                                                         \
    } while (0)
#define EQ(a, b)                                                                                   \
    do {                                                                                           \
        assert_int_equal(val_compare((a), (b)), 0);                                                \
        assert_true(val_equal((a), (b)));                                                          \
        assert_true(val_hash(a) == val_hash(b));                                                   \
    } while (0)

static void test_singletons(void **state) {
    (void)state;
    assert_ptr_equal(val_bool(true), VAL_TRUE);
    assert_ptr_equal(val_bool(false), VAL_FALSE);
    assert_ptr_equal(val_int(&A, 5), val_int(&A, 5)); /* small ints are static */
    assert_ptr_equal(val_int(&A, -128), val_int(&A, -128));
    assert_ptr_equal(val_str(&A, "", 0), &val_empty_str_v);
    assert_ptr_equal(val_str(&A, "abc", 0), &val_empty_str_v);
    assert_int_equal(val_kind_of(VAL_NULLV), VAL_NULL);
    assert_true(val_is_int(I(7)));
    assert_true(val_is_str(S("x")));
    assert_string_equal(val_kind_name(VAL_NULL), "null");
    assert_string_equal(val_kind_name(VAL_BOOL), "boolean");
    assert_string_equal(val_kind_name(VAL_NUMBER), "number");
    assert_string_equal(val_kind_name(VAL_STRING), "string");
    assert_string_equal(val_kind_name(VAL_ARRAY), "array");
    assert_string_equal(val_kind_name(VAL_OBJECT), "object");
    assert_string_equal(val_kind_name(VAL_SET), "set");
    /* distinct singletons hash apart */
    assert_true(val_hash(VAL_NULLV) != val_hash(VAL_TRUE));
    assert_true(val_hash(VAL_TRUE) != val_hash(VAL_FALSE));
    /* a big int built twice is equal, not identical */
    val_t *a = I(123456789), *b = I(123456789);
    assert_ptr_not_equal(a, b);
    EQ(a, b);
    /* reseeding the base hash does not disturb value hashes */
    uint64_t h = val_hash(S("stable"));
    gh_hash_seed(99, 100);
    assert_true(val_hash(S("stable")) == h);
    assert_true(val_hash(I(5)) == val_hash(N("5.0")));
}

static void test_strings(void **state) {
    (void)state;
    val_t *a = val_str(&A, "a\0b", 3), *b = val_str(&A, "a\0c", 3);
    assert_int_equal(val_str_len(a), 3);
    assert_int_equal(val_str_ptr(a)[3], '\0');
    LT(a, b);
    char buf[] = "shared";
    val_t *r = val_str_ref(&A, buf, 6);
    assert_ptr_equal(val_str_ptr(r), buf);
    EQ(r, S("shared"));
    LT(S("a"), S("b"));
    LT(S("a"), S("ab"));
    LT(S(""), S("a"));
    LT(S("Z"), S("a"));
    LT(S("a"), S("\xc3\xa9")); /* bytewise, high bytes after ASCII */
    LT(S("abc"), S("abd"));
    EQ(S("hello"), val_str(&A, "hello!", 5));
}

static void test_kind_order(void **state) {
    (void)state;
    val_t *order[] = {VAL_NULLV, VAL_FALSE, VAL_TRUE,           I(-5),
                      I(0),      N("0.5"),  I(1000000),         S(""),
                      S("a"),    arr(0),    arr(1, VAL_NULLV),  obj(0),
                      obj(1, S("a"), I(1)), set(0),             set(1, VAL_NULLV)};
    size_t n = sizeof order / sizeof *order;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = val_compare(order[i], order[j]);
            if (i < j) assert_true(c < 0);
            else if (i > j) assert_true(c > 0);
            else assert_int_equal(c, 0);
        }
    /* kinds outrank contents */
    LT(I(1000000), S(""));
    LT(S("zzz"), arr(0));
    LT(arr(1, set(0)), obj(0));
    LT(obj(1, S("z"), set(0)), set(0));
    /* hashes of empty containers differ by kind */
    assert_true(val_hash(arr(0)) != val_hash(obj(0)));
    assert_true(val_hash(obj(0)) != val_hash(set(0)));
    assert_true(val_hash(arr(0)) != val_hash(set(0)));
}

static void test_arrays(void **state) {
    (void)state;
    LT(arr(2, I(1), I(2)), arr(2, I(1), I(3)));
    LT(arr(1, I(1)), arr(2, I(1), I(0)));
    LT(arr(0), arr(1, VAL_NULLV));
    LT(arr(2, I(2), I(0)), arr(1, I(3)));
    EQ(arr(2, I(1), S("x")), arr(2, N("1.0"), S("x")));
    /* order matters for equality and (almost surely) hashes */
    val_t *x = arr(2, I(1), I(2)), *y = arr(2, I(2), I(1));
    assert_false(val_equal(x, y));
    assert_true(val_hash(x) != val_hash(y));
    /* growth past the initial capacity */
    val_t *a = val_arr_new(&A, 2);
    for (int i = 0; i < 1000; i++) assert_int_equal(val_arr_push(&A, a, I(i)), 0);
    assert_int_equal(val_arr_len(a), 1000);
    for (int i = 0; i < 1000; i++) assert_int_equal(val_arr_at(a, i)->u.i, i);
    val_t *b = val_arr_new(&A, 1000);
    for (int i = 0; i < 1000; i++) val_arr_push(&A, b, I(i));
    EQ(a, b);
    assert_int_equal(val_arr_push(&A, obj(0), I(1)), GH_EINVAL);
}

static void test_objects(void **state) {
    (void)state;
    val_t *o = obj(3, S("b"), I(2), S("a"), I(1), S("c"), I(3));
    assert_int_equal(val_obj_len(o), 3);
    assert_ptr_equal(val_obj_get_str(o, "a", 1), I(1));
    assert_ptr_equal(val_obj_get(o, S("c")), I(3));
    assert_null(val_obj_get_str(o, "d", 1));
    assert_null(val_obj_get_str(o, "", 0));
    assert_null(val_obj_get(o, I(1)));
    /* insertion order kept */
    assert_string_equal(val_str_ptr(val_obj_key_at(o, 0)), "b");
    assert_ptr_equal(val_obj_val_at(o, 2), I(3));
    /* equality ignores insertion order */
    EQ(o, obj(3, S("a"), I(1), S("c"), I(3), S("b"), I(2)));
    /* replace: last wins, size unchanged, hash as if built directly */
    val_t *r = obj(2, S("k"), I(1), S("j"), I(0));
    assert_int_equal(val_obj_put(&A, r, S("k"), I(2)), 0);
    assert_int_equal(val_obj_len(r), 2);
    assert_ptr_equal(val_obj_get_str(r, "k", 1), I(2));
    EQ(r, obj(2, S("j"), I(0), S("k"), I(2)));
    assert_int_equal(val_obj_put(&A, r, S("k"), I(1)), 0);
    EQ(r, obj(2, S("k"), I(1), S("j"), I(0)));
    /* numeric keys: 1 and 1.0 are the same key */
    val_t *nk = obj(1, I(1), S("int"));
    assert_int_equal(val_obj_put(&A, nk, N("1.0"), S("dec")), 0);
    assert_int_equal(val_obj_len(nk), 1);
    assert_string_equal(val_str_ptr(val_obj_get(nk, N("1e0"))), "dec");
    /* composite keys */
    val_t *ck = obj(2, arr(1, I(1)), S("a"), obj(1, S("x"), I(1)), S("o"));
    assert_string_equal(val_str_ptr(val_obj_get(ck, arr(1, N("10e-1")))), "a");
    assert_string_equal(val_str_ptr(val_obj_get(ck, obj(1, S("x"), I(1)))), "o");
    assert_null(val_obj_get_str(ck, "a", 1));
    /* the empty-string key */
    val_t *ek = obj(1, S(""), I(9));
    assert_ptr_equal(val_obj_get_str(ek, "", 0), I(9));
    /* ordering */
    LT(obj(1, S("a"), I(1)), obj(1, S("a"), I(2)));
    LT(obj(1, S("a"), I(9)), obj(1, S("b"), I(0)));
    LT(obj(1, S("a"), I(1)), obj(2, S("a"), I(1), S("b"), I(1)));
    LT(obj(2, S("a"), I(1), S("c"), I(1)), obj(1, S("b"), I(1)));
    LT(obj(2, S("b"), I(0), S("a"), I(1)), obj(2, S("c"), I(1), S("a"), I(1)));
    LT(obj(2, S("a"), I(1), S("b"), I(0)), obj(2, S("a"), I(1), S("b"), I(1)));
    LT(obj(1, I(1), I(1)), obj(1, S("a"), I(1)));
    assert_int_equal(val_obj_put(&A, arr(0), S("a"), I(1)), GH_EINVAL);
    assert_null(val_obj_get(arr(0), S("a")));
    assert_null(val_obj_get_str(set(0), "a", 1));
}

static void test_sets(void **state) {
    (void)state;
    val_t *s = val_set_new(&A, 0);
    bool added;
    assert_int_equal(val_set_add(&A, s, I(1), &added), 0);
    assert_true(added);
    assert_int_equal(val_set_add(&A, s, N("1.0"), &added), 0);
    assert_false(added);
    assert_int_equal(val_set_add(&A, s, N("1e0"), &added), 0);
    assert_false(added);
    assert_int_equal(val_set_add(&A, s, S("1"), &added), 0);
    assert_true(added);
    assert_int_equal(val_set_len(s), 2);
    assert_true(val_set_has(s, N("10e-1")));
    assert_true(val_set_has(s, S("1")));
    assert_false(val_set_has(s, I(2)));
    assert_ptr_equal(val_set_at(s, 0), I(1));
    EQ(s, set(2, S("1"), I(1)));
    LT(set(2, I(1), I(2)), set(2, I(1), I(3)));
    LT(set(1, I(1)), set(2, I(1), I(2)));
    LT(set(2, I(1), I(3)), set(1, I(2)));
    LT(set(2, I(3), I(1)), set(2, I(2), I(3)));
    EQ(set(3, I(3), I(1), I(2)), set(3, I(1), I(2), I(3)));
    /* a set of sets dedupes structurally */
    val_t *ss = set(2, set(2, I(1), I(2)), set(2, I(2), I(1)));
    assert_int_equal(val_set_len(ss), 1);
    assert_int_equal(val_set_add(&A, obj(0), I(1), NULL), GH_EINVAL);
    assert_false(val_set_has(obj(0), I(1)));
}

/* > 8 entries: the hash index path, with thousands of keys. */
static void test_large_tables(void **state) {
    (void)state;
    enum { N_KEYS = 5000 };
    char k[32];
    val_t *o = val_obj_new(&A, 0), *rev = val_obj_new(&A, N_KEYS);
    for (int i = 0; i < N_KEYS; i++) {
        snprintf(k, sizeof k, "key%d", i);
        assert_int_equal(val_obj_put(&A, o, S(k), I(i)), 0);
    }
    for (int i = N_KEYS - 1; i >= 0; i--) {
        snprintf(k, sizeof k, "key%d", i);
        assert_int_equal(val_obj_put(&A, rev, S(k), I(i)), 0);
    }
    assert_int_equal(val_obj_len(o), N_KEYS);
    assert_non_null(o->u.tab.index);
    for (int i = 0; i < N_KEYS; i++) {
        int n = snprintf(k, sizeof k, "key%d", i);
        val_t *v = val_obj_get_str(o, k, (size_t)n);
        assert_non_null(v);
        assert_int_equal(v->u.i, i);
        EQ(val_obj_get(rev, S(k)), v);
    }
    assert_null(val_obj_get_str(o, "key5000", 7));
    assert_null(val_obj_get_str(o, "key", 3));
    EQ(o, rev);
    /* replacing in the indexed table keeps size and hash consistent */
    assert_int_equal(val_obj_put(&A, o, S("key77"), S("new")), 0);
    assert_int_equal(val_obj_len(o), N_KEYS);
    assert_false(val_equal(o, rev));
    assert_true(val_compare(o, rev) > 0); /* "new" (string) > 77 (number) */
    assert_int_equal(val_obj_put(&A, rev, S("key77"), S("new")), 0);
    EQ(o, rev);
    /* one more key makes it bigger */
    val_t *bigger = val_copy(&A, o);
    val_obj_put(&A, bigger, S("zzz"), I(0));
    LT(o, bigger);

    /* sets of numbers, ints and decimals mixed */
    val_t *s = val_set_new(&A, 0);
    for (int i = 0; i < N_KEYS; i++) assert_int_equal(val_set_add(&A, s, I(i * 7), NULL), 0);
    for (int i = 0; i < N_KEYS; i++) {
        char lit[40];
        snprintf(lit, sizeof lit, "%d.0", i * 7);
        bool added = true;
        assert_int_equal(val_set_add(&A, s, N(lit), &added), 0);
        assert_false(added);
    }
    assert_int_equal(val_set_len(s), N_KEYS);
    for (int i = 0; i < 7 * N_KEYS; i++) assert_int_equal(val_set_has(s, I(i)), i % 7 == 0);
    /* a large object compared with one differing only in its last key */
    val_t *p = val_obj_new(&A, 0), *q = val_obj_new(&A, 0);
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "k%03d", i);
        val_obj_put(&A, p, S(k), I(i));
        val_obj_put(&A, q, S(k), I(i == 99 ? 100 : i));
    }
    LT(p, q);
    /* same comparison with no heap for scratch space: the fallback path */
    gh_alloc_fail_after(0);
    int c = val_compare(p, q);
    gh_alloc_fail_after(-1);
    assert_true(c < 0);
    val_t *ps = val_set_new(&A, 0), *qs = val_set_new(&A, 0);
    for (int i = 0; i < 60; i++) {
        val_set_add(&A, ps, I(60 - i), NULL);
        val_set_add(&A, qs, I(i == 30 ? 1000 : 60 - i), NULL);
    }
    /* ps has 30, qs has 1000 instead: sorted, ps = 1..60, qs = 1..29,31..60,1000 */
    gh_alloc_fail_after(0);
    int c2 = val_compare(ps, qs);
    gh_alloc_fail_after(-1);
    assert_true(c2 < 0);
    assert_true(val_compare(ps, qs) < 0);
}

static void test_sorted_order(void **state) {
    (void)state;
    val_t *o = obj(4, S("d"), I(0), S("b"), I(1), S("a"), I(2), S("c"), I(3));
    uint32_t *pos = val_sorted_order(&A, o);
    assert_non_null(pos);
    const char *want = "abcd";
    for (int i = 0; i < 4; i++)
        assert_int_equal(val_str_ptr(val_obj_key_at(o, pos[i]))[0], want[i]);
    assert_null(val_sorted_order(&A, obj(0)));
    assert_null(val_sorted_order(&A, I(1)));
    /* mixed kinds in a set */
    val_t *s = set(7, S("b"), arr(0), I(2), VAL_NULLV, N("1.5"), VAL_TRUE, S("a"));
    pos = val_sorted_order(&A, s);
    val_t *expect[] = {VAL_NULLV, VAL_TRUE, N("1.5"), I(2), S("a"), S("b"), arr(0)};
    for (int i = 0; i < 7; i++) EQ(val_set_at(s, pos[i]), expect[i]);
    /* large: 3000 keys in scrambled order */
    val_t *big = val_obj_new(&A, 0);
    char k[16];
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof k, "%05d", (i * 7919) % 3000);
        val_obj_put(&A, big, S(k), I(i));
    }
    pos = val_sorted_order(&A, big);
    for (int i = 1; i < 3000; i++)
        assert_true(val_compare(val_obj_key_at(big, pos[i - 1]), val_obj_key_at(big, pos[i])) < 0);
    /* arrays sort their items, stably */
    val_t *a = arr(5, I(3), N("1.0"), I(2), I(1), S("x"));
    pos = val_sorted_order(&A, a);
    uint32_t want_pos[] = {1, 3, 2, 0, 4};
    for (int i = 0; i < 5; i++) assert_int_equal(pos[i], want_pos[i]);
}

static void test_copy(void **state) {
    (void)state;
    gh_arena src;
    gh_arena_init(&src, 0);
    val_t *o = val_obj_new(&src, 0);
    char k[16];
    for (int i = 0; i < 20; i++) {
        snprintf(k, sizeof k, "k%d", i);
        val_t *inner = val_arr_new(&src, 0);
        val_arr_push(&src, inner, val_int(&src, 100000 + i));
        val_arr_push(&src, inner, val_num_parse(&src, "1.25e-3", 7, NULL));
        val_arr_push(&src, inner, val_strc(&src, "text"));
        val_obj_put(&src, o, val_strc(&src, k), inner);
    }
    val_t *s = val_set_new(&src, 0);
    val_set_add(&src, s, val_strc(&src, "x"), NULL);
    val_set_add(&src, s, VAL_NULLV, NULL);
    val_obj_put(&src, o, val_int(&src, 1), s);
    uint64_t h = val_hash(o);
    val_t *c = val_copy(&A, o);
    char *before = val_to_json(&A, o, VAL_JSON_SORTED);
    gh_arena_free(&src); /* the copy must not depend on the source */
    assert_true(val_hash(c) == h);
    char *after = val_to_json(&A, c, VAL_JSON_SORTED);
    assert_string_equal(before, after);
    assert_non_null(val_obj_get_str(c, "k19", 3));
    val_t *cs = val_obj_get(c, I(1));
    assert_true(val_set_has(cs, S("x")));
    /* rebuild in A and compare */
    val_t *o2 = val_obj_new(&A, 0);
    for (int i = 19; i >= 0; i--) {
        snprintf(k, sizeof k, "k%d", i);
        val_obj_put(&A, o2, S(k), arr(3, I(100000 + i), N("0.00125"), S("text")));
    }
    val_obj_put(&A, o2, N("1.0"), set(2, VAL_NULLV, S("x")));
    EQ(c, o2);
    assert_ptr_equal(val_copy(&A, VAL_TRUE), VAL_TRUE);
    assert_ptr_equal(val_copy(&A, I(3)), I(3));
    assert_null(val_copy(&A, NULL));
}

/* Arena exhaustion: NULL / GH_ENOMEM, never a crash, containers unchanged. */
static void test_budget(void **state) {
    (void)state;
    gh_arena small;
    gh_arena_init(&small, 16384);
    val_t *o = val_obj_new(&small, 0);
    assert_non_null(o);
    int rc = 0, n = 0;
    char k[32];
    while (rc == 0) {
        snprintf(k, sizeof k, "key-%d", n);
        val_t *key = val_strc(&small, k);
        if (!key) break;
        rc = val_obj_put(&small, o, key, VAL_TRUE);
        if (rc == 0) n++;
    }
    assert_true(rc == 0 || rc == GH_ENOMEM);
    assert_true(small.oom);
    assert_true(n > 20);
    assert_int_equal(val_obj_len(o), n);
    /* the object is still whole: every key found, hash consistent */
    val_t *ref = val_obj_new(&A, 0);
    for (int i = 0; i < n; i++) {
        int len = snprintf(k, sizeof k, "key-%d", i);
        assert_ptr_equal(val_obj_get_str(o, k, (size_t)len), VAL_TRUE);
        val_obj_put(&A, ref, S(k), VAL_TRUE);
    }
    EQ(o, ref);
    /* every constructor fails cleanly now */
    assert_null(val_int(&small, 1 << 20));
    assert_non_null(val_int(&small, 5)); /* static, needs no memory */
    assert_null(val_strc(&small, "abc"));
    assert_null(val_str_ref(&small, "abc", 3));
    assert_null(val_arr_new(&small, 0));
    assert_null(val_obj_new(&small, 4));
    assert_null(val_set_new(&small, 0));
    gh_err e;
    gh_err_clear(&e);
    assert_null(val_num_parse(&small, "1.5", 3, &e));
    assert_int_equal(e.code, GH_ENOMEM);
    assert_null(val_num_double(&small, 0.5));
    assert_null(val_copy(&small, ref));
    assert_null(val_sorted_order(&small, ref));
    assert_null(val_to_json(&small, ref, 0));
    assert_int_equal(val_obj_put(&small, o, S("fresh"), VAL_TRUE), GH_ENOMEM);
    assert_int_equal(val_obj_len(o), n);
    gh_arena_free(&small);

    /* arrays and sets at the edge, by injected heap failure */
    gh_arena f, items;
    gh_arena_init(&f, 0);
    gh_arena_init(&items, 0);
    val_t **more = gh_arena_alloc(&items, 100000 * sizeof(val_t *));
    for (int i = 0; i < 100000; i++) more[i] = val_int(&items, 1000 + i);
    val_t *a = val_arr_new(&f, 0), *s = val_set_new(&f, 0);
    for (int i = 0; i < 100; i++) {
        val_arr_push(&f, a, val_int(&f, i));
        val_set_add(&f, s, val_int(&f, i), NULL);
    }
    uint64_t ha = val_hash(a), hs = val_hash(s);
    gh_alloc_fail_after(0);
    rc = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) rc = val_arr_push(&f, a, VAL_NULLV);
    assert_int_equal(rc, GH_ENOMEM);
    size_t alen = val_arr_len(a);
    rc = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) rc = val_set_add(&f, s, more[i], NULL);
    gh_alloc_fail_after(-1);
    assert_int_equal(rc, GH_ENOMEM);
    assert_int_equal(val_arr_len(a), alen);
    assert_true(alen >= 100);
    assert_true(ha != val_hash(a) || alen == 100);
    assert_true(val_set_len(s) >= 100);
    for (int i = 0; i < 100; i++) assert_true(val_set_has(s, I(i)));
    (void)hs;
    gh_arena_free(&f);
    gh_arena_free(&items);
}

/* Random values from a small domain (many equal pairs, numbers in several
 * spellings): compare is antisymmetric and transitive, compare == 0 exactly
 * when equal, equal values hash equal. */
static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static val_t *rand_val(int depth) {
    static const char *nums[] = {"1", "1.0", "10e-1", "2", "2.5", "25e-1", "-1", "-0", "0",
                                 "1e400", "-1e400", "0.5", "5e-1", "3"};
    static const char *strs[] = {"", "a", "b", "ab", "1"};
    uint32_t k = rnd(depth > 2 ? 4 : 7);
    switch (k) {
    case 0: return rnd(2) ? VAL_NULLV : val_bool(rnd(2));
    case 1: return N(nums[rnd(sizeof nums / sizeof *nums)]);
    case 2: return S(strs[rnd(sizeof strs / sizeof *strs)]);
    case 3: return I((int64_t)rnd(3) * 1000000007);
    case 4: {
        val_t *a = val_arr_new(&A, 0);
        for (uint32_t i = rnd(4); i > 0; i--) val_arr_push(&A, a, rand_val(depth + 1));
        return a;
    }
    case 5: {
        val_t *o = val_obj_new(&A, 0);
        for (uint32_t i = rnd(4); i > 0; i--) val_obj_put(&A, o, rand_val(depth + 2), rand_val(depth + 1));
        return o;
    }
    default: {
        val_t *t = val_set_new(&A, 0);
        for (uint32_t i = rnd(4); i > 0; i--) val_set_add(&A, t, rand_val(depth + 1), NULL);
        return t;
    }
    }
}

static void test_order_properties(void **state) {
    (void)state;
    enum { NV = 300 };
    val_t *v[NV];
    val_t *all = val_arr_new(&A, NV);
    for (int i = 0; i < NV; i++) {
        v[i] = rand_val(0);
        val_arr_push(&A, all, v[i]);
    }
    int equal_pairs = 0;
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            int c = val_compare(v[i], v[j]), d = val_compare(v[j], v[i]);
            assert_true((c < 0 && d > 0) || (c > 0 && d < 0) || (c == 0 && d == 0));
            assert_int_equal(c == 0, val_equal(v[i], v[j]));
            if (c == 0) {
                assert_true(val_hash(v[i]) == val_hash(v[j]));
                equal_pairs += i != j;
            }
        }
    assert_true(equal_pairs > NV); /* the domain is small enough to matter */
    /* sorting gives a non-decreasing sequence under every pair (transitivity) */
    uint32_t *pos = val_sorted_order(&A, all);
    for (int i = 0; i < NV; i++)
        for (int j = i + 1; j < NV; j++) assert_true(val_compare(v[pos[i]], v[pos[j]]) <= 0);
    /* copies are equal and hash the same */
    for (int i = 0; i < NV; i++) {
        val_t *c = val_copy(&A, v[i]);
        assert_true(val_equal(c, v[i]));
        assert_true(val_hash(c) == val_hash(v[i]));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_singletons),   cmocka_unit_test(test_strings),
        cmocka_unit_test(test_kind_order),   cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_objects),      cmocka_unit_test(test_sets),
        cmocka_unit_test(test_large_tables), cmocka_unit_test(test_sorted_order),
        cmocka_unit_test(test_copy),         cmocka_unit_test(test_budget),
        cmocka_unit_test(test_order_properties),
    };
    return GH_TEST_RUN_GROUP(tests);
}
