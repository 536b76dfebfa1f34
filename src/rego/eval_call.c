/* eval_call.c - calls: inline operators (comparison, arithmetic, set and,
 * or, membership), registry builtins with OPA's error policy (errors are
 * undefined unless strict builtin errors are on), user functions, mocks
 * installed by `with`, print(), and the `with` modifier itself (input,
 * data and function replacement, each with a fresh memo context).
 * Called from eval.c. */
#include <stdio.h>
#include <string.h>

#include "builtins/arith.h"
#include "engine_int.h"

/* ---- value formatting (Rego syntax, as OPA's Term.String) -------------------------- */

void ev_fmt_value(gh_buf *b, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_ARRAY:
        gh_buf_putc(b, '[');
        for (size_t i = 0; i < val_arr_len(v); i++) {
            if (i) gh_buf_puts(b, ", ");
            ev_fmt_value(b, val_arr_at(v, i));
        }
        gh_buf_putc(b, ']');
        return;
    case VAL_SET:
    case VAL_OBJECT: {
        size_t n = val_kind_of(v) == VAL_SET ? val_set_len(v) : val_obj_len(v);
        if (!n) {
            gh_buf_puts(b, val_kind_of(v) == VAL_SET ? "set()" : "{}");
            return;
        }
        gh_arena tmp;
        gh_arena_init(&tmp, 0);
        uint32_t *ord = val_sorted_order(&tmp, v);
        gh_buf_putc(b, '{');
        for (size_t i = 0; i < n; i++) {
            size_t j = ord ? ord[i] : i;
            if (i) gh_buf_puts(b, ", ");
            ev_fmt_value(b, v->u.tab.keys[j]);
            if (val_kind_of(v) == VAL_OBJECT) {
                gh_buf_puts(b, ": ");
                ev_fmt_value(b, v->u.tab.vals[j]);
            }
        }
        gh_buf_putc(b, '}');
        gh_arena_free(&tmp);
        return;
    }
    default:
        val_json_emit(b, v, VAL_JSON_NO_HTML_ESC);
        return;
    }
}

/* ---- builtin errors ------------------------------------------------------------------ */

static int bi_fail(ev *e, const char *name, int rc, const rego_loc *loc) {
    if (rc == GH_ENOMEM) return ev_oom(e);
    if (rc == GH_ECANCEL)
        return ev_errf(e, GH_ECANCEL, "eval_cancel_error", loc, "%s: %s", name, e->bierr.msg);
    if (!e->strict) return 0; /* undefined */
    return ev_errf(e, rc == GH_ETYPE ? GH_ETYPE : GH_EINVAL,
                   rc == GH_ETYPE ? "eval_type_error" : "eval_builtin_error", loc, "%s: %s", name,
                   e->bierr.msg);
}

/* ---- operators -------------------------------------------------------------------------- */

static int set_op(ev *e, const xcallee *c, val_t **args, const rego_loc *loc, val_t **out) {
    for (int i = 0; i < 2; i++)
        if (val_kind_of(args[i]) != VAL_SET) {
            gh_err_set(&e->bierr, GH_ETYPE, NULL, 0, 0, "operand %d must be set but got %s", i + 1,
                       val_kind_name(val_kind_of(args[i])));
            return bi_fail(e, c->name, GH_ETYPE, loc);
        }
    val_t *a = args[0], *b = args[1];
    val_t *r = val_set_new(e->a, val_set_len(a) + (c->op == OP_OR ? val_set_len(b) : 0));
    if (!r) return ev_oom(e);
    for (size_t i = 0; i < val_set_len(a); i++) {
        val_t *x = val_set_at(a, i);
        if (c->op == OP_AND && !val_set_has(b, x)) continue;
        if (val_set_add(e->a, r, x, NULL)) return ev_oom(e);
    }
    if (c->op == OP_OR)
        for (size_t i = 0; i < val_set_len(b); i++)
            if (val_set_add(e->a, r, val_set_at(b, i), NULL)) return ev_oom(e);
    *out = r;
    return 0;
}

