/* strings.c - OPA's string builtins (concat, contains, indexof, lower, split,
 * substring, trim*, strings.replace_n, strings.count, ...), registered as
 * rego_bi_strings; sprintf lives in sprintf.c and strings.render_template in
 * template.c. Semantics follow OPA 1.x on top of Go's strings package:
 * byte-wise where Go is byte-wise, rune-wise where Go decodes runes, with
 * invalid UTF-8 decoding to U+FFFD exactly as Go does. Results reuse the
 * argument value whenever the output equals an input. */
#include <stdio.h>
#include <string.h>

#include "rego/builtins/bignum.h"
#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"

#define STR(v) val_str_ptr(v)
#define LEN(v) val_str_len(v)

int rb_elem_err(rego_bctx *c, int pos, const val_t *coll, const val_t *got, const char *want) {
    const char *t = val_kind_name(val_kind_of(coll));
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, "operand %d must be %s of %ss but got %s containing %s",
                      pos, t, want, t, val_kind_name(val_kind_of(got)));
}

int rb_go_int_operand(rego_bctx *c, val_t *const *args, int i, int64_t *out) {
    if (val_kind_of(args[i]) != VAL_NUMBER) return rb_type_err(c, i + 1, "number", args[i]);
    if (!val_is_int(args[i]))
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand %d must be integer number but got floating-point number", i + 1);
    *out = args[i]->u.i;
    return 0;
}

static int ret(rego_bctx *c, val_t *v, val_t **out) {
    if (!v) return rb_oom(c);
    *out = v;
    return RB_OK;
}

static int two_strs(rego_bctx *c, val_t *const *args) {
    int rc = rb_arg_str(c, args, 0, NULL, NULL);
    return rc ? rc : rb_arg_str(c, args, 1, NULL, NULL);
}

/* A copy of s[0..n) as a string value (the bytes are shared when they are
 * the whole of an argument). */
static val_t *sub_str(rego_bctx *c, const val_t *whole, const char *s, size_t n) {
    if (n == LEN(whole)) return (val_t *)whole;
    return val_str(c->a, s, n);
}

static const char *find(const char *h, size_t hn, const char *nd, size_t nn) {
    if (nn == 0) return h;
    if (nn > hn) return NULL;
    return memmem(h, hn, nd, nn);
}

/* ---- concat ------------------------------------------------------------------ */

static int bi_concat(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *sep;
    size_t sn;
    int rc = rb_arg_str(c, args, 0, &sep, &sn);
    if (rc) return rc;
    val_t *coll = args[1];
    bool set = val_kind_of(coll) == VAL_SET;
    if (!set && val_kind_of(coll) != VAL_ARRAY) return rb_type_err(c, 2, "{set, array}", coll);
    size_t n = set ? val_set_len(coll) : val_arr_len(coll);
    val_t *const *items = set ? coll->u.tab.keys : coll->u.arr.items;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!val_is_str(items[i])) return rb_elem_err(c, 2, coll, items[i], "string");
        total += LEN(items[i]);
    }
    if (n == 0) return ret(c, val_str(c->a, "", 0), out);
    if (n == 1) return ret(c, items[0], out);
    uint32_t *ord = NULL;
    if (set && !(ord = val_sorted_order(c->a, coll))) return rb_oom(c);
    rb_sb b;
    rb_sb_init(&b, c->a, total + sn * (n - 1) + 1);
    for (size_t i = 0; i < n; i++) {
        const val_t *s = items[ord ? ord[i] : i];
        if (i) rb_sb_put(&b, sep, sn);
        rb_sb_put(&b, STR(s), LEN(s));
    }
    return ret(c, rb_sb_finish(&b), out);
}

/* ---- predicates ---------------------------------------------------------------- */

static int bi_contains(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    *out = val_bool(find(STR(args[0]), LEN(args[0]), STR(args[1]), LEN(args[1])) != NULL);
    return RB_OK;
}

