/* template.c - strings.render_template: a Go text/template engine over the
 * Go values OPA passes it (objects as map[string]interface{}, arrays and
 * sets as []interface{}, numbers as json.Number, missingkey=error).
 * Called through rego_bi_strings (strings.c). Supported: text, comments,
 * trim markers, pipelines with '|', fields/variables/literals/parenthesised
 * pipelines, if/else if/else, range (with $i, $v := and else, break,
 * continue), with/else, variable declaration and assignment, and the
 * functions and, or, not, len, index, eq, ne, lt, le, gt, ge, print,
 * printf, println, html, js, urlquery. Not supported (reported as errors):
 * define/template/block and the slice/call functions. Messages follow Go's
 * ("template: template:1:2: executing \"template\" at <.x>: ..."). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"
#include "rego/builtins/template_int.h"

typedef struct tpl {
    rego_bctx *c;
    const char *src;
    size_t n, i;
    int depth;
    int range_depth;
    /* variables declared so far, per scope (parse-time check) */
    char **vars;
    size_t nvars, capvars;
    bool failed;
} tpl;

int rb_tpl_line(const char *src, size_t pos) {
    int line = 1;
    for (size_t i = 0; i < pos; i++)
        if (src[i] == '\n') line++;
    return line;
}

static int perr(tpl *t, size_t pos, const char *fmt, const char *arg) {
    if (t->failed) return GH_EINVAL;
    t->failed = true;
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    return rb_err(t->c, "template: template:%d: %s", rb_tpl_line(t->src, pos), msg);
}

static void *talloc(tpl *t, size_t n) {
    void *p = gh_arena_calloc(t->c->a, n ? n : 1);
    if (!p) t->failed = true;
    return p;
}

static bool push(tpl *t, void **arr, size_t *n, size_t *cap, size_t elt, const void *item) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        void *p = talloc(t, nc * elt);
        if (!p) return false;
        if (*n) memcpy(p, *arr, *n * elt);
        *arr = p;
        *cap = nc;
    }
    memcpy((char *)*arr + *n * elt, item, elt);
    (*n)++;
    return true;
}

static bool list_add(tpl *t, nlist *l, node *nd) {
    return push(t, (void **)&l->v, &l->n, &l->cap, sizeof(node *), &nd);
}

/* ---- lexing inside an action ------------------------------------------------------------ */

static bool at_close(tpl *t) {
    size_t i = t->i;
    if (i + 2 < t->n + 1 && t->src[i] == '-' && i + 3 <= t->n && t->src[i + 1] == '}' &&
        t->src[i + 2] == '}' && i > 0 && (t->src[i - 1] == ' ' || t->src[i - 1] == '\t' ||
                                         t->src[i - 1] == '\n' || t->src[i - 1] == '\r'))
        return true;
    return i + 2 <= t->n && t->src[i] == '}' && t->src[i + 1] == '}';
}

static void skip_space(tpl *t) {
    while (t->i < t->n && (t->src[t->i] == ' ' || t->src[t->i] == '\t' || t->src[t->i] == '\r' ||
                           t->src[t->i] == '\n'))
        t->i++;
}

static bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

static char *dup_span(tpl *t, const char *s, size_t n) {
    char *p = talloc(t, n + 1);
    if (p) memcpy(p, s, n);
    return p;
}

/* Consume the closing delimiter; *trim says whether it was " -}}". */
static bool close_action(tpl *t, bool *trim) {
    skip_space(t);
    *trim = false;
    if (t->i < t->n && t->src[t->i] == '-' && t->i + 2 < t->n + 0 && t->src[t->i + 1] == '}' &&
        t->src[t->i + 2] == '}') {
        *trim = true;
        t->i += 3;
        return true;
    }
    if (t->i + 1 < t->n && t->src[t->i] == '}' && t->src[t->i + 1] == '}') {
        t->i += 2;
        return true;
    }
    return false;
}

static bool word_is(tpl *t, const char *w) {
    size_t n = strlen(w);
    return t->i + n <= t->n && memcmp(t->src + t->i, w, n) == 0 &&
           (t->i + n == t->n || !is_alnum(t->src[t->i + n]));
}

