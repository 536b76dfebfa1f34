/* graphql_lex.c - the GraphQL lexer (October 2021 spec) as OPA's gqlparser
 * tokenises: punctuators, names, numbers, strings and block strings,
 * skipping whitespace, commas, comments and byte order marks. Positions
 * count runes, as gqlparser does, so error columns match OPA's. Called by
 * graphql_parse.c. Invariant: never reads past src[n]; every lexical error
 * yields a GQ_T_INVALID token carrying the message and its position. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/graphql_int.h"
#include "rego/builtins/strutil.h"

void gq_lex_init(gq_lexer *l, gh_arena *a, const char *src, size_t n) {
    memset(l, 0, sizeof *l);
    l->src = src;
    l->n = n;
    l->line = 1;
    l->line_sign = 1;
    l->a = a;
}

const char *gq_token_kind_str(int kind) {
    static const char *const names[] = {
        "<Invalid>", "<EOF>", "!", "$", "&", "(",    ")",   "...",   ":",      "=",          "@",
        "[",         "]",     "{", "}", "|", "Name", "Int", "Float", "String", "BlockString"};
    if (kind < 0 || kind > GQ_T_BLOCK_STRING) return "Unknown";
    return names[kind];
}

char *gq_token_str(gh_arena *a, const gq_token *t) {
    rb_sb b;
    rb_sb_init(&b, a, 32 + t->value.n);
    rb_sb_puts(&b, gq_token_kind_str(t->kind));
    if (t->value.n) {
        rb_sb_putc(&b, ' ');
        rb_go_quote_sb(&b, t->value.p, t->value.n, false);
    }
    rb_sb_putc(&b, '\0');
    return b.oom ? NULL : b.p;
}

typedef struct {
    gq_lexer *l;
    size_t start;
    int32_t start_runes;
} tokctx;

static gq_token make(tokctx *c, int kind, gh_str value) {
    gq_token t = {.kind = kind, .value = value};
    t.pos.line = c->l->line * c->l->line_sign;
    t.pos.col = c->start_runes - c->l->line_start_runes + 1;
    return t;
}

static gq_token make_span(tokctx *c, int kind) {
    gh_str v = {c->l->src + c->start, c->l->end - c->start};
    return make(c, kind, v);
}

/* A lexical error: the column is where the lexer stopped (gqlparser's
 * makeError uses the end position). */
static gq_token lex_err(tokctx *c, const char *fmt, ...) GH_PRINTF(2, 3);
static gq_token lex_err(tokctx *c, const char *fmt, ...) {
    gq_lexer *l = c->l;
    gq_token t = {.kind = GQ_T_INVALID};
    t.pos.line = l->line * l->line_sign;
    t.pos.col = l->end_runes - l->line_start_runes + 1;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
    t.err = gh_arena_strndup(l->a, tmp, (size_t)n);
    return t;
}

/* Go's string(rune(b)) of a byte: bytes >= 0x80 become U+0080..U+00FF. */
static const char *byte_as_rune(char out[3], unsigned char c) {
    if (c < 0x80) {
        out[0] = (char)c;
        out[1] = 0;
    } else {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        out[2] = 0;
    }
    return out;
}

static void ws(gq_lexer *l) {
    while (l->end < l->n) {
        unsigned char c = (unsigned char)l->src[l->end];
        switch (c) {
        case '\t':
        case ' ':
        case ',':
            l->end++;
            l->end_runes++;
            break;
        case '\n':
            l->end++;
            l->end_runes++;
            l->line++;
            l->line_start_runes = l->end_runes;
            break;
        case '\r':
            l->end++;
            l->end_runes++;
            l->line++;
            l->line_start_runes = l->end_runes;
            if (l->end < l->n && l->src[l->end] == '\n') {
                l->end++;
                l->end_runes++;
            }
            break;
        case 0xEF:
            if (l->end + 2 < l->n && (unsigned char)l->src[l->end + 1] == 0xBB &&
                (unsigned char)l->src[l->end + 2] == 0xBF) {
                l->end += 3;
                l->end_runes++;
                break;
            }
            return;
        default: return;
        }
    }
}

