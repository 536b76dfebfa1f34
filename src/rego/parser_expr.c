/* parser_expr.c - Rego terms and operators: scalars, vars, refs, calls,
 * arrays/sets/objects and their comprehensions, and the infix operator
 * ladder (in < relations < | < & < + - < * / %). Mirrors OPA's parser
 * function by function, including where it backtracks; parsed terms are
 * memoised by source offset (as OPA's term cache) so backtracking stays
 * linear. Literals and bodies are in parser_body.c. */
#include <stdio.h>
#include <string.h>

#include "rego_int.h"

/* ---- term cache --------------------------------------------------------------
 * OPA's parsedTermCache: a stack ordered by source offset. Pushing a term at
 * offset o drops every entry at or after o, so a lookup only ever returns the
 * latest parse of that position (an older one may predate errors recorded
 * since). The stack is emptied after each top-level statement. */

static rp_cache_ent *cache_get(rego_parser *p, uint32_t off) {
    if (p->nocache || !p->cache_n) return NULL;
    uint32_t lo = 0, hi = p->cache_n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->cache[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->cache_n && p->cache[lo].off == off ? &p->cache[lo] : NULL;
}

static void cache_put(rego_parser *p, uint32_t off, rego_term *t) {
    if (p->nocache || p->fatal) return;
    while (p->cache_n && p->cache[p->cache_n - 1].off >= off)
        p->cache_n--;
    if (p->cache_n == p->cache_cap) {
        uint32_t nc = p->cache_cap ? p->cache_cap * 2 : 64;
        rp_cache_ent *nt = nc > p->cache_cap ? gh_realloc(p->cache, (size_t)nc * sizeof *nt) : NULL;
        if (!nt) {
            rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
            return;
        }
        p->cache = nt;
        p->cache_cap = nc;
    }
    rp_cache_ent *e = &p->cache[p->cache_n++];
    e->off = off;
    e->t = t;
    e->post = p->s;
}

static bool memo_same(const rp_memo_ent *m, const rego_parser *p) {
    return m->kw == p->s.kw && m->v1compat == p->s.v1compat && m->hints == p->s.hints &&
           m->cmts == p->s.cmts && m->had_errs == (p->s.nerrs != 0) &&
           (uint64_t)p->depth + m->rel_peak <= p->max_depth;
}

static rp_memo_ent *memo_slot(const rego_parser *p, uint32_t off) {
    uint32_t mask = p->memo_cap - 1, i = (off * 2654435761u) & mask;
    while (p->memo[i].off != UINT32_MAX && p->memo[i].off != off) i = (i + 1) & mask;
    return &p->memo[i];
}

static rp_memo_ent *memo_get(rego_parser *p, uint32_t off) {
    if (p->nocache || !p->memo_n) return NULL;
    rp_memo_ent *m = memo_slot(p, off);
    return m->off == off && memo_same(m, p) ? m : NULL;
}

/* Replay m: its end state, with the errors it added copied (in order) onto
 * the current error list. False when out of memory. */
static bool memo_replay(rego_parser *p, const rp_memo_ent *m) {
    const rp_err *cur = p->s.errs;
    uint32_t nerrs = p->s.nerrs, k = 0;
    for (const rp_err *e = m->post.errs; e && e != m->errs; e = e->prev) k++;
    rp_err **copies = k ? rp_alloc(p, k * sizeof *copies) : NULL;
    if (k && !copies) return false;
    uint32_t i = 0;
    for (const rp_err *e = m->post.errs; e && e != m->errs; e = e->prev) {
        rp_err *c = rp_alloc(p, sizeof *c);
        if (!c) return false;
        *c = *e;
        copies[i++] = c;
    }
    for (uint32_t j = k; j-- > 0;) { /* oldest new error first */
        copies[j]->prev = (rp_err *)cur;
        cur = copies[j];
    }
    p->s = m->post;
    p->s.errs = (rp_err *)cur;
    p->s.nerrs = nerrs + k;
    if (p->depth + m->rel_peak > p->peak) p->peak = p->depth + m->rel_peak;
    return true;
}

/* Remember the parse of the term at off from state `pre` (one per offset);
 * parses that consumed hints or comments are not kept. */
static void memo_put(rego_parser *p, uint32_t off, const rp_memo_ent *pre, rego_term *t) {
    if (p->nocache || p->fatal || p->s.hints != pre->hints || p->s.cmts != pre->cmts ||
        p->s.kw != pre->kw || p->s.v1compat != pre->v1compat)
        return;
    if ((p->memo_n + 1) * 2 > p->memo_cap) {
        uint32_t nc = p->memo_cap ? p->memo_cap * 2 : 256;
        rp_memo_ent *old = p->memo, *nm = gh_malloc((size_t)nc * sizeof *nm);
        if (!nm) {
            rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
            return;
        }
        for (uint32_t i = 0; i < nc; i++) nm[i].off = UINT32_MAX;
        uint32_t oc = p->memo_cap;
        p->memo = nm;
        p->memo_cap = nc;
        for (uint32_t i = 0; i < oc; i++)
            if (old[i].off != UINT32_MAX) *memo_slot(p, old[i].off) = old[i];
        gh_free(old);
    }
    rp_memo_ent *m = memo_slot(p, off);
    if (m->off == UINT32_MAX) p->memo_n++;
    *m = *pre;
    m->off = off;
    m->t = t;
    m->post = p->s;
}

void rp_cache_reset(rego_parser *p) {
    p->cache_n = 0;
    if (p->memo_n) {
        for (uint32_t i = 0; i < p->memo_cap; i++) p->memo[i].off = UINT32_MAX;
        p->memo_n = 0;
    }
}

void rp_cache_free(rego_parser *p) {
    gh_free(p->cache);
    p->cache = NULL;
    p->cache_cap = p->cache_n = 0;
    gh_free(p->memo);
    p->memo = NULL;
    p->memo_cap = p->memo_n = 0;
}

/* ---- scalars ----------------------------------------------------------------- */

/* OPA rejects numbers whose binary exponent exceeds +-1e5 (about 10^30103):
 * s is "-?digits(.digits)?([eE][+-]?digits)?". */
static bool number_too_big(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    size_t intlen = 0;
    while (i + intlen < n && s[i + intlen] >= '0' && s[i + intlen] <= '9')
        intlen++;
    long long lead = 0;
    bool found = false;
    for (size_t j = 0; j < intlen; j++) {
        if (s[i + j] != '0') {
            lead = (long long)(intlen - 1 - j);
            found = true;
            break;
        }
    }
    i += intlen;
    if (i < n && s[i] == '.') {
        i++;
        for (long long j = 1; i < n && s[i] >= '0' && s[i] <= '9'; i++, j++) {
            if (!found && s[i] != '0') {
                lead = -j;
                found = true;
            }
        }
    }
    if (!found) return false; /* zero, whatever the exponent */
    long long e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool neg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
        for (; i < n; i++)
            if (e < 1000000000LL) e = e * 10 + (s[i] - '0');
        if (neg) e = -e;
    }
    long long mag = lead + e;
    return mag > 30102 || mag < -30104;
}

