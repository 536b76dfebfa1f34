/* encoding.c - the "encoding" builtin family: base64, base64url, hex,
 * urlquery, json.marshal / marshal_with_options / unmarshal / is_valid,
 * yaml.marshal / unmarshal / is_valid. Called by the evaluator through
 * rego_bi_encoding. Decoders follow Go's standard library exactly (OPA
 * calls it), including where errors point ("illegal base64 data at input
 * byte 4") and what is tolerated (newlines in base64, non-zero trailing
 * bits). JSON text comes from the value module's emitter (Go's compact
 * form); JSON/YAML reading is in gojson.c and yaml_go.c. */
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/encoding_int.h"
#include "rego/builtins/strutil.h"

/* ---- base64 ---------------------------------------------------------------------- */

static int b64_encode(rego_bctx *c, val_t *const *args, val_t **out, bool url, bool pad) {
    const char *s;
    size_t n, k;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    char *e = rb_b64_encode(c->a, (const unsigned char *)s, n, url, pad, &k);
    if (!e || !(*out = val_str_ref(c->a, e, k))) return rb_oom(c);
    return RB_OK;
}

static int b64_decode_arg(rego_bctx *c, const char *s, size_t n, bool url, val_t **out,
                          bool check_only) {
    unsigned char *dst = gh_arena_alloc(c->a, n / 4 * 3 + 4);
    if (!dst) return rb_oom(c);
    size_t pos = 0, dn;
    int bad = rb_b64_go_decode(s, n, url, dst, &dn, &pos);
    if (check_only) {
        *out = val_bool(!bad);
        return RB_OK;
    }
    if (bad) return rb_err(c, "illegal base64 data at input byte %zu", pos);
    dst[dn] = 0;
    *out = val_str_ref(c->a, (const char *)dst, dn);
    return *out ? RB_OK : rb_oom(c);
}

static int bi_base64_encode(rego_bctx *c, val_t *const *args, val_t **out) {
    return b64_encode(c, args, out, false, true);
}
static int bi_base64url_encode(rego_bctx *c, val_t *const *args, val_t **out) {
    return b64_encode(c, args, out, true, true);
}
static int bi_base64url_encode_no_pad(rego_bctx *c, val_t *const *args, val_t **out) {
    return b64_encode(c, args, out, true, false);
}

static int bi_base64_decode(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    return rc ? rc : b64_decode_arg(c, s, n, false, out, false);
}

static int bi_base64_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    if (!val_is_str(args[0])) {
        *out = VAL_FALSE;
        return RB_OK;
    }
    return b64_decode_arg(c, val_str_ptr(args[0]), val_str_len(args[0]), false, out, true);
}

/* base64url.decode pads unpadded input first (RFC 7515 appendix C). */
static int bi_base64url_decode(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    if (n == 0 || s[n - 1] != '=') {
        switch (n % 4) {
        case 0: break;
        case 2:
        case 3: {
            size_t pad = 4 - n % 4;
            char *t = gh_arena_alloc(c->a, n + pad + 1);
            if (!t) return rb_oom(c);
            memcpy(t, s, n);
            memset(t + n, '=', pad);
            s = t;
            n += pad;
            break;
        }
        default: {
            rb_sb m;
            rb_sb_init(&m, c->a, n + 32);
            rb_sb_puts(&m, "illegal base64url string: ");
            rb_sb_put(&m, s, n);
            if (m.oom) return rb_oom(c);
            return rb_err(c, "%.*s", (int)m.len, m.p);
        }
        }
    }
    return b64_decode_arg(c, s, n, true, out, false);
}

/* ---- hex ----------------------------------------------------------------------- */

static int hexval(unsigned char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int bi_hex_encode(rego_bctx *c, val_t *const *args, val_t **out) {
    static const char hx[] = "0123456789abcdef";
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    rb_sb b;
    rb_sb_init(&b, c->a, n * 2 + 1);
    if (rb_sb_reserve(&b, n * 2)) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        unsigned char u = (unsigned char)s[i];
        b.p[b.len++] = hx[u >> 4];
        b.p[b.len++] = hx[u & 15];
    }
    *out = rb_sb_finish(&b);
    return *out ? RB_OK : rb_oom(c);
}

