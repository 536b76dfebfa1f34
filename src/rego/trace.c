/* trace.c - text of evaluation trace events (rego.h section 8) in the shape
 * of OPA's topdown.PrettyTrace, which `conftest test --trace` and `opa eval
 * --explain` print: "| " per nesting level (ENTER, and REDO of a body or
 * rule, sit at their query's level; everything else one deeper), the
 * operation, then the node. Pure formatting: no evaluator state. */
#include <string.h>

#include "rego.h"

const char *rego_trace_op_name(rego_trace_op op) {
    switch (op) {
    case REGO_TRACE_ENTER: return "Enter";
    case REGO_TRACE_EXIT: return "Exit";
    case REGO_TRACE_EVAL: return "Eval";
    case REGO_TRACE_REDO: return "Redo";
    case REGO_TRACE_FAIL: return "Fail";
    case REGO_TRACE_INDEX: return "Index";
    case REGO_TRACE_NOTE: return "Note";
    }
    return "?";
}

/* data.<package>.<ground prefix of the rule's ref> */
static void rule_path(gh_buf *b, const rego_rule *r) {
    if (r->module && r->module->package)
        rego_term_print(b, r->module->package);
    else
        gh_buf_puts(b, "data");
    const rego_term *ref = r->ref;
    uint32_t n = rego_ref_ground_prefix(ref);
    /* v0 `p[k] = v` keeps the key as the last element: the path stops before */
    if (r->kind == REGO_RULE_SINGLE && n == ref->u.list.n && n > 1 && !(r->flags & REGO_RF_IF) &&
        r->module && r->module->version != REGO_V1 &&
        ref->u.list.items[n - 1]->kind != REGO_T_SCALAR)
        n--;
    gh_buf_putc(b, '.');
    gh_buf_puts(b, rego_rule_name(r));
    for (uint32_t i = 1; i < n; i++) {
        const rego_term *t = ref->u.list.items[i];
        if (t->kind == REGO_T_SCALAR && val_is_str(t->u.value)) {
            gh_buf_putc(b, '.');
            gh_buf_append(b, val_str_ptr(t->u.value), val_str_len(t->u.value));
        } else {
            gh_buf_putc(b, '[');
            rego_term_print(b, t);
            gh_buf_putc(b, ']');
        }
    }
}

/* ---- names resolved as OPA prints compiled expressions -------------------------
 * A var naming a rule of the module's package becomes data.<pkg>.<rule>, an
 * import alias becomes the imported path. Locals that shadow such names are
 * rare; the text is for people. Terms that change are copied into `a`. */

static const char *resolve_name(gh_arena *a, const rego_module *m, const char *name) {
    for (uint32_t i = 0; i < m->nimports; i++) {
        const rego_import *im = &m->imports[i];
        const rego_term *p = im->path;
        const char *alias = im->alias;
        if (!alias && p->kind == REGO_T_REF && p->u.list.n > 1) {
            const rego_term *last = p->u.list.items[p->u.list.n - 1];
            if (last->kind == REGO_T_SCALAR && val_is_str(last->u.value))
                alias = val_str_ptr(last->u.value);
        }
        if (!alias || strcmp(alias, name)) continue;
        const char *d = rego_ref_dotted(a, p);
        if (d && !strncmp(d, "data.", 5)) return d;
        return NULL; /* input aliases and future keywords stay as written */
    }
    for (uint32_t i = 0; i < m->nrules; i++)
        if (!strcmp(rego_rule_name(m->rules[i]), name)) {
            gh_buf b;
            gh_buf_init(&b);
            rego_term_print(&b, m->package);
            gh_buf_printf(&b, ".%s", name);
            const char *r = b.oom ? NULL : gh_arena_strndup(a, b.p, b.len);
            gh_buf_free(&b);
            return r;
        }
    return NULL;
}

static rego_term *fake_var(gh_arena *a, const rego_term *like, const char *name) {
    rego_term *v = gh_arena_alloc(a, sizeof *v);
    if (!v) return NULL;
    *v = *like;
    v->kind = REGO_T_VAR;
    v->u.var.name = name;
    v->u.var.len = (uint32_t)strlen(name);
    return v;
}

