/* check.c - conftest-style checking (`gatehouse check`): finds the
 * namespaces (packages) and their deny/violation/warn rules in the modules
 * of a compiled policy, evaluates them and their exceptions per document
 * and sorts the results into failures, warnings, exceptions and successes
 * as `conftest test` counts them. Called by src/cli/cli_check.c. Queries
 * are prepared once per (namespace, rule) in the checker's own arena. */
#include <stdlib.h>
#include <string.h>

#include "policy/check_int.h"
#include "policy/policy.h"
#include "rego/rego.h"

typedef struct chk_rule {
    const char *ns;
    const char *name;
    size_t count; /* rule definitions with this name in this namespace */
    bool failure; /* deny/violation (else warn) */
    const char *query, *exc_query;
    rego_query *q, *xq; /* prepared lazily */
} chk_rule;

struct pol_check {
    const rego_policy *p;
    gh_arena a;
    chk_rule *rules;
    size_t nrules, cap;
    const char **ns;
    size_t nns, capns;
    bool strict_builtins;
    bool trace;
    pol_check_host host; /* handed to conftest's builtins (check_builtins.c) */
};

pol_check *pol_check_new(const rego_policy *p) {
    pol_check *c = gh_calloc(1, sizeof *c);
    if (!c) return NULL;
    c->p = p;
    gh_arena_init(&c->a, 0);
    c->host.magic = POL_CHECK_HOST_MAGIC;
    return c;
}

void pol_check_free(pol_check *c) {
    if (!c) return;
    gh_arena_free(&c->a);
    gh_free(c->rules);
    gh_free(c->ns);
    gh_free(c);
}

/* ^name(_[A-Za-z0-9]+)*$ for name = deny|violation|warn */
static bool rule_kind(const char *r, bool *failure) {
    size_t n;
    if (!strncmp(r, "deny", 4)) {
        n = 4, *failure = true;
    } else if (!strncmp(r, "violation", 9)) {
        n = 9, *failure = true;
    } else if (!strncmp(r, "warn", 4)) {
        n = 4, *failure = false;
    } else {
        return false;
    }
    const char *s = r + n;
    while (*s) {
        if (*s != '_') return false;
        s++;
        size_t k = 0;
        while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
            s++, k++;
        if (!k) return false;
    }
    return true;
}

static const char *strip_failure_prefix(const char *r) {
    if (!strncmp(r, "deny_", 5)) return r + 5;
    if (!strncmp(r, "violation_", 10)) return r + 10;
    return r;
}

static int add_ns(pol_check *c, const char *ns) {
    for (size_t i = 0; i < c->nns; i++)
        if (!strcmp(c->ns[i], ns)) return 0;
    if (c->nns == c->capns) {
        size_t nc = c->capns ? c->capns * 2 : 8;
        const char **v = gh_realloc(c->ns, nc * sizeof *v);
        if (!v) return GH_ENOMEM;
        c->ns = v, c->capns = nc;
    }
    size_t i = c->nns++;
    while (i > 0 && strcmp(c->ns[i - 1], ns) > 0) { /* keep sorted */
        c->ns[i] = c->ns[i - 1];
        i--;
    }
    c->ns[i] = ns;
    return 0;
}