static rego_term *parse_number(rego_parser *p) {
    rego_loc loc = rp_tok_loc(p);
    bool neg = false, dot = false;
    if (p->s.tok == TK_SUB) {
        neg = true;
        rp_scan_tok(p);
        if (p->s.tok != TK_NUMBER && p->s.tok != TK_DOT) {
            rp_illegal(p, "expected number");
            return NULL;
        }
    }
    if (p->s.tok == TK_DOT) {
        dot = true;
        rp_scan_tok(p);
        if (p->s.tok != TK_NUMBER) {
            rp_illegal(p, "expected number");
            return NULL;
        }
    }
    const char *lit = p->src + p->s.tok_off;
    size_t n = p->s.tok_end - p->s.tok_off;
    /* OPA 0.x rejects only a doubled leading zero; "01" reads as 1 */
    if ((neg || !dot) && n > 1 && lit[0] == '0' && lit[1] == '0') {
        rp_illegal(p, "expected number");
        return NULL;
    }
    if (dot && memchr(lit, '.', n)) {
        rp_illegal(p, "invalid float");
        return NULL;
    }
    if (n > GH_MAX_NUMBER_CHARS) {
        rp_fatal(p, GH_ELIMIT, p->s.tok_line, p->s.tok_col, "number literal too long");
        return NULL;
    }
    char buf[GH_MAX_NUMBER_CHARS + 4];
    size_t k = 0;
    if (neg) buf[k++] = '-';
    if (dot) {
        buf[k++] = '0';
        buf[k++] = '.';
    }
    while (!dot && n > 1 && lit[0] == '0' && lit[1] >= '0' && lit[1] <= '9') {
        lit++; /* JSON has no leading zeros */
        n--;
    }
    memcpy(buf + k, lit, n);
    k += n;
    if (number_too_big(buf, k)) {
        rp_errorf(p, p->s.tok_line, p->s.tok_col, "number too big");
        return NULL;
    }
    rego_term *t = rp_term_new(p, REGO_T_SCALAR, rp_loc_span(p, &loc, p->s.tok_end));
    if (!t) return NULL;
    gh_err e;
    t->u.value = val_num_parse(p->a, buf, k, &e);
    if (!t->u.value) {
        if (p->a->oom)
            rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
        else
            rp_illegal(p, "invalid float");
        return NULL;
    }
    return t;
}

