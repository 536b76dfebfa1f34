/* gojson.c - JSON text read the way Go's encoding/json reads it, for the
 * builtins that take JSON strings (json.unmarshal, json.is_valid,
 * json.match_schema and friends). A byte-at-a-time scanner with the states
 * of Go's scanner gives the same verdicts and the same error messages; the
 * value itself is then built by val_json_parse, after a rewrite of the rare
 * strings Go accepts but val_json_parse refuses (invalid UTF-8, lone
 * surrogate escapes: Go decodes both as U+FFFD). No recursion; the nesting
 * stack lives in the caller's arena. */
#include <string.h>

#include "rego/builtins/encoding_int.h"
#include "rego/builtins/strutil.h"

/* Go's maxNestingDepth. */
#define GJ_MAX_DEPTH 10000

enum { PS_OBJ_KEY, PS_OBJ_VAL, PS_ARR };

typedef enum {
    S_BEGIN_VALUE_OR_EMPTY,
    S_BEGIN_VALUE,
    S_BEGIN_STRING_OR_EMPTY,
    S_BEGIN_STRING,
    S_END_VALUE,
    S_END_TOP,
    S_STR,
    S_STR_ESC,
    S_U1,
    S_U2,
    S_U3,
    S_U4,
    S_NEG,
    S_1,
    S_0,
    S_DOT,
    S_DOT0,
    S_E,
    S_ESIGN,
    S_E0,
    S_T,
    S_TR,
    S_TRU,
    S_F,
    S_FA,
    S_FAL,
    S_FALS,
    S_N,
    S_NU,
    S_NUL,
    S_ERR,
} gj_state;

/* What a step says about the byte (Go's scan* codes, the ones we need). */
enum { SC_CONT, SC_SPACE, SC_END_OBJ_ARR, SC_END, SC_ERR };

typedef struct gj {
    gj_state st;
    uint8_t *stack;
    size_t depth, cap;
    gh_arena *a;
    int oom;
    rb_sb *msg; /* error message, when wanted */
} gj;

static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int gj_error(gj *s, unsigned char c, const char *context) {
    s->st = S_ERR;
    if (s->msg) {
        rb_sb_puts(s->msg, "invalid character ");
        rb_go_quote_rune(s->msg, c, false);
        rb_sb_putc(s->msg, ' ');
        rb_sb_puts(s->msg, context);
    }
    return SC_ERR;
}

static int gj_push(gj *s, uint8_t ps) {
    if (s->depth >= GJ_MAX_DEPTH) {
        s->st = S_ERR;
        if (s->msg) rb_sb_puts(s->msg, "exceeded max depth");
        return SC_ERR;
    }
    if (s->depth == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        uint8_t *ns = gh_arena_realloc(s->a, s->stack, s->cap, nc);
        if (!ns) {
            s->oom = 1;
            s->st = S_ERR;
            return SC_ERR;
        }
        s->stack = ns;
        s->cap = nc;
    }
    s->stack[s->depth++] = ps;
    return SC_CONT;
}

static int gj_begin_value(gj *s, unsigned char c) {
    switch (c) {
    case '{': s->st = S_BEGIN_STRING_OR_EMPTY; return gj_push(s, PS_OBJ_KEY);
    case '[': s->st = S_BEGIN_VALUE_OR_EMPTY; return gj_push(s, PS_ARR);
    case '"': s->st = S_STR; return SC_CONT;
    case '-': s->st = S_NEG; return SC_CONT;
    case '0': s->st = S_0; return SC_CONT;
    case 't': s->st = S_T; return SC_CONT;
    case 'f': s->st = S_F; return SC_CONT;
    case 'n': s->st = S_N; return SC_CONT;
    default:
        if (c >= '1' && c <= '9') {
            s->st = S_1;
            return SC_CONT;
        }
        return gj_error(s, c, "looking for beginning of value");
    }
}

static int gj_step(gj *s, unsigned char c);