static val_t *member2(val_t *x, val_t *coll) {
    switch (val_kind_of(coll)) {
    case VAL_ARRAY:
        for (size_t i = 0; i < val_arr_len(coll); i++)
            if (val_equal(val_arr_at(coll, i), x)) return VAL_TRUE;
        return VAL_FALSE;
    case VAL_OBJECT:
        for (size_t i = 0; i < val_obj_len(coll); i++)
            if (val_equal(val_obj_val_at(coll, i), x)) return VAL_TRUE;
        return VAL_FALSE;
    case VAL_SET: return val_bool(val_set_has(coll, x));
    default: return VAL_FALSE;
    }
}

static val_t *member3(val_t *k, val_t *x, val_t *coll) {
    switch (val_kind_of(coll)) {
    case VAL_ARRAY:
    case VAL_OBJECT: {
        val_t *v = ev_lookup(coll, k);
        return val_bool(v && val_equal(v, x));
    }
    case VAL_SET: return val_bool(val_equal(k, x) && val_set_has(coll, x));
    default: return VAL_FALSE;
    }
}

static int chain_entry(ev *e, val_t *arr, val_t *path, const rego_annot *an) {
    val_t *entry = val_obj_new(e->a, 2);
    if (!entry || val_obj_put(e->a, entry, val_strc(e->a, "path"), path)) return ev_oom(e);
    if (an) {
        val_t *av = rego_annot_to_value(e->a, an);
        if (!av || val_obj_put(e->a, entry, val_strc(e->a, "annotations"), av)) return ev_oom(e);
    }
    return val_arr_push(e->a, arr, entry) ? ev_oom(e) : 0;
}

/* The package path of m without "data" (first n elements). */
static val_t *pkg_path(ev *e, const rego_module *m, uint32_t n) {
    const rego_term *pkg = m->package;
    val_t *path = val_arr_new(e->a, n);
    for (uint32_t i = 1; path && i <= n && i < pkg->u.list.n; i++)
        if (val_arr_push(e->a, path, pkg->u.list.items[i]->u.value)) return NULL;
    return path;
}

static bool same_pkg_prefix(const rego_module *a, const rego_module *b, uint32_t n) {
    if (a->package->u.list.n != n + 1) return false;
    for (uint32_t i = 1; i <= n; i++)
        if (!val_equal(a->package->u.list.items[i]->u.value, b->package->u.list.items[i]->u.value))
            return false;
    return true;
}

static int meta_call(ev *e, uint8_t op, val_t **out) {
    const rego_rule *r = e->cur_rule;
    const rego_annot *rule_an = NULL, *doc_an = NULL;
    for (uint32_t i = 0; r && i < r->nannots; i++) {
        if (r->annots[i]->scope == REGO_SCOPE_RULE && !rule_an) rule_an = r->annots[i];
        if (r->annots[i]->scope == REGO_SCOPE_DOCUMENT && !doc_an) doc_an = r->annots[i];
    }
    if (op == OP_META_RULE) {
        const rego_annot *an = rule_an ? rule_an : doc_an;
        *out = an ? rego_annot_to_value(e->a, an) : val_obj_new(e->a, 0);
        return *out ? 0 : ev_oom(e);
    }
    val_t *arr = val_arr_new(e->a, 4);
    if (!arr) return ev_oom(e);
    *out = arr;
    if (!r) return 0;
    /* the rule (and its document), then its package, then enclosing packages'
     * subpackages annotations, as OPA orders them */
    uint32_t depth = r->module->package->u.list.n - 1;
    val_t *path = pkg_path(e, r->module, depth);
    if (!path || val_arr_push(e->a, path, val_strc(e->a, rego_rule_name(r)))) return ev_oom(e);
    const rego_term *ref = r->ref;
    for (uint32_t i = 1; i < ref->u.list.n && ref->u.list.items[i]->kind == REGO_T_SCALAR; i++)
        if (val_arr_push(e->a, path, ref->u.list.items[i]->u.value)) return ev_oom(e);
    int rc = chain_entry(e, arr, path, rule_an ? rule_an : doc_an);
    if (!rc && rule_an && doc_an) rc = chain_entry(e, arr, path, doc_an);
    for (uint32_t n = depth + 1; n-- > 0 && !rc;) {
        for (uint32_t i = 0; i < e->p->nmods && !rc; i++) {
            const rego_module *m = e->p->mods[i].m;
            if (!same_pkg_prefix(m, r->module, n)) continue;
            for (uint32_t j = 0; j < m->nannots && !rc; j++) {
                const rego_annot *an = m->annots[j];
                bool want = n == depth ? an->scope == REGO_SCOPE_PACKAGE || an->scope == REGO_SCOPE_SUBPACKAGES
                                       : an->scope == REGO_SCOPE_SUBPACKAGES;
                if (!want || an->rule) continue;
                val_t *pp = pkg_path(e, m, n);
                if (!pp) return ev_oom(e);
                rc = chain_entry(e, arr, pp, an);
            }
        }
    }
    return rc;
}