static rego_term *parse_string(rego_parser *p) {
    const char *lit = p->src + p->s.tok_off;
    size_t n = p->s.tok_end - p->s.tok_off;
    rego_loc loc = rp_tok_loc(p);
    if (n && lit[0] == '"') {
        char *s;
        size_t sn;
        if (!rp_unquote(p->a, lit, n, &s, &sn)) {
            if (p->a->oom)
                rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
            else
                rp_errorf(p, loc.line, loc.col, "illegal string literal: %.*s", (int)n, lit);
            return NULL;
        }
        return rp_term_str(p, s, sn, loc);
    }
    if (n < 2) return NULL;
    return rp_term_str(p, lit + 1, n - 2, loc);
}

rego_term *rp_parse_var(rego_parser *p) {
    const char *lit = p->src + p->s.tok_off;
    size_t n = p->s.tok_end - p->s.tok_off;
    rego_loc loc = rp_tok_loc(p);
    if (n == 1 && lit[0] == '_') {
        /* unique placeholder; renumbered in source order after the parse */
        char name[16];
        int len = snprintf(name, sizeof name, "$%u", p->s.tok_off);
        rego_term *t = rp_term_var(p, name, (size_t)len, loc);
        if (t) t->flags |= REGO_TF_WILDCARD;
        return t;
    }
    return rp_term_var(p, lit, n, loc);
}

/* ---- refs and calls ------------------------------------------------------------- */

static bool term_list(rego_parser *p, int end, rp_vec *v);

static bool is_root_doc(const rego_term *t) {
    return t->kind == REGO_T_VAR &&
           (!strcmp(t->u.var.name, "data") || !strcmp(t->u.var.name, "input"));
}

static rego_term *wrap_root(rego_parser *p, rego_term *head) {
    if (!is_root_doc(head)) return head;
    rp_vec v = {0};
    if (!rp_vec_push(p, &v, head)) return NULL;
    return rp_term_list(p, REGO_T_REF, &v, head->loc);
}