static int bi_startswith(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    size_t n = LEN(args[1]);
    *out = val_bool(LEN(args[0]) >= n && memcmp(STR(args[0]), STR(args[1]), n) == 0);
    return RB_OK;
}

static int bi_endswith(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    size_t n = LEN(args[1]), h = LEN(args[0]);
    *out = val_bool(h >= n && memcmp(STR(args[0]) + h - n, STR(args[1]), n) == 0);
    return RB_OK;
}

/* Strings of a string|array|set operand of any_prefix/suffix_match. */
static int str_list(rego_bctx *c, val_t *const *args, int i, val_t *const **items, size_t *n) {
    val_t *v = args[i];
    switch (val_kind_of(v)) {
    case VAL_STRING:
        *items = &args[i];
        *n = 1;
        return 0;
    case VAL_ARRAY:
        *items = v->u.arr.items;
        *n = val_arr_len(v);
        break;
    case VAL_SET:
        *items = v->u.tab.keys;
        *n = val_set_len(v);
        break;
    default:
        return rb_type_err(c, i + 1, "{string, set, array}", v);
    }
    for (size_t k = 0; k < *n; k++)
        if (!val_is_str((*items)[k])) return rb_elem_err(c, i + 1, v, (*items)[k], "string");
    return 0;
}

static int any_match(rego_bctx *c, val_t *const *args, val_t **out, bool suffix) {
    val_t *const *a, *const *b;
    size_t na, nb;
    int rc = str_list(c, args, 0, &a, &na);
    if (!rc) rc = str_list(c, args, 1, &b, &nb);
    if (rc) return rc;
    for (size_t j = 0; j < nb; j++) {
        size_t pn = LEN(b[j]);
        for (size_t i = 0; i < na; i++) {
            size_t sn = LEN(a[i]);
            if (sn < pn) continue;
            const char *s = STR(a[i]) + (suffix ? sn - pn : 0);
            if (memcmp(s, STR(b[j]), pn) == 0) {
                *out = VAL_TRUE;
                return RB_OK;
            }
        }
    }
    *out = VAL_FALSE;
    return RB_OK;
}

static int bi_any_prefix(rego_bctx *c, val_t *const *args, val_t **out) {
    return any_match(c, args, out, false);
}
static int bi_any_suffix(rego_bctx *c, val_t *const *args, val_t **out) {
    return any_match(c, args, out, true);
}

/* ---- format_int ---------------------------------------------------------------- */

/* new(big.Float).SetString(text), truncated with Int, appended to b in base;
 * "<nil>" for infinity (a big.Float infinity has no big.Int). Returns 0,
 * GH_EINVAL (text Go rejects), GH_ELIMIT (too many bits) or GH_ENOMEM. */
static int fmt_int_digits(rn_scratch *s, rb_sb *b, const char *text, size_t tn, int base) {
    rn_bf f;
    bool ok = rn_bf_parse(s, &f, text, tn);
    if (s->err) return s->err;
    if (!ok) return GH_EINVAL;
    if (f.form == RN_BF_FINITE && f.exp > RB_FMT_MAX_BITS) return GH_ELIMIT;
    if (f.form == RN_BF_INF) {
        rb_sb_puts(b, "<nil>");
        return 0;
    }
    rn_nat i;
    bool neg, exact;
    rn_bf_int(s, &f, &i, &neg, &exact);
    size_t n = 0;
    char *d = base == 10 ? rn_nat_to_dec(s, i, &n) : rn_nat_to_pow2(s, i, base, false, &n);
    if (!d) return s->err ? s->err : GH_ENOMEM;
    if (neg && i.n) rb_sb_putc(b, '-');
    rb_sb_put(b, d, n);
    return 0;
}

