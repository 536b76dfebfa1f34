/* template_exec.c - executes a parsed text/template (template.c) against
 * the data object of strings.render_template, printing values the way Go's
 * fmt.Fprint does (maps as map[k:v ...] in key order, slices as [a b],
 * missing values as <no value>). Map lookups of absent keys are errors
 * (OPA sets missingkey=error). Execution is bounded by TPL_MAX_STEPS. */
#include <stdio.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"
#include "rego/builtins/template_int.h"

typedef struct tvar {
    const char *name;
    gv v;
} tvar;

typedef struct xs {
    rego_bctx *c;
    const char *src;
    rb_sb *out;
    tvar *vars;
    size_t nvars, cap;
    long steps;
    int jump; /* 1 break, 2 continue */
    const pipe *ctx_pipe; /* error context when neither operand nor command applies */
    bool failed;
} xs;

/* ---- node text for error context (Go's Node.String) ------------------------------------ */

static void pipe_str(rb_sb *b, const pipe *p);

static void fields_str(rb_sb *b, char **f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        rb_sb_putc(b, '.');
        rb_sb_puts(b, f[i]);
    }
}

static void operand_str(rb_sb *b, const operand *o) {
    switch (o->k) {
    case O_FIELD: fields_str(b, o->fields, o->nfields); return;
    case O_DOT: rb_sb_putc(b, '.'); return;
    case O_NIL: rb_sb_puts(b, "nil"); return;
    case O_PIPE:
        rb_sb_putc(b, '(');
        pipe_str(b, o->sub);
        rb_sb_putc(b, ')');
        fields_str(b, o->fields, o->nfields);
        return;
    default:
        rb_sb_put(b, o->text, o->tn);
        if (o->k == O_VAR) fields_str(b, o->fields, o->nfields);
        return;
    }
}

static void cmd_str(rb_sb *b, const cmd *c) {
    for (size_t i = 0; i < c->nargs; i++) {
        if (i) rb_sb_putc(b, ' ');
        operand_str(b, &c->args[i]);
    }
}

static void pipe_str(rb_sb *b, const pipe *p) {
    for (size_t i = 0; i < p->ndecl; i++) {
        if (i) rb_sb_puts(b, ", ");
        rb_sb_puts(b, p->decl[i]);
    }
    if (p->ndecl) rb_sb_puts(b, p->assign ? " = " : " := ");
    for (size_t i = 0; i < p->ncmds; i++) {
        if (i) rb_sb_puts(b, " | ");
        cmd_str(b, &p->cmds[i]);
    }
}

/* Record "template: template:L:C: executing "template" at <ctx>: msg". */
static int xerr(xs *x, size_t pos, const operand *o, const cmd *c, const char *fmt, ...)
    GH_PRINTF(5, 6);
static int xerr(xs *x, size_t pos, const operand *o, const cmd *c, const char *fmt, ...) {
    if (x->failed) return GH_EINVAL;
    x->failed = true;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rb_sb ctx;
    rb_sb_init(&ctx, x->c->a, 32);
    if (o)
        operand_str(&ctx, o);
    else if (c)
        cmd_str(&ctx, c);
    else if (x->ctx_pipe)
        pipe_str(&ctx, x->ctx_pipe);
    size_t ls = pos;
    while (ls > 0 && x->src[ls - 1] != '\n') ls--;
    return rb_err(x->c, "template: template:%d:%zu: executing \"template\" at <%.*s>: %s",
                  rb_tpl_line(x->src, pos), pos - ls, (int)(ctx.oom ? 0 : ctx.len),
                  ctx.oom ? "" : ctx.p, msg);
}

/* ---- values ------------------------------------------------------------------------------- */

static const char *gv_type(const gv *g, bool iface) {
    if (iface) return "interface {}";
    switch (g->k) {
    case GV_BOOL: return "bool";
    case GV_STR: return "string";
    case GV_JNUM: return "json.Number";
    case GV_INT: return "int";
    case GV_FLOAT: return "float64";
    case GV_MAP: return "map[string]interface {}";
    case GV_SLICE: return "[]interface {}";
    default: return "<nil>";
    }
}

