/* parser_rule.c - Rego rules: heads (refs, function args, `contains`,
 * values), `default` rules, bodies after `if`/`{`, `else` chains, extra
 * bodies (`p { } { }`), and top-level statements that OPA turns into rules
 * (`p := 1`, `p.q.r`, `f(x) = y`, `p[x]`). Called by parser.c's statement
 * loop. The rule kinds follow OPA's: a rule with a key but no value is
 * multi-value; everything else is single-value (or a function with args). */
#include <string.h>

#include "rego_int.h"

typedef struct head {
    rego_loc loc;
    rego_term *ref;
    rego_term **args;
    uint32_t nargs;
    bool has_args;  /* written as a call, even f() */
    rego_term *key; /* `contains` element */
    rego_term *value;
    bool assign, gen_value;
} head;

static rego_term *ref_of_var(rego_parser *p, rego_term *v) {
    rp_vec vec = {0};
    if (!rp_vec_push(p, &vec, v)) return NULL;
    return rp_term_list(p, REGO_T_REF, &vec, v->loc);
}

static bool parse_head(rego_parser *p, bool dflt, head *h, bool *contains) {
    memset(h, 0, sizeof *h);
    *contains = false;
    h->loc = rp_tok_loc(p);
    rego_term *t = rp_parse_var(p);
    if (!t) return false;
    rego_term *ref = rp_term_finish_head(p, t);
    if (!ref) {
        if (!p->fatal) rp_illegal(p, "expected rule head name");
        return false;
    }
    switch (ref->kind) {
    case REGO_T_VAR: h->ref = ref_of_var(p, ref); break;
    case REGO_T_REF:
        if (ref->u.list.items[0]->kind != REGO_T_VAR) {
            rp_illegal(p, "rule head ref %s invalid", rp_term_text(p, ref));
            return false;
        }
        h->ref = ref;
        break;
    case REGO_T_CALL: {
        rego_term *op = ref->u.list.items[0];
        if (op->kind != REGO_T_REF || op->u.list.items[0]->kind != REGO_T_VAR) {
            rp_illegal(p, "rule head ref %s invalid", rp_term_text(p, op));
            return false;
        }
        h->ref = op;
        h->args = ref->u.list.items + 1;
        h->nargs = ref->u.list.n - 1;
        h->has_args = true;
        break;
    }
    default: return false;
    }
    if (!h->ref) return false;
    const char *name = rp_term_text(p, h->ref);
    switch (p->s.tok) {
    case TK_CONTAINS:
        if (h->has_args)
            rp_illegal(
                p,
                "the contains keyword can only be used with multi-value rule definitions (e.g., %s "
                "contains <VALUE> { ... })",
                name);
        rp_scan_tok(p);
        h->key = rp_parse_infix(p);
        if (!h->key) {
            if (!p->fatal)
                rp_illegal(p, "expected rule key term (e.g., %s contains <VALUE> { ... })", name);
            return false;
        }
        *contains = true;
        break;
    case TK_UNIFY:
        rp_scan_tok(p);
        h->value = rp_parse_infix(p);
        if (!h->value) {
            if (!p->fatal)
                rp_illegal(p, "expected rule value term (e.g., %s[%%!s(<nil>)] = <VALUE> { ... })",
                           name);
            return false;
        }
        break;
    case TK_ASSIGN: {
        rp_state s = rp_save(p);
        rp_scan_tok(p);
        h->assign = true;
        h->value = rp_parse_infix(p);
        if (!h->value) {
            if (p->fatal) return false;
            rp_restore(p, &s); /* OPA 0.x reports this at the `:=` */
            if (h->nargs > 0)
                rp_illegal(p, "expected function value term (e.g., %s(...) := <VALUE> { ... })",
                           name);
            else if (dflt)
                rp_illegal(p, "expected default rule value term (e.g., default %s := <VALUE>)",
                           name);
            else
                rp_illegal(p, "expected rule value term (e.g., %s := <VALUE> { ... })", name);
            return false;
        }
        break;
    }
    default: break;
    }
    if (!*contains && !h->value && (h->ref->u.list.n != 2 || h->nargs > 0)) {
        h->value = rp_term_bool(p, true, h->loc);
        h->gen_value = true;
        if (!h->value) return false;
    }
    h->loc = rp_loc_span(p, &h->loc, p->s.last_end);
    return true;
}