/* Go's strconv.Unquote for "..." (simple escapes, \x, \u, \U, octal). */
static bool unquote(tpl *t, const char *s, size_t n, gv *out) {
    rb_sb b;
    rb_sb_init(&b, t->c->a, n);
    for (size_t i = 1; i + 1 < n; i++) {
        char ch = s[i];
        if (ch != '\\') {
            rb_sb_putc(&b, ch);
            continue;
        }
        if (++i >= n - 1) return false;
        ch = s[i];
        switch (ch) {
        case 'a': rb_sb_putc(&b, '\a'); break;
        case 'b': rb_sb_putc(&b, '\b'); break;
        case 'f': rb_sb_putc(&b, '\f'); break;
        case 'n': rb_sb_putc(&b, '\n'); break;
        case 'r': rb_sb_putc(&b, '\r'); break;
        case 't': rb_sb_putc(&b, '\t'); break;
        case 'v': rb_sb_putc(&b, '\v'); break;
        case '\\': rb_sb_putc(&b, '\\'); break;
        case '"': rb_sb_putc(&b, '"'); break;
        case 'x': case 'u': case 'U': {
            int nd = ch == 'x' ? 2 : ch == 'u' ? 4 : 8;
            uint32_t v = 0;
            for (int k = 0; k < nd; k++) {
                if (++i >= n - 1) return false;
                char h = s[i];
                int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) return false;
                v = v * 16 + (uint32_t)d;
            }
            if (ch == 'x')
                rb_sb_putc(&b, (char)v);
            else
                rb_sb_rune(&b, (int32_t)v);
            break;
        }
        default:
            if (ch >= '0' && ch <= '7' && i + 2 < n - 1) {
                int v = 0;
                for (int k = 0; k < 3; k++, i++) {
                    if (s[i] < '0' || s[i] > '7') return false;
                    v = v * 8 + (s[i] - '0');
                }
                i--;
                rb_sb_putc(&b, (char)v);
                break;
            }
            return false;
        }
    }
    if (b.oom) return false;
    out->k = GV_STR;
    out->s = b.p;
    out->n = b.len;
    return true;
}

static pipe *parse_pipe(tpl *t, bool allow_decl, bool in_paren, const char *ctx);

static bool parse_fields(tpl *t, operand *o) {
    while (t->i < t->n && t->src[t->i] == '.' && t->i + 1 < t->n && is_alnum(t->src[t->i + 1])) {
        if (o->nfields == 0 && o->k != O_FIELD) o->pos = t->i;
        if (o->k == O_FIELD && o->nfields == 1) o->pos = t->i;
        size_t s = ++t->i;
        while (t->i < t->n && is_alnum(t->src[t->i])) t->i++;
        char *f = dup_span(t, t->src + s, t->i - s);
        size_t cap = o->nfields;
        if (!f || !push(t, (void **)&o->fields, &o->nfields, &cap, sizeof(char *), &f)) return false;
    }
    return true;
}

static bool var_known(tpl *t, const char *name, size_t n) {
    for (size_t i = t->nvars; i-- > 0;)
        if (strlen(t->vars[i]) == n && memcmp(t->vars[i], name, n) == 0) return true;
    return false;
}