static rego_term *parse_call(rego_parser *p, rego_term *op, const rego_loc *start) {
    if (!rp_enter(p)) return NULL;
    rego_term *t = NULL;
    rp_scan_tok(p); /* over '(' */
    if (p->s.tok == TK_RPAREN) {
        uint32_t end = p->s.tok_end;
        rp_scan_ws(p);
        if (op->u.list.n == 1 && op->u.list.items[0]->kind == REGO_T_VAR &&
            !strcmp(op->u.list.items[0]->u.var.name, "set")) {
            rp_vec v = {0};
            t = rp_term_list(p, REGO_T_SET, &v, rp_loc_span(p, start, end));
        } else {
            rp_vec v = {0};
            rp_vec_push(p, &v, op);
            t = rp_term_list(p, REGO_T_CALL, &v, rp_loc_span(p, start, end));
        }
        rp_leave(p);
        return t;
    }
    rp_vec v = {0};
    rp_vec_push(p, &v, op);
    if (term_list(p, TK_RPAREN, &v)) {
        uint32_t end = p->s.tok_end;
        rp_scan_ws(p);
        t = rp_term_list(p, REGO_T_CALL, &v, rp_loc_span(p, start, end));
    }
    rp_leave(p);
    return t;
}

rego_term *rp_parse_ref(rego_parser *p, rego_term *head, uint32_t off) {
    (void)off;
    if (!rp_enter(p)) return NULL;
    rego_term *res = NULL;
    rego_loc start = head->loc;
    switch (head->kind) {
    case REGO_T_VAR:
    case REGO_T_ARRAY:
    case REGO_T_OBJECT:
    case REGO_T_SET:
    case REGO_T_ARRAY_COMPR:
    case REGO_T_OBJECT_COMPR:
    case REGO_T_SET_COMPR:
    case REGO_T_CALL: break;
    default:
        rp_errorf(p, start.line, start.col, "illegal ref (head cannot be %s)",
                  rp_term_type_name(head));
    }
    rp_vec v = {0};
    if (!rp_vec_push(p, &v, head)) goto out;
    for (;;) {
        switch (p->s.tok) {
        case TK_DOT: {
            rp_scan_ws(p);
            /* OPA 1.x also accepts keywords as field names (input.in, x.package) */
            if (p->s.tok != TK_IDENT && !rp_tok_is_keyword(p->s.tok)) {
                rp_illegal(p, "expected identifier");
                goto out;
            }
            rego_term *s =
                rp_term_str(p, p->src + p->s.tok_off, p->s.tok_end - p->s.tok_off, rp_tok_loc(p));
            if (!rp_vec_push(p, &v, s)) goto out;
            rp_scan_ws(p);
            break;
        }
        case TK_LPAREN: {
            rego_term *op = rp_term_list(p, REGO_T_REF, &v, rp_loc_span(p, &start, p->s.tok_off));
            if (!op) goto out;
            rego_term *call = parse_call(p, op, &start);
            if (call) {
                if (p->s.tok == TK_WS) {
                    rp_scan_tok(p);
                } else if (p->s.tok == TK_DOT || p->s.tok == TK_LBRACK) {
                    call = rp_parse_ref(p, call, off);
                }
            }
            res = call;
            goto out;
        }
        case TK_LBRACK: {
            rp_scan_tok(p);
            rego_term *t = rp_parse_infix(p);
            if (!t) goto out;
            if (p->s.tok != TK_RBRACK) {
                rp_illegal(p, "expected [");
                goto out;
            }
            if (!rp_vec_push(p, &v, t)) goto out;
            rp_scan_ws(p);
            break;
        }
        case TK_WS: {
            uint32_t end = p->s.last_end;
            rp_scan_tok(p);
            res = rp_term_list(p, REGO_T_REF, &v, rp_loc_span(p, &start, end));
            goto out;
        }
        default:
            res = rp_term_list(p, REGO_T_REF, &v, rp_loc_span(p, &start, p->s.last_end));
            goto out;
        }
    }
out:
    rp_leave(p);
    return res;
}

static rego_term *term_finish(rego_parser *p, rego_term *head, bool skipws) {
    if (!head) return NULL;
    uint32_t off = p->s.tok_off;
    rp_next(p, skipws);
    switch (p->s.tok) {
    case TK_LPAREN:
    case TK_DOT:
    case TK_LBRACK: return rp_parse_ref(p, head, off);
    case TK_WS:
        rp_scan_tok(p);
        /* fall through */
    default: return wrap_root(p, head);
    }
}