static int op_call(ev *e, const xcallee *c, val_t **args, const rego_loc *loc, val_t **out) {
    switch (c->op) {
    case OP_EQUAL: *out = val_bool(val_compare(args[0], args[1]) == 0); return 0;
    case OP_NEQ: *out = val_bool(val_compare(args[0], args[1]) != 0); return 0;
    case OP_LT: *out = val_bool(val_compare(args[0], args[1]) < 0); return 0;
    case OP_LTE: *out = val_bool(val_compare(args[0], args[1]) <= 0); return 0;
    case OP_GT: *out = val_bool(val_compare(args[0], args[1]) > 0); return 0;
    case OP_GTE: *out = val_bool(val_compare(args[0], args[1]) >= 0); return 0;
    case OP_PLUS: case OP_MINUS: case OP_MUL: case OP_DIV: case OP_REM: {
        static const rego_arith_op map[] = {REGO_ARITH_PLUS, REGO_ARITH_MINUS, REGO_ARITH_MUL,
                                            REGO_ARITH_DIV, REGO_ARITH_REM};
        gh_err_clear(&e->bierr);
        int rc = rego_arith(e->a, map[c->op - OP_PLUS], args[0], args[1], out, &e->bierr);
        if (rc) {
            *out = NULL;
            return bi_fail(e, c->name, rc, loc);
        }
        return 0;
    }
    case OP_AND: case OP_OR: return set_op(e, c, args, loc, out);
    case OP_MEMBER2: *out = member2(args[0], args[1]); return 0;
    case OP_MEMBER3: *out = member3(args[0], args[1], args[2]); return 0;
    case OP_META_RULE: case OP_META_CHAIN: return meta_call(e, c->op, out);
    case OP_TRACE:
        /* notes go to the tracer (a NOTE event); trace(note) is true */
        if (!val_is_str(args[0])) {
            gh_err_set(&e->bierr, GH_ETYPE, NULL, 0, 0, "operand 1 must be string but got %s",
                       val_kind_name(val_kind_of(args[0])));
            return bi_fail(e, c->name, GH_ETYPE, loc);
        }
        if (GH_UNLIKELY(e->trace)) ev_trace(e, REGO_TRACE_NOTE, NULL, NULL, NULL,
                                            val_str_ptr(args[0]), 0);
        *out = VAL_TRUE;
        return 0;
    default:
        return ev_errf(e, GH_EINTERNAL, "eval_internal_error", loc, "%s: not callable", c->name);
    }
}

static bool mock_match(const xcallee *t, const xcallee *c) {
    if (t->kind == XC_FUNC || c->kind == XC_FUNC) return t->kind == c->kind && t->fn == c->fn;
    return t->name && c->name && !strcmp(t->name, c->name);
}

int ev_call(ev *e, const xcallee *c, val_t **args, uint32_t nargs, const rego_loc *loc,
            val_t **out) {
    *out = NULL;
    for (uint32_t i = e->nmocks; i-- > 0;) {
        const ev_mock *m = &e->mocks[i];
        if (!mock_match(m->target, c)) continue;
        if (!m->repl) {
            *out = m->value;
            return 0;
        }
        c = m->repl;
        if (c->kind == XC_FUNC) {
            /* a replacement runs without any mocks (a mock never calls
             * another mock, nor itself) and with its own memo */
            ev_mock *sm = e->mocks;
            uint32_t sn = e->nmocks;
            ev_memo *smemo = e->memo;
            ev_memo *fresh = gh_arena_calloc(e->a, sizeof *fresh);
            if (!fresh) return ev_oom(e);
            e->mocks = NULL;
            e->nmocks = 0;
            e->memo = fresh;
            int rc = ev_func_call(e, c->fn, args, nargs, loc, out);
            e->mocks = sm;
            e->nmocks = sn;
            e->memo = smemo;
            return rc;
        }
        break;
    }
    switch (c->kind) {
    case XC_FUNC: return ev_func_call(e, c->fn, args, nargs, loc, out);
    case XC_OP: return op_call(e, c, args, loc, out);
    case XC_BUILTIN: {
        gh_err_clear(&e->bierr);
        e->bctx.loc = loc;
        int rc = c->bi->fn(&e->bctx, args, out);
        if (rc == RB_OK) return 0;
        *out = NULL;
        if (rc == RB_UNDEF) return 0;
        return bi_fail(e, c->name, rc, loc);
    }
    default:
        return ev_errf(e, GH_ENOTFOUND, "eval_internal_error", loc, "undefined function %s",
                       c->name ? c->name : "?");
    }
}

