/* ast_print.c - prints the Rego AST back as canonical text (tabs, one
 * literal per line in rule bodies, `:=`/`=` as written, infix operators with
 * the fewest parentheses that re-parse to the same tree). Used by tests, by
 * error messages and by a future `fmt` command. Idempotent by construction:
 * every choice depends only on the AST, and the text re-parses to an AST
 * that prints the same. Modules print in their own syntax version. */
#include <string.h>

#include "rego_int.h"

enum {
    F_LIST = 1 << 0,   /* in a list: `k, v in xs` needs parentheses */
    F_NOOR = 1 << 1,   /* composite element: a top-level `|` needs parentheses */
    F_SIMPLE = 1 << 2, /* comprehension head: any infix call needs parentheses */
};

typedef struct pctx {
    gh_buf *b;
    uint8_t kw; /* REGO_KW_* available for `if` / `contains` */
    int indent;
} pctx;

static void print_term(pctx *c, const rego_term *t, int minprec, int flags);
static void print_body_inline(pctx *c, const rego_body *b);
static void print_expr(pctx *c, const rego_expr *x, bool block, bool wrap);

static void put_indent(pctx *c) {
    for (int i = 0; i < c->indent; i++)
        gh_buf_putc(c->b, '\t');
}

static void print_scalar(pctx *c, const val_t *v) { val_json_emit(c->b, v, VAL_JSON_NO_HTML_ESC); }

static bool field_ok(const val_t *s, bool allow_kw) {
    const char *p = val_str_ptr(s);
    size_t n = val_str_len(s);
    if (!rp_ident_ok(p, n)) return false;
    return allow_kw || !rp_is_keyword_v1(p, n);
}

static void print_ref_elems(pctx *c, const rego_term *ref, uint32_t from, bool allow_kw) {
    for (uint32_t i = from; i < ref->u.list.n; i++) {
        const rego_term *e = ref->u.list.items[i];
        if (e->kind == REGO_T_SCALAR && val_is_str(e->u.value) && field_ok(e->u.value, allow_kw)) {
            gh_buf_putc(c->b, '.');
            gh_buf_append(c->b, val_str_ptr(e->u.value), val_str_len(e->u.value));
        } else {
            gh_buf_putc(c->b, '[');
            print_term(c, e, 0, 0);
            gh_buf_putc(c->b, ']');
        }
    }
}

static void print_ref(pctx *c, const rego_term *ref) {
    const rego_term *h = ref->u.list.items[0];
    print_term(c, h, 99, 0);
    print_ref_elems(c, ref, 1, false);
}

static void print_list(pctx *c, rego_term *const *items, uint32_t n, int flags) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) gh_buf_puts(c->b, ", ");
        print_term(c, items[i], 0, flags);
    }
}

static bool is_or_call(const rego_term *t) {
    int prec;
    return t->kind == REGO_T_CALL &&
           rego_infix_symbol(t->u.list.items[0], t->u.list.n - 1, &prec) && prec == 3;
}

/* An infix call `a op b` (or `k, v in xs`) given its operands. */
static void print_infix(pctx *c, const char *sym, int prec, rego_term *const *ops, uint32_t n,
                        int flags) {
    if (n == 3) { /* k, v in xs */
        print_term(c, ops[0], 2, 0);
        gh_buf_puts(c->b, ", ");
        print_term(c, ops[1], 2, 0);
        gh_buf_puts(c->b, " in ");
        print_term(c, ops[2], 2, 0);
        return;
    }
    int lprec = prec, rprec = prec + 1;
    if (prec == 1) rprec = 2;
    print_term(c, ops[0], lprec, flags & F_LIST);
    gh_buf_putc(c->b, ' ');
    gh_buf_puts(c->b, sym);
    gh_buf_putc(c->b, ' ');
    print_term(c, ops[1], rprec, 0);
}