static void jnum_text(rb_sb *b, const gv *g) {
    if (g->s)
        rb_sb_put(b, g->s, g->n);
    else
        rb_sb_printf(b, "%lld", (long long)g->i);
}

static size_t gv_len(const gv *g) {
    if (g->k == GV_MAP) return val_obj_len(g->v);
    if (g->k == GV_SLICE)
        return val_kind_of(g->v) == VAL_SET ? val_set_len(g->v) : val_arr_len(g->v);
    return 0;
}

static gv gv_elem(const gv *g, size_t i) {
    if (val_kind_of(g->v) == VAL_SET) return gv_of(val_set_at(g->v, i));
    return gv_of(val_arr_at(g->v, i));
}

/* fmt's %v of a value (top-level nil handled by the caller). */
static void gv_print(xs *x, rb_sb *b, const gv *g) {
    switch (g->k) {
    case GV_NIL: rb_sb_puts(b, "<nil>"); return;
    case GV_BOOL: rb_sb_puts(b, g->b ? "true" : "false"); return;
    case GV_STR: rb_sb_put(b, g->s, g->n); return;
    case GV_JNUM: jnum_text(b, g); return;
    case GV_INT: rb_sb_printf(b, "%lld", (long long)g->i); return;
    case GV_FLOAT: {
        garg a = {0};
        a.k = GA_FLOAT;
        a.f = g->f;
        rb_go_sprintf_args(b, x->c->a, "%v", 2, &a, 1);
        return;
    }
    case GV_SLICE:
        rb_sb_putc(b, '[');
        for (size_t i = 0; i < gv_len(g); i++) {
            if (i) rb_sb_putc(b, ' ');
            gv e = gv_elem(g, i);
            gv_print(x, b, &e);
        }
        rb_sb_putc(b, ']');
        return;
    default: { /* GV_MAP, keys sorted */
        size_t n = val_obj_len(g->v);
        uint32_t *ord = n > 1 ? val_sorted_order(x->c->a, g->v) : NULL;
        if (n > 1 && !ord) {
            b->oom = 1;
            return;
        }
        rb_sb_puts(b, "map[");
        for (size_t i = 0; i < n; i++) {
            size_t k = ord ? ord[i] : i;
            if (i) rb_sb_putc(b, ' ');
            gv kv = gv_of(val_obj_key_at(g->v, k)), vv = gv_of(val_obj_val_at(g->v, k));
            gv_print(x, b, &kv);
            rb_sb_putc(b, ':');
            gv_print(x, b, &vv);
        }
        rb_sb_putc(b, ']');
        return;
    }
    }
}

static bool truth(const gv *g) {
    switch (g->k) {
    case GV_BOOL: return g->b;
    case GV_STR: return g->n > 0;
    case GV_JNUM: return true; /* a non-empty string */
    case GV_INT: return g->i != 0;
    case GV_FLOAT: return g->f != 0;
    case GV_MAP: case GV_SLICE: return gv_len(g) > 0;
    default: return false;
    }
}

/* ---- evaluation ------------------------------------------------------------------------------ */

typedef struct res {
    gv v;
    bool iface; /* came straight out of a map or slice (static type interface{}) */
} res;

static bool eval_pipe(xs *x, const res *dot, const pipe *p, res *out);

static bool field_chain(xs *x, res *r, char **fields, size_t nf, size_t pos, const operand *o) {
    for (size_t i = 0; i < nf; i++) {
        if (r->v.k == GV_MAP) {
            val_t *v = val_obj_get_str(r->v.v, fields[i], strlen(fields[i]));
            if (!v) return xerr(x, pos, o, NULL, "map has no entry for key \"%s\"", fields[i]), false;
            r->v = gv_of(v);
            r->iface = true;
        } else if (r->v.k == GV_NIL) {
            return xerr(x, pos, o, NULL, "nil pointer evaluating interface {}.%s", fields[i]), false;
        } else {
            return xerr(x, pos, o, NULL, "can't evaluate field %s in type %s", fields[i],
                        gv_type(&r->v, r->iface)), false;
        }
    }
    return true;
}