rego_term *rp_term_finish_head(rego_parser *p, rego_term *head) {
    return term_finish(p, head, true);
}

/* ---- composites ---------------------------------------------------------------- */

static bool term_list(rego_parser *p, int end, rp_vec *v) {
    if (p->s.tok == end) return true;
    for (;;) {
        rego_term *t = rp_parse_infix_in_list(p);
        if (!t) return false;
        if (!rp_vec_push(p, v, t)) return false;
        if (p->s.tok == end) return true;
        if (p->s.tok == TK_COMMA) {
            rp_scan_tok(p);
            if (p->s.tok == end) return true;
            continue;
        }
        rp_illegal(p, "expected \"%s\" or \"%s\"", rp_tok_name(TK_COMMA), rp_tok_name(end));
        return false;
    }
}

static bool pair_list(rego_parser *p, int end, rp_vec *ks, rp_vec *vs) {
    if (p->s.tok == end) return true;
    for (;;) {
        rego_term *k = rp_parse_infix_in_list(p);
        if (!k) return false;
        if (p->s.tok != TK_COLON) {
            rp_illegal(p, "expected \"%s\"", rp_tok_name(TK_COLON));
            return false;
        }
        rp_scan_tok(p);
        rego_term *v = rp_parse_infix_in_list(p);
        if (!v) return false;
        if (!rp_vec_push(p, ks, k) || !rp_vec_push(p, vs, v)) return false;
        if (p->s.tok == end) return true;
        if (p->s.tok == TK_COMMA) {
            rp_scan_tok(p);
            if (p->s.tok == end) return true;
            continue;
        }
        rp_illegal(p, "expected \"%s\" or \"%s\"", rp_tok_name(TK_COMMA), rp_tok_name(end));
        return false;
    }
}

static rego_term *compr(rego_parser *p, int kind, rego_term *key, rego_term *head, rego_body *body,
                        const rego_loc *loc) {
    rego_term *t = rp_term_new(p, kind, rp_loc_span(p, loc, p->s.tok_end));
    if (!t) return NULL;
    t->u.compr.key = key;
    t->u.compr.head = head;
    t->u.compr.body = body;
    rp_term_depth(p, t);
    return t;
}

static rego_term *object_of(rego_parser *p, rp_vec *ks, rp_vec *vs, const rego_loc *loc) {
    rego_term *t = rp_term_new(p, REGO_T_OBJECT, rp_loc_span(p, loc, p->s.tok_end));
    if (!t) return NULL;
    t->u.obj.keys = (rego_term **)ks->items;
    t->u.obj.vals = (rego_term **)vs->items;
    t->u.obj.n = ks->n;
    rp_term_depth(p, t);
    return t;
}

static rego_term *parse_array(rego_parser *p) {
    rego_loc loc = rp_tok_loc(p);
    rp_scan_tok(p);
    rp_vec v = {0};
    if (p->s.tok == TK_RBRACK)
        return rp_term_list(p, REGO_T_ARRAY, &v, rp_loc_span(p, &loc, p->s.tok_end));
    bool pot = true;
    if (p->s.tok == TK_COMMA) {
        pot = false;
        rp_scan_tok(p);
    }
    rp_state s = rp_save(p);
    rego_term *head = rp_parse_term(p);
    if (!head) return NULL;
    switch (p->s.tok) {
    case TK_RBRACK:
        rp_vec_push(p, &v, head);
        return rp_term_list(p, REGO_T_ARRAY, &v, rp_loc_span(p, &loc, p->s.tok_end));
    case TK_COMMA:
        rp_scan_tok(p);
        rp_vec_push(p, &v, head);
        if (term_list(p, TK_RBRACK, &v))
            return rp_term_list(p, REGO_T_ARRAY, &v, rp_loc_span(p, &loc, p->s.tok_end));
        return NULL;
    case TK_OR:
        if (pot) {
            rp_scan_tok(p);
            rego_body *b = rp_parse_body(p, TK_RBRACK);
            if (b) return compr(p, REGO_T_ARRAY_COMPR, NULL, head, b, &loc);
            if (p->s.tok != TK_COMMA) return NULL;
        }
        break;
    default: break;
    }
    rp_restore(p, &s);
    v.n = 0;
    if (term_list(p, TK_RBRACK, &v))
        return rp_term_list(p, REGO_T_ARRAY, &v, rp_loc_span(p, &loc, p->s.tok_end));
    return NULL;
}