static void print_call(pctx *c, rego_term *const *items, uint32_t n) {
    print_ref(c, items[0]);
    gh_buf_putc(c->b, '(');
    print_list(c, items + 1, n - 1, F_LIST);
    gh_buf_putc(c->b, ')');
}

static void print_term(pctx *c, const rego_term *t, int minprec, int flags) {
    if (!t) {
        gh_buf_puts(c->b, "<nil>");
        return;
    }
    switch (t->kind) {
    case REGO_T_SCALAR: print_scalar(c, t->u.value); return;
    case REGO_T_VAR:
        if (t->flags & REGO_TF_WILDCARD)
            gh_buf_putc(c->b, '_');
        else
            gh_buf_append(c->b, t->u.var.name, t->u.var.len);
        return;
    case REGO_T_REF: print_ref(c, t); return;
    case REGO_T_ARRAY:
        gh_buf_putc(c->b, '[');
        print_list(c, t->u.list.items, t->u.list.n, F_LIST | F_NOOR);
        gh_buf_putc(c->b, ']');
        return;
    case REGO_T_SET:
        if (!t->u.list.n) {
            gh_buf_puts(c->b, "set()");
            return;
        }
        gh_buf_putc(c->b, '{');
        print_list(c, t->u.list.items, t->u.list.n, F_LIST | F_NOOR);
        gh_buf_putc(c->b, '}');
        return;
    case REGO_T_OBJECT:
        gh_buf_putc(c->b, '{');
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            if (i) gh_buf_puts(c->b, ", ");
            print_term(c, t->u.obj.keys[i], 0, F_LIST | F_NOOR);
            gh_buf_puts(c->b, ": ");
            print_term(c, t->u.obj.vals[i], 0, F_LIST | F_NOOR);
        }
        gh_buf_putc(c->b, '}');
        return;
    case REGO_T_ARRAY_COMPR:
    case REGO_T_SET_COMPR:
    case REGO_T_OBJECT_COMPR:
        gh_buf_putc(c->b, t->kind == REGO_T_ARRAY_COMPR ? '[' : '{');
        if (t->kind == REGO_T_OBJECT_COMPR) {
            print_term(c, t->u.compr.key, 0, F_LIST | F_NOOR);
            gh_buf_puts(c->b, ": ");
        }
        print_term(c, t->u.compr.head, 0, F_SIMPLE);
        gh_buf_puts(c->b, " | ");
        print_body_inline(c, t->u.compr.body);
        gh_buf_putc(c->b, t->kind == REGO_T_ARRAY_COMPR ? ']' : '}');
        return;
    case REGO_T_CALL: {
        int prec;
        const char *sym = rego_infix_symbol(t->u.list.items[0], t->u.list.n - 1, &prec);
        if (!sym) {
            print_call(c, t->u.list.items, t->u.list.n);
            return;
        }
        bool paren = prec < minprec || (flags & F_SIMPLE) || ((flags & F_NOOR) && prec == 3) ||
                     ((flags & F_LIST) && t->u.list.n == 4);
        /* `[a | b]` would read as a comprehension: also guard a leading `|` */
        if (!paren && (flags & F_NOOR) && is_or_call(t)) paren = true;
        if (paren) gh_buf_putc(c->b, '(');
        print_infix(c, sym, prec, t->u.list.items + 1, t->u.list.n - 1, paren ? 0 : flags);
        if (paren) gh_buf_putc(c->b, ')');
        return;
    }
    default: gh_buf_puts(c->b, "<?>");
    }
}

/* ---- expressions and bodies ------------------------------------------------------ */

static void print_block(pctx *c, const rego_body *b) {
    gh_buf_puts(c->b, "{\n");
    c->indent++;
    for (uint32_t i = 0; i < b->n; i++) {
        put_indent(c);
        print_expr(c, b->exprs[i], true, false);
        gh_buf_putc(c->b, '\n');
    }
    c->indent--;
    put_indent(c);
    gh_buf_putc(c->b, '}');
}