static const tvar *var_get(xs *x, const char *name, size_t n) {
    for (size_t i = x->nvars; i-- > 0;)
        if (strlen(x->vars[i].name) == n && memcmp(x->vars[i].name, name, n) == 0) return &x->vars[i];
    return NULL;
}

static bool var_push(xs *x, const char *name, gv v) {
    if (x->nvars == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 8;
        tvar *nv = gh_arena_alloc(x->c->a, nc * sizeof *nv);
        if (!nv) return rb_oom(x->c), x->failed = true, false;
        if (x->nvars) memcpy(nv, x->vars, x->nvars * sizeof *nv);
        x->vars = nv;
        x->cap = nc;
    }
    x->vars[x->nvars++] = (tvar){name, v};
    return true;
}

static bool call_fn(xs *x, const res *dot, const cmd *c, const res *final, res *out);

static bool eval_arg(xs *x, const res *dot, const operand *o, res *r) {
    r->iface = false;
    switch (o->k) {
    case O_DOT: *r = *dot; return true;
    case O_FIELD: *r = *dot; return field_chain(x, r, o->fields, o->nfields, o->pos, o);
    case O_VAR: {
        const tvar *v = var_get(x, o->text, o->tn);
        if (!v) return xerr(x, o->pos, o, NULL, "undefined variable: %.*s", (int)o->tn, o->text), false;
        r->v = v->v;
        return field_chain(x, r, o->fields, o->nfields, o->pos, o);
    }
    case O_PIPE:
        if (!eval_pipe(x, dot, o->sub, r)) return false;
        return field_chain(x, r, o->fields, o->nfields, o->pos, o);
    case O_NIL: r->v = (gv){0}; return true;
    case O_IDENT: {
        cmd one = {(operand *)o, 1, o->pos};
        return call_fn(x, dot, &one, NULL, r);
    }
    default: r->v = o->lit; return true;
    }
}

/* Sprint of values: a space between operands when neither is a string. */
static void sprint(xs *x, rb_sb *b, const res *a, size_t n, bool ln) {
    for (size_t i = 0; i < n; i++) {
        bool s1 = a[i].v.k == GV_STR || a[i].v.k == GV_JNUM;
        bool s0 = i > 0 && (a[i - 1].v.k == GV_STR || a[i - 1].v.k == GV_JNUM);
        if (i > 0 && (ln || (!s1 && !s0))) rb_sb_putc(b, ' ');
        gv_print(x, b, &a[i].v);
    }
    if (ln) rb_sb_putc(b, '\n');
}

static int basic_kind(const gv *g) {
    switch (g->k) {
    case GV_BOOL: return 1;
    case GV_INT: return 2;
    case GV_FLOAT: return 3;
    case GV_STR: case GV_JNUM: return 4;
    default: return 0;
    }
}

static const char *str_of(xs *x, const gv *g, size_t *n) {
    if (g->k == GV_STR || g->s) {
        *n = g->n;
        return g->s;
    }
    rb_sb b;
    rb_sb_init(&b, x->c->a, 24);
    jnum_text(&b, g);
    *n = b.len;
    return b.p;
}

/* Go's lt/eq on basic kinds: -2 incompatible, -3 not comparable, else <0/0/>0. */
static int cmp_basic(xs *x, const gv *a, const gv *b, bool ordered) {
    int ka = basic_kind(a), kb = basic_kind(b);
    if (!ka || !kb || (ordered && ka == 1)) return -3;
    if (ka != kb) return -2;
    switch (ka) {
    case 1: return a->b == b->b ? 0 : 1;
    case 2: return a->i < b->i ? -1 : a->i > b->i;
    case 3: return a->f < b->f ? -1 : a->f > b->f;
    default: {
        size_t na, nb;
        const char *sa = str_of(x, a, &na), *sb = str_of(x, b, &nb);
        size_t m = na < nb ? na : nb;
        int c = m ? memcmp(sa, sb, m) : 0;
        if (c) return c < 0 ? -1 : 1;
        return na < nb ? -1 : na > nb;
    }
    }
}

