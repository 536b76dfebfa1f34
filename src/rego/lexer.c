/* lexer.c - the Rego scanner: turns source bytes into OPA's tokens with the
 * same rows, columns and error messages as OPA's scanner (columns count code
 * points; a newline character sits at column 0 of the next row). Called only
 * by the parser through rp_next(), which also skips whitespace and records
 * comments. Invariant: the scanner never reads past p->n and validates UTF-8
 * as it goes, so every later stage sees valid UTF-8. */
#include <string.h>

#include "rego_int.h"

static const char *const tok_names[TK__COUNT] = {
    [TK_ILLEGAL] = "illegal", [TK_EOF] = "eof",
    [TK_WS] = "whitespace",   [TK_IDENT] = "identifier",
    [TK_COMMENT] = "comment", [TK_PACKAGE] = "package",
    [TK_IMPORT] = "import",   [TK_AS] = "as",
    [TK_DEFAULT] = "default", [TK_ELSE] = "else",
    [TK_NOT] = "not",         [TK_SOME] = "some",
    [TK_EVERY] = "every",     [TK_WITH] = "with",
    [TK_NULL] = "null",       [TK_TRUE] = "true",
    [TK_FALSE] = "false",     [TK_NUMBER] = "number",
    [TK_STRING] = "string",   [TK_LBRACK] = "[",
    [TK_RBRACK] = "]",        [TK_LBRACE] = "{",
    [TK_RBRACE] = "}",        [TK_LPAREN] = "(",
    [TK_RPAREN] = ")",        [TK_COMMA] = ",",
    [TK_COLON] = ":",         [TK_ADD] = "plus",
    [TK_SUB] = "minus",       [TK_MUL] = "mul",
    [TK_QUO] = "div",         [TK_REM] = "rem",
    [TK_AND] = "and",         [TK_OR] = "or",
    [TK_UNIFY] = "eq",        [TK_EQUAL] = "equal",
    [TK_ASSIGN] = "assign",   [TK_IN] = "in",
    [TK_NEQ] = "neq",         [TK_GT] = "gt",
    [TK_LT] = "lt",           [TK_GTE] = "gte",
    [TK_LTE] = "lte",         [TK_DOT] = ".",
    [TK_SEMICOLON] = ";",     [TK_CONTAINS] = "contains",
    [TK_IF] = "if",
};

const char *rp_tok_name(int tok) {
    if (tok < 0 || tok >= TK__COUNT) return "unknown";
    return tok_names[tok];
}

bool rp_tok_is_keyword(int tok) {
    switch (tok) {
    case TK_PACKAGE:
    case TK_IMPORT:
    case TK_AS:
    case TK_DEFAULT:
    case TK_ELSE:
    case TK_NOT:
    case TK_SOME:
    case TK_WITH:
    case TK_NULL:
    case TK_TRUE:
    case TK_FALSE:
    case TK_IN:
    case TK_EVERY:
    case TK_CONTAINS:
    case TK_IF: return true;
    default: return false;
    }
}

static const char *scan_err_msg(int code) {
    switch (code) {
    case SE_NUL: return "illegal null character";
    case SE_UTF8: return "illegal utf-8 character";
    case SE_BOM: return "illegal byte-order mark";
    case SE_FRACTION: return "expected fraction";
    case SE_EXPONENT: return "expected exponent";
    case SE_NUMFMT: return "illegal number format";
    case SE_NONTERM: return "non-terminated string";
    case SE_ESCAPE: return "illegal escape sequence";
    case SE_BANG: return "illegal ! character";
    default: return "illegal token";
    }
}

static void sc_error(rp_scan *s, int code) {
    if (s->nerr < RP_MAX_SCAN_ERRS) s->err[s->nerr++] = (uint8_t)code;
}

/* Decode one UTF-8 sequence strictly (no overlongs, surrogates or values
 * above U+10FFFF). Returns the width, or 0 when invalid. */
static uint32_t utf8_decode(const unsigned char *s, size_t n, int32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    uint32_t w;
    int32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        w = 2;
        v = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        w = 3;
        v = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        w = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < w) return 0;
    for (uint32_t i = 1; i < w; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return w;
}

/* OPA's scanner.next(): read the next code point into curr. */
static void sc_next(const rego_parser *p, rp_scan *s) {
    if (s->off >= p->n) {
        s->curr = -1;
        s->off = p->n + 1;
        return;
    }
    const unsigned char *b = (const unsigned char *)p->src + s->off;
    s->curr = b[0];
    s->width = 1;
    if (b[0] == 0) {
        sc_error(s, SE_NUL);
    } else if (b[0] >= 0x80) {
        int32_t cp;
        uint32_t w = utf8_decode(b, p->n - s->off, &cp);
        if (!w) {
            s->curr = 0xfffd;
            sc_error(s, SE_UTF8);
        } else {
            s->curr = cp;
            s->width = w;
            if (cp == 0xfeff && s->off > 0) sc_error(s, SE_BOM);
        }
    }
    s->off += s->width;
    if (s->curr == '\n') {
        s->row++;
        s->col = 0;
    } else {
        s->col++;
    }
}