/* First var, ref or call in a default value, outside comprehensions. */
static const char *default_value_bad(const rego_term *t) {
    switch (t->kind) {
    case REGO_T_VAR: return "var";
    case REGO_T_REF: return "ref";
    case REGO_T_CALL: return "call";
    case REGO_T_ARRAY:
    case REGO_T_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++) {
            const char *b = default_value_bad(t->u.list.items[i]);
            if (b) return b;
        }
        return NULL;
    case REGO_T_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            const char *b = default_value_bad(t->u.obj.keys[i]);
            if (!b) b = default_value_bad(t->u.obj.vals[i]);
            if (b) return b;
        }
        return NULL;
    default: return NULL;
    }
}

static rego_rule *rule_new(rego_parser *p, rego_loc loc) {
    rego_rule *r = rp_alloc(p, sizeof *r);
    if (r) r->loc = loc;
    return r;
}

static void rule_set_head(rego_rule *r, const head *h) {
    r->head_loc = h->loc;
    r->ref = h->ref;
    r->args = h->nargs ? h->args : NULL;
    r->nargs = h->nargs;
    r->key = h->key;
    r->value = h->key ? NULL : h->value;
    if (h->assign) r->flags |= REGO_RF_ASSIGN;
    if (h->gen_value && !h->key) r->flags |= REGO_RF_GEN_VALUE;
    r->kind = h->key ? REGO_RULE_MULTI : h->nargs ? REGO_RULE_FUNC : REGO_RULE_SINGLE;
}

/* Copy function args, giving wildcard args fresh var terms (as OPA does for
 * else branches and extra bodies). */
static rego_term **clone_args(rego_parser *p, rego_term **args, uint32_t n) {
    if (!n) return NULL;
    rego_term **out = rp_alloc(p, n * sizeof *out);
    if (!out) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = args[i];
        if (args[i]->kind == REGO_T_VAR && (args[i]->flags & REGO_TF_WILDCARD)) {
            rego_term *w = rp_alloc(p, sizeof *w);
            if (!w) return NULL;
            *w = *args[i];
            out[i] = w;
        }
    }
    return out;
}

static rego_body *single_body(rego_parser *p, rego_expr *x) {
    rego_body *b = rp_alloc(p, sizeof *b);
    rego_expr **xs = rp_alloc(p, sizeof *xs);
    if (!b || !xs) return NULL;
    x->index = 0;
    xs[0] = x;
    b->exprs = xs;
    b->n = 1;
    b->loc = x->loc;
    rp_body_depth(p, b);
    return b;
}

static bool parse_else_chain(rego_parser *p, rego_rule *r) {
    rego_rule *cur = r;
    while (p->s.tok == TK_ELSE && !p->fatal) {
        rego_rule *e = rule_new(p, rp_tok_loc(p));
        if (!e) return false;
        e->flags = REGO_RF_ELSE;
        e->kind = r->kind;
        e->ref = r->ref;
        e->nargs = r->nargs;
        e->args = clone_args(p, r->args, r->nargs);
        e->head_loc = e->loc;
        if (r->nargs && !e->args) return false;
        rp_scan_tok(p);
        switch (p->s.tok) {
        case TK_LBRACE:
        case TK_IF:
            e->value = rp_term_bool(p, true, e->loc);
            e->flags |= REGO_RF_GEN_VALUE | (r->flags & REGO_RF_ASSIGN); /* as OPA's head copy */
            break;
        case TK_ASSIGN:
        case TK_UNIFY:
            if (p->s.tok == TK_ASSIGN) e->flags |= REGO_RF_ASSIGN;
            rp_scan_tok(p);
            e->value = rp_parse_infix(p);
            if (!e->value) return false;
            break;
        default: rp_illegal(p, "expected else value term or rule body"); return false;
        }
        if (!e->value) return false;
        cur->else_rule = e;
        cur = e;
        if (p->s.tok != TK_IF && p->s.tok != TK_LBRACE) {
            e->body = rp_body_true(p, e->loc);
            e->flags |= REGO_RF_GEN_BODY;
            e->loc = rp_loc_span(p, &e->loc, p->s.last_end);
            return e->body != NULL; /* OPA reads no further else after this one */
        }
        if (p->s.tok == TK_IF) {
            e->flags |= REGO_RF_IF;
            rp_scan_tok(p);
        }
        if (p->s.tok == TK_LBRACE) {
            rp_scan_tok(p);
            e->body = rp_parse_body(p, TK_RBRACE);
            if (!e->body) return false;
            rp_scan_tok(p);
        } else if (p->s.tok != TK_EOF) {
            rego_expr *x = rp_parse_literal(p);
            if (!x || !(e->body = single_body(p, x))) return false;
        } else {
            rp_illegal(p, "rule body expected");
            return false;
        }
        e->loc = rp_loc_span(p, &e->loc, p->s.last_end);
    }
    return !p->fatal;
}