static void escape_html(rb_sb *o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': rb_sb_puts(o, "&lt;"); break;
        case '>': rb_sb_puts(o, "&gt;"); break;
        case '&': rb_sb_puts(o, "&amp;"); break;
        case '\'': rb_sb_puts(o, "&#39;"); break;
        case '"': rb_sb_puts(o, "&#34;"); break;
        case '\0': rb_sb_puts(o, "\xef\xbf\xbd"); break;
        default: rb_sb_putc(o, s[i]);
        }
    }
}

static void escape_js(rb_sb *o, const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            switch (ch) {
            case '\\': rb_sb_puts(o, "\\\\"); break;
            case '\'': rb_sb_puts(o, "\\'"); break;
            case '"': rb_sb_puts(o, "\\\""); break;
            case '<': rb_sb_puts(o, "\\u003C"); break;
            case '>': rb_sb_puts(o, "\\u003E"); break;
            case '&': rb_sb_puts(o, "\\u0026"); break;
            case '=': rb_sb_puts(o, "\\u003D"); break;
            default:
                if (ch < ' ')
                    rb_sb_printf(o, "\\u%04X", ch);
                else
                    rb_sb_putc(o, (char)ch);
            }
            i++;
            continue;
        }
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (rb_rune_printable(r))
            rb_sb_put(o, s + i, (size_t)w);
        else
            rb_sb_printf(o, "\\u%04X", (unsigned)r);
        i += (size_t)w;
    }
}

static void escape_query(rb_sb *o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~')
            rb_sb_putc(o, (char)ch);
        else if (ch == ' ')
            rb_sb_putc(o, '+');
        else
            rb_sb_printf(o, "%%%02X", ch);
    }
}

static bool str_result(xs *x, rb_sb *b, res *out) {
    if (b->oom) return rb_oom(x->c), x->failed = true, false;
    out->v = (gv){0};
    out->v.k = GV_STR;
    out->v.s = b->p;
    out->v.n = b->len;
    out->iface = false;
    return true;
}

static garg to_garg(xs *x, const gv *g) {
    garg a = {0};
    switch (g->k) {
    case GV_NIL: a.k = GA_NIL; break;
    case GV_BOOL: a.k = GA_BOOL; a.i = g->b; break;
    case GV_INT: a.k = GA_INT; a.i = g->i; break;
    case GV_FLOAT: a.k = GA_FLOAT; a.f = g->f; break;
    case GV_STR: a.k = GA_STR; a.s = g->s; a.n = g->n; break;
    case GV_JNUM: a.k = GA_STR; a.s = str_of(x, g, &a.n); a.tname = "json.Number"; break;
    default: {
        rb_sb b;
        rb_sb_init(&b, x->c->a, 32);
        gv_print(x, &b, g);
        a.k = GA_STR;
        a.s = b.p;
        a.n = b.len;
        a.tname = g->k == GV_MAP ? "map[string]interface {}" : "[]interface {}";
    }
    }
    return a;
}