static int bi_format_int(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_num(c, args, 0);
    if (!rc) rc = rb_arg_num(c, args, 1);
    if (rc) return rc;
    int64_t base = 0;
    if (val_is_int(args[1])) base = args[1]->u.i;
    if (base != 2 && base != 8 && base != 10 && base != 16)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, "operand 2 must be one of {2, 8, 10, 16}");
    const val_t *x = args[0];
    rb_sb b;
    rb_sb_init(&b, c->a, 24);
    if (val_is_int(x) && base == 10) {
        rb_sb_printf(&b, "%lld", (long long)x->u.i);
        return ret(c, rb_sb_finish(&b), out);
    }
    /* Through a 64-bit big.Float, truncated toward zero, as OPA does. */
    char tmp[24];
    const char *text;
    size_t tn;
    if (val_is_int(x)) {
        tn = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)x->u.i);
        text = tmp;
    } else {
        text = x->u.dec->text;
        tn = x->u.dec->text_len;
    }
    rn_scratch ns;
    rn_scratch_init(&ns);
    ns.go_range = true;
    rc = fmt_int_digits(&ns, &b, text, tn, (int)base);
    rn_scratch_free(&ns);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc == GH_EINVAL) return rb_err(c, "illegal value");
    if (rc) return rb_err(c, "number too large");
    return ret(c, rb_sb_finish(&b), out);
}

/* ---- indexof ------------------------------------------------------------------- */

/* Decode s into runes (invalid bytes as U+FFFD); NULL on exhaustion. */
static int32_t *runes_of(gh_arena *a, const char *s, size_t n, size_t *count) {
    int32_t *r = gh_arena_alloc(a, (n ? n : 1) * sizeof(int32_t));
    if (!r) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        int w;
        r[k++] = rb_u8_decode(s + i, n - i, &w);
        i += (size_t)w;
    }
    *count = k;
    return r;
}

static int index_common(rego_bctx *c, val_t *const *args, val_t **out, bool all) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    const char *h = STR(args[0]), *nd = STR(args[1]);
    size_t hn = LEN(args[0]), nn = LEN(args[1]);
    if (nn == 0) return rb_err(c, "empty search character");
    if (!all && rb_is_ascii(h, hn) && rb_is_ascii(nd, nn)) {
        const char *p = find(h, hn, nd, nn);
        return ret(c, val_int(c->a, p ? (int64_t)(p - h) : -1), out);
    }
    size_t nh, nneed;
    int32_t *rh = runes_of(c->a, h, hn, &nh), *rn = rh ? runes_of(c->a, nd, nn, &nneed) : NULL;
    if (!rn) return rb_oom(c);
    val_t *arr = NULL;
    if (all && !(arr = val_arr_new(c->a, 4))) return rb_oom(c);
    for (size_t i = 0; i + nneed <= nh; i++) {
        if (memcmp(rh + i, rn, nneed * sizeof(int32_t)) != 0) continue;
        if (!all) return ret(c, val_int(c->a, (int64_t)i), out);
        val_t *iv = val_int(c->a, (int64_t)i);
        if (!iv || val_arr_push(c->a, arr, iv)) return rb_oom(c);
    }
    return ret(c, all ? arr : val_int(c->a, -1), out);
}

static int bi_indexof(rego_bctx *c, val_t *const *args, val_t **out) {
    return index_common(c, args, out, false);
}
static int bi_indexof_n(rego_bctx *c, val_t *const *args, val_t **out) {
    return index_common(c, args, out, true);
}

/* ---- strings.count ------------------------------------------------------------- */

static int bi_count(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    const char *h = STR(args[0]), *nd = STR(args[1]);
    size_t hn = LEN(args[0]), nn = LEN(args[1]);
    int64_t k = 0;
    if (nn == 0) {
        k = (int64_t)rb_u8_count(h, hn) + 1;
    } else {
        const char *p = h, *end = h + hn, *q;
        while ((q = find(p, (size_t)(end - p), nd, nn))) {
            k++;
            p = q + nn;
        }
    }
    return ret(c, val_int(c->a, k), out);
}

/* ---- lower / upper ------------------------------------------------------------- */