bool rp_parse_rules(rego_parser *p, rp_vec *out) {
    rego_loc rloc = rp_tok_loc(p);
    bool dflt = false;
    if (p->s.tok == TK_DEFAULT) {
        rp_scan_tok(p);
        dflt = true;
    }
    if (p->s.tok != TK_IDENT) return false;
    head h;
    bool contains;
    if (!parse_head(p, dflt, &h, &contains)) return false;
    rego_rule *r = rule_new(p, rloc);
    if (!r) return false;
    if (contains) r->flags |= REGO_RF_CONTAINS;

    if (dflt) {
        if (!h.value || contains) {
            rp_errorf(p, rloc.line, rloc.col, "illegal default rule (must have a value)");
            return false;
        }
        const char *bad = default_value_bad(h.value);
        if (bad) {
            rp_errorf(p, rloc.line, rloc.col, "illegal default rule (value cannot contain %s)",
                      bad);
            return false;
        }
        for (uint32_t i = 0; i < h.nargs; i++) {
            rego_term *a = h.args[i];
            if (a->kind != REGO_T_VAR) {
                rp_errorf(p, rloc.line, rloc.col,
                          "illegal default rule (arguments cannot contain %s)",
                          rp_term_type_name(a));
                return false;
            }
            for (uint32_t j = 0; j < i; j++) {
                if (!strcmp(h.args[j]->u.var.name, a->u.var.name)) {
                    rp_errorf(p, rloc.line, rloc.col,
                              "illegal default rule (arguments cannot be repeated %s)",
                              a->u.var.name);
                    return false;
                }
            }
        }
        rule_set_head(r, &h);
        r->flags |= REGO_RF_DEFAULT | REGO_RF_GEN_BODY;
        r->body = rp_body_true(p, rloc);
        r->loc = rp_loc_span(p, &rloc, p->s.last_end);
        return r->body && rp_vec_push(p, out, r);
    }

    bool has_if = p->s.tok == TK_IF;
    uint32_t nref = h.ref->u.list.n;
    rego_term *okey = contains ? h.key : NULL; /* OPA's Head.Key, for the else checks */
    if (has_if && !contains && nref == 2) {
        rego_term *v = h.ref->u.list.items[1];
        if ((!rego_term_is_ground(v) || v->kind == REGO_T_REF) && h.nargs == 0) okey = v;
        if (!h.value) {
            h.value = rp_term_bool(p, true, h.loc);
            h.gen_value = true;
            if (!h.value) return false;
        }
    }
    if (!has_if && !contains && h.nargs == 0 && nref == 2) {
        okey = h.ref->u.list.items[1];
        if (!h.value) { /* `p[x] { ... }`: a multi-value rule p */
            h.key = h.ref->u.list.items[1];
            h.ref = ref_of_var(p, h.ref->u.list.items[0]);
            if (!h.ref) return false;
        }
    }
    rule_set_head(r, &h);

    bool brace = false;
    if (has_if) {
        r->flags |= REGO_RF_IF;
        rp_scan_tok(p);
        rp_state s = rp_save(p);
        rego_expr *x = rp_parse_literal(p);
        /* `p if { ... }` reads as a set literal first; that is never a body */
        if (x && !(x->kind == REGO_E_TERM && x->u.term->kind == REGO_T_SET)) {
            if (!(r->body = single_body(p, x))) return false;
        } else {
            if (p->fatal) return false;
            rp_restore(p, &s);
            brace = true;
        }
    } else if (p->s.tok == TK_LBRACE) {
        brace = true;
    } else if (contains) {
        r->body = rp_body_true(p, rloc);
        r->flags |= REGO_RF_GEN_BODY;
        r->loc = h.loc;
        return r->body && rp_vec_push(p, out, r);
    } else {
        return false;
    }
    if (brace) {
        rp_scan_tok(p);
        r->body = rp_parse_body(p, TK_RBRACE);
        if (!r->body) return false;
        rp_scan_tok(p);
    }

    if (p->s.tok == TK_ELSE) {
        if (r->ref->u.list.n > 1 && rego_ref_ground_prefix(r->ref) < r->ref->u.list.n) {
            rp_errorf(p, p->s.tok_line, p->s.tok_col,
                      "else keyword cannot be used on rules with variables in head");
            return false;
        }
        if (okey) {
            rp_errorf(p, p->s.tok_line, p->s.tok_col,
                      "else keyword cannot be used on multi-value rules");
            return false;
        }
        if (!parse_else_chain(p, r)) return false;
    }
    r->loc = rp_loc_span(p, &rloc, p->s.last_end);
    if (!rp_vec_push(p, out, r)) return false;

    while (p->s.tok == TK_LBRACE) {
        if (r->else_rule) {
            rp_errorf(p, p->s.tok_line, p->s.tok_col, "expected else keyword");
            return false;
        }
        rego_loc loc = rp_tok_loc(p);
        rp_scan_tok(p);
        rego_body *b = rp_parse_body(p, TK_RBRACE);
        if (!b) return false;
        rp_scan_tok(p);
        rego_rule *n = rule_new(p, rp_loc_span(p, &loc, p->s.last_end));
        if (!n) return false;
        n->kind = r->kind;
        n->flags = (uint8_t)((r->flags & (REGO_RF_IF | REGO_RF_CONTAINS | REGO_RF_ASSIGN |
                                          REGO_RF_GEN_VALUE)) |
                             REGO_RF_CHAINED);
        n->head_loc = loc;
        n->ref = r->ref;
        n->nargs = r->nargs;
        n->args = clone_args(p, r->args, r->nargs);
        n->key = r->key;
        n->value = r->value;
        n->body = b;
        if (!rp_vec_push(p, out, n)) return false;
    }
    return !p->fatal;
}