static int add_rule(pol_check *c, const char *ns, const char *name, bool failure) {
    for (size_t i = 0; i < c->nrules; i++)
        if (!strcmp(c->rules[i].ns, ns) && !strcmp(c->rules[i].name, name)) {
            c->rules[i].count++;
            return 0;
        }
    if (c->nrules == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        chk_rule *v = gh_realloc(c->rules, nc * sizeof *v);
        if (!v) return GH_ENOMEM;
        c->rules = v, c->cap = nc;
    }
    chk_rule *r = &c->rules[c->nrules];
    memset(r, 0, sizeof *r);
    r->ns = ns;
    r->name = gh_arena_strndup(&c->a, name, strlen(name));
    r->count = 1;
    r->failure = failure;
    r->query = gh_arena_printf(&c->a, "data.%s.%s", ns, name);
    gh_buf qb;
    gh_buf_init(&qb);
    gh_buf_printf(&qb, "data.%s.exception[_][_] == ", ns);
    const char *bare = strip_failure_prefix(name);
    gh_json_quote(&qb, bare, strlen(bare));
    r->exc_query = qb.oom ? NULL : gh_arena_strndup(&c->a, qb.p, qb.len);
    gh_buf_free(&qb);
    if (!r->name || !r->query || !r->exc_query) return GH_ENOMEM;
    c->nrules++;
    /* keep rules sorted by (ns, name) so results come in a stable order */
    for (size_t i = c->nrules - 1; i > 0; i--) {
        chk_rule *x = &c->rules[i - 1], *y = &c->rules[i];
        int k = strcmp(x->ns, y->ns);
        if (k < 0 || (k == 0 && strcmp(x->name, y->name) < 0)) break;
        chk_rule t = *x;
        *x = *y;
        *y = t;
    }
    return 0;
}

int pol_check_add_module(pol_check *c, const char *file, const char *src, size_t n,
                         const rego_parse_opts *o, gh_err *e) {
    rego_module *m = NULL;
    int rc = rego_parse_module(&c->a, file, src, n, o, &m, e);
    if (rc) return rc;
    gh_buf pk;
    gh_buf_init(&pk);
    rego_term_print(&pk, m->package);
    if (pk.oom) {
        gh_buf_free(&pk);
        return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    }
    const char *full = pk.p;
    if (!strncmp(full, "data.", 5)) full += 5;
    char *ns = gh_arena_strndup(&c->a, full, strlen(full));
    gh_buf_free(&pk);
    if (!ns || add_ns(c, ns)) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    for (uint32_t i = 0; i < m->nrules; i++) {
        const rego_rule *r = m->rules[i];
        if (r->kind == REGO_RULE_FUNC) continue;
        bool failure = false;
        const char *name = rego_rule_name(r);
        if (!rule_kind(name, &failure)) continue;
        if (add_rule(c, ns, name, failure))
            return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    }
    return 0;
}

void pol_check_set_strict_builtins(pol_check *c, bool on) { c->strict_builtins = on; }
void pol_check_set_trace(pol_check *c, bool on) { c->trace = on; }
void pol_check_set_parser(pol_check *c, pol_parse_hook fn, void *ud) {
    c->host.parse = fn;
    c->host.parse_ud = ud;
}

size_t pol_check_nnamespaces(const pol_check *c) { return c->nns; }
const char *pol_check_namespace(const pol_check *c, size_t i) {
    return i < c->nns ? c->ns[i] : NULL;
}

bool pol_check_ns_match(const char *pat, const char *s) {
    /* iterative glob with single backtrack point */
    const char *star = NULL, *ss = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            ss = s;
        } else if (*pat == '?' || *pat == *s) {
            pat++, s++;
        } else if (star) {
            pat = star + 1;
            s = ++ss;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return !*pat;
}

/* ---- evaluation ------------------------------------------------------------ */

typedef struct collect {
    gh_arena *a;
    val_t *vals; /* array of each solution's first expression value */
    size_t nsol;
    int oom;
    pol_check_query *q; /* trace and print lines of this query, or NULL */
} collect;

static int push_line(gh_arena *a, const char ***v, size_t *n, size_t *cap, const char *s,
                     size_t len) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        const char **nv = gh_arena_realloc(a, *v, *cap * sizeof **v, nc * sizeof **v);
        if (!nv) return GH_ENOMEM;
        *v = nv, *cap = nc;
    }
    char *c = gh_arena_strndup(a, s, len);
    if (!c) return GH_ENOMEM;
    (*v)[(*n)++] = c;
    return 0;
}

