/* parser_body.c - Rego literals and bodies: expressions (`a = b`, `x := y`,
 * calls, lone terms), `not`, `some x, y` / `some k, v in xs`, `every`,
 * `with ... as ...` modifiers, and bodies/queries separated by `;` or
 * newlines. Mirrors OPA's parseLiteral/parseQuery, including the v0 hints
 * for `in`/`every` used without their import. Called by parser_expr.c
 * (comprehensions), parser_rule.c (rule bodies) and parser.c (statements). */
#include <string.h>

#include "rego_int.h"

/* ---- literals ------------------------------------------------------------------------------ */

static rego_expr *expr_new(rego_parser *p, int kind, rego_loc loc) {
    rego_expr *x = rp_alloc(p, sizeof *x);
    if (!x) return NULL;
    x->kind = (uint8_t)kind;
    x->loc = loc;
    return x;
}

static bool is_member_call(const rego_term *t, int *arity) {
    if (t->kind != REGO_T_CALL) return false;
    if (rego_ref_is(t->u.list.items[0], "internal.member_2")) {
        *arity = 2;
        return true;
    }
    if (rego_ref_is(t->u.list.items[0], "internal.member_3")) {
        *arity = 3;
        return true;
    }
    *arity = 0;
    return false;
}

static bool parse_with(rego_parser *p, rego_expr *x) {
    rp_vec v = {0};
    for (;;) {
        rego_loc wloc = rp_tok_loc(p);
        rp_scan_tok(p);
        if (p->s.tok != TK_IDENT) {
            rp_illegal(p, "expected ident");
            return false;
        }
        rego_term *target = rp_parse_term(p);
        if (!target) return false;
        if (target->kind != REGO_T_REF && target->kind != REGO_T_VAR)
            rp_illegal(p, "expected with target path");
        if (p->s.tok != TK_AS) {
            rp_illegal(p, "expected as keyword");
            return false;
        }
        rp_scan_tok(p);
        rego_term *val = rp_parse_infix(p);
        if (!val) return false;
        rego_with *w = rp_alloc(p, sizeof *w);
        if (!w) return false;
        w->target = target;
        w->value = val;
        w->loc = rp_loc_span(p, &wloc, p->s.last_end);
        if (!rp_vec_push(p, &v, w)) return false;
        if (p->s.tok != TK_WITH) break;
    }
    x->with = rp_alloc(p, v.n * sizeof *x->with);
    if (!x->with) return false;
    for (uint32_t i = 0; i < v.n; i++)
        x->with[i] = *(rego_with *)v.items[i];
    x->nwith = v.n;
    return true;
}

/* Parse in a copy of the state with every future keyword reserved, to decide
 * whether to add a hint. Never touches the term cache. */
static bool future_parse_some(rego_parser *p) {
    rp_state s = rp_save(p);
    bool nc = p->nocache, hint = false;
    p->nocache = true;
    p->s.kw = REGO_KW_ALL;
    rp_scan_tok(p);
    rego_term *t = rp_parse_infix(p);
    int ar;
    if (t && is_member_call(t, &ar)) hint = true;
    p->nocache = nc;
    rp_restore(p, &s);
    return hint;
}

static rego_expr *parse_every(rego_parser *p);

static bool future_parse_every(rego_parser *p, const rp_state *at) {
    rp_state t = rp_save(p);
    bool nc = p->nocache, hint = false;
    rp_restore(p, at);
    p->nocache = true;
    p->s.kw = REGO_KW_ALL;
    rego_expr *x = parse_every(p);
    if (x && x->kind == REGO_E_EVERY) hint = true;
    p->nocache = nc;
    rp_restore(p, &t);
    return hint;
}

static rego_expr *parse_some(rego_parser *p) {
    rego_loc loc = rp_tok_loc(p);
    rp_state s = rp_save(p);
    rp_scan_tok(p);
    rego_term *t = rp_parse_infix(p);
    if (t && t->kind == REGO_T_CALL) {
        int ar;
        if (!is_member_call(t, &ar)) {
            rp_illegal(p, "expected `x in xs` or `x, y in xs` expression");
            return NULL;
        }
        rego_expr *x = expr_new(p, REGO_E_SOME, loc);
        if (!x) return NULL;
        if (ar == 3) {
            x->u.some.key = t->u.list.items[1];
            x->u.some.value = t->u.list.items[2];
            x->u.some.domain = t->u.list.items[3];
        } else {
            x->u.some.value = t->u.list.items[1];
            x->u.some.domain = t->u.list.items[2];
        }
        if (p->s.tok == TK_WITH && !parse_with(p, x)) return NULL;
        return x;
    }
    if (p->fatal) return NULL;
    rp_restore(p, &s);
    if (p->mode == REGO_V0 && future_parse_some(p))
        rp_hint(p, "`import future.keywords.in` for `some x in xs` expressions");
    rp_vec v = {0};
    for (;;) {
        rp_scan_tok(p);
        if (p->s.tok != TK_IDENT) {
            rp_illegal(p, "expected var");
            return NULL;
        }
        if (!rp_vec_push(p, &v, rp_parse_var(p))) return NULL;
        rp_scan_tok(p);
        if (p->s.tok != TK_COMMA) break;
    }
    rego_expr *x = expr_new(p, REGO_E_SOME, loc);
    if (!x) return NULL;
    x->u.some.vars = (rego_term **)v.items;
    x->u.some.n = v.n;
    for (uint32_t i = 0; i < v.n; i++)
        if (!v.items[i]) return NULL;
    return x;
}