/* A value just ended before c: what may follow depends on the container. */
static int gj_end_value(gj *s, unsigned char c) {
    if (s->depth == 0) {
        s->st = S_END_TOP;
        return gj_step(s, c);
    }
    if (is_space(c)) {
        s->st = S_END_VALUE;
        return SC_SPACE;
    }
    uint8_t *ps = &s->stack[s->depth - 1];
    switch (*ps) {
    case PS_OBJ_KEY:
        if (c == ':') {
            *ps = PS_OBJ_VAL;
            s->st = S_BEGIN_VALUE;
            return SC_CONT;
        }
        return gj_error(s, c, "after object key");
    case PS_OBJ_VAL:
        if (c == ',') {
            *ps = PS_OBJ_KEY;
            s->st = S_BEGIN_STRING;
            return SC_CONT;
        }
        if (c == '}') {
            s->depth--;
            s->st = s->depth ? S_END_VALUE : S_END_TOP;
            return SC_END_OBJ_ARR;
        }
        return gj_error(s, c, "after object key:value pair");
    default:
        if (c == ',') {
            s->st = S_BEGIN_VALUE;
            return SC_CONT;
        }
        if (c == ']') {
            s->depth--;
            s->st = s->depth ? S_END_VALUE : S_END_TOP;
            return SC_END_OBJ_ARR;
        }
        return gj_error(s, c, "after array element");
    }
}

static int lit(gj *s, unsigned char c, unsigned char want, gj_state next, const char *ctx) {
    if (c == want) {
        s->st = next;
        return SC_CONT;
    }
    return gj_error(s, c, ctx);
}

static int gj_step(gj *s, unsigned char c) {
    switch (s->st) {
    case S_BEGIN_VALUE_OR_EMPTY:
        if (is_space(c)) return SC_SPACE;
        if (c == ']') return gj_end_value(s, c);
        return gj_begin_value(s, c);
    case S_BEGIN_VALUE:
        if (is_space(c)) return SC_SPACE;
        return gj_begin_value(s, c);
    case S_BEGIN_STRING_OR_EMPTY:
        if (is_space(c)) return SC_SPACE;
        if (c == '}') {
            s->stack[s->depth - 1] = PS_OBJ_VAL;
            return gj_end_value(s, c);
        }
        /* fall through */
    case S_BEGIN_STRING:
        if (is_space(c)) return SC_SPACE;
        if (c == '"') {
            s->st = S_STR;
            return SC_CONT;
        }
        return gj_error(s, c, "looking for beginning of object key string");
    case S_END_VALUE: return gj_end_value(s, c);
    case S_END_TOP:
        if (!is_space(c)) s->st = S_ERR; /* Go complains on the next byte */
        return SC_END;
    case S_STR:
        if (c == '"') {
            s->st = S_END_VALUE;
            return SC_CONT;
        }
        if (c == '\\') {
            s->st = S_STR_ESC;
            return SC_CONT;
        }
        if (c < 0x20) return gj_error(s, c, "in string literal");
        return SC_CONT;
    case S_STR_ESC:
        if (c && strchr("bfnrt\\/\"", c)) {
            s->st = S_STR;
            return SC_CONT;
        }
        if (c == 'u') {
            s->st = S_U1;
            return SC_CONT;
        }
        return gj_error(s, c, "in string escape code");
    case S_U1:
    case S_U2:
    case S_U3:
    case S_U4:
        if (!is_hex(c)) return gj_error(s, c, "in \\u hexadecimal character escape");
        s->st = s->st == S_U4 ? S_STR : (gj_state)(s->st + 1);
        return SC_CONT;
    case S_NEG:
        if (c == '0') {
            s->st = S_0;
            return SC_CONT;
        }
        if (c >= '1' && c <= '9') {
            s->st = S_1;
            return SC_CONT;
        }
        return gj_error(s, c, "in numeric literal");
    case S_1:
        if (c >= '0' && c <= '9') return SC_CONT;
        /* fall through */
    case S_0:
        if (c == '.') {
            s->st = S_DOT;
            return SC_CONT;
        }
        if (c == 'e' || c == 'E') {
            s->st = S_E;
            return SC_CONT;
        }
        return gj_end_value(s, c);
    case S_DOT:
        if (c >= '0' && c <= '9') {
            s->st = S_DOT0;
            return SC_CONT;
        }
        return gj_error(s, c, "after decimal point in numeric literal");
    case S_DOT0:
        if (c >= '0' && c <= '9') return SC_CONT;
        if (c == 'e' || c == 'E') {
            s->st = S_E;
            return SC_CONT;
        }
        return gj_end_value(s, c);
    case S_E:
        if (c == '+' || c == '-') {
            s->st = S_ESIGN;
            return SC_CONT;
        }
        /* fall through */
    case S_ESIGN:
        if (c >= '0' && c <= '9') {
            s->st = S_E0;
            return SC_CONT;
        }
        return gj_error(s, c, "in exponent of numeric literal");
    case S_E0:
        if (c >= '0' && c <= '9') return SC_CONT;
        return gj_end_value(s, c);
    case S_T: return lit(s, c, 'r', S_TR, "in literal true (expecting 'r')");
    case S_TR: return lit(s, c, 'u', S_TRU, "in literal true (expecting 'u')");
    case S_TRU: return lit(s, c, 'e', S_END_VALUE, "in literal true (expecting 'e')");
    case S_F: return lit(s, c, 'a', S_FA, "in literal false (expecting 'a')");
    case S_FA: return lit(s, c, 'l', S_FAL, "in literal false (expecting 'l')");
    case S_FAL: return lit(s, c, 's', S_FALS, "in literal false (expecting 's')");
    case S_FALS: return lit(s, c, 'e', S_END_VALUE, "in literal false (expecting 'e')");
    case S_N: return lit(s, c, 'u', S_NU, "in literal null (expecting 'u')");
    case S_NU: return lit(s, c, 'l', S_NUL, "in literal null (expecting 'l')");
    case S_NUL: return lit(s, c, 'l', S_END_VALUE, "in literal null (expecting 'l')");
    case S_ERR: return SC_ERR;
    }
    return SC_ERR;
}