static rego_term *parse_set(rego_parser *p, const rp_state *s, rego_term *head, bool pot,
                            const rego_loc *loc) {
    rp_vec v = {0};
    switch (p->s.tok) {
    case TK_RBRACE:
        rp_vec_push(p, &v, head);
        return rp_term_list(p, REGO_T_SET, &v, rp_loc_span(p, loc, p->s.tok_end));
    case TK_COMMA:
        rp_scan_tok(p);
        rp_vec_push(p, &v, head);
        if (term_list(p, TK_RBRACE, &v))
            return rp_term_list(p, REGO_T_SET, &v, rp_loc_span(p, loc, p->s.tok_end));
        return NULL;
    case TK_OR:
        if (pot) {
            rp_scan_tok(p);
            rego_body *b = rp_parse_body(p, TK_RBRACE);
            if (b) return compr(p, REGO_T_SET_COMPR, NULL, head, b, loc);
            if (p->s.tok != TK_COMMA) return NULL;
        }
        rp_restore(p, s);
        if (term_list(p, TK_RBRACE, &v))
            return rp_term_list(p, REGO_T_SET, &v, rp_loc_span(p, loc, p->s.tok_end));
        return NULL;
    default: return NULL;
    }
}

static rego_term *object_finish(rego_parser *p, rego_term *k, rego_term *val, bool pot,
                                const rego_loc *loc) {
    rp_vec ks = {0}, vs = {0};
    switch (p->s.tok) {
    case TK_RBRACE:
        rp_vec_push(p, &ks, k);
        rp_vec_push(p, &vs, val);
        return object_of(p, &ks, &vs, loc);
    case TK_OR:
        if (pot) {
            rp_scan_tok(p);
            rego_body *b = rp_parse_body(p, TK_RBRACE);
            if (b) return compr(p, REGO_T_OBJECT_COMPR, k, val, b, loc);
        } else {
            rp_illegal(p, "non-terminated object");
        }
        return NULL;
    case TK_COMMA:
        rp_scan_tok(p);
        rp_vec_push(p, &ks, k);
        rp_vec_push(p, &vs, val);
        if (pair_list(p, TK_RBRACE, &ks, &vs)) return object_of(p, &ks, &vs, loc);
        return NULL;
    default: return NULL;
    }
}

static rego_term *parse_object(rego_parser *p, rego_term *k, bool pot, const rego_loc *loc) {
    rp_scan_tok(p); /* over ':' */
    rp_state s = rp_save(p);
    rego_term *v = rp_parse_term(p);
    if (!v) return NULL;
    bool pot_rel = true;
    if (pot) {
        switch (p->s.tok) {
        case TK_RBRACE:
        case TK_COMMA:
            pot_rel = false;
            /* fall through */
        case TK_OR: {
            rego_term *t = object_finish(p, k, v, true, loc);
            if (t) return t;
            break;
        }
        default: break;
        }
    }
    if (p->fatal) return NULL;
    rp_restore(p, &s);
    if (pot_rel) {
        v = rp_parse_infix_in_list(p);
        if (!v) return NULL;
        if (p->s.tok == TK_RBRACE || p->s.tok == TK_COMMA)
            return object_finish(p, k, v, false, loc);
    }
    rp_illegal(p, "non-terminated object");
    return NULL;
}