/* Go's hex.InvalidByteError: "encoding/hex: invalid byte: U+0067 'g'". */
static int hex_bad_byte(rego_bctx *c, unsigned char ch) {
    rb_sb m;
    rb_sb_init(&m, c->a, 64);
    rb_sb_printf(&m, "encoding/hex: invalid byte: U+%04X", ch);
    if (rb_rune_printable(ch)) {
        rb_sb_puts(&m, " '");
        rb_sb_rune(&m, ch);
        rb_sb_putc(&m, '\'');
    }
    if (m.oom) return rb_oom(c);
    return rb_err(c, "%.*s", (int)m.len, m.p);
}

static int bi_hex_decode(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    char *d = gh_arena_alloc(c->a, n / 2 + 1);
    if (!d) return rb_oom(c);
    size_t i = 1, w = 0;
    for (; i < n; i += 2) {
        int hi = hexval((unsigned char)s[i - 1]), lo = hexval((unsigned char)s[i]);
        if (hi < 0) return hex_bad_byte(c, (unsigned char)s[i - 1]);
        if (lo < 0) return hex_bad_byte(c, (unsigned char)s[i]);
        d[w++] = (char)(hi << 4 | lo);
    }
    if (n % 2) {
        if (hexval((unsigned char)s[i - 1]) < 0) return hex_bad_byte(c, (unsigned char)s[i - 1]);
        return rb_err(c, "encoding/hex: odd length hex string");
    }
    d[w] = 0;
    *out = val_str_ref(c->a, d, w);
    return *out ? RB_OK : rb_oom(c);
}

/* ---- urlquery ------------------------------------------------------------------- */

/* url.QueryEscape: only letters, digits and -_.~ stay; space becomes '+'. */
static void query_escape(rb_sb *b, const char *s, size_t n) {
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            rb_sb_putc(b, (char)ch);
        } else if (ch == ' ') {
            rb_sb_putc(b, '+');
        } else {
            char e[3] = {'%', hx[ch >> 4], hx[ch & 15]};
            rb_sb_put(b, e, 3);
        }
    }
}

/* url.QueryUnescape into b. Returns 0, or GH_EINVAL with Go's message. */
static int query_unescape(rego_bctx *c, rb_sb *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') continue;
        if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
            hexval((unsigned char)s[i + 2]) < 0) {
            size_t k = n - i < 3 ? n - i : 3;
            rb_sb m;
            rb_sb_init(&m, c->a, 32);
            rb_sb_puts(&m, "invalid URL escape ");
            rb_go_quote(&m, s + i, k, false);
            if (m.oom) return rb_oom(c);
            return rb_err(c, "%.*s", (int)m.len, m.p);
        }
        i += 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            rb_sb_putc(
                b, (char)(hexval((unsigned char)s[i + 1]) << 4 | hexval((unsigned char)s[i + 2])));
            i += 2;
        } else {
            rb_sb_putc(b, s[i] == '+' ? ' ' : s[i]);
        }
    }
    return 0;
}

static int bi_urlquery_encode(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    rb_sb b;
    rb_sb_init(&b, c->a, n + n / 2 + 1);
    query_escape(&b, s, n);
    *out = rb_sb_finish(&b);
    return *out ? RB_OK : rb_oom(c);
}

static int bi_urlquery_decode(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    rb_sb b;
    rb_sb_init(&b, c->a, n + 1);
    if ((rc = query_unescape(c, &b, s, n))) return rc;
    *out = rb_sb_finish(&b);
    return *out ? RB_OK : rb_oom(c);
}

typedef struct qkey {
    const char *k;
    size_t n;
    const val_t *v;
} qkey;

static int qkey_cmp(const void *x, const void *y) {
    const qkey *a = x, *b = y;
    size_t m = a->n < b->n ? a->n : b->n;
    int r = m ? memcmp(a->k, b->k, m) : 0;
    return r ? r : (a->n > b->n) - (a->n < b->n);
}