static bool parse_operand(tpl *t, operand *o) {
    memset(o, 0, sizeof *o);
    o->pos = t->i;
    const char *s = t->src;
    char ch = s[t->i];
    if (ch == '.') {
        if (t->i + 1 < t->n && is_alnum(s[t->i + 1])) {
            o->k = O_FIELD;
            return parse_fields(t, o);
        }
        t->i++;
        o->k = O_DOT;
        return true;
    }
    if (ch == '$') {
        size_t st = t->i++;
        while (t->i < t->n && is_alnum(s[t->i])) t->i++;
        o->k = O_VAR;
        o->text = s + st;
        o->tn = t->i - st;
        if (!var_known(t, o->text, o->tn)) {
            char nm[128];
            snprintf(nm, sizeof nm, "%.*s", (int)(o->tn > 100 ? 100 : o->tn), o->text);
            perr(t, st, "undefined variable \"%s\"", nm);
            return false;
        }
        return parse_fields(t, o);
    }
    if (ch == '"' || ch == '`') {
        size_t st = t->i++;
        while (t->i < t->n && s[t->i] != ch) {
            if (ch == '"' && s[t->i] == '\\') t->i++;
            if (ch == '"' && s[t->i] == '\n') break;
            t->i++;
        }
        if (t->i >= t->n || s[t->i] != ch) {
            perr(t, st, ch == '"' ? "unterminated quoted string" : "unterminated raw quoted string", NULL);
            return false;
        }
        t->i++;
        o->k = O_STR;
        o->text = s + st;
        o->tn = t->i - st;
        if (ch == '`') {
            o->lit.k = GV_STR;
            o->lit.s = s + st + 1;
            o->lit.n = o->tn - 2;
        } else if (!unquote(t, o->text, o->tn, &o->lit)) {
            perr(t, st, "bad string syntax", NULL);
            return false;
        }
        return true;
    }
    if (ch == '(') {
        t->i++;
        if (++t->depth > TPL_MAX_DEPTH) {
            perr(t, o->pos, "nesting too deep", NULL);
            return false;
        }
        o->k = O_PIPE;
        o->sub = parse_pipe(t, false, true, "parenthesized pipeline");
        t->depth--;
        if (!o->sub) return false;
        return parse_fields(t, o);
    }
    if ((ch >= '0' && ch <= '9') || ch == '-' || ch == '+') {
        size_t st = t->i++;
        while (t->i < t->n && (is_alnum(s[t->i]) || s[t->i] == '.' ||
                               ((s[t->i] == '-' || s[t->i] == '+') &&
                                (s[t->i - 1] == 'e' || s[t->i - 1] == 'E'))))
            t->i++;
        o->k = O_NUM;
        o->text = s + st;
        o->tn = t->i - st;
        char *z = dup_span(t, o->text, o->tn), *end;
        if (!z) return false;
        long long iv = strtoll(z, &end, 0);
        if (*end == '\0') {
            o->lit.k = GV_INT;
            o->lit.i = iv;
            return true;
        }
        double d = strtod(z, &end);
        if (*end == '\0' && end != z) {
            o->lit.k = GV_FLOAT;
            o->lit.f = d;
            return true;
        }
        perr(t, st, "bad number syntax: \"%s\"", z);
        return false;
    }
    if (is_alnum(ch)) {
        size_t st = t->i;
        while (t->i < t->n && is_alnum(s[t->i])) t->i++;
        o->text = s + st;
        o->tn = t->i - st;
        if (o->tn == 4 && !memcmp(o->text, "true", 4)) {
            o->k = O_BOOL;
            o->lit.k = GV_BOOL;
            o->lit.b = true;
        } else if (o->tn == 5 && !memcmp(o->text, "false", 5)) {
            o->k = O_BOOL;
            o->lit.k = GV_BOOL;
        } else if (o->tn == 3 && !memcmp(o->text, "nil", 3)) {
            o->k = O_NIL;
        } else {
            static const char *const fns[] = {"and", "or", "not", "len", "index", "eq", "ne",
                                              "lt", "le", "gt", "ge", "print", "printf",
                                              "println", "html", "js", "urlquery"};
            bool known = false;
            for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++)
                if (strlen(fns[k]) == o->tn && !memcmp(fns[k], o->text, o->tn)) known = true;
            if (!known) {
                char nm[128];
                snprintf(nm, sizeof nm, "%.*s", (int)(o->tn > 100 ? 100 : o->tn), o->text);
                perr(t, st, "function \"%s\" not defined", nm);
                return false;
            }
            o->k = O_IDENT;
        }
        return true;
    }
    char bad[8] = {ch, 0};
    perr(t, t->i, "unexpected \"%s\" in command", bad);
    return false;
}