static void gj_init(gj *s, gh_arena *a, rb_sb *msg) {
    memset(s, 0, sizeof *s);
    s->st = S_BEGIN_VALUE;
    s->a = a;
    s->msg = msg;
}

/* The value that starts at or after p[*pos] (leading whitespace skipped),
 * as Decoder.readValue finds it. Returns 0 with [*vs, *ve) the value;
 * 1 for "EOF" (nothing but whitespace); 2 on a syntax error (message in
 * s->msg, "unexpected EOF" when the text stops inside the value); GH_ENOMEM. */
static int gj_read_value(gj *s, const char *p, size_t n, size_t *pos, size_t *vs, size_t *ve) {
    size_t i = *pos;
    while (i < n && is_space((unsigned char)p[i]))
        i++;
    if (i == n) return 1;
    *vs = i;
    for (; i < n; i++) {
        int v = gj_step(s, (unsigned char)p[i]);
        if (v == SC_END) break;
        if (v == SC_END_OBJ_ARR && s->st == S_END_TOP) {
            i++;
            break;
        }
        if (v == SC_ERR) return s->oom ? GH_ENOMEM : 2;
    }
    if (i == n && s->st != S_END_TOP) {
        /* End of input: a number or literal may end here. */
        int v = gj_step(s, ' ');
        if (v != SC_END) {
            if (s->msg) {
                s->msg->len = 0;
                rb_sb_puts(s->msg, "unexpected EOF");
            }
            return 2;
        }
    }
    *ve = i;
    *pos = i;
    return 0;
}

bool rb_gojson_valid(const char *p, size_t n) {
    gh_arena a;
    gh_arena_init(&a, 0);
    gj s;
    gj_init(&s, &a, NULL);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        if (gj_step(&s, (unsigned char)p[i]) == SC_ERR) ok = false;
    if (ok && gj_step(&s, ' ') != SC_END) ok = false; /* Go's scanner eof() */
    gh_arena_free(&a);
    return ok;
}

/* ---- building the value ----------------------------------------------------- */

static int hexval(unsigned char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }
static int u4(const char *p) {
    int r = 0;
    for (int i = 0; i < 4; i++)
        r = r * 16 + hexval((unsigned char)p[i]);
    return r;
}
static bool is_hi(int r) { return r >= 0xD800 && r < 0xDC00; }
static bool is_lo(int r) { return r >= 0xDC00 && r < 0xE000; }

/* Does the (syntactically valid) JSON text hold a string Go would repair? */
static bool needs_repair(const char *p, size_t n) {
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!in) {
            if (c == '"') in = true;
            continue;
        }
        if (c == '"') {
            in = false;
        } else if (c == '\\') {
            if (p[i + 1] == 'u') {
                int r = u4(p + i + 2);
                if (is_hi(r)) {
                    if (!(i + 11 < n && p[i + 6] == '\\' && p[i + 7] == 'u' &&
                          is_lo(u4(p + i + 8))))
                        return true;
                    i += 6;
                } else if (is_lo(r)) {
                    return true;
                }
                i += 5;
            } else {
                i++;
            }
        } else if (c >= 0x80) {
            int w;
            if (rb_u8_decode(p + i, n - i, &w) == RB_RUNE_ERROR && w == 1) return true;
            i += (size_t)w - 1;
        }
    }
    return false;
}