static rego_term *resolve_term(gh_arena *a, const rego_module *m, rego_term *t, int depth) {
    if (!t || depth > 64) return t;
    switch (t->kind) {
    case REGO_T_VAR: {
        if (t->flags & REGO_TF_WILDCARD) return t;
        const char *r = resolve_name(a, m, t->u.var.name);
        rego_term *v = r ? fake_var(a, t, r) : NULL;
        return v ? v : t;
    }
    case REGO_T_REF:
    case REGO_T_CALL:
    case REGO_T_ARRAY:
    case REGO_T_SET: {
        uint32_t n = t->u.list.n;
        rego_term **items = NULL;
        for (uint32_t i = 0; i < n; i++) {
            rego_term *it = t->u.list.items[i];
            /* a ref's path elements are keys, not names (except [x] vars) */
            rego_term *r = t->kind == REGO_T_REF && i > 0 && it->kind == REGO_T_SCALAR
                               ? it
                               : resolve_term(a, m, it, depth + 1);
            if (r != it && !items) {
                items = gh_arena_alloc(a, n * sizeof *items);
                if (!items) return t;
                memcpy(items, t->u.list.items, n * sizeof *items);
            }
            if (items) items[i] = r;
        }
        if (!items) return t;
        rego_term *c = gh_arena_alloc(a, sizeof *c);
        if (!c) return t;
        *c = *t;
        c->u.list.items = items;
        return c;
    }
    default: return t;
    }
}

static void expr_text(gh_buf *b, const rego_expr *x, uint8_t flags, const rego_module *m) {
    if (!x) return;
    rego_expr pos = *x;
    if (flags & REGO_TRACE_F_POSITIVE) pos.negated = false;
    gh_arena a;
    gh_arena_init(&a, 0);
    if (m && x->kind == REGO_E_TERM) {
        pos.u.term = resolve_term(&a, m, x->u.term, 0);
    } else if (m && x->kind == REGO_E_CALL && x->u.call.n) {
        rego_term **terms = gh_arena_alloc(&a, x->u.call.n * sizeof *terms);
        if (terms) {
            terms[0] = x->u.call.terms[0]; /* the operator: a builtin or an infix op */
            for (uint32_t i = 1; i < x->u.call.n; i++)
                terms[i] = resolve_term(&a, m, x->u.call.terms[i], 0);
            pos.u.call.terms = terms;
        }
    }
    rego_expr_print(b, &pos);
    gh_arena_free(&a);
}

void rego_trace_format(gh_buf *b, const rego_trace_event *ev) {
    bool is_body = !ev->expr || (ev->flags & REGO_TRACE_F_BODY);
    bool at_level = ev->op == REGO_TRACE_ENTER || (ev->op == REGO_TRACE_REDO && is_body);
    uint32_t spaces = ev->depth + (at_level ? 0 : 1);
    for (uint32_t i = 1; i < spaces; i++)
        gh_buf_puts(b, "| ");
    gh_buf_puts(b, rego_trace_op_name(ev->op));
    gh_buf_putc(b, ' ');
    if (ev->op == REGO_TRACE_NOTE) { /* OPA quotes the note as Go's %q */
        const char *s = ev->ref ? ev->ref : "";
        gh_buf_putc(b, '"');
        for (; *s; s++) {
            unsigned char c = (unsigned char)*s;
            if (c == '"' || c == '\\')
                gh_buf_printf(b, "\\%c", c);
            else if (c == '\n')
                gh_buf_puts(b, "\\n");
            else if (c == '\t')
                gh_buf_puts(b, "\\t");
            else if (c < 0x20 || c == 0x7f)
                gh_buf_printf(b, "\\x%02x", c);
            else
                gh_buf_putc(b, (char)c);
        }
        gh_buf_putc(b, '"');
        return;
    }
    if (ev->op == REGO_TRACE_INDEX) {
        gh_buf_puts(b, ev->ref ? ev->ref : "");
        if (ev->nmatched == 0)
            gh_buf_puts(b, " (matched 0 rules)");
        else
            gh_buf_printf(b, " (matched %u rule%s%s)", ev->nmatched, ev->nmatched == 1 ? "" : "s",
                          (ev->flags & REGO_TRACE_F_EARLY) ? ", early exit" : "");
        return;
    }
    if (ev->rule) {
        rule_path(b, ev->rule);
        if (ev->op == REGO_TRACE_EXIT && (ev->flags & REGO_TRACE_F_EARLY)) gh_buf_puts(b, " early");
        return;
    }
    if (ev->body) {
        rego_body_print(b, ev->body);
    } else {
        expr_text(b, ev->expr, ev->flags, ev->module);
    }
    if (ev->flags & REGO_TRACE_F_CAPTURE) gh_buf_puts(b, " = _");
}