static void print_body_inline(pctx *c, const rego_body *b) {
    for (uint32_t i = 0; i < b->n; i++) {
        if (i) gh_buf_puts(c->b, "; ");
        print_expr(c, b->exprs[i], false, false);
    }
}

/* wrap: parenthesise the expression's leftmost term (see starts_with_or) */
static void print_expr(pctx *c, const rego_expr *x, bool block, bool wrap) {
    if (x->negated) gh_buf_puts(c->b, "not ");
    switch (x->kind) {
    case REGO_E_TERM:
        if (wrap) gh_buf_putc(c->b, '(');
        print_term(c, x->u.term, 0, 0);
        if (wrap) gh_buf_putc(c->b, ')');
        break;
    case REGO_E_CALL: {
        rego_term *const *ts = x->u.call.terms;
        uint32_t n = x->u.call.n;
        int prec;
        const char *sym;
        if (n == 3 && (rego_ref_is(ts[0], "eq") || rego_ref_is(ts[0], "assign"))) {
            if (wrap) gh_buf_putc(c->b, '(');
            print_term(c, ts[1], 0, 0);
            if (wrap) gh_buf_putc(c->b, ')');
            gh_buf_puts(c->b, rego_ref_is(ts[0], "eq") ? " = " : " := ");
            print_term(c, ts[2], 0, 0);
        } else if ((sym = rego_infix_symbol(ts[0], n - 1, &prec))) {
            if (wrap) gh_buf_putc(c->b, '(');
            print_infix(c, sym, prec, ts + 1, n - 1, 0);
            if (wrap) gh_buf_putc(c->b, ')');
        } else {
            print_call(c, ts, n);
        }
        break;
    }
    case REGO_E_SOME:
        gh_buf_puts(c->b, "some ");
        if (x->u.some.n) {
            print_list(c, x->u.some.vars, x->u.some.n, 0);
        } else {
            if (x->u.some.key) {
                print_term(c, x->u.some.key, 2, 0);
                gh_buf_puts(c->b, ", ");
            }
            print_term(c, x->u.some.value, 2, 0);
            gh_buf_puts(c->b, " in ");
            print_term(c, x->u.some.domain, 2, 0);
        }
        break;
    case REGO_E_EVERY:
        gh_buf_puts(c->b, "every ");
        if (x->u.every.key) {
            print_term(c, x->u.every.key, 2, 0);
            gh_buf_puts(c->b, ", ");
        }
        print_term(c, x->u.every.value, 2, 0);
        gh_buf_puts(c->b, " in ");
        print_term(c, x->u.every.domain, 2, 0);
        gh_buf_putc(c->b, ' ');
        if (block) {
            print_block(c, x->u.every.body);
        } else {
            gh_buf_puts(c->b, "{ ");
            print_body_inline(c, x->u.every.body);
            gh_buf_puts(c->b, " }");
        }
        break;
    }
    for (uint32_t i = 0; i < x->nwith; i++) {
        gh_buf_puts(c->b, " with ");
        print_term(c, x->with[i].target, 99, 0);
        gh_buf_puts(c->b, " as ");
        print_term(c, x->with[i].value, 0, 0);
    }
}

/* ---- rules and modules --------------------------------------------------------------- */

/* Does the text printed for an infix call (operator op, args) at minimum
 * precedence mp begin with `<simple term> |`? */
static bool infix_starts_or(const rego_term *op, rego_term *const *args, uint32_t nargs, int mp) {
    int prec;
    if (!rego_infix_symbol(op, nargs, &prec) || prec < mp)
        return false; /* a call, or parenthesised */
    const rego_term *l = args[0];
    if (l->kind != REGO_T_CALL) return prec == 3 && nargs == 2;
    int lp;
    bool l_infix = rego_infix_symbol(l->u.list.items[0], l->u.list.n - 1, &lp) != NULL;
    if (!l_infix) return prec == 3 && nargs == 2;
    return infix_starts_or(l->u.list.items[0], l->u.list.items + 1, l->u.list.n - 1,
                           nargs == 3 ? 2 : prec);
}