/* print(): conftest shows each line as "file:row: text" */
static void on_print(void *ud, const rego_loc *loc, const char *line, size_t n) {
    collect *k = ud;
    gh_buf b;
    gh_buf_init(&b);
    if (loc && loc->file && loc->file[0]) gh_buf_printf(&b, "%s:%u: ", loc->file, loc->line);
    gh_buf_append(&b, line, n);
    if (b.oom || push_line(k->a, &k->q->outputs, &k->q->noutputs, &k->q->capo, b.p, b.len))
        k->oom = 1;
    gh_buf_free(&b);
}

static void on_trace(void *ud, const rego_trace_event *ev) {
    collect *k = ud;
    gh_buf b;
    gh_buf_init(&b);
    rego_trace_format(&b, ev);
    if (b.oom || push_line(k->a, &k->q->trace, &k->q->ntrace, &k->q->capt, b.p ? b.p : "", b.len))
        k->oom = 1;
    gh_buf_free(&b);
}

static int on_result(void *ud, const rego_result *r) {
    collect *k = ud;
    k->nsol++;
    val_t *v = r->nexprs ? val_copy(k->a, r->exprs[0]) : VAL_NULLV;
    if (!v || val_arr_push(k->a, k->vals, v)) {
        k->oom = 1;
        return 1;
    }
    return 0;
}

static int run(pol_check *c, gh_arena *a, rego_query **qp, const char *text, const val_t *input,
               pol_check_result *r, collect *k, gh_err *e) {
    if (!*qp) {
        int rc = rego_query_prepare(c->p, &c->a, text, strlen(text), NULL, qp, e);
        if (rc) return rc;
    }
    k->a = a;
    k->nsol = 0;
    k->oom = 0;
    k->vals = val_arr_new(a, 4);
    pol_check_query q;
    memset(&q, 0, sizeof q);
    q.query = text;
    k->q = &q;
    if (!k->vals) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    rego_eval_opts eo;
    memset(&eo, 0, sizeof eo);
    eo.input = input;
    eo.strict_builtin_errors = c->strict_builtins;
    eo.print_at = on_print;
    eo.print_ud = k;
    eo.host = &c->host;
    if (c->trace) {
        eo.trace = on_trace;
        eo.trace_ud = k;
    }
    int rc = rego_query_eval(*qp, a, &eo, on_result, k, e);
    k->q = NULL;
    if (!rc && k->oom) rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc && (c->trace || q.noutputs)) { /* keep the query's lines in the result */
        if (r->nqueries == r->capq) {
            size_t nc = r->capq ? r->capq * 2 : 8;
            pol_check_query *nv =
                gh_arena_realloc(a, r->queries, r->capq * sizeof *nv, nc * sizeof *nv);
            if (!nv) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            r->queries = nv, r->capq = nc;
        }
        r->queries[r->nqueries++] = q;
    }
    return rc;
}

static int push_msg(gh_arena *a, pol_check_msg **v, size_t *n, size_t *cap, const char *msg,
                    val_t *meta) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        pol_check_msg *nv = gh_arena_realloc(a, *v, *cap * sizeof **v, nc * sizeof **v);
        if (!nv) return GH_ENOMEM;
        *v = nv, *cap = nc;
    }
    (*v)[*n].msg = msg;
    (*v)[*n].metadata = meta;
    (*n)++;
    return 0;
}

/* Turn one result item into a message: a string, or an object with a
 * string "msg" (its other keys become metadata). Other values are ignored
 * (*msg stays NULL). */