static int map_case(rego_bctx *c, val_t *const *args, val_t **out, bool up) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    size_t i = 0;
    /* Skip the prefix that maps to itself (valid and unchanged runes). */
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            if (up ? (ch >= 'a' && ch <= 'z') : (ch >= 'A' && ch <= 'Z')) break;
            i++;
            continue;
        }
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (r == RB_RUNE_ERROR && w == 1) break;
        if ((up ? rb_rune_upper(r) : rb_rune_lower(r)) != r) break;
        i += (size_t)w;
    }
    if (i == n) return ret(c, args[0], out);
    rb_sb b;
    rb_sb_init(&b, c->a, n + 8);
    rb_sb_put(&b, s, i);
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            if (up && ch >= 'a' && ch <= 'z') ch -= 32;
            if (!up && ch >= 'A' && ch <= 'Z') ch += 32;
            rb_sb_putc(&b, (char)ch);
            i++;
            continue;
        }
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        rb_sb_rune(&b, up ? rb_rune_upper(r) : rb_rune_lower(r));
        i += (size_t)w;
    }
    return ret(c, rb_sb_finish(&b), out);
}

static int bi_lower(rego_bctx *c, val_t *const *args, val_t **out) {
    return map_case(c, args, out, false);
}
static int bi_upper(rego_bctx *c, val_t *const *args, val_t **out) {
    return map_case(c, args, out, true);
}

/* ---- replace / strings.replace_n --------------------------------------------------
 * Go's strings.Replacer: at each byte position the highest-priority (earliest)
 * pattern that matches there wins; an empty pattern matches at every byte
 * position except right after an empty match. With by_rune, positions
 * advance a UTF-8 sequence at a time (strings.Replace with an empty old
 * string, as OPA 0.61's replace; OPA 1.x would split multi-byte runes). */

static int step_width(const char *s, size_t n) {
    int w;
    rb_u8_decode(s, n, &w);
    return w;
}

typedef struct {
    const char *old, *new_;
    size_t on, nn;
} pair;

static val_t *replace_pairs(rego_bctx *c, const val_t *sv, const pair *p, size_t np, bool by_rune) {
    const char *s = STR(sv);
    size_t n = LEN(sv);
    bool have_empty = false;
    unsigned char first[256] = {0};
    for (size_t k = 0; k < np; k++) {
        if (p[k].on == 0)
            have_empty = true;
        else
            first[(unsigned char)p[k].old[0]] = 1;
    }
    rb_sb b;
    rb_sb_init(&b, c->a, n + 16);
    size_t last = 0;
    bool prev_empty = false;
    bool changed = false;
    for (size_t i = 0; i <= n;) {
        if (!have_empty && (i == n || !first[(unsigned char)s[i]])) {
            i++;
            continue;
        }
        const pair *hit = NULL;
        for (size_t k = 0; k < np; k++) {
            if (p[k].on == 0) {
                if (prev_empty) continue;
            } else if (p[k].on > n - i || memcmp(s + i, p[k].old, p[k].on) != 0) {
                continue;
            }
            hit = &p[k];
            break;
        }
        if (!hit) {
            prev_empty = false;
            i += by_rune && i < n ? (size_t)step_width(s + i, n - i) : 1;
            continue;
        }
        prev_empty = hit->on == 0;
        rb_sb_put(&b, s + last, i - last);
        rb_sb_put(&b, hit->new_, hit->nn);
        changed = true;
        i += hit->on;
        last = i;
    }
    if (!changed) return (val_t *)sv;
    rb_sb_put(&b, s + last, n - last);
    return rb_sb_finish(&b);
}

static int bi_replace(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_str(c, args, 0, NULL, NULL);
    if (!rc) rc = rb_arg_str(c, args, 1, NULL, NULL);
    if (!rc) rc = rb_arg_str(c, args, 2, NULL, NULL);
    if (rc) return rc;
    pair p = {STR(args[1]), STR(args[2]), LEN(args[1]), LEN(args[2])};
    return ret(c, replace_pairs(c, args[0], &p, 1, true), out);
}