static bool call_fn(xs *x, const res *dot, const cmd *c, const res *final, res *out) {
    const operand *fn = &c->args[0];
    size_t na = c->nargs - 1 + (final ? 1 : 0);
    char name[16];
    snprintf(name, sizeof name, "%.*s", (int)fn->tn, fn->text);
    res *a = gh_arena_alloc(x->c->a, (na ? na : 1) * sizeof(res));
    if (!a) return rb_oom(x->c), x->failed = true, false;
    bool lazy = !strcmp(name, "and") || !strcmp(name, "or");
    if (lazy) {
        if (na < 1)
            return xerr(x, c->pos, NULL, c, "wrong number of args for %s: want at least 1 got 0", name), false;
        bool is_and = name[0] == 'a';
        for (size_t i = 0; i < na; i++) {
            if (i < c->nargs - 1) {
                if (!eval_arg(x, dot, &c->args[i + 1], out)) return false;
            } else {
                *out = *final;
            }
            if (truth(&out->v) != is_and) return true;
        }
        return true;
    }
    for (size_t i = 0; i < c->nargs - 1; i++)
        if (!eval_arg(x, dot, &c->args[i + 1], &a[i])) return false;
    if (final) a[na - 1] = *final;
    out->iface = false;
#define WANT(k)                                                                                  \
    if (na != (k))                                                                               \
        return xerr(x, c->pos, NULL, c, "wrong number of args for %s: want %d got %zu", name, k, na), \
               false
    if (!strcmp(name, "not")) {
        WANT(1);
        out->v = (gv){0};
        out->v.k = GV_BOOL;
        out->v.b = !truth(&a[0].v);
        return true;
    }
    if (!strcmp(name, "len")) {
        WANT(1);
        size_t n;
        const gv *g = &a[0].v;
        if (g->k == GV_STR || g->k == GV_JNUM)
            str_of(x, g, &n);
        else if (g->k == GV_MAP || g->k == GV_SLICE)
            n = gv_len(g);
        else
            return xerr(x, c->pos, NULL, c, "error calling len: len of %s",
                        g->k == GV_NIL ? "nil pointer" : g->k == GV_BOOL ? "type bool"
                        : g->k == GV_INT ? "type int" : "type float64"), false;
        out->v = (gv){0};
        out->v.k = GV_INT;
        out->v.i = (int64_t)n;
        return true;
    }
    if (!strcmp(name, "index")) {
        if (na < 1)
            return xerr(x, c->pos, NULL, c, "wrong number of args for index: want at least 1 got 0"), false;
        res cur = a[0];
        for (size_t i = 1; i < na; i++) {
            const gv *ix = &a[i].v;
            if (cur.v.k == GV_SLICE || cur.v.k == GV_STR || cur.v.k == GV_JNUM) {
                if (ix->k != GV_INT)
                    return xerr(x, c->pos, NULL, c, "error calling index: cannot index slice/array with type %s",
                                gv_type(ix, false)), false;
                size_t len = 0;
                if (cur.v.k == GV_SLICE)
                    len = gv_len(&cur.v);
                else
                    str_of(x, &cur.v, &len);
                if (ix->i < 0 || (uint64_t)ix->i >= len)
                    return xerr(x, c->pos, NULL, c, "error calling index: index out of range: %lld",
                                (long long)ix->i), false;
                if (cur.v.k == GV_SLICE) {
                    cur.v = gv_elem(&cur.v, (size_t)ix->i);
                    cur.iface = true;
                } else {
                    size_t sn;
                    const char *s = str_of(x, &cur.v, &sn);
                    cur.v = (gv){0};
                    cur.v.k = GV_INT; /* a byte, printed as a number */
                    cur.v.i = (unsigned char)s[ix->i];
                    cur.iface = false;
                }
            } else if (cur.v.k == GV_MAP) {
                if (ix->k != GV_STR)
                    return xerr(x, c->pos, NULL, c, "error calling index: value has type %s; should be string",
                                gv_type(ix, false)), false;
                val_t *v = val_obj_get_str(cur.v.v, ix->s, ix->n);
                cur.v = v ? gv_of(v) : (gv){0};
                cur.iface = true;
            } else if (cur.v.k == GV_NIL) {
                return xerr(x, c->pos, NULL, c, "error calling index: index of untyped nil"), false;
            } else {
                return xerr(x, c->pos, NULL, c, "error calling index: can't index item of type %s",
                            gv_type(&cur.v, cur.iface)), false;
            }
        }
        *out = cur;
        return true;
    }
    if (!strcmp(name, "eq") || !strcmp(name, "ne") || !strcmp(name, "lt") || !strcmp(name, "le") ||
        !strcmp(name, "gt") || !strcmp(name, "ge")) {
        bool is_eq = !strcmp(name, "eq");
        if (is_eq) {
            if (na < 2)
                return xerr(x, c->pos, NULL, c, "error calling eq: missing argument for comparison"), false;
        } else {
            WANT(2);
        }
        bool result = false;
        bool eqlike = is_eq || !strcmp(name, "ne");
        for (size_t i = 0; eqlike && i < na; i++) {
            if (a[i].v.k != GV_MAP && a[i].v.k != GV_SLICE) continue;
            rb_sb s;
            rb_sb_init(&s, x->c->a, 16);
            gv_print(x, &s, &a[i].v);
            return xerr(x, c->pos, NULL, c, "error calling %s: non-comparable type %.*s: %s", name,
                        (int)s.len, s.p, gv_type(&a[i].v, false)), false;
        }
        for (size_t i = 1; i < na; i++) {
            if (eqlike && (a[0].v.k == GV_NIL || a[i].v.k == GV_NIL)) {
                bool same = a[0].v.k == a[i].v.k;
                if (is_eq) result = result || same;
                else result = !same;
                continue;
            }
            int r = cmp_basic(x, &a[0].v, &a[i].v, !eqlike);
            if (r == -2)
                return xerr(x, c->pos, NULL, c, "error calling %s: incompatible types for comparison", name), false;
            if (r == -3)
                return xerr(x, c->pos, NULL, c, "error calling %s: invalid type for comparison", name), false;
            if (is_eq) {
                if (r == 0) result = true;
                continue;
            }
            result = name[0] == 'n' ? r != 0 : name[0] == 'l' ? (name[1] == 't' ? r < 0 : r <= 0)
                                                              : (name[1] == 't' ? r > 0 : r >= 0);
        }
        out->v = (gv){0};
        out->v.k = GV_BOOL;
        out->v.b = result;
        return true;
    }
    rb_sb b;
    rb_sb_init(&b, x->c->a, 32);
    if (!strcmp(name, "printf")) {
        if (na < 1 || a[0].v.k != GV_STR)
            return xerr(x, c->pos, NULL, c, "wrong type for value; expected string; got %s",
                        na ? gv_type(&a[0].v, a[0].iface) : "nothing"), false;
        garg *ga = gh_arena_alloc(x->c->a, na * sizeof(garg));
        if (!ga) return rb_oom(x->c), x->failed = true, false;
        for (size_t i = 1; i < na; i++) ga[i - 1] = to_garg(x, &a[i].v);
        rb_go_sprintf_args(&b, x->c->a, a[0].v.s, a[0].v.n, ga, na - 1);
        return str_result(x, &b, out);
    }
    bool ln = !strcmp(name, "println");
    rb_sb tmp;
    rb_sb_init(&tmp, x->c->a, 32);
    sprint(x, &tmp, a, na, ln);
    if (tmp.oom) return rb_oom(x->c), x->failed = true, false;
    if (!strcmp(name, "print") || ln) return str_result(x, &tmp, out);
    if (!strcmp(name, "html"))
        escape_html(&b, tmp.p, tmp.len);
    else if (!strcmp(name, "js"))
        escape_js(&b, tmp.p, tmp.len);
    else
        escape_query(&b, tmp.p, tmp.len);
    return str_result(x, &b, out);
}