static void skip_comment(gq_lexer *l) {
    while (l->end < l->n) {
        int w;
        int32_t r = rb_u8_decode(l->src + l->end, l->n - l->end, &w);
        if (r > 0x1f || r == '\t') {
            l->end += (size_t)w;
            l->end_runes++;
        } else {
            break;
        }
    }
}

static bool accept(gq_lexer *l, char a, char b) {
    if (l->end >= l->n) return false;
    char c = l->src[l->end];
    if (c == a || (b && c == b)) {
        l->end++;
        l->end_runes++;
        return true;
    }
    return false;
}

static int digits(gq_lexer *l) {
    int k = 0;
    while (l->end < l->n && l->src[l->end] >= '0' && l->src[l->end] <= '9') {
        l->end++;
        l->end_runes++;
        k++;
    }
    return k;
}

static const char *describe_next(gq_lexer *l, char buf[8]) {
    if (l->end >= l->n) return "<EOF>";
    char r[3];
    byte_as_rune(r, (unsigned char)l->src[l->end]);
    snprintf(buf, 8, "\"%s\"", r);
    return buf;
}

static gq_token read_number(tokctx *c) {
    gq_lexer *l = c->l;
    char buf[8];
    bool isfloat = false;
    l->end--;
    l->end_runes--;
    accept(l, '-', 0);
    if (accept(l, '0', 0)) {
        int k = digits(l);
        if (k) {
            l->end -= (size_t)k;
            l->end_runes -= k;
            return lex_err(c, "Invalid number, unexpected digit after 0: %s.",
                           describe_next(l, buf));
        }
    } else if (!digits(l)) {
        return lex_err(c, "Invalid number, expected digit but got: %s.", describe_next(l, buf));
    }
    if (accept(l, '.', 0)) {
        isfloat = true;
        if (!digits(l))
            return lex_err(c, "Invalid number, expected digit but got: %s.", describe_next(l, buf));
    }
    if (accept(l, 'e', 'E')) {
        isfloat = true;
        accept(l, '-', '+');
        if (!digits(l))
            return lex_err(c, "Invalid number, expected digit but got: %s.", describe_next(l, buf));
    }
    return make_span(c, isfloat ? GQ_T_FLOAT : GQ_T_INT);
}