static int item_msg(gh_arena *a, const val_t *it, const char *query, const char **msg, val_t **meta,
                    gh_err *e) {
    *msg = NULL;
    *meta = val_obj_new(a, 2);
    val_t *qk = val_strc(a, "query"), *qv = val_strc(a, query);
    if (!*meta || !qk || !qv) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (val_is_str(it)) {
        *msg = gh_arena_strndup(a, val_str_ptr(it), val_str_len(it));
    } else if (val_kind_of(it) == VAL_OBJECT) {
        const val_t *m = val_obj_get_str(it, "msg", 3);
        if (!m || !val_is_str(m))
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                              "%s: \"msg\" field must be present and a string", query);
        *msg = gh_arena_strndup(a, val_str_ptr(m), val_str_len(m));
        for (size_t i = 0; i < val_obj_len(it); i++) {
            val_t *k = val_obj_key_at(it, i);
            if (val_is_str(k) && ((val_str_len(k) == 3 && !memcmp(val_str_ptr(k), "msg", 3)) ||
                                  (val_str_len(k) == 4 && !memcmp(val_str_ptr(k), "_loc", 4))))
                continue;
            if (val_obj_put(a, *meta, k, val_obj_val_at(it, i)))
                return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        }
    } else {
        return 0;
    }
    if (!*msg || val_obj_put(a, *meta, qk, qv))
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

static int eval_one(pol_check *c, gh_arena *a, const char *ns, const val_t *input,
                    pol_check_result *r, gh_err *e) {
    for (size_t ri = 0; ri < c->nrules; ri++) {
        chk_rule *rule = &c->rules[ri];
        if (strcmp(rule->ns, ns)) continue;
        collect k;
        int rc = run(c, a, &rule->xq, rule->exc_query, input, r, &k, e);
        if (rc) return rc;
        size_t nexc = 0;
        for (size_t i = 0; i < val_arr_len(k.vals); i++) {
            val_t *meta = val_obj_new(a, 1);
            val_t *qk = val_strc(a, "query"), *qv = val_strc(a, rule->exc_query);
            if (!meta || !qk || !qv || val_obj_put(a, meta, qk, qv) ||
                push_msg(a, &r->exceptions, &r->nexceptions, &r->capx, rule->exc_query, meta))
                return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            nexc++;
        }
        rc = run(c, a, &rule->q, rule->query, input, r, &k, e);
        if (rc) return rc;
        size_t nsucc = 0, nfail = 0, nwarn = 0;
        for (size_t si = 0; si < val_arr_len(k.vals); si++) {
            const val_t *v = val_arr_at(k.vals, si);
            val_kind kd = val_kind_of(v);
            size_t len = kd == VAL_ARRAY ? val_arr_len(v) : kd == VAL_SET ? val_set_len(v) : 0;
            if (len == 0) {
                nsucc++;
                continue;
            }
            uint32_t *ord = kd == VAL_SET ? val_sorted_order(a, v) : NULL;
            if (kd == VAL_SET && !ord) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            for (size_t i = 0; i < len; i++) {
                const val_t *it = kd == VAL_SET ? val_set_at(v, ord[i]) : val_arr_at(v, i);
                const char *msg;
                val_t *meta;
                rc = item_msg(a, it, rule->query, &msg, &meta, e);
                if (rc) return rc;
                if (!msg || !*msg) {
                    if (msg) nsucc++;
                    continue;
                }
                if (nexc) continue; /* an excepted rule reports no failures */
                if (rule->failure) {
                    rc = push_msg(a, &r->failures, &r->nfailures, &r->capf, msg, meta);
                    nfail++;
                } else {
                    rc = push_msg(a, &r->warnings, &r->nwarnings, &r->capw, msg, meta);
                    nwarn++;
                }
                if (rc) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            }
        }
        /* one success per rule definition that produced nothing */
        size_t seen = nsucc + nfail + nwarn + nexc;
        if (seen < rule->count) nsucc += rule->count - seen;
        r->successes += nsucc;
    }
    return 0;
}

int pol_check_eval(pol_check *c, gh_arena *a, const char *ns, const val_t *input,
                   pol_check_result *r, gh_err *e) {
    if (input && val_kind_of(input) == VAL_ARRAY) {
        for (size_t i = 0; i < val_arr_len(input); i++) {
            int rc = eval_one(c, a, ns, val_arr_at(input, i), r, e);
            if (rc) return rc;
        }
        return 0;
    }
    return eval_one(c, a, ns, input, r, e);
}