static bool eval_cmd(xs *x, const res *dot, const cmd *c, const res *final, res *out) {
    const operand *first = &c->args[0];
    if (first->k == O_IDENT) return call_fn(x, dot, c, final, out);
    if (c->nargs > 1 || final) {
        if (first->k == O_FIELD || first->k == O_VAR)
            return xerr(x, first->pos, first, NULL, "%s is not a method but has arguments",
                        first->k == O_FIELD ? first->fields[first->nfields - 1] : "variable"), false;
        rb_sb s;
        rb_sb_init(&s, x->c->a, 16);
        operand_str(&s, first);
        return xerr(x, first->pos, first, NULL, "can't give argument to non-function %.*s", (int)s.len, s.p), false;
    }
    if (first->k == O_NIL) return xerr(x, c->pos, NULL, c, "nil is not a command"), false;
    return eval_arg(x, dot, first, out);
}

static bool eval_pipe(xs *x, const res *dot, const pipe *p, res *out) {
    res v = {0};
    bool have = false;
    for (size_t i = 0; i < p->ncmds; i++) {
        res r;
        if (!eval_cmd(x, dot, &p->cmds[i], have ? &v : NULL, &r)) return false;
        v = r;
        have = true;
    }
    v.iface = false; /* the pipeline's value is the dynamic value */
    for (size_t i = 0; i < p->ndecl; i++) {
        if (p->assign) {
            for (size_t k = x->nvars; k-- > 0;)
                if (!strcmp(x->vars[k].name, p->decl[i])) {
                    x->vars[k].v = v.v;
                    break;
                }
        } else if (!var_push(x, p->decl[i], v.v)) {
            return false;
        }
    }
    *out = v;
    return true;
}

