/* types.c - type predicates (is_number ... is_null), type_name, to_number
 * and the deprecated cast_* builtins. to_number accepts what Go's
 * strconv.ParseFloat accepts, as OPA does, and stores the number as a valid
 * JSON literal (OPA keeps the raw string, which it cannot even print for
 * inputs like "+1"); "inf"/"nan" spellings are refused as in OPA 1.x. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strutil.h"

/* is_<type>(x): whether x is of kind k. */
#define KIND_PREDICATE(fn, k)                                                                    \
    static int fn(rego_bctx *c, val_t *const *a, val_t **o) {                                   \
        (void)c;                                                                                 \
        *o = val_bool(a[0]->kind == (k));                                                        \
        return RB_OK;                                                                            \
    }

KIND_PREDICATE(bi_is_number, VAL_NUMBER)
KIND_PREDICATE(bi_is_string, VAL_STRING)
KIND_PREDICATE(bi_is_boolean, VAL_BOOL)
KIND_PREDICATE(bi_is_array, VAL_ARRAY)
KIND_PREDICATE(bi_is_set, VAL_SET)
KIND_PREDICATE(bi_is_object, VAL_OBJECT)
KIND_PREDICATE(bi_is_null, VAL_NULL)

static int bi_type_name(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *n = val_kind_name(val_kind_of(args[0]));
    if (!(*out = val_str_ref(c->a, n, strlen(n)))) return rb_oom(c);
    return RB_OK;
}

/* ---- to_number ------------------------------------------------------------------ */

static int parse_err(rego_bctx *c, const char *s, size_t n, const char *why) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "strconv.ParseFloat: parsing ");
    rb_go_quote(&b, s, n, false);
    gh_buf_puts(&b, ": ");
    gh_buf_puts(&b, why);
    int rc = b.oom ? rb_oom(c) : rb_err(c, "%s", b.p);
    gh_buf_free(&b);
    return rc;
}

/* Copies the run of digits at s[*i] to out[*k] (Go allows '_' between two
 * digits, dropped here), moving both on. Returns the digits copied, or -1
 * for a misplaced '_'. */
static long digit_run(const char *s, size_t n, size_t *i, char *out, size_t *k) {
    long nd = 0;
    char prev = 0;
    for (; *i < n && ((s[*i] >= '0' && s[*i] <= '9') || s[*i] == '_'); ++*i) {
        size_t j = *i;
        if (s[j] == '_') {
            if (!(prev >= '0' && prev <= '9') || j + 1 >= n || s[j + 1] < '0' || s[j + 1] > '9')
                return -1;
        } else {
            out[(*k)++] = s[j];
            nd++;
        }
        prev = s[j];
    }
    return nd;
}

/* Reads Go's decimal float syntax ([+-] digits [. digits] [e [+-] digits],
 * '_' allowed between digits) and writes the equivalent JSON literal into
 * out (cap >= 2n + 8). Returns the length, or 0 for bad syntax. */
static size_t go_decimal(const char *s, size_t n, char *out) {
    size_t i = 0, k = 0;
    long nint, nfrac = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        if (s[i] == '-') out[k++] = '-';
        i++;
    }
    size_t istart = k;
    if ((nint = digit_run(s, n, &i, out, &k)) < 0) return 0;
    /* drop leading zeros of the integer part, keep one */
    size_t z = istart;
    while (z + 1 < k && out[z] == '0')
        z++;
    if (z > istart) {
        memmove(out + istart, out + z, k - z);
        k -= z - istart;
    }
    if (nint == 0) out[k++] = '0';
    if (i < n && s[i] == '.') {
        i++;
        size_t dot = k;
        out[k++] = '.';
        if ((nfrac = digit_run(s, n, &i, out, &k)) < 0) return 0;
        if (nfrac == 0) k = dot; /* "5." is 5 */
    }
    if (nint == 0 && nfrac == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        out[k++] = s[i];
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) out[k++] = s[i++];
        size_t ds = i;
        if (digit_run(s, n, &i, out, &k) < 0 || i == ds) return 0;
    }
    if (i != n) return 0;
    out[k] = '\0';
    return k;
}