static int encode_object_err(rego_bctx *c) {
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                      "operand 1 values must be string, array[string], or set[string]");
}

/* url.Values{...}.Encode(): keys sorted, each value escaped, '&'-joined. */
static int bi_urlquery_encode_object(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    if (rc) return rc;
    const val_t *o = args[0];
    size_t n = val_obj_len(o);
    qkey *keys = gh_arena_alloc(c->a, (n ? n : 1) * sizeof *keys);
    if (!keys) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        const val_t *k = val_obj_key_at(o, i), *v = val_obj_val_at(o, i);
        if (val_is_str(k)) {
            keys[i].k = val_str_ptr(k);
            keys[i].n = val_str_len(k);
        } else { /* OPA keys the Go map by the key's JSON text */
            char *t = val_to_json(c->a, k, VAL_JSON_SORTED);
            if (!t) return rb_oom(c);
            keys[i].k = t;
            keys[i].n = strlen(t);
        }
        keys[i].v = v;
        if (val_is_str(v)) continue;
        if (val_kind_of(v) != VAL_ARRAY && val_kind_of(v) != VAL_SET) return encode_object_err(c);
        size_t m = val_kind_of(v) == VAL_ARRAY ? val_arr_len(v) : val_set_len(v);
        for (size_t j = 0; j < m; j++) {
            const val_t *e = val_kind_of(v) == VAL_ARRAY ? val_arr_at(v, j) : val_set_at(v, j);
            if (!val_is_str(e)) return encode_object_err(c);
        }
    }
    qsort(keys, n, sizeof *keys, qkey_cmp);
    rb_sb b;
    rb_sb_init(&b, c->a, 64);
    for (size_t i = 0; i < n; i++) {
        const val_t *v = keys[i].v;
        if (val_is_str(v)) {
            if (b.len) rb_sb_putc(&b, '&');
            query_escape(&b, keys[i].k, keys[i].n);
            rb_sb_putc(&b, '=');
            query_escape(&b, val_str_ptr(v), val_str_len(v));
            continue;
        }
        bool set = val_kind_of(v) == VAL_SET;
        size_t m = set ? val_set_len(v) : val_arr_len(v);
        uint32_t *ord = set && m ? val_sorted_order(c->a, v) : NULL;
        if (set && m && !ord) return rb_oom(c);
        for (size_t j = 0; j < m; j++) {
            const val_t *e = set ? val_set_at(v, ord[j]) : val_arr_at(v, j);
            if (b.len) rb_sb_putc(&b, '&');
            query_escape(&b, keys[i].k, keys[i].n);
            rb_sb_putc(&b, '=');
            query_escape(&b, val_str_ptr(e), val_str_len(e));
        }
    }
    *out = rb_sb_finish(&b);
    return *out ? RB_OK : rb_oom(c);
}

/* url.ParseQuery: '&'-separated pairs; a ';' in a pair is an error (Go
 * keeps going and reports the last such problem, or else the first bad
 * escape); empty pairs are skipped. Values keep their order per key. */
static int bi_urlquery_decode_object(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    val_t *obj = val_obj_new(c->a, 8);
    if (!obj) return rb_oom(c);
    gh_err first, *saved = c->err;
    gh_err_clear(&first);
    bool semicolon = false, bad = false;
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - s) : n;
        const char *pair = s + i;
        size_t pn = end - i;
        i = amp ? end + 1 : n;
        if (memchr(pair, ';', pn)) {
            semicolon = true;
            continue;
        }
        if (!pn) continue;
        const char *eq = memchr(pair, '=', pn);
        size_t kn = eq ? (size_t)(eq - pair) : pn;
        rb_sb kb, vb;
        rb_sb_init(&kb, c->a, kn + 1);
        rb_sb_init(&vb, c->a, pn - kn + 1);
        c->err = bad ? NULL : &first;
        int r1 = query_unescape(c, &kb, pair, kn);
        int r2 = r1 ? r1 : (eq ? query_unescape(c, &vb, eq + 1, pn - kn - 1) : 0);
        c->err = saved;
        if (r1 == GH_ENOMEM || r2 == GH_ENOMEM) return rb_oom(c);
        if (r1 || r2) {
            bad = true;
            continue;
        }
        val_t *k = rb_sb_finish(&kb), *v = rb_sb_finish(&vb);
        if (!k || !v) return rb_oom(c);
        val_t *arr = val_obj_get(obj, k);
        if (!arr) {
            if (!(arr = val_arr_new(c->a, 2)) || val_obj_put(c->a, obj, k, arr)) return rb_oom(c);
        }
        if (val_arr_push(c->a, arr, v)) return rb_oom(c);
    }
    if (semicolon) return rb_err(c, "invalid semicolon separator in query");
    if (bad) return rb_err(c, "%s", first.msg);
    *out = obj;
    return RB_OK;
}