static rego_term *parse_set_or_object(rego_parser *p) {
    rego_loc loc = rp_tok_loc(p);
    rp_scan_tok(p);
    if (p->s.tok == TK_RBRACE) {
        rp_vec ks = {0}, vs = {0};
        return object_of(p, &ks, &vs, &loc);
    }
    bool pot = true;
    if (p->s.tok == TK_COMMA) {
        pot = false;
        rp_scan_tok(p);
    }
    rp_state s = rp_save(p);
    rego_term *head = rp_parse_term(p);
    if (!head) return NULL;
    switch (p->s.tok) {
    case TK_OR:
        if (pot) return parse_set(p, &s, head, pot, &loc);
        break;
    case TK_RBRACE:
    case TK_COMMA: return parse_set(p, &s, head, pot, &loc);
    case TK_COLON: return parse_object(p, head, pot, &loc);
    default: break;
    }
    rp_restore(p, &s);
    head = rp_parse_infix_in_list(p);
    if (!head) return NULL;
    switch (p->s.tok) {
    case TK_RBRACE:
    case TK_COMMA: return parse_set(p, &s, head, false, &loc);
    case TK_COLON: return parse_object(p, head, pot, &loc);
    default: break;
    }
    rp_illegal(p, "non-terminated set");
    return NULL;
}

/* ---- terms --------------------------------------------------------------------------- */

rego_term *rp_parse_term(rego_parser *p) {
    if (!rp_enter(p)) return NULL;
    uint32_t off = p->s.tok_off;
    rp_cache_ent *ce = cache_get(p, off);
    if (ce) {
        p->s = ce->post;
        rp_leave(p);
        return ce->t;
    }
    rp_memo_ent *me = memo_get(p, off);
    if (me) {
        rego_term *mt = me->t;
        if (!memo_replay(p, me)) {
            rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
            rp_leave(p);
            return NULL;
        }
        cache_put(p, off, mt); /* as if parsed: the OPA-style cache sees it too */
        rp_leave(p);
        return mt;
    }
    rp_memo_ent pre = {.kw = p->s.kw, .v1compat = p->s.v1compat, .had_errs = p->s.nerrs != 0,
                       .errs = p->s.errs, .hints = p->s.hints, .cmts = p->s.cmts};
    uint32_t start_depth = p->depth, outer_peak = p->peak;
    p->peak = p->depth;
    rego_term *t = NULL;
    switch (p->s.tok) {
    case TK_NULL: {
        t = rp_term_new(p, REGO_T_SCALAR, rp_tok_loc(p));
        if (t) t->u.value = VAL_NULLV;
        break;
    }
    case TK_TRUE: t = rp_term_bool(p, true, rp_tok_loc(p)); break;
    case TK_FALSE: t = rp_term_bool(p, false, rp_tok_loc(p)); break;
    case TK_SUB:
    case TK_DOT:
    case TK_NUMBER: t = parse_number(p); break;
    case TK_STRING: t = parse_string(p); break;
    case TK_IDENT:
    case TK_CONTAINS: t = rp_parse_var(p); break;
    case TK_LBRACK: t = parse_array(p); break;
    case TK_LBRACE: t = parse_set_or_object(p); break;
    case TK_LPAREN: {
        rp_scan_tok(p);
        rego_term *r = rp_parse_infix(p);
        if (r) {
            if (p->s.tok == TK_RPAREN)
                t = r;
            else
                rp_errorf(p, p->s.tok_line, p->s.tok_col, "non-terminated expression");
        }
        break;
    }
    default: rp_illegal(p, NULL); break;
    }
    t = term_finish(p, t, false);
    cache_put(p, off, t);
    pre.rel_peak = p->peak - start_depth;
    if (outer_peak > p->peak) p->peak = outer_peak;
    memo_put(p, off, &pre, t);
    rp_leave(p);
    return t;
}

/* ---- infix operators --------------------------------------------------------------------- */