/* ---- print -------------------------------------------------------------------------------- */

typedef struct pcoll_k {
    kont k;
    val_t *acc;
} pcoll_k;

static int pcoll_fn(ev *e, kont *k, val_t *v) {
    pcoll_k *p = (pcoll_k *)k;
    if (val_set_add(e->a, p->acc, v, NULL)) return ev_oom(e);
    return 0;
}

static void print_line(ev *e, const rego_loc *loc, const char *s, size_t n) {
    if (e->opts && e->opts->print_at) {
        e->opts->print_at(e->bctx.print_ud, loc, s, n);
        return;
    }
    if (e->bctx.print) {
        e->bctx.print(e->bctx.print_ud, s, n);
        return;
    }
    fwrite(s, 1, n, stderr);
    fputc('\n', stderr);
}

static int print_cross(ev *e, const rego_loc *loc, val_t **sets, uint32_t n, uint32_t i,
                       const char **parts) {
    if (i == n) {
        gh_buf b;
        gh_buf_init(&b);
        for (uint32_t j = 0; j < n; j++) {
            if (j) gh_buf_putc(&b, ' ');
            gh_buf_puts(&b, parts[j]);
        }
        if (b.oom) {
            gh_buf_free(&b);
            return ev_oom(e);
        }
        print_line(e, loc, b.p ? b.p : "", b.len);
        gh_buf_free(&b);
        return 0;
    }
    if (!val_set_len(sets[i])) {
        parts[i] = "<undefined>";
        return print_cross(e, loc, sets, n, i + 1, parts);
    }
    uint32_t *ord = val_sorted_order(e->a, sets[i]);
    for (size_t j = 0; j < val_set_len(sets[i]); j++) {
        val_t *v = val_set_at(sets[i], ord ? ord[j] : j);
        if (val_is_str(v)) {
            parts[i] = val_str_ptr(v);
        } else {
            gh_buf b;
            gh_buf_init(&b);
            ev_fmt_value(&b, v);
            parts[i] = b.oom ? NULL : gh_arena_strndup(e->a, b.p ? b.p : "", b.len);
            gh_buf_free(&b);
            if (!parts[i]) return ev_oom(e);
        }
        int rc = print_cross(e, loc, sets, n, i + 1, parts);
        if (rc) return rc;
    }
    return 0;
}

int ev_print(ev *e, const xexpr *x) {
    uint32_t n = x->u.call.n;
    val_t **sets = gh_arena_alloc(e->a, (n + 1) * sizeof *sets);
    const char **parts = gh_arena_alloc(e->a, (n + 1) * sizeof *parts);
    if (!sets || !parts) return ev_oom(e);
    for (uint32_t i = 0; i < n; i++) {
        pcoll_k p = {{pcoll_fn}, val_set_new(e->a, 2)};
        if (!p.acc) return ev_oom(e);
        int rc = ev_term(e, x->u.call.args[i], &p.k);
        if (rc < 0) {
            /* errors inside print arguments make the argument undefined */
            if (rc == GH_ECANCEL || rc == GH_ENOMEM) return rc;
            gh_err_clear(e->err);
        }
        sets[i] = p.acc;
    }
    return print_cross(e, &x->src->loc, sets, n, 0, parts);
}

/* ---- with ------------------------------------------------------------------------------------ */