static bool term_starts_or(const rego_term *t, int mp) {
    return t->kind == REGO_T_CALL &&
           infix_starts_or(t->u.list.items[0], t->u.list.items + 1, t->u.list.n - 1, mp);
}

/* After `p if`, OPA first tries to read `{ ... }` as one literal; a body whose
 * first literal prints as `a | ...` would then read as a set comprehension.
 * Such a first literal gets its leftmost term parenthesised. */
static bool starts_with_or(const rego_expr *x) {
    if (x->negated) return false;
    if (x->kind == REGO_E_TERM) return term_starts_or(x->u.term, 0);
    if (x->kind != REGO_E_CALL) return false;
    rego_term *const *ts = x->u.call.terms;
    uint32_t n = x->u.call.n;
    if (n == 3 && (rego_ref_is(ts[0], "eq") || rego_ref_is(ts[0], "assign")))
        return term_starts_or(ts[1], 0);
    return infix_starts_or(ts[0], ts + 1, n - 1, 0);
}

static void print_rule_body(pctx *c, const rego_rule *r) {
    if (r->flags & REGO_RF_GEN_BODY) return;
    bool use_if = c->kw & REGO_KW_IF;
    gh_buf_puts(c->b, use_if ? " if " : " ");
    if (!use_if || (r->flags & REGO_RF_ELSE) || !starts_with_or(r->body->exprs[0])) {
        print_block(c, r->body);
        return;
    }
    const rego_body *b = r->body;
    gh_buf_puts(c->b, "{\n");
    c->indent++;
    for (uint32_t i = 0; i < b->n; i++) {
        put_indent(c);
        print_expr(c, b->exprs[i], true, i == 0);
        gh_buf_putc(c->b, '\n');
    }
    c->indent--;
    put_indent(c);
    gh_buf_putc(c->b, '}');
}

static void print_rule_in(pctx *c, const rego_rule *r) {
    if (r->flags & REGO_RF_DEFAULT) gh_buf_puts(c->b, "default ");
    const rego_term *ref = r->ref;
    if (r->kind == REGO_RULE_MULTI && !(c->kw & REGO_KW_CONTAINS) && ref->u.list.n == 1) {
        print_ref(c, ref);
        gh_buf_putc(c->b, '[');
        print_term(c, r->key, 0, 0);
        gh_buf_putc(c->b, ']');
    } else {
        print_ref(c, ref);
        if (r->kind == REGO_RULE_FUNC) {
            gh_buf_putc(c->b, '(');
            print_list(c, r->args, r->nargs, F_LIST);
            gh_buf_putc(c->b, ')');
        }
        if (r->kind == REGO_RULE_MULTI) {
            gh_buf_puts(c->b, " contains ");
            print_term(c, r->key, 0, 0);
        }
    }
    if (r->kind != REGO_RULE_MULTI && !(r->flags & REGO_RF_GEN_VALUE)) {
        gh_buf_puts(c->b, (r->flags & REGO_RF_ASSIGN) ? " := " : " = ");
        print_term(c, r->value, 0, 0);
    }
    if (r->flags & REGO_RF_DEFAULT) return;
    print_rule_body(c, r);
    for (const rego_rule *e = r->else_rule; e; e = e->else_rule) {
        gh_buf_puts(c->b, " else");
        if (!(e->flags & REGO_RF_GEN_VALUE)) {
            gh_buf_puts(c->b, (e->flags & REGO_RF_ASSIGN) ? " := " : " = ");
            print_term(c, e->value, 0, 0);
        }
        print_rule_body(c, e);
    }
}

static uint8_t module_kw(const rego_module *m) {
    return m && m->version != REGO_V1 ? m->keywords : REGO_KW_ALL;
}