static int bi_replace_n(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    if (!rc) rc = rb_arg_str(c, args, 1, NULL, NULL);
    if (rc) return rc;
    const val_t *o = args[0];
    size_t n = val_obj_len(o);
    uint32_t *ord = n > 1 ? val_sorted_order(c->a, o) : NULL;
    pair *p = gh_arena_alloc(c->a, (n ? n : 1) * sizeof(pair));
    if (!p || (n > 1 && !ord)) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        size_t k = ord ? ord[i] : i;
        const val_t *key = val_obj_key_at(o, k), *v = val_obj_val_at(o, k);
        if (!val_is_str(key))
            return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                              "operand 1 non-string key found in pattern object");
        if (!val_is_str(v))
            return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                              "operand 1 non-string value found in pattern object");
        p[i] = (pair){STR(key), STR(v), LEN(key), LEN(v)};
    }
    return ret(c, replace_pairs(c, args[1], p, n, false), out);
}

/* ---- split ------------------------------------------------------------------------ */

static int bi_split(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    const char *s = STR(args[0]), *d = STR(args[1]);
    size_t n = LEN(args[0]), dn = LEN(args[1]);
    val_t *arr = val_arr_new(c->a, 4), *part;
    if (!arr) return rb_oom(c);
    if (dn == 0) { /* explode into UTF-8 sequences (invalid bytes alone) */
        for (size_t i = 0; i < n;) {
            int w;
            rb_u8_decode(s + i, n - i, &w);
            if (!(part = val_str(c->a, s + i, (size_t)w)) || val_arr_push(c->a, arr, part))
                return rb_oom(c);
            i += (size_t)w;
        }
        return ret(c, arr, out);
    }
    const char *p = s, *end = s + n, *q;
    if (!find(s, n, d, dn)) {
        if (val_arr_push(c->a, arr, args[0])) return rb_oom(c);
        return ret(c, arr, out);
    }
    while ((q = find(p, (size_t)(end - p), d, dn))) {
        if (!(part = val_str(c->a, p, (size_t)(q - p))) || val_arr_push(c->a, arr, part))
            return rb_oom(c);
        p = q + dn;
    }
    if (!(part = val_str(c->a, p, (size_t)(end - p))) || val_arr_push(c->a, arr, part))
        return rb_oom(c);
    return ret(c, arr, out);
}

/* ---- substring ---------------------------------------------------------------------- */

static int bi_substring(rego_bctx *c, val_t *const *args, val_t **out) {
    int64_t off, len;
    int rc = rb_arg_str(c, args, 0, NULL, NULL);
    if (!rc) rc = rb_go_int_operand(c, args, 1, &off);
    if (!rc) rc = rb_go_int_operand(c, args, 2, &len);
    if (rc) return rc;
    if (off < 0) return rb_err(c, "negative offset");
    const char *s = STR(args[0]);
    size_t n = LEN(args[0]);
    if (n == 0) return ret(c, args[0], out);
    if (rb_is_ascii(s, n)) {
        if ((uint64_t)off >= n) return ret(c, val_str(c->a, "", 0), out);
        size_t end = n;
        if (len >= 0 && (uint64_t)len < n - (size_t)off) end = (size_t)off + (size_t)len;
        return ret(c, sub_str(c, args[0], s + off, end - (size_t)off), out);
    }
    size_t nr = rb_u8_count(s, n);
    if (off == 0 && len >= 0 && (uint64_t)len >= nr) return ret(c, args[0], out);
    if ((uint64_t)off >= nr) return ret(c, val_str(c->a, "", 0), out);
    size_t want = nr - (size_t)off;
    if (len >= 0 && (uint64_t)len < want) want = (size_t)len;
    /* Re-encode the runes so invalid bytes become U+FFFD, as string([]rune) does. */
    rb_sb b;
    rb_sb_init(&b, c->a, want * 4 + 1);
    size_t i = 0, k = 0;
    while (i < n && k < (size_t)off + want) {
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (k >= (size_t)off) rb_sb_rune(&b, r);
        i += (size_t)w;
        k++;
    }
    return ret(c, rb_sb_finish(&b), out);
}