/* pipeline := [decl] cmd {'|' cmd}, ended by "}}" (or ')' in parens). */
static pipe *parse_pipe(tpl *t, bool allow_decl, bool in_paren, const char *ctx) {
    pipe *p = talloc(t, sizeof *p);
    if (!p) return NULL;
    skip_space(t);
    p->pos = t->i;
    /* declaration: $x := / $x, $y := / $x = */
    if (allow_decl && t->i < t->n && t->src[t->i] == '$') {
        size_t save = t->i;
        char *names[2];
        size_t nn = 0;
        bool ok = false, assign = false;
        while (nn < 2) {
            size_t st = t->i++;
            while (t->i < t->n && is_alnum(t->src[t->i])) t->i++;
            names[nn++] = dup_span(t, t->src + st, t->i - st);
            skip_space(t);
            if (t->i + 1 < t->n && t->src[t->i] == ':' && t->src[t->i + 1] == '=') {
                t->i += 2;
                ok = true;
                break;
            }
            if (t->i < t->n && t->src[t->i] == '=' && nn == 1) {
                t->i++;
                ok = assign = true;
                break;
            }
            if (t->i < t->n && t->src[t->i] == ',' && nn == 1) {
                t->i++;
                skip_space(t);
                if (t->i < t->n && t->src[t->i] == '$') continue;
            }
            break;
        }
        if (ok) {
            p->ndecl = nn;
            p->decl[0] = names[0];
            p->decl[1] = nn > 1 ? names[1] : NULL;
            p->assign = assign;
        } else {
            t->i = save;
        }
    }
    size_t capc = 0;
    for (;;) {
        cmd c = {0};
        size_t capa = 0;
        skip_space(t);
        c.pos = t->i;
        for (;;) {
            skip_space(t);
            if (t->i >= t->n) {
                perr(t, t->i, in_paren ? "unclosed left paren" : "unclosed action", NULL);
                return NULL;
            }
            char ch = t->src[t->i];
            if (ch == '|' || (in_paren && ch == ')') || (!in_paren && at_close(t))) break;
            operand o;
            if (!parse_operand(t, &o)) return NULL;
            if (!push(t, (void **)&c.args, &c.nargs, &capa, sizeof o, &o)) return NULL;
            if (t->i < t->n && !(t->src[t->i] == ' ' || t->src[t->i] == '\t' ||
                                 t->src[t->i] == '\n' || t->src[t->i] == '\r' ||
                                 t->src[t->i] == '|' || t->src[t->i] == ')' || at_close(t))) {
                char bad[8] = {t->src[t->i], 0};
                perr(t, t->i, "unexpected \"%s\" in operand", bad);
                return NULL;
            }
        }
        if (c.nargs == 0) {
            perr(t, t->i, p->ncmds ? "missing command" : "missing value for %s", ctx);
            return NULL;
        }
        if (!push(t, (void **)&p->cmds, &p->ncmds, &capc, sizeof c, &c)) return NULL;
        if (t->src[t->i] == '|') {
            t->i++;
            continue;
        }
        if (in_paren) t->i++; /* ')' */
        break;
    }
    for (size_t k = 0; k < p->ndecl; k++) {
        if (p->assign) continue;
        size_t cap = t->nvars;
        if (!push(t, (void **)&t->vars, &t->nvars, &cap, sizeof(char *), &p->decl[k])) return NULL;
    }
    return p;
}

/* ---- parsing the template body ---------------------------------------------------------- */

enum { END_EOF, END_END, END_ELSE, END_ELSEIF };

/* Parse nodes into l until {{end}}/{{else}} or EOF; *why says which. */
static bool parse_list(tpl *t, nlist *l, int *why, bool *trim_next);

static node *new_node(tpl *t, int k, size_t pos) {
    node *nd = talloc(t, sizeof *nd);
    if (nd) {
        nd->k = k;
        nd->pos = pos;
    }
    return nd;
}

static bool parse_control(tpl *t, int k, size_t pos, nlist *into, bool *trim_next) {
    if (++t->depth > TPL_MAX_DEPTH) return perr(t, pos, "nesting too deep", NULL), false;
    size_t vmark = t->nvars;
    node *nd = new_node(t, k, pos);
    if (!nd) return false;
    nd->p = parse_pipe(t, true, false, k == N_IF ? "if" : k == N_RANGE ? "range" : "with");
    if (!nd->p) return false;
    bool trim;
    if (!close_action(t, &trim)) return perr(t, t->i, "unclosed action", NULL), false;
    if (k == N_RANGE) t->range_depth++;
    int why;
    if (!parse_list(t, &nd->list, &why, &trim)) return false;
    if (k == N_RANGE) t->range_depth--;
    if (why == END_EOF) return perr(t, t->n, "unexpected EOF", NULL), false;
    if (why == END_ELSEIF) {
        /* {{else if p}} == {{else}}{{if p}}...{{end}}{{end}} sharing the {{end}} */
        if (!parse_control(t, k == N_WITH ? N_WITH : N_IF, t->i, &nd->elist, &trim)) return false;
        why = END_END;
    } else if (why == END_ELSE) {
        if (!parse_list(t, &nd->elist, &why, &trim)) return false;
        if (why != END_END) return perr(t, t->i, why == END_EOF ? "unexpected EOF" : "expected end; found {{else}}", NULL), false;
    }
    *trim_next = trim;
    t->nvars = vmark;
    t->depth--;
    return list_add(t, into, nd);
}