void rp_scan_init(rego_parser *p) {
    rp_scan *s = &p->s.sc;
    memset(s, 0, sizeof *s);
    s->row = 1;
    s->curr = -1;
    sc_next(p, s);
    if (s->curr == 0xfeff) sc_next(p, s);
}

static bool is_letter(int32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_decimal(int32_t c) { return c >= '0' && c <= '9'; }

int rp_keyword(const rego_parser *p, const char *s, size_t n) {
    static const struct {
        const char *w;
        int tok, kw; /* kw: REGO_KW_* bit required, 0 = always */
    } kws[] = {
        {"package", TK_PACKAGE, 0},
        {"import", TK_IMPORT, 0},
        {"as", TK_AS, 0},
        {"default", TK_DEFAULT, 0},
        {"else", TK_ELSE, 0},
        {"not", TK_NOT, 0},
        {"some", TK_SOME, 0},
        {"with", TK_WITH, 0},
        {"null", TK_NULL, 0},
        {"true", TK_TRUE, 0},
        {"false", TK_FALSE, 0},
        {"in", TK_IN, REGO_KW_IN},
        {"every", TK_EVERY, REGO_KW_EVERY},
        {"contains", TK_CONTAINS, REGO_KW_CONTAINS},
        {"if", TK_IF, REGO_KW_IF},
    };
    if (n < 2 || n > 8) return TK_IDENT;
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
        if (strlen(kws[i].w) == n && !memcmp(kws[i].w, s, n)) {
            if (kws[i].kw && !(p->s.kw & kws[i].kw)) return TK_IDENT;
            return kws[i].tok;
        }
    }
    return TK_IDENT;
}

static void scan_number(const rego_parser *p, rp_scan *s) {
    if (s->curr != '.')
        while (is_decimal(s->curr))
            sc_next(p, s);
    if (s->curr == '.') {
        sc_next(p, s);
        bool found = false;
        while (is_decimal(s->curr)) {
            sc_next(p, s);
            found = true;
        }
        if (!found) sc_error(s, SE_FRACTION);
    }
    if (s->curr == 'e' || s->curr == 'E') {
        sc_next(p, s);
        if (s->curr == '+' || s->curr == '-') sc_next(p, s);
        bool found = false;
        while (is_decimal(s->curr)) {
            sc_next(p, s);
            found = true;
        }
        if (!found) sc_error(s, SE_EXPONENT);
    }
    if (is_letter(s->curr)) {
        sc_error(s, SE_NUMFMT);
        while (is_letter(s->curr) || is_decimal(s->curr))
            sc_next(p, s);
    }
}

static void scan_string(const rego_parser *p, rp_scan *s) {
    for (;;) {
        int32_t ch = s->curr;
        if (ch == '\n' || ch < 0) {
            sc_error(s, SE_NONTERM);
            break;
        }
        sc_next(p, s);
        if (ch == '"') break;
        if (ch == '\\') {
            switch (s->curr) {
            case '\\':
            case '"':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': sc_next(p, s); break;
            case 'u':
                for (int i = 0; i < 4; i++)
                    sc_next(p, s);
                break;
            default: sc_error(s, SE_ESCAPE);
            }
        }
    }
}

static void scan_raw_string(const rego_parser *p, rp_scan *s) {
    for (;;) {
        int32_t ch = s->curr;
        sc_next(p, s);
        if (ch == '`') break;
        if (ch < 0) {
            sc_error(s, SE_NONTERM);
            break;
        }
    }
}

