/* jsonschema_validate.c - validating a document against a compiled schema
 * (jsonschema.c) the way OPA's gojsonschema does: keywords checked in its
 * order, errors collected per sub-result with its score (anyOf/oneOf keep
 * the best-scoring failed branch's errors), error objects in OPA's shape
 * {"error", "type", "field", "desc"}. Object keys are visited in document
 * order (OPA's output follows the JSON text it validated). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/jsonschema.h"
#include "rego/builtins/regex_int.h"

/* Nested validations (one per sub-schema applied) before we call the
 * schema hostile: above real documents (JSON nesting stops at 512) and
 * within the C stack even in sanitizer builds (a few KiB per level).
 * OPA itself overflows its stack on such schemas. */
#define JS_MAX_NEST 1000
/* $ref hops that never reach a keyword: a pure reference cycle. */
#define JS_MAX_REF_HOPS 256

typedef struct jctx {
    const struct jctx *parent;
    const char *seg;
    size_t n;
} jctx;

typedef struct jerr {
    const char *type;
    const char *field; /* contexts live on the C stack: keep the text */
    const char *desc;
    struct jerr *next;
} jerr;

typedef struct jres {
    jerr *head, *tail;
    long score;
} jres;

typedef struct jv {
    gh_arena *a;
    int depth;
    int oom;
    bool too_deep;
} jv;

static void vrec(jv *V, const js_node *s, const val_t *doc, jres *r, const jctx *ctx);

/* ---- contexts, errors, results ----------------------------------------------------- */

static const char *field_of(jv *V, const jctx *ctx) {
    if (!ctx->parent) return "(Root)";
    size_t n = 0;
    for (const jctx *c = ctx; c->parent; c = c->parent)
        n += c->n + 1;
    char *s = gh_arena_alloc(V->a, n);
    if (!s) {
        V->oom = 1;
        return "";
    }
    size_t pos = n - 1;
    s[pos] = 0;
    for (const jctx *c = ctx; c->parent; c = c->parent) {
        pos -= c->n;
        memcpy(s + pos, c->seg, c->n);
        if (pos) s[--pos] = '.';
    }
    return s;
}

static void add_err(jv *V, jres *r, const char *type, const jctx *ctx, const char *fmt, ...)
    GH_PRINTF(5, 6);
static void add_err(jv *V, jres *r, const char *type, const jctx *ctx, const char *fmt, ...) {
    jerr *e = gh_arena_alloc(V->a, sizeof *e);
    va_list ap;
    va_start(ap, fmt);
    rb_sb b;
    rb_sb_init(&b, V->a, 64);
    char tmp[256];
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k >= (int)sizeof tmp) { /* long names or values: format again, in the arena */
        va_start(ap, fmt);
        char *big = gh_arena_alloc(V->a, (size_t)k + 1);
        if (big) vsnprintf(big, (size_t)k + 1, fmt, ap);
        va_end(ap);
        rb_sb_puts(&b, big ? big : "");
    } else {
        rb_sb_puts(&b, tmp);
    }
    rb_sb_putc(&b, '\0');
    if (!e || b.oom) {
        V->oom = 1;
        return;
    }
    e->type = type;
    e->field = field_of(V, ctx);
    e->desc = b.p;
    e->next = NULL;
    if (r->tail)
        r->tail->next = e;
    else
        r->head = e;
    r->tail = e;
    r->score -= 2;
}

static void merge(jres *r, const jres *o) {
    if (o->head) {
        if (r->tail)
            r->tail->next = o->head;
        else
            r->head = o->head;
        r->tail = o->tail;
    }
    r->score += o->score;
}

static jres sub(jv *V, const js_node *s, const val_t *doc, const jctx *ctx) {
    jres r = {NULL, NULL, 0};
    vrec(V, s, doc, &r, ctx);
    return r;
}

static bool valid(const jres *r) { return r->head == NULL; }

/* ---- normalized JSON (gojsonschema's marshalWithoutNumber) ---------------------------- */