/* Copy of the text with invalid UTF-8 bytes and unpaired surrogate escapes
 * inside strings replaced by U+FFFD, as Go's decoder reads them. */
static char *repair(gh_arena *a, const char *p, size_t n, size_t *outn) {
    rb_sb b;
    rb_sb_init(&b, a, n + 16);
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!in) {
            if (c == '"') in = true;
            rb_sb_putc(&b, (char)c);
            continue;
        }
        if (c == '"') {
            in = false;
            rb_sb_putc(&b, '"');
        } else if (c == '\\') {
            if (p[i + 1] == 'u') {
                int r = u4(p + i + 2);
                if (is_hi(r) && i + 11 < n && p[i + 6] == '\\' && p[i + 7] == 'u' &&
                    is_lo(u4(p + i + 8))) {
                    rb_sb_put(&b, p + i, 12);
                    i += 11;
                } else if (is_hi(r) || is_lo(r)) {
                    rb_sb_puts(&b, "\\ufffd");
                    i += 5;
                } else {
                    rb_sb_put(&b, p + i, 6);
                    i += 5;
                }
            } else {
                rb_sb_put(&b, p + i, 2);
                i++;
            }
        } else if (c >= 0x80) {
            int w;
            int32_t r = rb_u8_decode(p + i, n - i, &w);
            if (r == RB_RUNE_ERROR && w == 1)
                rb_sb_puts(&b, "\xEF\xBF\xBD");
            else
                rb_sb_put(&b, p + i, (size_t)w);
            i += (size_t)w - 1;
        } else {
            rb_sb_putc(&b, (char)c);
        }
    }
    if (b.oom) return NULL;
    *outn = b.len;
    return b.p;
}

/* Build the value of the valid JSON text p[0..n). */
static int build(rego_bctx *c, const char *p, size_t n, val_t **out) {
    if (needs_repair(p, n)) {
        p = repair(c->a, p, n, &n);
        if (!p) return rb_oom(c);
    }
    gh_err e;
    gh_err_clear(&e);
    int rc = val_json_parse(c->a, p, n, NULL, out, &e);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc) return rb_err(c, "%s", e.msg);
    return RB_OK;
}

int rb_gojson_decode(rego_bctx *c, const char *p, size_t n, val_t **out) {
    gj s;
    gj_init(&s, c->a, NULL);
    size_t pos = 0, vs = 0, ve = 0;
    int rc = gj_read_value(&s, p, n, &pos, &vs, &ve);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc) return rb_err(c, "%s", rc == 1 ? "EOF" : "unexpected EOF");
    return build(c, p + vs, ve - vs, out);
}

/* Append the Go string value of the JSON string literal q[0..n) (quotes
 * included) to b, for messages. */
static void unquote(rb_sb *b, const char *q, size_t n) {
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char ch = (unsigned char)q[i];
        if (ch != '\\') {
            int w = 1;
            if (ch >= 0x80)
                rb_sb_rune(b, rb_u8_decode(q + i, n - 1 - i, &w));
            else
                rb_sb_putc(b, (char)ch);
            i += (size_t)w - 1;
            continue;
        }
        char e = q[++i];
        switch (e) {
        case 'b': rb_sb_putc(b, '\b'); break;
        case 'f': rb_sb_putc(b, '\f'); break;
        case 'n': rb_sb_putc(b, '\n'); break;
        case 'r': rb_sb_putc(b, '\r'); break;
        case 't': rb_sb_putc(b, '\t'); break;
        case 'u': {
            int r = u4(q + i + 1);
            i += 4;
            if (is_hi(r) && i + 6 < n && q[i + 1] == '\\' && q[i + 2] == 'u' &&
                is_lo(u4(q + i + 3))) {
                r = 0x10000 + ((r - 0xD800) << 10) + (u4(q + i + 3) - 0xDC00);
                i += 6;
            } else if (is_hi(r) || is_lo(r)) {
                r = RB_RUNE_ERROR;
            }
            rb_sb_rune(b, r);
            break;
        }
        default: rb_sb_putc(b, e);
        }
    }
}