/* ---- trim family --------------------------------------------------------------------- */

static bool in_cutset(const char *cs, size_t cn, int32_t r) {
    for (size_t i = 0; i < cn;) {
        int w;
        if (rb_u8_decode(cs + i, cn - i, &w) == r) return true;
        i += (size_t)w;
    }
    return false;
}

static size_t trim_left_len(const char *s, size_t n, const char *cs, size_t cn) {
    size_t i = 0;
    while (i < n) {
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (!in_cutset(cs, cn, r)) break;
        i += (size_t)w;
    }
    return i;
}

static size_t trim_right_end(const char *s, size_t n, const char *cs, size_t cn) {
    while (n > 0) {
        int w;
        int32_t r = rb_u8_decode_last(s, n, &w);
        if (!in_cutset(cs, cn, r)) break;
        n -= (size_t)w;
    }
    return n;
}

static int trim_common(rego_bctx *c, val_t *const *args, val_t **out, bool left, bool right) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    const char *s = STR(args[0]), *cs = STR(args[1]);
    size_t n = LEN(args[0]), cn = LEN(args[1]);
    size_t end = right ? trim_right_end(s, n, cs, cn) : n;
    size_t start = left ? trim_left_len(s, end, cs, cn) : 0;
    return ret(c, sub_str(c, args[0], s + start, end - start), out);
}

static int bi_trim(rego_bctx *c, val_t *const *args, val_t **out) {
    return trim_common(c, args, out, true, true);
}
static int bi_trim_left(rego_bctx *c, val_t *const *args, val_t **out) {
    return trim_common(c, args, out, true, false);
}
static int bi_trim_right(rego_bctx *c, val_t *const *args, val_t **out) {
    return trim_common(c, args, out, false, true);
}

static int bi_trim_prefix(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    size_t n = LEN(args[0]), pn = LEN(args[1]);
    if (pn && n >= pn && memcmp(STR(args[0]), STR(args[1]), pn) == 0)
        return ret(c, val_str(c->a, STR(args[0]) + pn, n - pn), out);
    return ret(c, args[0], out);
}

static int bi_trim_suffix(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = two_strs(c, args);
    if (rc) return rc;
    size_t n = LEN(args[0]), pn = LEN(args[1]);
    if (pn && n >= pn && memcmp(STR(args[0]) + n - pn, STR(args[1]), pn) == 0)
        return ret(c, val_str(c->a, STR(args[0]), n - pn), out);
    return ret(c, args[0], out);
}

static int bi_trim_space(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    size_t start = 0, end = n;
    while (start < end) {
        int w;
        int32_t r = rb_u8_decode(s + start, end - start, &w);
        if (!rb_rune_space(r)) break;
        start += (size_t)w;
    }
    while (end > start) {
        int w;
        int32_t r = rb_u8_decode_last(s + start, end - start, &w);
        if (!rb_rune_space(r)) break;
        end -= (size_t)w;
    }
    return ret(c, sub_str(c, args[0], s + start, end - start), out);
}

/* ---- strings.reverse ------------------------------------------------------------------ */

static int bi_reverse(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    if (n <= 1) return ret(c, args[0], out);
    bool valid = rb_u8_valid(s, n);
    size_t cap = valid ? n : n * 3;
    char *p = gh_arena_alloc(c->a, cap + 1);
    if (!p) return rb_oom(c);
    size_t o = cap;
    for (size_t i = 0; i < n;) {
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        char tmp[4];
        int ew = rb_u8_encode(r, tmp);
        o -= (size_t)ew;
        memcpy(p + o, tmp, (size_t)ew);
        i += (size_t)w;
    }
    p[cap] = '\0';
    return ret(c, val_str_ref(c->a, p + o, cap - o), out);
}

/* ---- registry ----------------------------------------------------------------------- */