/* Go's encoding/json text of a float64. */
static void go_json_float(rb_sb *b, double d) {
    if (d == 0) {
        rb_sb_puts(b, signbit(d) ? "-0" : "0");
        return;
    }
    char digits[GH_FLOAT_DIGITS];
    int exp;
    size_t nd = (size_t)gh_float_digits(d, digits, &exp);
    if (signbit(d)) rb_sb_putc(b, '-');
    double ad = fabs(d);
    if (ad < 1e-6 || ad >= 1e21) {
        rb_sb_putc(b, digits[0]);
        if (nd > 1) {
            rb_sb_putc(b, '.');
            rb_sb_put(b, digits + 1, nd - 1);
        }
        /* strconv's e-07 becomes e-7 (Go's encoder trims it); positive
         * exponents here are >= 21 */
        rb_sb_printf(b, "e%c%d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    int dp = exp + 1;
    if (dp <= 0) {
        rb_sb_puts(b, "0.");
        rb_sb_fill(b, '0', (size_t)-dp);
        rb_sb_put(b, digits, nd);
    } else if ((size_t)dp >= nd) {
        rb_sb_put(b, digits, nd);
        rb_sb_fill(b, '0', (size_t)dp - nd);
    } else {
        rb_sb_put(b, digits, (size_t)dp);
        rb_sb_putc(b, '.');
        rb_sb_put(b, digits + dp, nd - (size_t)dp);
    }
}

static void norm(rb_sb *b, gh_arena *a, const val_t *v, int depth) {
    if (depth > GH_MAX_DEPTH * 2) return;
    switch (val_kind_of(v)) {
    case VAL_NUMBER: {
        double d = val_num_to_double(v);
        if (isfinite(d)) {
            go_json_float(b, d);
        } else {
            char *t = val_to_json(a, v, 0);
            if (t)
                rb_sb_puts(b, t);
            else
                b->oom = 1;
        }
        return;
    }
    case VAL_ARRAY:
        rb_sb_putc(b, '[');
        for (size_t i = 0; i < val_arr_len(v); i++) {
            if (i) rb_sb_putc(b, ',');
            norm(b, a, val_arr_at(v, i), depth + 1);
        }
        rb_sb_putc(b, ']');
        return;
    case VAL_OBJECT: {
        size_t n = val_obj_len(v);
        uint32_t *ord = n ? val_sorted_order(a, v) : NULL;
        if (n && !ord) {
            b->oom = 1;
            return;
        }
        rb_sb_putc(b, '{');
        for (size_t i = 0; i < n; i++) {
            if (i) rb_sb_putc(b, ',');
            norm(b, a, val_obj_key_at(v, ord[i]), depth + 1);
            rb_sb_putc(b, ':');
            norm(b, a, val_obj_val_at(v, ord[i]), depth + 1);
        }
        rb_sb_putc(b, '}');
        return;
    }
    default: {
        char *t = val_to_json(a, v, 0);
        if (t)
            rb_sb_puts(b, t);
        else
            b->oom = 1;
    }
    }
}

const char *js_norm_json(gh_arena *a, const val_t *v) {
    rb_sb b;
    rb_sb_init(&b, a, 32);
    norm(&b, a, v, 0);
    rb_sb_putc(&b, '\0');
    return b.oom ? NULL : b.p;
}

/* ---- numbers ------------------------------------------------------------------------ */

/* value = (-1)^neg * digits * 10^exp, digits without trailing zeros. */
typedef struct dparts {
    char buf[24];
    const char *d;
    size_t nd;
    int64_t exp;
} dparts;

static void parts(const val_t *v, dparts *p) {
    if (val_is_int(v)) {
        uint64_t u = v->u.i < 0 ? (uint64_t)0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
        int n = snprintf(p->buf, sizeof p->buf, "%llu", (unsigned long long)u);
        p->exp = 0;
        if (u == 0) n = 0;
        while (n > 0 && p->buf[n - 1] == '0') {
            n--;
            p->exp++;
        }
        p->d = p->buf;
        p->nd = (size_t)n;
        return;
    }
    p->d = v->u.dec->digits;
    p->nd = v->u.dec->ndigits;
    p->exp = v->u.dec->exp;
}

static unsigned __int128 pow10mod(int64_t k, uint64_t m) {
    unsigned __int128 r = 1 % m, b = 10 % m;
    while (k > 0) {
        if (k & 1) r = r * b % m;
        b = b * b % m;
        k >>= 1;
    }
    return r;
}

/* Is v / m an integer? (big.Rat exactness, m > 0.) */
static bool multiple_ok(const val_t *v, const val_t *m) {
    dparts pv, pm;
    parts(v, &pv);
    parts(m, &pm);
    if (pv.nd == 0) return true;
    if (pv.exp < pm.exp) return false; /* v's digits have no factor 10 left */
    if (pm.nd > 19) {
        double q = val_num_to_double(v) / val_num_to_double(m);
        return isfinite(q) && q == floor(q);
    }
    uint64_t M = 0;
    for (size_t i = 0; i < pm.nd; i++)
        M = M * 10 + (uint64_t)(pm.d[i] - '0');
    unsigned __int128 r = 0;
    for (size_t i = 0; i < pv.nd; i++)
        r = (r * 10 + (unsigned)(pv.d[i] - '0')) % M;
    r = r * pow10mod(pv.exp - pm.exp, M) % M;
    return r == 0;
}

/* A schema number as gojsonschema prints it (a *big.Float made from the
 * exact rational, %v = shortest 'g'): the exact decimal digits, in
 * exponent form when the exponent is < -4 or >= 6. */
static const char *num_text(jv *V, const val_t *n) {
    dparts p;
    parts(n, &p);
    rb_sb b;
    rb_sb_init(&b, V->a, p.nd + 16);
    bool neg = val_is_int(n) ? n->u.i < 0 : n->u.dec->neg;
    if (!p.nd) {
        rb_sb_putc(&b, '0');
    } else {
        if (neg) rb_sb_putc(&b, '-');
        int64_t x = (int64_t)p.nd - 1 + p.exp; /* d.ddd x 10^x */
        if (x < -4 || x >= 6) {
            rb_sb_putc(&b, p.d[0]);
            if (p.nd > 1) {
                rb_sb_putc(&b, '.');
                rb_sb_put(&b, p.d + 1, p.nd - 1);
            }
            rb_sb_printf(&b, "e%c%02lld", x < 0 ? '-' : '+', (long long)(x < 0 ? -x : x));
        } else if (x < 0) {
            rb_sb_puts(&b, "0.");
            rb_sb_fill(&b, '0', (size_t)(-x - 1));
            rb_sb_put(&b, p.d, p.nd);
        } else if ((size_t)x + 1 >= p.nd) {
            rb_sb_put(&b, p.d, p.nd);
            rb_sb_fill(&b, '0', (size_t)x + 1 - p.nd);
        } else {
            rb_sb_put(&b, p.d, (size_t)x + 1);
            rb_sb_putc(&b, '.');
            rb_sb_put(&b, p.d + x + 1, p.nd - (size_t)x - 1);
        }
    }
    rb_sb_putc(&b, '\0');
    if (b.oom) {
        V->oom = 1;
        return "";
    }
    return b.p;
}

/* ---- keyword groups ------------------------------------------------------------------- */

static const char *types_text(jv *V, const js_node *s) {
    if (s->ntypes == 1) return js_type_names[s->types[0]];
    rb_sb b;
    rb_sb_init(&b, V->a, 32);
    rb_sb_putc(&b, '[');
    for (size_t i = 0; i < s->ntypes; i++) {
        if (i) rb_sb_putc(&b, ',');
        rb_sb_puts(&b, js_type_names[s->types[i]]);
    }
    rb_sb_puts(&b, "]");
    rb_sb_putc(&b, '\0');
    if (b.oom) V->oom = 1;
    return b.oom ? "" : b.p;
}

static bool has_type(const js_node *s, int t) {
    for (size_t i = 0; i < s->ntypes; i++)
        if (s->types[i] == t) return true;
    return false;
}

static bool obj_has(const val_t *o, const val_t *k) { return val_obj_get(o, k) != NULL; }

static void v_schema(jv *V, const js_node *s, const val_t *doc, jres *r, const jctx *ctx) {
    if (s->n_any) {
        bool ok = false;
        jres best = {0};
        bool have_best = false;
        for (size_t i = 0; i < s->n_any && !ok; i++) {
            jres x = sub(V, s->any_of[i], doc, ctx);
            ok = valid(&x);
            if (!ok && (!have_best || x.score > best.score)) {
                best = x;
                have_best = true;
            }
        }
        if (!ok) {
            add_err(V, r, "number_any_of", ctx, "Must validate at least one schema (anyOf)");
            if (have_best) merge(r, &best);
        }
    }
    if (s->n_one) {
        size_t nb = 0;
        jres best = {0};
        bool have_best = false;
        for (size_t i = 0; i < s->n_one; i++) {
            jres x = sub(V, s->one_of[i], doc, ctx);
            if (valid(&x))
                nb++;
            else if (nb == 0 && (!have_best || x.score > best.score)) {
                best = x;
                have_best = true;
            }
        }
        if (nb != 1) {
            add_err(V, r, "number_one_of", ctx, "Must validate one and only one schema (oneOf)");
            if (nb == 0 && have_best) merge(r, &best);
        }
    }
    if (s->n_all) {
        size_t nb = 0;
        for (size_t i = 0; i < s->n_all; i++) {
            jres x = sub(V, s->all_of[i], doc, ctx);
            if (valid(&x)) nb++;
            merge(r, &x);
        }
        if (nb != s->n_all)
            add_err(V, r, "number_all_of", ctx, "Must validate all the schemas (allOf)");
    }
    if (s->not_) {
        jres x = sub(V, s->not_, doc, ctx);
        if (valid(&x)) add_err(V, r, "number_not", ctx, "Must not validate the schema (not)");
    }
    if (s->ndeps && val_kind_of(doc) == VAL_OBJECT) {
        for (size_t i = 0; i < val_obj_len(doc); i++) {
            const val_t *k = val_obj_key_at(doc, i);
            for (size_t d = 0; d < s->ndeps; d++) {
                const js_dep *dep = &s->deps[d];
                if (!val_equal(dep->key, k)) continue;
                if (dep->schema) {
                    vrec(V, dep->schema, doc, r, ctx);
                } else {
                    for (size_t j = 0; j < dep->nstr; j++)
                        if (!obj_has(doc, dep->strs[j]))
                            add_err(V, r, "missing_dependency", ctx, "Has a dependency on %s",
                                    val_str_ptr(dep->strs[j]));
                }
            }
        }
    }
    if (s->if_) {
        jres xi = sub(V, s->if_, doc, ctx);
        if (s->then_ && valid(&xi)) {
            jres xt = sub(V, s->then_, doc, ctx);
            if (!valid(&xt)) {
                add_err(V, r, "condition_then", ctx, "Must validate \"then\" as \"if\" was valid");
                merge(r, &xt);
            }
        }
        if (s->else_ && !valid(&xi)) {
            jres xe = sub(V, s->else_, doc, ctx);
            if (!valid(&xe)) {
                add_err(V, r, "condition_else", ctx,
                        "Must validate \"else\" as \"if\" was not valid");
                merge(r, &xe);
            }
        }
    }
    r->score++;
}

static void v_common(jv *V, const js_node *s, const val_t *doc, jres *r, const jctx *ctx) {
    const char *vs = NULL;
    if (s->const_json || s->nenum) {
        vs = js_norm_json(V->a, doc);
        if (!vs) {
            V->oom = 1;
            return;
        }
    }
    if (s->const_json && strcmp(vs, s->const_json))
        add_err(V, r, "const", ctx, "%s does not match: %s", field_of(V, ctx), s->const_json);
    if (s->nenum) {
        bool found = false;
        for (size_t i = 0; i < s->nenum && !found; i++)
            found = !strcmp(vs, s->enum_json[i]);
        if (!found) {
            rb_sb b;
            rb_sb_init(&b, V->a, 64);
            for (size_t i = 0; i < s->nenum; i++) {
                if (i) rb_sb_puts(&b, ", ");
                rb_sb_puts(&b, s->enum_json[i]);
            }
            rb_sb_putc(&b, '\0');
            if (b.oom) {
                V->oom = 1;
                return;
            }
            add_err(V, r, "enum", ctx, "%s must be one of the following: %s", field_of(V, ctx),
                    b.p);
        }
    }
    if (s->format && !js_format_ok(s->format, doc))
        add_err(V, r, "format", ctx, "Does not match format '%s'", s->format);
    r->score++;
}

static jctx index_ctx(jv *V, const jctx *parent, size_t i) {
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%zu", i);
    char *s = gh_arena_strndup(V->a, buf, (size_t)n);
    if (!s) V->oom = 1;
    return (jctx){parent, s ? s : "", s ? (size_t)n : 0};
}

/* Last index of each normalized item, for uniqueItems. */
typedef struct uslot {
    const char *s;
    size_t idx;
} uslot;

static void v_unique(jv *V, const val_t *arr, jres *r, const jctx *ctx) {
    size_t n = val_arr_len(arr), cap = 16;
    while (cap < n * 2)
        cap *= 2;
    uslot *tab = gh_arena_calloc(V->a, cap * sizeof *tab);
    if (!tab) {
        V->oom = 1;
        return;
    }
    for (size_t j = 0; j < n; j++) {
        const char *s = js_norm_json(V->a, val_arr_at(arr, j));
        if (!s) {
            V->oom = 1;
            return;
        }
        size_t h = (size_t)gh_hash(s, strlen(s)) & (cap - 1);
        while (tab[h].s && strcmp(tab[h].s, s))
            h = (h + 1) & (cap - 1);
        if (tab[h].s)
            add_err(V, r, "unique", ctx, "array items[%zu,%zu] must be unique", tab[h].idx, j);
        tab[h].s = s;
        tab[h].idx = j;
    }
}

static void v_array(jv *V, const js_node *s, const val_t *arr, jres *r, const jctx *ctx) {
    size_t n = val_arr_len(arr);
    if (s->items_single) {
        for (size_t i = 0; i < n && !V->oom; i++) {
            jctx c = index_ctx(V, ctx, i);
            jres x = sub(V, s->items[0], val_arr_at(arr, i), &c);
            merge(r, &x);
        }
    } else if (s->nitems) {
        size_t k = s->nitems;
        for (size_t i = 0; i < k && i < n && !V->oom; i++) {
            jctx c = index_ctx(V, ctx, i);
            jres x = sub(V, s->items[i], val_arr_at(arr, i), &c);
            merge(r, &x);
        }
        if (k < n) {
            if (s->addl_items == 1) {
                add_err(V, r, "array_no_additional_items", ctx,
                        "No additional items allowed on array");
            } else if (s->addl_items == 3) {
                for (size_t i = k; i < n && !V->oom; i++) {
                    jctx c = index_ctx(V, ctx, i);
                    jres x = sub(V, s->addl_items_s, val_arr_at(arr, i), &c);
                    merge(r, &x);
                }
            }
        }
    }
    if (s->min_items >= 0 && (int64_t)n < s->min_items)
        add_err(V, r, "array_min_items", ctx, "Array must have at least %lld items",
                (long long)s->min_items);
    if (s->max_items >= 0 && (int64_t)n > s->max_items)
        add_err(V, r, "array_max_items", ctx, "Array must have at most %lld items",
                (long long)s->max_items);
    if (s->unique) v_unique(V, arr, r, ctx);
    if (s->contains) {
        bool ok = false;
        jres best = {0};
        bool have_best = false;
        for (size_t i = 0; i < n && !V->oom; i++) {
            jctx c = index_ctx(V, ctx, i);
            jres x = sub(V, s->contains, val_arr_at(arr, i), &c);
            if (valid(&x)) {
                ok = true;
                break;
            }
            if (!have_best || x.score > best.score) {
                best = x;
                have_best = true;
            }
        }
        if (!ok) {
            add_err(V, r, "contains", ctx, "At least one of the items must match");
            if (have_best) merge(r, &best);
        }
    }
    r->score++;
}

static bool v_pattern_props(jv *V, const js_node *s, const val_t *key, const val_t *value, jres *r,
                            const jctx *ctx) {
    bool matched = false;
    for (size_t i = 0; i < s->npat; i++) {
        gh_err e;
        gh_err_clear(&e);
        const val_t *pk = s->pat_keys[i];
        const rego_re *re;
        int rrc = rego_re_get(val_str_ptr(pk), val_str_len(pk), &re, &e);
        if (rrc) {
            if (rrc == GH_ENOMEM) V->oom = 1;
            continue;
        }
        int m = rego_re_test(re, val_str_ptr(key), val_str_len(key), &e);
        if (m == GH_ENOMEM) V->oom = 1;
        if (m != 1) continue;
        matched = true;
        jctx c = {ctx, val_str_ptr(key), val_str_len(key)};
        jres x = sub(V, s->pats[i], value, &c);
        merge(r, &x);
    }
    if (matched) r->score++;
    return matched;
}

static void v_object(jv *V, const js_node *s, const val_t *obj, jres *r, const jctx *ctx) {
    size_t n = val_obj_len(obj);
    if (s->min_props >= 0 && (int64_t)n < s->min_props)
        add_err(V, r, "array_min_properties", ctx, "Must have at least %lld properties",
                (long long)s->min_props);
    if (s->max_props >= 0 && (int64_t)n > s->max_props)
        add_err(V, r, "array_max_properties", ctx, "Must have at most %lld properties",
                (long long)s->max_props);
    for (size_t i = 0; i < s->nreq; i++) {
        if (obj_has(obj, s->req[i]))
            r->score++;
        else
            add_err(V, r, "required", ctx, "%s is required", val_str_ptr(s->req[i]));
    }
    for (size_t i = 0; i < n && !V->oom; i++) {
        const val_t *k = val_obj_key_at(obj, i), *v = val_obj_val_at(obj, i);
        bool found = false;
        for (size_t p = 0; p < s->nprops && !found; p++)
            found = val_equal(s->prop_keys[p], k);
        bool pp = v_pattern_props(V, s, k, v, r, ctx);
        if (found || pp) continue;
        if (s->addl_props == 1) {
            add_err(V, r, "additional_property_not_allowed", ctx,
                    "Additional property %s is not allowed", val_str_ptr(k));
        } else if (s->addl_props == 3) {
            jctx c = {ctx, val_str_ptr(k), val_str_len(k)};
            jres x = sub(V, s->addl_props_s, v, &c);
            merge(r, &x);
        }
    }
    if (s->prop_names) {
        for (size_t i = 0; i < n && !V->oom; i++) {
            const val_t *k = val_obj_key_at(obj, i);
            jres x = sub(V, s->prop_names, k, ctx);
            if (!valid(&x)) {
                add_err(V, r, "invalid_property_name", ctx,
                        "Property name of \"%s\" does not match", val_str_ptr(k));
                merge(r, &x);
            }
        }
    }
    r->score++;
}

static void v_string(jv *V, const js_node *s, const val_t *str, jres *r, const jctx *ctx) {
    size_t runes = rb_u8_count(val_str_ptr(str), val_str_len(str));
    if (s->min_len >= 0 && (int64_t)runes < s->min_len)
        add_err(V, r, "string_gte", ctx, "String length must be greater than or equal to %lld",
                (long long)s->min_len);
    if (s->max_len >= 0 && (int64_t)runes > s->max_len)
        add_err(V, r, "string_lte", ctx, "String length must be less than or equal to %lld",
                (long long)s->max_len);
    r->score++;
}

static void v_number(jv *V, const js_node *s, const val_t *num, jres *r, const jctx *ctx) {
    if (s->multiple_of && !multiple_ok(num, s->multiple_of))
        add_err(V, r, "multiple_of", ctx, "Must be a multiple of %s", num_text(V, s->multiple_of));
    if (s->maximum && val_compare(num, s->maximum) > 0)
        add_err(V, r, "number_lte", ctx, "Must be less than or equal to %s",
                num_text(V, s->maximum));
    if (s->excl_max && val_compare(num, s->excl_max) >= 0)
        add_err(V, r, "number_lt", ctx, "Must be less than %s", num_text(V, s->excl_max));
    if (s->minimum && val_compare(num, s->minimum) < 0)
        add_err(V, r, "number_gte", ctx, "Must be greater than or equal to %s",
                num_text(V, s->minimum));
    if (s->excl_min && val_compare(num, s->excl_min) <= 0)
        add_err(V, r, "number_gt", ctx, "Must be greater than %s", num_text(V, s->excl_min));
    r->score++;
}

static void vrec(jv *V, const js_node *s, const val_t *doc, jres *r, const jctx *ctx) {
    if (V->oom || V->too_deep) return;
    if (++V->depth > JS_MAX_NEST) {
        V->too_deep = true;
        V->depth--;
        return;
    }
    for (int hops = 0; s->pass < 0 && s->has_ref; hops++) {
        if (hops == JS_MAX_REF_HOPS || !s->ref) goto done; /* a pure cycle accepts anything */
        s = s->ref;
    }
    if (s->pass >= 0) {
        if (!s->pass) add_err(V, r, "false", ctx, "False always fails validation");
        goto done;
    }
    int t;
    switch (val_kind_of(doc)) {
    case VAL_NULL: t = JT_NULL; break;
    case VAL_BOOL: t = JT_BOOLEAN; break;
    case VAL_NUMBER: t = val_num_is_integral(doc) ? JT_INTEGER : JT_NUMBER; break;
    case VAL_STRING: t = JT_STRING; break;
    case VAL_OBJECT: t = JT_OBJECT; break;
    default: t = JT_ARRAY; break;
    }
    if (s->ntypes) {
        bool ok = has_type(s, t) || (t == JT_INTEGER && has_type(s, JT_NUMBER));
        if (!ok) {
            add_err(V, r, "invalid_type", ctx, "Invalid type. Expected: %s, given: %s",
                    types_text(V, s), js_type_names[t]);
            goto done;
        }
    }
    v_schema(V, s, doc, r, ctx);
    switch (t) {
    case JT_INTEGER:
    case JT_NUMBER:
        v_number(V, s, doc, r, ctx);
        v_common(V, s, doc, r, ctx);
        break;
    case JT_STRING:
        v_common(V, s, doc, r, ctx);
        v_string(V, s, doc, r, ctx);
        break;
    case JT_ARRAY:
        v_array(V, s, doc, r, ctx);
        v_common(V, s, doc, r, ctx);
        break;
    case JT_OBJECT:
        v_object(V, s, doc, r, ctx);
        v_common(V, s, doc, r, ctx);
        for (size_t p = 0; p < s->nprops && !V->oom; p++) {
            const val_t *v = val_obj_get(doc, s->prop_keys[p]);
            if (!v) continue;
            jctx c = {ctx, val_str_ptr(s->prop_keys[p]), val_str_len(s->prop_keys[p])};
            vrec(V, s->props[p], v, r, &c);
        }
        break;
    default: v_common(V, s, doc, r, ctx); break;
    }
    r->score++;
done:
    V->depth--;
}

static int put_kv(gh_arena *a, val_t *o, const char *k, const char *v) {
    val_t *key = val_strc(a, k), *val = val_strc(a, v);
    return key && val ? val_obj_put(a, o, key, val) : GH_ENOMEM;
}

int js_validate(gh_arena *a, const js_node *schema, const val_t *doc, val_t **errors, rb_sb *msg) {
    jv V = {.a = a};
    jctx root = {NULL, "", 0};
    jres r = {NULL, NULL, 0};
    vrec(&V, schema, doc, &r, &root);
    if (V.oom) return GH_ENOMEM;
    if (V.too_deep) {
        rb_sb_puts(msg, "jsonschema: validation nested too deeply (recursive schema?)");
        return GH_ELIMIT;
    }
    size_t n = 0;
    for (jerr *e = r.head; e; e = e->next)
        n++;
    val_t *arr = val_arr_new(a, n);
    if (!arr) return GH_ENOMEM;
    for (jerr *e = r.head; e; e = e->next) {
        const char *field = e->field;
        char *full = gh_arena_printf(a, "%s: %s", field, e->desc);
        val_t *o = val_obj_new(a, 4);
        if (V.oom || !full || !o || put_kv(a, o, "desc", e->desc) || put_kv(a, o, "error", full) ||
            put_kv(a, o, "field", field) || put_kv(a, o, "type", e->type) ||
            val_arr_push(a, arr, o))
            return GH_ENOMEM;
    }
    *errors = arr;
    return 0;
}