/* ---- json ------------------------------------------------------------------------ */

static int bi_json_marshal(rego_bctx *c, val_t *const *args, val_t **out) {
    char *t = val_to_json(c->a, args[0], VAL_JSON_SORTED);
    if (!t) return rb_oom(c);
    *out = val_str_ref(c->a, t, strlen(t));
    return *out ? RB_OK : rb_oom(c);
}

/* The Rego text of an options key, for messages ("prefix" with quotes). */
static const char *rego_text(rego_bctx *c, const val_t *v) {
    rb_sb b;
    rb_sb_init(&b, c->a, 32);
    rb_rego_string(&b, c->a, v);
    rb_sb_putc(&b, '\0');
    return b.oom ? "?" : b.p;
}

static int bi_json_marshal_with_options(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *o = args[1];
    const char *prefix = "", *indent = "\t";
    size_t pn = 0, in = 1;
    bool implicit = false, explicit_set = false, pretty = false;
    if (val_kind_of(o) == VAL_OBJECT) {
        uint32_t *ord = val_obj_len(o) ? val_sorted_order(c->a, o) : NULL;
        if (val_obj_len(o) && !ord) return rb_oom(c);
        for (size_t i = 0; i < val_obj_len(o); i++) {
            const val_t *k = val_obj_key_at(o, ord[i]), *v = val_obj_val_at(o, ord[i]);
            if (!val_is_str(k))
                return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                                  "operand 2 failed to stringify key %s at index %zu: operand %zu "
                                  "must be string but got %s",
                                  rego_text(c, k), i, i, val_kind_name(val_kind_of(k)));
            const char *key = val_str_ptr(k);
            bool is_prefix = !strcmp(key, "prefix"), is_indent = !strcmp(key, "indent");
            if (is_prefix || is_indent) {
                if (val_kind_of(v) == VAL_NULL) continue;
                if (!val_is_str(v))
                    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                                      "operand 2 key %s failed cast to string: operand %zu must "
                                      "be string but got %s",
                                      rego_text(c, k), i, val_kind_name(val_kind_of(v)));
                if (is_prefix) {
                    prefix = val_str_ptr(v);
                    pn = val_str_len(v);
                } else {
                    indent = val_str_ptr(v);
                    in = val_str_len(v);
                }
                implicit = true;
            } else if (!strcmp(key, "pretty")) {
                if (val_kind_of(v) == VAL_NULL) continue;
                explicit_set = true;
                if (val_kind_of(v) != VAL_BOOL)
                    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                                      "operand 2 key %s failed cast to bool", rego_text(c, k));
                pretty = v->u.b;
            } else {
                return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                                  "operand 2 object contained unknown key %s", rego_text(c, k));
            }
        }
    } else if (val_kind_of(o) != VAL_NULL) {
        return rb_type_err(c, 2, "{object, null}", o);
    }
    if (!explicit_set) pretty = implicit;
    char *t = val_to_json(c->a, args[0], VAL_JSON_SORTED);
    if (!t) return rb_oom(c);
    if (!pretty) {
        *out = val_str_ref(c->a, t, strlen(t));
        return *out ? RB_OK : rb_oom(c);
    }
    return rb_json_indent(c, t, strlen(t), prefix, pn, indent, in, out);
}