static bool parse_list(tpl *t, nlist *l, int *why, bool *trim_next) {
    for (;;) {
        /* text up to the next "{{" */
        size_t st = t->i;
        const char *open = NULL;
        for (size_t k = t->i; k + 1 < t->n; k++)
            if (t->src[k] == '{' && t->src[k + 1] == '{') {
                open = t->src + k;
                break;
            }
        size_t end = open ? (size_t)(open - t->src) : t->n;
        bool trim_left = open && end + 3 < t->n + 0 && t->src[end + 2] == '-' &&
                         (t->src[end + 3] == ' ' || t->src[end + 3] == '\t' ||
                          t->src[end + 3] == '\n' || t->src[end + 3] == '\r');
        size_t ts = st, te = end;
        if (*trim_next)
            while (ts < te && strchr(" \t\r\n", t->src[ts])) ts++;
        if (trim_left)
            while (te > ts && strchr(" \t\r\n", t->src[te - 1])) te--;
        *trim_next = false;
        if (te > ts) {
            node *nd = new_node(t, N_TEXT, ts);
            if (!nd) return false;
            nd->text = t->src + ts;
            nd->tn = te - ts;
            if (!list_add(t, l, nd)) return false;
        }
        if (!open) {
            t->i = t->n;
            *why = END_EOF;
            return true;
        }
        size_t apos = end;
        t->i = end + 2 + (trim_left ? 2 : 0);
        /* comment */
        if (t->i + 1 < t->n && t->src[t->i] == '/' && t->src[t->i + 1] == '*') {
            const char *ce = NULL;
            for (size_t k = t->i + 2; k + 1 < t->n; k++)
                if (t->src[k] == '*' && t->src[k + 1] == '/') {
                    ce = t->src + k;
                    break;
                }
            if (!ce) return perr(t, apos, "unclosed comment", NULL), false;
            t->i = (size_t)(ce - t->src) + 2;
            bool trim;
            if (!close_action(t, &trim)) return perr(t, apos, "comment ends before closing delimiter", NULL), false;
            *trim_next = trim;
            continue;
        }
        skip_space(t);
        size_t kpos = t->i;
        bool trim;
        if (word_is(t, "end")) {
            t->i += 3;
            if (!close_action(t, &trim)) return perr(t, kpos, "unexpected \"%s\" in end", NULL), false;
            *trim_next = trim;
            *why = END_END;
            return true;
        }
        if (word_is(t, "else")) {
            t->i += 4;
            skip_space(t);
            if (word_is(t, "if") || word_is(t, "with")) {
                t->i += word_is(t, "if") ? 2 : 4;
                *why = END_ELSEIF;
                return true;
            }
            if (!close_action(t, &trim)) return perr(t, kpos, "unexpected \"%s\" in else", NULL), false;
            *trim_next = trim;
            *why = END_ELSE;
            return true;
        }
        if (word_is(t, "if") || word_is(t, "range") || word_is(t, "with")) {
            int k = word_is(t, "if") ? N_IF : word_is(t, "range") ? N_RANGE : N_WITH;
            t->i += k == N_IF ? 2 : k == N_RANGE ? 5 : 4;
            if (!parse_control(t, k, kpos, l, trim_next)) return false;
            continue;
        }
        if (word_is(t, "break") || word_is(t, "continue")) {
            bool brk = word_is(t, "break");
            t->i += brk ? 5 : 8;
            if (!t->range_depth)
                return perr(t, kpos, "{{%s}} outside {{range}}", brk ? "break" : "continue"), false;
            if (!close_action(t, &trim)) return perr(t, kpos, "unclosed action", NULL), false;
            node *nd = new_node(t, brk ? N_BREAK : N_CONTINUE, kpos);
            if (!nd || !list_add(t, l, nd)) return false;
            *trim_next = trim;
            continue;
        }
        if (word_is(t, "define") || word_is(t, "template") || word_is(t, "block"))
            return perr(t, kpos, "%s actions are not supported", word_is(t, "define") ? "define"
                                 : word_is(t, "block") ? "block" : "template"), false;
        node *nd = new_node(t, N_ACTION, kpos);
        if (!nd) return false;
        if (!(nd->p = parse_pipe(t, true, false, "command"))) return false;
        if (!close_action(t, &trim)) return perr(t, t->i, "unclosed action", NULL), false;
        *trim_next = trim;
        if (!list_add(t, l, nd)) return false;
    }
}

nlist *rb_tpl_parse(rego_bctx *c, const char *src, size_t n) {
    tpl t = {0};
    t.c = c;
    t.src = src;
    t.n = n;
    nlist *root = gh_arena_calloc(c->a, sizeof *root);
    if (!root) return NULL;
    char *dollar = "$";
    size_t cap = 0;
    if (!push(&t, (void **)&t.vars, &t.nvars, &cap, sizeof(char *), &dollar)) return NULL;
    bool trim = false;
    int why;
    if (!parse_list(&t, root, &why, &trim)) {
        if (!t.failed || !c->err->code) rb_oom(c);
        return NULL;
    }
    if (why == END_END) {
        perr(&t, t.i, "unexpected {{end}}", NULL);
        return NULL;
    }
    if (why != END_EOF) {
        perr(&t, t.i, "unexpected {{else}}", NULL);
        return NULL;
    }
    return root;
}