/* ---- statements that become rules (OPA's ParseRuleFromBody) ---------------------- */

static bool infix_builtin(const char *name) {
    static const char *const ops[] = {"equal",
                                      "neq",
                                      "lt",
                                      "gt",
                                      "lte",
                                      "gte",
                                      "plus",
                                      "minus",
                                      "mul",
                                      "div",
                                      "rem",
                                      "and",
                                      "or",
                                      "internal.member_2",
                                      "internal.member_3"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i], name)) return true;
    return false;
}

static rego_rule *body_rule(rego_parser *p, const rego_expr *x, rego_term *ref) {
    rego_rule *r = rule_new(p, x->loc);
    if (!r) return NULL;
    r->ref = ref;
    r->head_loc = x->loc;
    r->flags = REGO_RF_GEN_BODY;
    r->body = rp_body_true(p, x->loc);
    return r->body ? r : NULL;
}

static rego_rule *rule_from_eq(rego_parser *p, const rego_expr *x, rego_term *lhs, rego_term *rhs,
                               const char **why) {
    /* f(x) = y: a function */
    if (lhs->kind == REGO_T_CALL) {
        rego_term *op = lhs->u.list.items[0];
        if (op->kind == REGO_T_REF && op->u.list.items[0]->kind == REGO_T_VAR) {
            rego_rule *r = body_rule(p, x, op);
            if (!r) return NULL;
            r->nargs = lhs->u.list.n - 1;
            r->args = r->nargs ? lhs->u.list.items + 1 : NULL;
            r->kind = r->nargs ? REGO_RULE_FUNC : REGO_RULE_SINGLE;
            r->value = rhs;
            return r;
        }
    }
    /* p.q[r] = y: a single-value rule with a ref head */
    if (lhs->kind == REGO_T_REF && lhs->u.list.items[0]->kind == REGO_T_VAR) {
        rego_rule *r = body_rule(p, x, lhs);
        if (r) r->value = rhs;
        return r;
    }
    if (lhs->kind == REGO_T_VAR) {
        rego_term *ref = ref_of_var(p, lhs);
        rego_rule *r = ref ? body_rule(p, x, ref) : NULL;
        if (r) r->value = rhs;
        return r;
    }
    if (lhs->kind == REGO_T_REF)
        *why = gh_arena_printf(p->a, "invalid rule head: %s", rp_term_text(p, lhs));
    else
        *why = gh_arena_printf(p->a, "%s cannot be used for rule name", rp_term_type_name(lhs));
    return NULL;
}