static int bi_json_unmarshal(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    return rc ? rc : rb_gojson_unmarshal(c, s, n, out);
}

static int bi_json_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(val_is_str(args[0]) &&
                    rb_gojson_valid(val_str_ptr(args[0]), val_str_len(args[0])));
    return RB_OK;
}

/* ---- yaml ------------------------------------------------------------------------ */

static int bi_yaml_marshal(rego_bctx *c, val_t *const *args, val_t **out) {
    return rb_yaml_marshal(c, args[0], out);
}

static int bi_yaml_unmarshal(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    return rc ? rc : rb_yaml_unmarshal(c, s, n, out);
}

static int bi_yaml_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out =
        val_bool(val_is_str(args[0]) && rb_yaml_valid(val_str_ptr(args[0]), val_str_len(args[0])));
    return RB_OK;
}

/* ---- table ----------------------------------------------------------------------- */

#define ENC "encoding"
const rego_builtin rego_bi_encoding[] = {
    {"base64.encode", 1, 0, bi_base64_encode, "(x: string) -> y: string", ENC,
     "Serializes a string into base64."},
    {"base64.decode", 1, 0, bi_base64_decode, "(x: string) -> y: string", ENC,
     "Deserializes a base64 encoded string."},
    {"base64.is_valid", 1, 0, bi_base64_is_valid, "(x: string) -> result: boolean", ENC,
     "Whether a string is valid base64."},
    {"base64url.encode", 1, 0, bi_base64url_encode, "(x: string) -> y: string", ENC,
     "Serializes a string into base64url with padding."},
    {"base64url.encode_no_pad", 1, 0, bi_base64url_encode_no_pad, "(x: string) -> y: string", ENC,
     "Serializes a string into base64url without padding."},
    {"base64url.decode", 1, 0, bi_base64url_decode, "(x: string) -> y: string", ENC,
     "Deserializes a base64url string, padded or not."},
    {"hex.encode", 1, 0, bi_hex_encode, "(x: string) -> y: string", ENC,
     "Serializes a string as lowercase hex."},
    {"hex.decode", 1, 0, bi_hex_decode, "(x: string) -> y: string", ENC,
     "Deserializes a hex-encoded string."},
    {"urlquery.encode", 1, 0, bi_urlquery_encode, "(x: string) -> y: string", ENC,
     "Escapes a string for use in a URL query."},
    {"urlquery.decode", 1, 0, bi_urlquery_decode, "(x: string) -> y: string", ENC,
     "Unescapes a URL query string component."},
    {"urlquery.encode_object", 1, 0, bi_urlquery_encode_object,
     "(object: object[string: string|array[string]|set[string]]) -> y: string", ENC,
     "Encodes an object as a URL query string, keys sorted."},
    {"urlquery.decode_object", 1, 0, bi_urlquery_decode_object,
     "(x: string) -> object: object[string: array[string]]", ENC,
     "Decodes a URL query string into an object of value lists."},
    {"json.marshal", 1, 0, bi_json_marshal, "(x: any) -> y: string", ENC,
     "Serializes a value to compact JSON."},
    {"json.marshal_with_options", 2, 0, bi_json_marshal_with_options,
     "(x: any, opts: object[string: any]) -> y: string", ENC,
     "Serializes a value to JSON with optional pretty printing, indent and prefix."},
    {"json.unmarshal", 1, 0, bi_json_unmarshal, "(x: string) -> y: any", ENC,
     "Deserializes a JSON string."},
    {"json.is_valid", 1, 0, bi_json_is_valid, "(x: string) -> result: boolean", ENC,
     "Whether a string is one valid JSON document."},
    {"yaml.marshal", 1, 0, bi_yaml_marshal, "(x: any) -> y: string", ENC,
     "Serializes a value to YAML."},
    {"yaml.unmarshal", 1, 0, bi_yaml_unmarshal, "(x: string) -> y: any", ENC,
     "Deserializes the first document of a YAML string."},
    {"yaml.is_valid", 1, 0, bi_yaml_is_valid, "(x: string) -> result: boolean", ENC,
     "Whether a string is valid YAML."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