static bool exec_list(xs *x, const res *dot, const nlist *l);

static bool exec_node(xs *x, const res *dot, const node *nd) {
    if (++x->steps > TPL_MAX_STEPS) {
        x->failed = true;
        return rb_err(x->c, "template: execution exceeded %d steps", TPL_MAX_STEPS), false;
    }
    size_t mark = x->nvars;
    res v;
    switch (nd->k) {
    case N_TEXT: rb_sb_put(x->out, nd->text, nd->tn); return true;
    case N_BREAK: x->jump = 1; return true;
    case N_CONTINUE: x->jump = 2; return true;
    case N_ACTION:
        if (!eval_pipe(x, dot, nd->p, &v)) return false;
        if (nd->p->ndecl) return true;
        if (v.v.k == GV_NIL)
            rb_sb_puts(x->out, "<no value>");
        else
            gv_print(x, x->out, &v.v);
        return true;
    case N_IF:
    case N_WITH: {
        if (!eval_pipe(x, dot, nd->p, &v)) return false;
        bool ok = truth(&v.v) && !(nd->k == N_WITH && v.v.k == GV_NIL);
        bool r = ok ? exec_list(x, nd->k == N_WITH ? &v : dot, &nd->list)
                    : exec_list(x, dot, &nd->elist);
        x->nvars = mark;
        return r;
    }
    default: { /* N_RANGE */
        const pipe *p = nd->p;
        pipe head = *p;
        head.ndecl = 0; /* range variables bind per iteration */
        if (!eval_pipe(x, dot, &head, &v)) return false;
        size_t n = 0;
        if (v.v.k == GV_SLICE || v.v.k == GV_MAP) {
            n = gv_len(&v.v);
        } else if (v.v.k != GV_NIL) {
            rb_sb s;
            rb_sb_init(&s, x->c->a, 16);
            gv_print(x, &s, &v.v);
            x->ctx_pipe = &head;
            return xerr(x, head.pos, NULL, NULL, "range can't iterate over %.*s", (int)s.len, s.p), false;
        }
        uint32_t *ord = v.v.k == GV_MAP && n > 1 ? val_sorted_order(x->c->a, v.v.v) : NULL;
        if (v.v.k == GV_MAP && n > 1 && !ord) return rb_oom(x->c), false;
        for (size_t i = 0; i < n; i++) {
            size_t k = ord ? ord[i] : i;
            res elem = {0}, key = {0};
            elem.iface = true;
            if (v.v.k == GV_MAP) {
                elem.v = gv_of(val_obj_val_at(v.v.v, k));
                key.v = gv_of(val_obj_key_at(v.v.v, k));
            } else {
                elem.v = gv_elem(&v.v, i);
                key.v.k = GV_INT;
                key.v.i = (int64_t)i;
            }
            if (p->ndecl == 1 && !var_push(x, p->decl[0], elem.v)) return false;
            if (p->ndecl == 2 && (!var_push(x, p->decl[0], key.v) || !var_push(x, p->decl[1], elem.v)))
                return false;
            bool ok = exec_list(x, &elem, &nd->list);
            x->nvars = mark;
            if (!ok) return false;
            if (x->jump == 1) {
                x->jump = 0;
                break;
            }
            x->jump = 0;
        }
        if (n == 0 && !exec_list(x, dot, &nd->elist)) return false;
        x->nvars = mark;
        return true;
    }
    }
}