static const char *op_name(int tok) {
    switch (tok) {
    case TK_EQUAL: return "equal";
    case TK_NEQ: return "neq";
    case TK_LT: return "lt";
    case TK_GT: return "gt";
    case TK_LTE: return "lte";
    case TK_GTE: return "gte";
    case TK_OR: return "or";
    case TK_AND: return "and";
    case TK_ADD: return "plus";
    case TK_SUB: return "minus";
    case TK_MUL: return "mul";
    case TK_QUO: return "div";
    case TK_REM: return "rem";
    case TK_UNIFY: return "eq";
    case TK_ASSIGN: return "assign";
    default: return NULL;
    }
}

typedef rego_term *(*operand_fn)(rego_parser *p);

/* One left-associative level: lhs (op rhs)*, where op is one of ops. */
static rego_term *binary_level(rego_parser *p, operand_fn next, const int *ops, int nops) {
    rego_term *lhs = next(p);
    while (lhs && !p->fatal) {
        int tok = p->s.tok, i;
        for (i = 0; i < nops && ops[i] != tok; i++) {
        }
        if (i == nops) return lhs;
        rego_term *op = rp_term_op(p, op_name(tok), rp_tok_loc(p));
        rp_scan_tok(p);
        rego_term *rhs = next(p);
        if (!rhs || !op) return lhs;
        rego_term *call =
            rp_term_call2(p, op, lhs, rhs, NULL, rp_loc_span(p, &lhs->loc, p->s.last_end));
        if (!call) return NULL;
        lhs = call;
    }
    return p->fatal ? NULL : lhs;
}

static rego_term *parse_factor(rego_parser *p) {
    static const int ops[] = {TK_MUL, TK_QUO, TK_REM};
    return binary_level(p, rp_parse_term, ops, 3);
}
static rego_term *parse_arith(rego_parser *p) {
    static const int ops[] = {TK_ADD, TK_SUB};
    return binary_level(p, parse_factor, ops, 2);
}
static rego_term *parse_and(rego_parser *p) {
    static const int ops[] = {TK_AND};
    return binary_level(p, parse_arith, ops, 1);
}
static rego_term *parse_or(rego_parser *p) {
    static const int ops[] = {TK_OR};
    return binary_level(p, parse_and, ops, 1);
}
static rego_term *parse_relation(rego_parser *p) {
    static const int ops[] = {TK_EQUAL, TK_NEQ, TK_LT, TK_GT, TK_LTE, TK_GTE};
    return binary_level(p, parse_or, ops, 6);
}

/* `lhs in rhs` and, where key-value pairs are allowed, `k, v in rhs`. */
static rego_term *parse_term_in(rego_parser *p, bool keyval) {
    rego_term *lhs = parse_relation(p);
    while (lhs && !p->fatal) {
        if (keyval && p->s.tok == TK_COMMA) {
            rp_state s = rp_save(p);
            rp_scan_tok(p);
            rego_term *mhs = parse_relation(p);
            if (mhs && p->s.tok == TK_IN) {
                rego_term *op = rp_term_op(p, "internal.member_3", rp_tok_loc(p));
                rp_scan_tok(p);
                rego_term *rhs = parse_relation(p);
                if (rhs && op) {
                    lhs = rp_term_call2(p, op, lhs, mhs, rhs,
                                        rp_loc_span(p, &lhs->loc, p->s.last_end));
                    if (lhs && p->s.tok == TK_IN) continue;
                    return lhs;
                }
            }
            if (p->fatal) return NULL;
            rp_restore(p, &s);
        }
        if (p->s.tok != TK_IN) return lhs;
        rego_term *op = rp_term_op(p, "internal.member_2", rp_tok_loc(p));
        rp_scan_tok(p);
        rego_term *rhs = parse_relation(p);
        if (!rhs || !op) return p->fatal ? NULL : lhs;
        lhs = rp_term_call2(p, op, lhs, rhs, NULL, rp_loc_span(p, &lhs->loc, p->s.last_end));
        if (!lhs || p->s.tok != TK_IN) return lhs;
    }
    return p->fatal ? NULL : lhs;
}

rego_term *rp_parse_infix(rego_parser *p) { return parse_term_in(p, true); }
rego_term *rp_parse_infix_in_list(rego_parser *p) { return parse_term_in(p, false); }