/* Go hexadecimal float: [+-] 0x hexdigits [. hexdigits] p [+-] digits. */
static bool go_hex(const char *s, size_t n) {
    size_t i = 0, nd = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i + 1 >= n || s[i] != '0' || (s[i + 1] != 'x' && s[i + 1] != 'X')) return false;
    i += 2;
    for (; i < n && (isxdigit((unsigned char)s[i]) || s[i] == '_'); i++)
        nd += s[i] != '_';
    if (i < n && s[i] == '.')
        for (i++; i < n && (isxdigit((unsigned char)s[i]) || s[i] == '_'); i++)
            nd += s[i] != '_';
    if (!nd || i >= n || (s[i] != 'p' && s[i] != 'P')) return false;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t ds = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    return i > ds && i == n;
}

static bool ieq(const char *s, size_t n, const char *lit) {
    size_t m = strlen(lit);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++)
        if ((char)tolower((unsigned char)s[i]) != lit[i]) return false;
    return true;
}

static int string_to_number(rego_bctx *c, const val_t *v, val_t **out) {
    const char *s = val_str_ptr(v);
    size_t n = val_str_len(v);
    size_t t = 0;
    while (t < n && (s[t] == '+' || s[t] == '-'))
        t++;
    if (ieq(s + t, n - t, "inf") || ieq(s + t, n - t, "infinity") || ieq(s + t, n - t, "nan"))
        return rb_type_err(c, 1, "valid number string", v);
    if (n > GH_MAX_NUMBER_CHARS) return parse_err(c, s, n, "value out of range");
    char *norm = gh_arena_alloc(c->a, 2 * n + 8);
    if (!norm) return rb_oom(c);
    size_t k = go_decimal(s, n, norm);
    double d;
    if (k == 0) {
        if (!go_hex(s, n)) return parse_err(c, s, n, "invalid syntax");
        char *tmp = gh_arena_strndup(c->a, s, n);
        if (!tmp) return rb_oom(c);
        size_t j = 0;
        for (size_t i = 0; tmp[i]; i++)
            if (tmp[i] != '_') tmp[j++] = tmp[i];
        tmp[j] = '\0';
        errno = 0;
        d = strtod(tmp, NULL);
        if (isinf(d)) return parse_err(c, s, n, "value out of range");
        if (!(*out = val_num_double(c->a, d))) return rb_oom(c);
        return RB_OK;
    }
    /* ParseFloat's range check: values that round beyond the largest double. */
    errno = 0;
    d = strtod(norm, NULL);
    if (isinf(d)) return parse_err(c, s, n, "value out of range");
    bool same = k == n && memcmp(norm, s, n) == 0;
    gh_err pe;
    gh_err_clear(&pe);
    val_t *r = val_num_parse(c->a, same ? s : norm, k, &pe);
    if (!r) return pe.code == GH_ENOMEM ? rb_oom(c) : parse_err(c, s, n, "value out of range");
    *out = r;
    return RB_OK;
}

static int bi_to_number(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *x = args[0];
    switch (x->kind) {
    case VAL_NULL: *out = val_int(c->a, 0); return RB_OK;
    case VAL_BOOL: *out = val_int(c->a, x->u.b ? 1 : 0); return RB_OK;
    case VAL_NUMBER: *out = x; return RB_OK;
    case VAL_STRING: return string_to_number(c, x, out);
    default: return rb_type_err(c, 1, "{null, boolean, number, string}", x);
    }
}

/* ---- deprecated casts ------------------------------------------------------------ */