static bool exec_list(xs *x, const res *dot, const nlist *l) {
    for (size_t i = 0; i < l->n; i++) {
        if (!exec_node(x, dot, l->v[i])) return false;
        if (x->jump) return true;
        if (x->out->oom) return rb_oom(x->c), false;
    }
    return true;
}

int rb_tpl_exec(rego_bctx *c, const char *src, const nlist *root, const val_t *data, val_t **out) {
    rb_sb b;
    rb_sb_init(&b, c->a, 64);
    xs x = {0};
    x.c = c;
    x.src = src;
    x.out = &b;
    res dot = {gv_of(data), false};
    if (!var_push(&x, "$", dot.v)) return rb_oom(c);
    if (!exec_list(&x, &dot, root)) return c->err && c->err->code ? c->err->code : rb_oom(c);
    val_t *v = rb_sb_finish(&b);
    if (!v) return rb_oom(c);
    *out = v;
    return RB_OK;
}

/* ---- the builtin ------------------------------------------------------------------------------ */

/* OPA hands the variables to Go through JSON; a set inside them is written
 * in Rego syntax, which the JSON decoder rejects. Reproduce that message for
 * the first set met in document order. */
static const val_t *first_set(gh_arena *a, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_SET: return v;
    case VAL_ARRAY:
        for (size_t i = 0; i < val_arr_len(v); i++) {
            const val_t *s = first_set(a, val_arr_at(v, i));
            if (s) return s;
        }
        return NULL;
    case VAL_OBJECT: {
        size_t n = val_obj_len(v);
        uint32_t *ord = n > 1 ? val_sorted_order(a, v) : NULL;
        for (size_t i = 0; i < n; i++) {
            const val_t *s = first_set(a, val_obj_val_at(v, ord ? ord[i] : i));
            if (s) return s;
        }
        return NULL;
    }
    default: return NULL;
    }
}

int rb_bi_render_template(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *src;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &src, &n);
    if (!rc) rc = rb_arg_kind(c, args, 1, VAL_OBJECT);
    if (rc) return rc;
    const val_t *set = first_set(c->a, args[1]);
    if (set) {
        if (val_set_len(set) == 0) return rb_err(c, "invalid character 's' looking for beginning of value");
        uint32_t *ord = val_set_len(set) > 1 ? val_sorted_order(c->a, set) : NULL;
        const val_t *e = val_set_at(set, ord ? ord[0] : 0);
        if (val_is_str(e))
            return rb_err(c, "invalid character '%c' after object key", val_set_len(set) > 1 ? ',' : '}');
        rb_sb t;
        rb_sb_init(&t, c->a, 16);
        rb_rego_string(&t, c->a, e);
        return rb_err(c, "invalid character '%c' looking for beginning of object key string",
                      t.len ? t.p[0] : '?');
    }
    for (size_t i = 0; i < val_obj_len(args[1]); i++)
        if (!val_is_str(val_obj_key_at(args[1], i)))
            return rb_err(c, "json: unsupported type: map[interface {}]interface {}");
    nlist *root = rb_tpl_parse(c, src, n);
    if (!root) return c->err && c->err->code ? c->err->code : rb_oom(c);
    return rb_tpl_exec(c, src, root, args[1], out);
}