/* OPA's Scanner.Scan: one token from the current position. */
static int scan_one(const rego_parser *p, rp_scan *s, uint32_t *off, uint32_t *end, uint32_t *row,
                    uint32_t *col) {
    *off = s->off - s->width;
    *row = s->row;
    *col = s->col;
    int tok = TK_ILLEGAL;
    int32_t c = s->curr;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        sc_next(p, s);
        tok = TK_WS;
    } else if (is_letter(c)) {
        while (is_letter(s->curr) || is_decimal(s->curr))
            sc_next(p, s);
        uint32_t e = s->off - s->width;
        if (s->curr < 0) e = p->n;
        tok = rp_keyword(p, p->src + *off, e - *off);
    } else if (is_decimal(c)) {
        scan_number(p, s);
        tok = TK_NUMBER;
    } else {
        sc_next(p, s);
        switch (c) {
        case -1: tok = TK_EOF; break;
        case '#':
            while (s->curr != '\n' && s->curr != -1)
                sc_next(p, s);
            tok = TK_COMMENT;
            break;
        case '"':
            scan_string(p, s);
            tok = TK_STRING;
            break;
        case '`':
            scan_raw_string(p, s);
            tok = TK_STRING;
            break;
        case '[': tok = TK_LBRACK; break;
        case ']': tok = TK_RBRACK; break;
        case '{': tok = TK_LBRACE; break;
        case '}': tok = TK_RBRACE; break;
        case '(': tok = TK_LPAREN; break;
        case ')': tok = TK_RPAREN; break;
        case ',': tok = TK_COMMA; break;
        case ':':
            if (s->curr == '=') {
                sc_next(p, s);
                tok = TK_ASSIGN;
            } else {
                tok = TK_COLON;
            }
            break;
        case '+': tok = TK_ADD; break;
        case '-': tok = TK_SUB; break;
        case '*': tok = TK_MUL; break;
        case '/': tok = TK_QUO; break;
        case '%': tok = TK_REM; break;
        case '&': tok = TK_AND; break;
        case '|': tok = TK_OR; break;
        case '=':
            if (s->curr == '=') {
                sc_next(p, s);
                tok = TK_EQUAL;
            } else {
                tok = TK_UNIFY;
            }
            break;
        case '>':
            if (s->curr == '=') {
                sc_next(p, s);
                tok = TK_GTE;
            } else {
                tok = TK_GT;
            }
            break;
        case '<':
            if (s->curr == '=') {
                sc_next(p, s);
                tok = TK_LTE;
            } else {
                tok = TK_LT;
            }
            break;
        case '!':
            if (s->curr == '=') {
                sc_next(p, s);
                tok = TK_NEQ;
            } else {
                sc_error(s, SE_BANG);
            }
            break;
        case ';': tok = TK_SEMICOLON; break;
        case '.': tok = TK_DOT; break;
        default: tok = TK_ILLEGAL; break;
        }
    }
    *end = s->curr < 0 ? (*off > p->n ? *off : p->n) : s->off - s->width;
    if (*end < *off) *end = *off;
    return tok;
}

void rp_next(rego_parser *p, bool skipws) {
    rp_state *st = &p->s;
    if (st->tok != TK_WS) {
        st->last_end = st->tok_end;
        st->skipped_nl = false;
    }
    for (;;) {
        uint32_t off, end, row, col;
        int tok = scan_one(p, &st->sc, &off, &end, &row, &col);
        st->tok_off = off > p->n ? p->n : off;
        st->tok_end = end > p->n ? p->n : end;
        st->tok_line = row;
        st->tok_col = col;
        if (st->sc.nerr) {
            for (uint32_t i = 0; i < st->sc.nerr; i++)
                rp_errorf(p, row, col, "%s", scan_err_msg(st->sc.err[i]));
            st->sc.nerr = 0;
            tok = TK_ILLEGAL;
        }
        st->tok = (uint8_t)tok;
        if (tok == TK_WS) {
            if (p->src[st->tok_off] == '\n') st->skipped_nl = true;
            if (skipws) continue;
        }
        if (tok != TK_COMMENT) break;
        rp_cmt *c = rp_alloc(p, sizeof *c);
        if (!c) return;
        uint32_t ce = st->tok_end;
        if (ce > st->tok_off + 1 && p->src[ce - 1] == '\r') ce--;
        c->line = row;
        c->col = col;
        c->off = st->tok_off;
        c->end = ce;
        c->prev = st->cmts;
        st->cmts = c;
        st->ncmts++;
    }
}

/* ---- string literals ------------------------------------------------------- */

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *s, size_t avail, uint32_t *out) {
    if (avail < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0) return false;
        v = (v << 4) | (uint32_t)h;
    }
    *out = v;
    return true;
}

static size_t utf8_put(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decode a "..." literal as Go's encoding/json would: control characters are
 * rejected, lone surrogates become U+FFFD. Input is valid UTF-8 (the scanner
 * checked it). */
bool rp_unquote(gh_arena *a, const char *lit, size_t n, char **out, size_t *outn) {
    if (n < 2 || lit[0] != '"' || lit[n - 1] != '"') return false;
    const char *s = lit + 1;
    size_t len = n - 2;
    char *o = gh_arena_alloc(a, len + 1);
    if (!o) return false;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20) return false;
        if (c == '"') return false;
        if (c != '\\') {
            o[k++] = (char)c;
            i++;
            continue;
        }
        if (i + 1 >= len) return false;
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case '"': o[k++] = '"'; break;
        case '\\': o[k++] = '\\'; break;
        case '/': o[k++] = '/'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (!hex4(s + i, len - i, &cp)) return false;
            i += 4;
            if (cp >= 0xd800 && cp < 0xdc00) {
                uint32_t lo;
                if (i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u' &&
                    hex4(s + i + 2, len - i - 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                } else {
                    cp = 0xfffd;
                }
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                cp = 0xfffd;
            }
            /* "\uXXXX" (6 bytes) always covers its UTF-8 (at most 3 bytes, or
             * 4 for a 12-byte surrogate pair), so o never outgrows len. */
            k += utf8_put(o + k, cp);
            break;
        }
        default: return false;
        }
    }
    o[k] = '\0';
    *out = o;
    *outn = k;
    return true;
}