static int bi_cast_array(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *x = args[0];
    if (x->kind == VAL_ARRAY) {
        *out = x;
        return RB_OK;
    }
    if (x->kind != VAL_SET) return rb_type_err(c, 1, "{array, set}", x);
    size_t n = val_set_len(x);
    val_t *r = val_arr_new(c->a, n);
    uint32_t *ord = n ? val_sorted_order(c->a, x) : NULL;
    if (!r || (n && !ord)) return rb_oom(c);
    for (size_t i = 0; i < n; i++)
        if (val_arr_push(c->a, r, val_set_at(x, ord[i]))) return rb_oom(c);
    *out = r;
    return RB_OK;
}

static int bi_cast_set(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *x = args[0];
    if (x->kind == VAL_SET) {
        *out = x;
        return RB_OK;
    }
    if (x->kind != VAL_ARRAY) return rb_type_err(c, 1, "{array, set}", x);
    val_t *r = val_set_new(c->a, val_arr_len(x));
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < val_arr_len(x); i++)
        if (val_set_add(c->a, r, val_arr_at(x, i), NULL)) return rb_oom(c);
    *out = r;
    return RB_OK;
}

static int cast_same(rego_bctx *c, val_t *const *args, val_t **out, val_kind k) {
    int rc = rb_arg_kind(c, args, 0, k);
    if (rc) return rc;
    *out = args[0];
    return RB_OK;
}

static int bi_cast_string(rego_bctx *c, val_t *const *a, val_t **o) {
    return cast_same(c, a, o, VAL_STRING);
}
static int bi_cast_boolean(rego_bctx *c, val_t *const *a, val_t **o) {
    return cast_same(c, a, o, VAL_BOOL);
}
static int bi_cast_null(rego_bctx *c, val_t *const *a, val_t **o) {
    return cast_same(c, a, o, VAL_NULL);
}
static int bi_cast_object(rego_bctx *c, val_t *const *a, val_t **o) {
    return cast_same(c, a, o, VAL_OBJECT);
}

const rego_builtin rego_bi_types[] = {
    {"is_number", 1, 0, bi_is_number, "(x: any) -> result: boolean", "types",
     "True when x is a number."},
    {"is_string", 1, 0, bi_is_string, "(x: any) -> result: boolean", "types",
     "True when x is a string."},
    {"is_boolean", 1, 0, bi_is_boolean, "(x: any) -> result: boolean", "types",
     "True when x is a boolean."},
    {"is_array", 1, 0, bi_is_array, "(x: any) -> result: boolean", "types",
     "True when x is an array."},
    {"is_set", 1, 0, bi_is_set, "(x: any) -> result: boolean", "types", "True when x is a set."},
    {"is_object", 1, 0, bi_is_object, "(x: any) -> result: boolean", "types",
     "True when x is an object."},
    {"is_null", 1, 0, bi_is_null, "(x: any) -> result: boolean", "types", "True when x is null."},
    {"type_name", 1, 0, bi_type_name, "(x: any) -> type: string", "types",
     "The name of x's type: null, boolean, number, string, array, object or set."},
    {"to_number", 1, 0, bi_to_number, "(x: null|boolean|number|string) -> num: number",
     "conversions", "Converts null (0), booleans (0/1) and numeric strings to a number."},
    {"cast_array", 1, 0, bi_cast_array, "(any) -> array[any]", NULL,
     "An array or set as an array (deprecated)."},
    {"cast_set", 1, 0, bi_cast_set, "(any) -> set[any]", NULL,
     "An array or set as a set (deprecated)."},
    {"cast_string", 1, 0, bi_cast_string, "(any) -> string", NULL,
     "x when it is a string, else an error (deprecated)."},
    {"cast_boolean", 1, 0, bi_cast_boolean, "(any) -> boolean", NULL,
     "x when it is a boolean, else an error (deprecated)."},
    {"cast_null", 1, 0, bi_cast_null, "(any) -> null", NULL,
     "x when it is null, else an error (deprecated)."},
    {"cast_object", 1, 0, bi_cast_object, "(any) -> object[any:any]", NULL,
     "x when it is an object, else an error (deprecated)."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