void rego_rule_print(gh_buf *b, const rego_rule *r, const rego_module *m) {
    pctx c = {b, module_kw(m ? m : r->module), 0};
    print_rule_in(&c, r);
}

/* Keywords an import adds in a v0 module (as the parser applies them). */
static uint8_t import_keywords(const rego_import *imp, uint8_t kw) {
    const rego_term *p = imp->path;
    const rego_term *h = p->u.list.items[0];
    if (h->kind != REGO_T_VAR) return kw;
    if (!strcmp(h->u.var.name, "rego")) return REGO_KW_ALL;
    if (strcmp(h->u.var.name, "future") || p->u.list.n < 2) return kw;
    if (p->u.list.n != 3) return REGO_KW_ALL;
    const char *k = val_str_ptr(p->u.list.items[2]->u.value);
    if (!strcmp(k, "in")) return kw | REGO_KW_IN;
    if (!strcmp(k, "every")) return kw | REGO_KW_EVERY | REGO_KW_IN;
    if (!strcmp(k, "contains")) return kw | REGO_KW_CONTAINS;
    if (!strcmp(k, "if")) return kw | REGO_KW_IF;
    return kw;
}

static void print_import(pctx *c, const rego_import *imp) {
    gh_buf_puts(c->b, "import ");
    print_term(c, imp->path->u.list.items[0], 99, 0);
    print_ref_elems(c, imp->path, 1, true);
    if (imp->alias) {
        gh_buf_puts(c->b, " as ");
        gh_buf_puts(c->b, imp->alias);
    }
    gh_buf_putc(c->b, '\n');
}

/* Imports print before the rules, unless (v0) an import follows rules in the
 * source: then statements keep their source order, so keywords take effect
 * at the same point when the text is parsed again. */
void rego_module_print(gh_buf *b, const rego_module *m) {
    pctx c = {b, module_kw(m), 0};
    if (m->package) {
        gh_buf_puts(b, "package ");
        const rego_term *pk = m->package;
        if (pk->u.list.n > 1) {
            const val_t *s = pk->u.list.items[1]->u.value;
            if (field_ok(s, false))
                gh_buf_append(b, val_str_ptr(s), val_str_len(s));
            else
                gh_buf_putc(b, '_'); /* `package _` is the only other way to get here */
            print_ref_elems(&c, pk, 2, false);
        }
        gh_buf_putc(b, '\n');
    }
    bool ordered = m->version != REGO_V1 && m->nimports && m->nrules &&
                   m->imports[m->nimports - 1].loc.off > m->rules[0]->loc.off;
    if (ordered) c.kw = m->keywords0;
    uint32_t i = 0, r = 0;
    if (!ordered) {
        if (m->nimports) gh_buf_putc(b, '\n');
        for (; i < m->nimports; i++)
            print_import(&c, &m->imports[i]);
    }
    bool last_import = false;
    while (i < m->nimports || r < m->nrules) {
        if (i < m->nimports && (r == m->nrules || m->imports[i].loc.off < m->rules[r]->loc.off)) {
            if (!last_import) gh_buf_putc(b, '\n');
            print_import(&c, &m->imports[i]);
            c.kw = import_keywords(&m->imports[i], c.kw);
            i++;
            last_import = true;
        } else {
            gh_buf_putc(b, '\n');
            print_rule_in(&c, m->rules[r++]);
            gh_buf_putc(b, '\n');
            last_import = false;
        }
    }
}

void rego_body_print(gh_buf *b, const rego_body *body) {
    pctx c = {b, REGO_KW_ALL, 0};
    print_body_inline(&c, body);
}

void rego_expr_print(gh_buf *b, const rego_expr *x) {
    pctx c = {b, REGO_KW_ALL, 0};
    print_expr(&c, x, false, false);
}

void rego_term_print(gh_buf *b, const rego_term *t) {
    pctx c = {b, REGO_KW_ALL, 0};
    print_term(&c, t, 0, 0);
}