static int unhex(const char *s, int32_t *out) {
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = s[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9')
            v |= ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            v |= ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            v |= ch - 'A' + 10;
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* Go's bytes.Buffer.WriteRune: surrogates and invalid runes become U+FFFD. */
static void put_rune(rb_sb *b, int32_t r) {
    if (r >= 0xD800 && r <= 0xDFFF) r = RB_RUNE_ERROR;
    rb_sb_rune(b, r);
}

static gq_token read_string(tokctx *c) {
    gq_lexer *l = c->l;
    rb_sb buf = {0};
    bool escaped = false;
    c->start++;
    c->start_runes++;
    while (l->end < l->n) {
        unsigned char r = (unsigned char)l->src[l->end];
        if (r == '\n' || r == '\r') break;
        if (r < 0x20 && r != '\t')
            return lex_err(c, "Invalid character within String: \"\\u%04d\".", r);
        if (r == '"') {
            gh_str v = {l->src + c->start, l->end - c->start};
            if (escaped) {
                rb_sb_putc(&buf, '\0');
                if (buf.oom) return lex_err(c, "out of memory");
                v.p = buf.p;
                v.n = buf.len - 1;
            }
            gq_token t = make(c, GQ_T_STRING, v);
            l->end++;
            l->end_runes++;
            return t;
        }
        if (r != '\\') {
            int w = 1;
            int32_t ch = r;
            if (r >= 127) ch = rb_u8_decode(l->src + l->end, l->n - l->end, &w);
            l->end += (size_t)w;
            l->end_runes++;
            if (escaped) put_rune(&buf, ch);
            continue;
        }
        if (l->end + 1 >= l->n) {
            l->end++;
            l->end_runes++;
            return lex_err(c, "Invalid character escape sequence.");
        }
        if (!escaped) {
            escaped = true;
            rb_sb_init(&buf, l->a, (l->end - c->start) + 32);
            rb_sb_put(&buf, l->src + c->start, l->end - c->start);
        }
        unsigned char e = (unsigned char)l->src[l->end + 1];
        if (e == 'u') {
            if (l->end + 6 >= l->n) {
                l->end++;
                l->end_runes++;
                size_t rest = l->n - l->end;
                return lex_err(c, "Invalid character escape sequence: \\%.*s.",
                               (int)(rest > 64 ? 64 : rest), l->src + l->end);
            }
            int32_t ch;
            if (!unhex(l->src + l->end + 2, &ch)) {
                l->end++;
                l->end_runes++;
                return lex_err(c, "Invalid character escape sequence: \\%.5s.", l->src + l->end);
            }
            put_rune(&buf, ch);
            l->end += 6;
            l->end_runes += 6;
            continue;
        }
        char out;
        switch (e) {
        case '"':
        case '/':
        case '\\': out = (char)e; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        default: {
            char rr[3];
            l->end++;
            l->end_runes++;
            return lex_err(c, "Invalid character escape sequence: \\%s.", byte_as_rune(rr, e));
        }
        }
        rb_sb_putc(&buf, out);
        l->end += 2;
        l->end_runes += 2;
    }
    return lex_err(c, "Unterminated string.");
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return false;
    return true;
}

static size_t indent_of(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* gqlparser's blockStringValue(): the spec's BlockStringValue() except that
 * the first line also counts towards the common indentation (so text right
 * after the opening quotes keeps the others indented); that indentation
 * goes from every line but the first, then leading and trailing blank
 * lines go. raw uses '\n'. */
static gh_str block_value(gh_arena *a, const char *raw, size_t n) {
    size_t nlines = 1;
    for (size_t i = 0; i < n; i++)
        nlines += raw[i] == '\n';
    gh_str *lines = gh_arena_alloc(a, nlines * sizeof *lines);
    if (!lines) return (gh_str){NULL, 0};
    size_t k = 0, st = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || raw[i] == '\n') {
            lines[k++] = (gh_str){raw + st, i - st};
            st = i + 1;
        }
    }
    size_t common = SIZE_MAX;
    for (size_t i = 0; i < k; i++) {
        if (blank(lines[i].p, lines[i].n)) continue;
        size_t ind = indent_of(lines[i].p, lines[i].n);
        if (ind < common) common = ind;
        if (common == 0) break;
    }
    if (common != SIZE_MAX)
        for (size_t i = 1; i < k; i++) {
            if (lines[i].n < common) {
                lines[i].n = 0;
            } else {
                lines[i].p += common;
                lines[i].n -= common;
            }
        }
    size_t lo = 0, hi = k;
    while (lo < hi && blank(lines[lo].p, lines[lo].n))
        lo++;
    while (lo < hi && blank(lines[hi - 1].p, lines[hi - 1].n))
        hi--;
    size_t total = 0;
    for (size_t i = lo; i < hi; i++)
        total += lines[i].n + 1;
    char *out = gh_arena_alloc(a, total + 1);
    if (!out) return (gh_str){NULL, 0};
    size_t w = 0;
    for (size_t i = lo; i < hi; i++) {
        if (i > lo) out[w++] = '\n';
        memcpy(out + w, lines[i].p, lines[i].n);
        w += lines[i].n;
    }
    out[w] = '\0';
    return (gh_str){out, w};
}

static gq_token read_block_string(tokctx *c) {
    gq_lexer *l = c->l;
    rb_sb buf;
    rb_sb_init(&buf, l->a, 64);
    c->start += 3;
    c->start_runes += 3;
    l->end += 2;
    l->end_runes += 2;
    while (l->end < l->n) {
        unsigned char r = (unsigned char)l->src[l->end];
        if (r == '"' && l->end + 3 <= l->n && !memcmp(l->src + l->end, "\"\"\"", 3)) {
            if (buf.oom) return lex_err(c, "out of memory");
            gh_str v = block_value(l->a, buf.p, buf.len);
            if (!v.p) return lex_err(c, "out of memory");
            gq_token t = make(c, GQ_T_BLOCK_STRING, v);
            l->end += 3;
            l->end_runes += 3;
            return t;
        }
        if (r < 0x20 && r != '\t' && r != '\n' && r != '\r')
            return lex_err(c, "Invalid character within String: \"\\u%04d\".", r);
        if (r == '\\' && l->end + 4 <= l->n && !memcmp(l->src + l->end, "\\\"\"\"", 4)) {
            rb_sb_put(&buf, "\"\"\"", 3);
            l->end += 4;
            l->end_runes += 4;
        } else if (r == '\r') {
            if (l->end + 1 < l->n && l->src[l->end + 1] == '\n') {
                l->end++;
                l->end_runes++;
            }
            rb_sb_putc(&buf, '\n');
            l->end++;
            l->end_runes++;
            l->line++;
            l->line_start_runes = l->end_runes;
        } else {
            int w = 1;
            int32_t ch = r;
            if (r >= 127) ch = rb_u8_decode(l->src + l->end, l->n - l->end, &w);
            l->end += (size_t)w;
            l->end_runes++;
            put_rune(&buf, ch);
            if (r == '\n') {
                l->line++;
                l->line_start_runes = l->end_runes;
            }
        }
    }
    return lex_err(c, "Unterminated string.");
}

static bool name_char(unsigned char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           ch == '_';
}

gq_token gq_lex_next(gq_lexer *l) {
    for (;;) {
        ws(l);
        tokctx c = {l, l->end, l->end_runes};
        if (l->end >= l->n) return make_span(&c, GQ_T_EOF);
        unsigned char r = (unsigned char)l->src[l->end];
        l->end++;
        l->end_runes++;
        gh_str none = {"", 0};
        switch (r) {
        case '!': return make(&c, GQ_T_BANG, none);
        case '$': return make(&c, GQ_T_DOLLAR, none);
        case '&': return make(&c, GQ_T_AMP, none);
        case '(': return make(&c, GQ_T_PAREN_L, none);
        case ')': return make(&c, GQ_T_PAREN_R, none);
        case ':': return make(&c, GQ_T_COLON, none);
        case '=': return make(&c, GQ_T_EQUALS, none);
        case '@': return make(&c, GQ_T_AT, none);
        case '[': return make(&c, GQ_T_BRACKET_L, none);
        case ']': return make(&c, GQ_T_BRACKET_R, none);
        case '{': return make(&c, GQ_T_BRACE_L, none);
        case '}': return make(&c, GQ_T_BRACE_R, none);
        case '|': return make(&c, GQ_T_PIPE, none);
        case '.':
            if (c.start + 2 < l->n && !memcmp(l->src + c.start, "...", 3)) {
                l->end += 2;
                l->end_runes += 2;
                return make(&c, GQ_T_SPREAD, none);
            }
            break;
        case '#': skip_comment(l); continue;
        case '"':
            if (c.start + 2 < l->n && !memcmp(l->src + c.start, "\"\"\"", 3))
                return read_block_string(&c);
            return read_string(&c);
        default:
            if (r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
                while (l->end < l->n && name_char((unsigned char)l->src[l->end])) {
                    l->end++;
                    l->end_runes++;
                }
                return make_span(&c, GQ_T_NAME);
            }
            if (r == '-' || (r >= '0' && r <= '9')) return read_number(&c);
            break;
        }
        l->end--;
        l->end_runes--;
        if (r < 0x20 && r != '\t' && r != '\n' && r != '\r')
            return lex_err(&c, "Cannot contain the invalid character \"\\u%04d\"", r);
        if (r == '\'')
            return lex_err(&c, "Unexpected single quote character ('), did you mean to use a "
                               "double quote (\")?");
        char rr[3];
        return lex_err(&c, "Cannot parse the unexpected character \"%s\".", byte_as_rune(rr, r));
    }
}