int rb_gojson_unmarshal(rego_bctx *c, const char *p, size_t n, val_t **out) {
    rb_sb msg;
    rb_sb_init(&msg, c->a, 96);
    gj s;
    gj_init(&s, c->a, &msg);
    size_t pos = 0, vs = 0, ve = 0;
    int rc = gj_read_value(&s, p, n, &pos, &vs, &ve);
    if (rc == GH_ENOMEM || msg.oom) return rb_oom(c);
    if (rc == 1) return rb_err(c, "EOF");
    if (rc) return rb_err(c, "%.*s", (int)msg.len, msg.p);

    /* What follows the value: OPA reads one more token (Decoder.Token). */
    while (pos < n && is_space((unsigned char)p[pos]))
        pos++;
    if (pos < n) {
        unsigned char ch = (unsigned char)p[pos];
        msg.len = 0;
        if (ch == '{' || ch == '[')
            return rb_err(c, "error: invalid character '%c' after top-level value", ch);
        if (ch == '}' || ch == ']' || ch == ',' || ch == ':') {
            gj_error(&s, ch, "looking for beginning of value");
            return rb_err(c, "%.*s", (int)msg.len, msg.p);
        }
        gj t;
        gj_init(&t, c->a, &msg);
        size_t ts = 0, te = 0;
        rc = gj_read_value(&t, p, n, &pos, &ts, &te);
        if (rc == GH_ENOMEM || msg.oom) return rb_oom(c);
        if (rc) return rb_err(c, "%.*s", (int)msg.len, msg.p);
        const char *tok = p + ts;
        size_t tn = te - ts;
        if (!(tn == 4 && !memcmp(tok, "null", 4))) {
            rb_sb_puts(&msg, "error: invalid character '");
            if (tok[0] == '"')
                unquote(&msg, tok, tn);
            else if (tok[0] == 't')
                rb_sb_puts(&msg, "%!s(bool=true)");
            else if (tok[0] == 'f')
                rb_sb_puts(&msg, "%!s(bool=false)");
            else
                rb_sb_put(&msg, tok, tn);
            rb_sb_puts(&msg, "' after top-level value");
            if (msg.oom) return rb_oom(c);
            return rb_err(c, "%.*s", (int)msg.len, msg.p);
        }
    }
    return build(c, p + vs, ve - vs, out);
}

/* ---- json.Indent --------------------------------------------------------------- */

static void newline(rb_sb *b, const char *prefix, size_t pn, const char *indent, size_t in,
                    size_t depth) {
    rb_sb_putc(b, '\n');
    rb_sb_put(b, prefix, pn);
    for (size_t i = 0; i < depth; i++)
        rb_sb_put(b, indent, in);
}

int rb_json_indent(rego_bctx *c, const char *src, size_t n, const char *prefix, size_t pn,
                   const char *indent, size_t in, val_t **out) {
    rb_sb b;
    rb_sb_init(&b, c->a, n * 2 + pn + 16);
    rb_sb_put(&b, prefix, pn);
    size_t depth = 0;
    bool need = false, str = false;
    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        if (str) {
            rb_sb_putc(&b, ch);
            if (ch == '\\' && i + 1 < n)
                rb_sb_putc(&b, src[++i]);
            else if (ch == '"')
                str = false;
            continue;
        }
        if (need && ch != '}' && ch != ']') {
            need = false;
            newline(&b, prefix, pn, indent, in, ++depth);
        }
        switch (ch) {
        case '{':
        case '[':
            need = true;
            rb_sb_putc(&b, ch);
            break;
        case ',':
            rb_sb_putc(&b, ch);
            newline(&b, prefix, pn, indent, in, depth);
            break;
        case ':': rb_sb_put(&b, ": ", 2); break;
        case '}':
        case ']':
            if (need)
                need = false;
            else
                newline(&b, prefix, pn, indent, in, --depth);
            rb_sb_putc(&b, ch);
            break;
        case '"':
            str = true;
            rb_sb_putc(&b, ch);
            break;
        default: rb_sb_putc(&b, ch);
        }
    }
    *out = rb_sb_finish(&b);
    return *out ? RB_OK : rb_oom(c);
}