typedef struct wstate {
    val_t *input;
    ev_override *ovr;
    uint32_t novr;
    ev_mock *mocks;
    uint32_t nmocks;
    ev_memo *memo;
} wstate;

static void wsave(const ev *e, wstate *s) {
    *s = (wstate){e->input, e->ovr, e->novr, e->mocks, e->nmocks, e->memo};
}

static void wload(ev *e, const wstate *s) {
    e->input = s->input;
    e->ovr = s->ovr;
    e->novr = s->novr;
    e->mocks = s->mocks;
    e->nmocks = s->nmocks;
    e->memo = s->memo;
}

typedef struct with_k {
    kont k;
    wstate outer, inner;
    kont *next;
} with_k;

static int with_fn(ev *e, kont *k, val_t *v) {
    with_k *w = (with_k *)k;
    wsave(e, &w->inner);
    wload(e, &w->outer);
    int rc = w->next->fn(e, w->next, v);
    wload(e, &w->inner);
    return rc;
}

static val_t *upsert_path(ev *e, val_t *v, val_t *const *keys, uint32_t n, val_t *value) {
    if (n == 0) return value;
    val_t *o = val_obj_new(e->a, v && val_kind_of(v) == VAL_OBJECT ? val_obj_len(v) + 1 : 1);
    if (!o) return NULL;
    val_t *child = NULL;
    if (v && val_kind_of(v) == VAL_OBJECT)
        for (size_t i = 0; i < val_obj_len(v); i++) {
            if (val_equal(val_obj_key_at(v, i), keys[0])) {
                child = val_obj_val_at(v, i);
                continue;
            }
            if (val_obj_put(e->a, o, val_obj_key_at(v, i), val_obj_val_at(v, i))) return NULL;
        }
    val_t *nc = upsert_path(e, child, keys + 1, n - 1, value);
    if (!nc || val_obj_put(e->a, o, keys[0], nc)) return NULL;
    return o;
}

int ev_with(ev *e, const xexpr *x, kont *k) {
    val_t *vals[16];
    val_t **wv = vals;
    if (x->nwith > 16 && !(wv = gh_arena_alloc(e->a, x->nwith * sizeof *wv))) return ev_oom(e);
    for (uint32_t i = 0; i < x->nwith; i++) {
        wv[i] = NULL;
        if (!x->with[i].value) continue;
        int rc = ev_value(e, x->with[i].value, &wv[i]);
        if (rc) return rc;
        if (!wv[i]) return 0;
    }
    with_k w = {{with_fn}, {0}, {0}, k};
    wsave(e, &w.outer);
    uint32_t nd = 0, nf = 0;
    for (uint32_t i = 0; i < x->nwith; i++) {
        if (x->with[i].kind == XW_DATA) nd++;
        if (x->with[i].kind == XW_FUNC) nf++;
    }
    if (nd) {
        ev_override *o = gh_arena_alloc(e->a, (e->novr + nd) * sizeof *o);
        if (!o) return ev_oom(e);
        if (e->novr) memcpy(o, e->ovr, e->novr * sizeof *o);
        e->ovr = o;
    }
    if (nf) {
        ev_mock *m = gh_arena_alloc(e->a, (e->nmocks + nf) * sizeof *m);
        if (!m) return ev_oom(e);
        if (e->nmocks) memcpy(m, e->mocks, e->nmocks * sizeof *m);
        e->mocks = m;
    }
    for (uint32_t i = 0; i < x->nwith; i++) {
        const xwith *wi = &x->with[i];
        switch (wi->kind) {
        case XW_INPUT:
            e->input = upsert_path(e, e->input, wi->path, wi->npath, wv[i]);
            if (!e->input) {
                wload(e, &w.outer);
                return ev_oom(e);
            }
            break;
        case XW_DATA:
            e->ovr[e->novr++] = (ev_override){wi->path, wi->npath, wv[i]};
            break;
        default:
            e->mocks[e->nmocks++] = (ev_mock){wi->target, wi->repl, wv[i]};
            break;
        }
    }
    ev_memo *memo = gh_arena_calloc(e->a, sizeof *memo);
    if (!memo) {
        wload(e, &w.outer);
        return ev_oom(e);
    }
    e->memo = memo;
    int rc = ev_expr_inner(e, x, &w.k);
    wload(e, &w.outer);
    return rc;
}