#define S "strings"
const rego_builtin rego_bi_strings[] = {
    {"concat", 2, 0, bi_concat,
     "(delimiter: string, collection: array[string]|set[string]) -> output: string", S,
     "Joins the strings of an array or set with a delimiter (sets in sorted order)."},
    {"contains", 2, 0, bi_contains, "(haystack: string, needle: string) -> result: boolean", S,
     "Reports whether needle occurs in haystack."},
    {"endswith", 2, 0, bi_endswith, "(search: string, base: string) -> result: boolean", S,
     "Reports whether search ends with base."},
    {"format_int", 2, 0, bi_format_int, "(number: number, base: number) -> output: string", S,
     "Formats a number, truncated to an integer, in base 2, 8, 10 or 16."},
    {"indexof", 2, 0, bi_indexof, "(haystack: string, needle: string) -> output: number", S,
     "Rune index of the first occurrence of needle in haystack, or -1."},
    {"indexof_n", 2, 0, bi_indexof_n,
     "(haystack: string, needle: string) -> output: array[number]", S,
     "Rune indexes of every (possibly overlapping) occurrence of needle."},
    {"lower", 1, 0, bi_lower, "(x: string) -> y: string", S,
     "Maps every character to lower case (Unicode simple case mapping)."},
    {"replace", 3, 0, bi_replace, "(x: string, old: string, new: string) -> y: string", S,
     "Replaces every non-overlapping occurrence of old with new."},
    {"split", 2, 0, bi_split, "(x: string, delimiter: string) -> ys: array[string]", S,
     "Splits a string at every occurrence of the delimiter."},
    {"startswith", 2, 0, bi_startswith, "(search: string, base: string) -> result: boolean", S,
     "Reports whether search begins with base."},
    {"strings.any_prefix_match", 2, 0, bi_any_prefix,
     "(search: string|set[string]|array[string], base: string|set[string]|array[string]) -> "
     "result: boolean",
     S, "Reports whether any search string begins with any base string."},
    {"strings.any_suffix_match", 2, 0, bi_any_suffix,
     "(search: string|set[string]|array[string], base: string|set[string]|array[string]) -> "
     "result: boolean",
     S, "Reports whether any search string ends with any base string."},
    {"strings.count", 2, 0, bi_count, "(search: string, substring: string) -> output: number", S,
     "Counts the non-overlapping occurrences of substring in search."},
    {"strings.render_template", 2, 0, rb_bi_render_template,
     "(value: string, vars: object[string:any]) -> result: string", S,
     "Renders a Go text/template with the given variables."},
    {"strings.replace_n", 2, 0, bi_replace_n,
     "(patterns: object[string:string], value: string) -> output: string", NULL,
     "Replaces several substrings at once, trying patterns in key order at each position."},
    {"strings.reverse", 1, 0, bi_reverse, "(x: string) -> y: string", S,
     "Reverses a string rune by rune."},
    {"substring", 3, 0, bi_substring,
     "(value: string, offset: number, length: number) -> output: string", S,
     "The runes of value from offset, length of them (all when length < 0)."},
    {"trim", 2, 0, bi_trim, "(value: string, cutset: string) -> output: string", S,
     "Removes leading and trailing characters contained in cutset."},
    {"trim_left", 2, 0, bi_trim_left, "(value: string, cutset: string) -> output: string", S,
     "Removes leading characters contained in cutset."},
    {"trim_prefix", 2, 0, bi_trim_prefix, "(value: string, prefix: string) -> output: string",
     S, "Removes prefix from the start of value when present."},
    {"trim_right", 2, 0, bi_trim_right, "(value: string, cutset: string) -> output: string", S,
     "Removes trailing characters contained in cutset."},
    {"trim_space", 1, 0, bi_trim_space, "(value: string) -> output: string", S,
     "Removes leading and trailing Unicode white space."},
    {"trim_suffix", 2, 0, bi_trim_suffix, "(value: string, suffix: string) -> output: string",
     S, "Removes suffix from the end of value when present."},
    {"upper", 1, 0, bi_upper, "(x: string) -> y: string", S,
     "Maps every character to upper case (Unicode simple case mapping)."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