static rego_expr *parse_every(rego_parser *p) {
    rego_loc loc = rp_tok_loc(p);
    rp_scan_tok(p);
    rego_term *t = rp_parse_infix(p);
    if (!t) return NULL;
    int ar;
    if (!is_member_call(t, &ar)) {
        rp_illegal(p, "expected `x[, y] in xs { ... }` expression");
        return NULL;
    }
    rego_term *key = NULL, *val, *dom;
    if (ar == 2) {
        val = t->u.list.items[1];
        dom = t->u.list.items[2];
    } else {
        key = t->u.list.items[1];
        val = t->u.list.items[2];
        dom = t->u.list.items[3];
        if (key->kind != REGO_T_VAR) {
            rp_illegal(p, "expected key to be a variable");
            return NULL;
        }
    }
    if (val->kind != REGO_T_VAR) {
        rp_illegal(p, "expected value to be a variable");
        return NULL;
    }
    if (p->s.tok != TK_LBRACE) {
        rp_illegal(p, "missing body");
        return NULL;
    }
    rp_scan_tok(p);
    rego_body *b = rp_parse_body(p, TK_RBRACE);
    if (!b) return NULL;
    rp_scan_tok(p);
    rego_expr *x = expr_new(p, REGO_E_EVERY, loc);
    if (!x) return NULL;
    x->u.every.key = key;
    x->u.every.value = val;
    x->u.every.domain = dom;
    x->u.every.body = b;
    if (p->s.tok == TK_WITH && !parse_with(p, x)) return NULL;
    return x;
}

static rego_expr *parse_expr(rego_parser *p, rego_loc loc) {
    rego_term *lhs = rp_parse_infix(p);
    if (!lhs) return NULL;
    if (p->s.tok == TK_ASSIGN || p->s.tok == TK_UNIFY) {
        rego_term *op = rp_term_op(p, p->s.tok == TK_ASSIGN ? "assign" : "eq", rp_tok_loc(p));
        rp_scan_tok(p);
        rego_term *rhs = rp_parse_infix(p);
        if (!rhs || !op) return NULL;
        rego_expr *x = expr_new(p, REGO_E_CALL, loc);
        rego_term **ts = rp_alloc(p, 3 * sizeof *ts);
        if (!x || !ts) return NULL;
        ts[0] = op;
        ts[1] = lhs;
        ts[2] = rhs;
        x->u.call.terms = ts;
        x->u.call.n = 3;
        return x;
    }
    if (lhs->kind == REGO_T_CALL) {
        rego_expr *x = expr_new(p, REGO_E_CALL, loc);
        if (!x) return NULL;
        x->u.call.terms = lhs->u.list.items;
        x->u.call.n = lhs->u.list.n;
        return x;
    }
    rego_expr *x = expr_new(p, REGO_E_TERM, loc);
    if (x) x->u.term = lhs;
    return x;
}

rego_expr *rp_parse_literal(rego_parser *p) {
    rego_loc loc = rp_tok_loc(p);
    bool neg = false;
    rego_expr *x = NULL;
    if (p->s.tok == TK_NOT) {
        rp_scan_tok(p);
        neg = true;
    }
    switch (p->s.tok) {
    case TK_SOME:
        if (neg) {
            rp_illegal(p, "illegal negation of 'some'");
            return NULL;
        }
        x = parse_some(p);
        break;
    case TK_EVERY:
        if (neg) {
            rp_illegal(p, "illegal negation of 'every'");
            return NULL;
        }
        x = parse_every(p);
        break;
    default: {
        rp_state s = rp_save(p);
        x = parse_expr(p, loc);
        if (!x) return NULL;
        x->negated = neg;
        if (p->s.tok == TK_WITH && !parse_with(p, x)) return NULL;
        if (p->mode == REGO_V0 && x->kind == REGO_E_TERM && x->u.term->kind == REGO_T_VAR &&
            !strcmp(x->u.term->u.var.name, "every") && future_parse_every(p, &s))
            rp_hint(p, "`import future.keywords.every` for `every x in xs { ... }` expressions");
        break;
    }
    }
    if (!x) return NULL;
    x->loc = rp_loc_span(p, &loc, p->s.last_end);
    rp_expr_depth(p, x);
    return p->fatal ? NULL : x;
}

rego_body *rp_parse_query(rego_parser *p, bool require_semi, int end) {
    if (p->s.tok == end) {
        rp_errorf(p, p->s.tok_line, p->s.tok_col, "found empty body");
        return NULL;
    }
    rp_vec v = {0};
    for (;;) {
        rego_expr *x = rp_parse_literal(p);
        if (!x) return NULL;
        x->index = v.n;
        if (!rp_vec_push(p, &v, x)) return NULL;
        if (p->s.tok == TK_SEMICOLON) {
            rp_scan_tok(p);
            continue;
        }
        if (p->s.tok == end || require_semi) break;
        if (!p->s.skipped_nl) {
            if (!p->s.nerrs)
                rp_illegal(p, "expected \\n or %s or %s", rp_tok_name(TK_SEMICOLON),
                           rp_tok_name(end));
            return NULL;
        }
    }
    rego_body *b = rp_alloc(p, sizeof *b);
    if (!b) return NULL;
    b->exprs = (rego_expr **)v.items;
    b->n = v.n;
    b->loc = b->exprs[0]->loc;
    b->loc.end = b->exprs[v.n - 1]->loc.end;
    rp_body_depth(p, b);
    return p->fatal ? NULL : b;
}

rego_body *rp_parse_body(rego_parser *p, int end) {
    if (!rp_enter(p)) return NULL;
    rego_body *b = rp_parse_query(p, false, end);
    rp_leave(p);
    return b;
}