rego_rule *rp_rule_from_body(rego_parser *p, rego_body *b, const char **why) {
    *why = NULL;
    if (b->n != 1) {
        *why = "multiple expressions cannot be used for rule head";
        return NULL;
    }
    rego_expr *x = b->exprs[0];
    if (x->nwith) {
        *why = "expressions using with keyword cannot be used for rule head";
        return NULL;
    }
    if (x->negated) {
        *why = "negated expressions cannot be used for rule head";
        return NULL;
    }
    if (x->kind == REGO_E_SOME) {
        *why = "'some' declarations cannot be used for rule head";
        return NULL;
    }
    if (x->kind == REGO_E_TERM) {
        rego_term *t = x->u.term;
        if (t->kind != REGO_T_REF) {
            *why = gh_arena_printf(p->a, "%s cannot be used for rule name", rp_term_type_name(t));
            return NULL;
        }
        if (t->u.list.items[0]->kind != REGO_T_VAR) {
            *why = gh_arena_printf(p->a, "invalid rule head: %s", rp_term_text(p, t));
            return NULL;
        }
        if (t->u.list.n > 2) { /* p.q.r: p.q.r = true */
            rego_rule *r = body_rule(p, x, t);
            if (!r) return NULL;
            r->value = rp_term_bool(p, true, t->loc);
            r->flags |= REGO_RF_GEN_VALUE;
            return r->value ? r : NULL;
        }
        if (t->u.list.n == 1) {
            *why = "refs cannot be used for rule head";
            return NULL;
        }
        rego_term *ref = ref_of_var(p, t->u.list.items[0]); /* p[x]: p contains x */
        rego_rule *r = ref ? body_rule(p, x, ref) : NULL;
        if (!r) return NULL;
        r->kind = REGO_RULE_MULTI;
        r->key = t->u.list.items[1];
        return r;
    }
    if (x->kind != REGO_E_CALL) {
        *why = "expression cannot be used for rule head";
        return NULL;
    }
    rego_term *op = x->u.call.terms[0];
    bool eq = rego_ref_is(op, "eq"), assign = rego_ref_is(op, "assign");
    if (eq || assign) {
        if (x->u.call.n != 3) {
            *why = "assignment requires two operands";
            return NULL;
        }
        rego_rule *r = rule_from_eq(p, x, x->u.call.terms[1], x->u.call.terms[2], why);
        if (r && assign) r->flags |= REGO_RF_ASSIGN;
        return r;
    }
    const char *name = rego_call_name(p->a, op);
    if (name && (infix_builtin(name) ||
                 (p->is_builtin && p->is_builtin(p->builtin_ctx, name, strlen(name))))) {
        *why = "rule name conflicts with built-in function";
        return NULL;
    }
    if (x->u.call.n <= 1) {
        *why = "rule argument list must take at least one argument";
        return NULL;
    }
    if (op->kind != REGO_T_REF || op->u.list.items[0]->kind != REGO_T_VAR) {
        *why = gh_arena_printf(p->a, "invalid rule head: %s", rp_term_text(p, op));
        return NULL;
    }
    rego_rule *r = body_rule(p, x, op);
    if (!r) return NULL;
    r->kind = REGO_RULE_FUNC;
    r->args = x->u.call.terms + 1;
    r->nargs = x->u.call.n - 1;
    r->value = rp_term_bool(p, true, op->loc);
    return r->value ? r : NULL;
}
