/* graphql_validate.c - validates a query document against a schema the way
 * gqlparser's validator.Validate does: one walk over every operation, then
 * every fragment definition, resolving each field, directive, argument and
 * value against the schema, and calling the default rules at each node in
 * the order gqlparser registers them (its rule files in name order), so
 * errors come out in the same order with the same texts. The value,
 * fragment-cycle and overlapping-field rules live in graphql_rules.c.
 * Called by graphql.c. Recursion is bounded by GQ_MAX_WALK_DEPTH and the
 * total work by GQ_MAX_WORK. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/graphql_int.h"

static void fail_limit(gq_walker *w, const char *what) {
    if (w->failed) return;
    w->failed = true;
    w->e->code = GH_ELIMIT;
    w->e->pos = (gq_pos){0, 0};
    w->e->msg = gh_arena_printf(w->a, "GraphQL validation exceeds its %s limit", what);
    if (!w->e->msg) w->e->code = GH_ENOMEM;
}

static void fail_oom(gq_walker *w) {
    if (w->failed) return;
    w->failed = true;
    w->e->code = GH_ENOMEM;
    w->e->msg = NULL;
}

bool gq_spend(gq_walker *w, uint64_t units) {
    if (w->failed) return false;
    w->work += units;
    if (w->work > GQ_MAX_WORK) {
        fail_limit(w, "work");
        return false;
    }
    if (w->a->oom) {
        fail_oom(w);
        return false;
    }
    return true;
}

bool gq_enter(gq_walker *w) {
    if (w->failed) return false;
    if (++w->depth > GQ_MAX_WALK_DEPTH) {
        w->depth--;
        fail_limit(w, "nesting");
        return false;
    }
    return true;
}

void gq_report(gq_walker *w, rb_sb *b, gq_pos pos) {
    rb_sb_putc(b, '\0');
    if (b->oom) {
        fail_oom(w);
        return;
    }
    gq_msg *m = gh_arena_alloc(w->a, sizeof *m);
    if (!m || gq_push(w->a, w->errs, m)) {
        fail_oom(w);
        return;
    }
    m->msg = b->p;
    m->pos = pos;
}

void gq_errf(gq_walker *w, gq_pos pos, const char *fmt, ...) {
    if (w->failed) return;
    rb_sb b;
    rb_sb_init(&b, w->a, 128);
    va_list ap;
    va_start(ap, fmt);
    gq_vfmt(&b, fmt, ap);
    va_end(ap);
    gq_report(w, &b, pos);
}

/* ---- lookups ------------------------------------------------------------------------ */

static gq_def *type_def(gq_walker *w, gh_str name) { return gq_map_get(&w->s->types, name); }

static gq_fielddef *field_named(const gq_vec *fields, gh_str name) {
    for (uint32_t i = 0; i < fields->n; i++) {
        gq_fielddef *f = fields->v[i];
        if (gq_eq(f->name, name)) return f;
    }
    return NULL;
}

/* def's field called name (the first, as FieldList.ForName); types with
 * many fields get an index on first use so lookups stay constant time. */
static gq_fielddef *def_field(gq_walker *w, gq_def *def, gh_str name) {
    if (def->fields.n <= 16) return field_named(&def->fields, name);
    if (!def->field_index) {
        gq_map *m = gh_arena_calloc(w->a, sizeof *m);
        if (!m) return field_named(&def->fields, name);
        for (uint32_t i = 0; i < def->fields.n; i++) {
            gq_fielddef *f = def->fields.v[i];
            if (!gq_map_get(m, f->name) && gq_map_put(w->a, m, f->name, f))
                return field_named(&def->fields, name);
        }
        def->field_index = m;
    }
    return gq_map_get(def->field_index, name);
}

static gq_vardef *var_named(const gq_op *op, gh_str name) {
    for (uint32_t i = 0; i < op->vars.n; i++) {
        gq_vardef *d = op->vars.v[i];
        if (gq_eq(d->var, name)) return d;
    }
    return NULL;
}

static gq_frag *frag_named(const gq_qdoc *q, gh_str name) {
    for (uint32_t i = 0; i < q->frags.n; i++) {
        gq_frag *f = q->frags.v[i];
        if (gq_eq(f->name, name)) return f;
    }
    return NULL;
}

static bool is_leaf(const gq_def *d) { return d->kind == GQ_K_ENUM || d->kind == GQ_K_SCALAR; }
static bool is_abstract(const gq_def *d) {
    return d->kind == GQ_K_INTERFACE || d->kind == GQ_K_UNION;
}
static bool is_composite(const gq_def *d) {
    return d->kind == GQ_K_OBJECT || d->kind == GQ_K_INTERFACE || d->kind == GQ_K_UNION;
}
static bool is_input(const gq_def *d) {
    return d->kind == GQ_K_SCALAR || d->kind == GQ_K_ENUM || d->kind == GQ_K_INPUT;
}

/* A set of names (value unused) for rule bookkeeping. */
static bool set_has(const gq_map *m, gh_str k) { return gq_map_get(m, k) != NULL; }
static void set_add(gq_walker *w, gq_map *m, gh_str k) {
    if (gq_map_put(w->a, m, k, (void *)1)) fail_oom(w);
}

/* ---- rules at fields ------------------------------------------------------------------ */

static int cmp_suggested(gq_map *usage, gh_str a, gh_str b) {
    uintptr_t ua = (uintptr_t)gq_map_get(usage, a), ub = (uintptr_t)gq_map_get(usage, b);
    if (ua != ub) return ua > ub ? -1 : 1;
    size_t n = a.n < b.n ? a.n : b.n;
    int r = n ? memcmp(a.p, b.p, n) : 0;
    if (r) return r;
    return a.n < b.n ? -1 : a.n > b.n;
}

/* FieldsOnCorrectType's getSuggestedTypeNames: types below an abstract
 * parent that have the field, interfaces by how many types use them. */
static gq_vec suggested_types(gq_walker *w, const gq_def *parent, gh_str name) {
    gq_vec out = {0}, objs = {0};
    if (!is_abstract(parent)) return out;
    gq_map usage = {0};
    const gq_vec *pts = gq_possible(w->s, parent);
    for (uint32_t i = 0; i < pts->n; i++) {
        gq_def *pt = pts->v[i];
        if (!pt || !def_field(w, pt, name)) continue;
        if (gq_push(w->a, &objs, &pt->name)) fail_oom(w);
        for (uint32_t k = 0; k < pt->ifaces.n; k++) {
            gh_str *in = pt->ifaces.v[k];
            gq_def *id = type_def(w, *in);
            if (!id || !def_field(w, id, name)) continue;
            uintptr_t u = (uintptr_t)gq_map_get(&usage, *in);
            if (!u && gq_push(w->a, &out, in)) fail_oom(w);
            if (gq_map_put(w->a, &usage, *in, (void *)(u + 1))) fail_oom(w);
        }
    }
    for (uint32_t i = 0; i < objs.n; i++)
        if (gq_push(w->a, &out, objs.v[i])) fail_oom(w);
    /* stable insertion sort: most used interfaces first, then by name */
    for (uint32_t i = 1; i < out.n; i++) {
        void *x = out.v[i];
        uint32_t j = i;
        while (j > 0 && cmp_suggested(&usage, *(gh_str *)x, *(gh_str *)out.v[j - 1]) < 0) {
            out.v[j] = out.v[j - 1];
            j--;
        }
        out.v[j] = x;
    }
    return out;
}

static void names_of(gq_walker *w, const gq_vec *defs, gq_vec *out) {
    for (uint32_t i = 0; i < defs->n; i++)
        if (gq_push(w->a, out, &((gq_fielddef *)defs->v[i])->name)) fail_oom(w);
}

static void rule_fields_on_correct_type(gq_walker *w, gq_sel *f) {
    if (!f->objdef || f->fdef) return;
    rb_sb b;
    rb_sb_init(&b, w->a, 128);
    gq_fmt(&b, "Cannot query field \"%S\" on type \"%S\".", &f->name, &f->objdef->name);
    gq_vec types = suggested_types(w, f->objdef, f->name);
    if (types.n) {
        rb_sb_puts(&b, " Did you mean to use an inline fragment on ");
        gq_or_list(&b, &types, true);
        rb_sb_putc(&b, '?');
    } else if (f->objdef->kind == GQ_K_OBJECT || f->objdef->kind == GQ_K_INTERFACE) {
        gq_vec names = {0};
        names_of(w, &f->objdef->fields, &names);
        gq_append_suggestions(w, &b, "Did you mean", f->name, &names, true);
    }
    gq_report(w, &b, f->pos);
}

static void known_args(gq_walker *w, const gq_vec *args, const gq_vec *defs, const gq_sel *f,
                       const gq_dir *d) {
    for (uint32_t i = 0; i < args->n; i++) {
        gq_arg *arg = args->v[i];
        if (field_named(defs, arg->name)) continue;
        gq_vec names = {0};
        names_of(w, defs, &names);
        rb_sb b;
        rb_sb_init(&b, w->a, 128);
        if (f)
            gq_fmt(&b, "Unknown argument \"%S\" on field \"%S.%S\".", &arg->name, &f->objdef->name,
                   &f->name);
        else
            gq_fmt(&b, "Unknown argument \"%S\" on directive \"@%S\".", &arg->name, &d->name);
        gq_append_suggestions(w, &b, "Did you mean", arg->name, &names, true);
        gq_report(w, &b, f ? f->pos : d->pos);
    }
}

static bool has_arg(const gq_vec *args, gh_str name) {
    for (uint32_t i = 0; i < args->n; i++)
        if (gq_eq(((gq_arg *)args->v[i])->name, name)) return true;
    return false;
}

static void required_args(gq_walker *w, const gq_vec *defs, const gq_vec *args, const gq_sel *f,
                          const gq_dir *d, const gq_dirdef *dd) {
    for (uint32_t i = 0; i < defs->n; i++) {
        gq_fielddef *ad = defs->v[i];
        if (!ad->type || !ad->type->nonnull || ad->defval || has_arg(args, ad->name)) continue;
        if (f)
            gq_errf(w, f->pos,
                    "Field \"%S\" argument \"%S\" of type \"%T\" is required, but it was not "
                    "provided.",
                    &f->name, &ad->name, ad->type);
        else
            gq_errf(w, d->pos,
                    "Directive \"@%S\" argument \"%S\" of type \"%T\" is required, but it was not "
                    "provided.",
                    &dd->name, &ad->name, ad->type);
    }
}

static void rule_scalar_leafs(gq_walker *w, gq_sel *f) {
    if (!f->fdef) return;
    gq_def *t = type_def(w, gq_type_name(f->fdef->type));
    if (!t) return;
    if (is_leaf(t) && f->sel.n)
        gq_errf(w, f->pos,
                "Field \"%S\" must not have a selection since type \"%S\" has no subfields.",
                &f->name, &t->name);
    if (!is_leaf(t) && !f->sel.n)
        gq_errf(w, f->pos,
                "Field \"%S\" of type \"%T\" must have a selection of subfields. Did you mean "
                "\"%S { ... }\"?",
                &f->name, f->fdef->type, &f->name);
}

static void unique_args(gq_walker *w, const gq_vec *args) {
    if (args->n < 2) return;
    gq_map count = {0};
    for (uint32_t i = 0; i < args->n; i++) {
        gq_arg *arg = args->v[i];
        uintptr_t c = (uintptr_t)gq_map_get(&count, arg->name);
        if (c == 1)
            gq_errf(w, arg->pos, "There can be only one argument named \"%S\".", &arg->name);
        if (gq_map_put(w->a, &count, arg->name, (void *)(c + 1))) fail_oom(w);
    }
}

static void on_field(gq_walker *w, gq_sel *f) {
    rule_fields_on_correct_type(w, f);
    if (f->fdef && f->objdef) known_args(w, &f->args, &f->fdef->args, f, NULL);
    if (w->cur_op) gq_rule_overlap(w, &f->sel);
    if (f->fdef) required_args(w, &f->fdef->args, &f->args, f, NULL, NULL);
    rule_scalar_leafs(w, f);
    unique_args(w, &f->args);
}

/* ---- rules at directives ---------------------------------------------------------------- */

static void on_directive(gq_walker *w, gq_dir *d) {
    if (d->def) known_args(w, &d->args, &d->def->args, NULL, d);
    if (!d->def) {
        gq_errf(w, d->pos, "Unknown directive \"@%S\".", &d->name);
    } else {
        bool ok = false;
        for (uint32_t i = 0; i < d->def->locs.n && !ok; i++)
            ok = gq_eqc(*(gh_str *)d->def->locs.v[i], d->location);
        if (!ok) {
            char *key = gh_arena_printf(w->a, "%d:%d:%.*s", d->pos.line, d->pos.col, (int)d->name.n,
                                        d->name.p);
            gh_str k = {key, key ? strlen(key) : 0};
            if (!key) {
                fail_oom(w);
            } else if (!set_has(&w->kd_seen, k)) {
                gq_errf(w, d->pos, "Directive \"@%S\" may not be used on %s.", &d->name,
                        d->location);
                set_add(w, &w->kd_seen, k);
            }
        }
    }
    if (d->def) required_args(w, &d->def->args, &d->args, NULL, d, d->def);
    unique_args(w, &d->args);
}

static void on_directive_list(gq_walker *w, const gq_vec *dirs) {
    if (dirs->n < 2) return;
    gq_map seen = {0};
    for (uint32_t i = 0; i < dirs->n; i++) {
        gq_dir *d = dirs->v[i];
        if (!gq_eqc(d->name, "repeatable") && set_has(&seen, d->name))
            gq_errf(w, d->pos, "The directive \"@%S\" can only be used once at this location.",
                    &d->name);
        set_add(w, &seen, d->name);
    }
}

/* ---- rules at values --------------------------------------------------------------------- */

static void on_value(gq_walker *w, gq_value *v) {
    if (w->cur_op && v->kind == GQ_VAR && !v->vardef) {
        if (w->cur_op->name.n)
            gq_errf(w, v->pos, "Variable \"%V\" is not defined by operation \"%S\".", v,
                    &w->cur_op->name);
        else
            gq_errf(w, v->pos, "Variable \"%V\" is not defined.", v);
    }
    if (v->kind == GQ_OBJECT && v->children.n > 1) {
        gq_map seen = {0};
        for (uint32_t i = 0; i < v->children.n; i++) {
            gq_child *c = v->children.v[i];
            if (set_has(&seen, c->name))
                gq_errf(w, c->pos, "There can be only one input field named \"%S\".", &c->name);
            set_add(w, &seen, c->name);
        }
    }
    gq_rule_values(w, v);
    if (v->kind == GQ_VAR && v->expected && v->vardef && w->cur_op) {
        gq_type tmp = *v->expected;
        gq_value *dv = v->vardef->defval;
        if (dv && dv->kind != GQ_NULL && v->expected->nonnull) tmp.nonnull = false;
        if (!gq_type_compatible(v->vardef->type, &tmp))
            gq_errf(w, v->pos,
                    "Variable \"%V\" of type \"%T\" used in position expecting type \"%T\".", v,
                    v->vardef->type, v->expected);
    }
}

/* ---- the walk ------------------------------------------------------------------------------ */

static void walk_value(gq_walker *w, gq_value *v) {
    if (!v || !gq_spend(w, 1) || !gq_enter(w)) return;
    if (v->kind == GQ_VAR && w->cur_op) {
        v->vardef = var_named(w->cur_op, v->raw);
        if (v->vardef) v->vardef->used = true;
    }
    if (v->kind == GQ_OBJECT) {
        for (uint32_t i = 0; i < v->children.n; i++) {
            gq_child *c = v->children.v[i];
            if (!c->value) continue;
            if (v->def) {
                gq_fielddef *fd = def_field(w, v->def, c->name);
                if (fd) {
                    c->value->expected = fd->type;
                    c->value->def = type_def(w, gq_type_name(fd->type));
                }
            }
            walk_value(w, c->value);
        }
    }
    if (v->kind == GQ_LIST) {
        for (uint32_t i = 0; i < v->children.n; i++) {
            gq_child *c = v->children.v[i];
            if (!c->value) continue;
            if (v->expected && v->expected->elem) {
                c->value->expected = v->expected->elem;
                c->value->def = v->def;
            }
            walk_value(w, c->value);
        }
    }
    on_value(w, v);
    gq_leave(w);
}

static void walk_argument(gq_walker *w, const gq_fielddef *ad, gq_arg *arg) {
    if (!arg->value) return;
    if (ad) {
        arg->value->expected = ad->type;
        arg->value->def = type_def(w, gq_type_name(ad->type));
    }
    walk_value(w, arg->value);
}

static void walk_directives(gq_walker *w, const gq_vec *dirs, const char *loc) {
    for (uint32_t i = 0; i < dirs->n && !w->failed; i++) {
        gq_dir *d = dirs->v[i];
        d->def = gq_map_get(&w->s->dirs, d->name);
        d->location = loc;
        for (uint32_t k = 0; k < d->args.n; k++) {
            gq_arg *arg = d->args.v[k];
            walk_argument(w, d->def ? field_named(&d->def->args, arg->name) : NULL, arg);
        }
        on_directive(w, d);
    }
    on_directive_list(w, dirs);
}

static void walk_selection_set(gq_walker *w, gq_def *parent, const gq_vec *sel);

/* PossibleFragmentSpreads: could an object of type parent ever be of the
 * fragment's type frag? (Unknown or non-composite types are other rules'.) */
static bool spread_possible(gq_walker *w, const gq_def *parent, gh_str frag) {
    if (!parent) return true;
    const gq_vec *pdefs = NULL;
    if (parent->kind == GQ_K_INTERFACE || parent->kind == GQ_K_UNION)
        pdefs = gq_possible(w->s, parent);
    else if (parent->kind != GQ_K_OBJECT)
        return true;
    gq_def *fd = type_def(w, frag);
    if (!fd || !is_composite(fd)) return true;
    const gq_vec *fdefs = gq_possible(w->s, fd);
    for (uint32_t i = 0; i < fdefs->n; i++) {
        gq_def *x = fdefs->v[i];
        if (!x) continue;
        if (!pdefs) {
            if (gq_eq(x->name, parent->name)) return true;
            continue;
        }
        for (uint32_t k = 0; k < pdefs->n; k++) {
            gq_def *y = pdefs->v[k];
            if (y && gq_eq(x->name, y->name)) return true;
        }
    }
    return false;
}

/* The field every selection set may ask for (the walker's synthetic one). */
static gq_type typename_type = {.named = {"String", 6}};
static gq_fielddef typename_def = {
    .name = {"__typename", 10}, .desc = {"", 0}, .type = &typename_type};

static void walk_field(gq_walker *w, gq_def *parent, gq_sel *s) {
    gq_fielddef *def = NULL;
    if (gq_eqc(s->name, "__typename"))
        def = &typename_def;
    else if (parent)
        def = def_field(w, parent, s->name);
    s->fdef = def;
    s->objdef = parent;
    gq_def *next = def ? type_def(w, gq_type_name(def->type)) : NULL;
    for (uint32_t i = 0; i < s->args.n; i++) {
        gq_arg *arg = s->args.v[i];
        walk_argument(w, def ? field_named(&def->args, arg->name) : NULL, arg);
    }
    walk_directives(w, &s->dirs, "FIELD");
    walk_selection_set(w, next, &s->sel);
    if (!w->failed) on_field(w, s);
}

static void walk_inline(gq_walker *w, gq_def *parent, gq_sel *s) {
    s->objdef = parent;
    gq_def *next = s->typecond.n ? type_def(w, s->typecond) : parent;
    walk_directives(w, &s->dirs, "INLINE_FRAGMENT");
    walk_selection_set(w, next, &s->sel);
    if (w->failed) return;
    /* FragmentsOnCompositeTypes, KnownTypeNames, OverlappingFields..., PossibleFragmentSpreads */
    gq_def *ft = type_def(w, s->typecond);
    if (ft && !is_composite(ft))
        gq_errf(w, s->pos, "Fragment cannot condition on non composite type \"%S\".", &s->typecond);
    if (s->typecond.n && !ft) gq_errf(w, s->pos, "Unknown type \"%S\".", &s->typecond);
    gq_rule_overlap(w, &s->sel);
    if (!spread_possible(w, parent, s->typecond))
        gq_errf(w, s->pos,
                "Fragment cannot be spread here as objects of type \"%S\" can never be of type "
                "\"%S\".",
                &parent->name, &s->typecond);
}

static void walk_spread(gq_walker *w, gq_def *parent, gq_sel *s) {
    gq_frag *def = frag_named(w->doc, s->name);
    s->frag = def;
    s->objdef = parent;
    gq_def *next = def ? type_def(w, def->typecond) : NULL;
    walk_directives(w, &s->dirs, "FRAGMENT_SPREAD");
    if (def && !set_has(&w->validated, def->name)) {
        set_add(w, &w->validated, def->name);
        walk_selection_set(w, next, &def->sel);
    }
    if (w->failed) return;
    /* KnownFragmentNames, NoUnusedFragments, PossibleFragmentSpreads */
    if (!def) gq_errf(w, s->pos, "Unknown fragment \"%S\".", &s->name);
    if (!w->in_fragment_def) set_add(w, &w->frag_used, s->name);
    if (def && !spread_possible(w, parent, def->typecond))
        gq_errf(w, s->pos,
                "Fragment \"%S\" cannot be spread here as objects of type \"%S\" can never be of "
                "type \"%S\".",
                &s->name, &parent->name, &def->typecond);
}

static void walk_selection_set(gq_walker *w, gq_def *parent, const gq_vec *sel) {
    if (!sel->n || !gq_enter(w)) return;
    for (uint32_t i = 0; i < sel->n && gq_spend(w, 1); i++) {
        gq_sel *s = sel->v[i];
        if (s->kind == GQ_SEL_FIELD)
            walk_field(w, parent, s);
        else if (s->kind == GQ_SEL_INLINE)
            walk_inline(w, parent, s);
        else
            walk_spread(w, parent, s);
    }
    gq_leave(w);
}

/* SingleFieldSubscriptions' retrieveTopFieldNames: top-level fields through
 * inline fragments and (once each) named fragments; a spread of an unknown
 * fragment ends the scan of its selection set, as in gqlparser. */
static void top_fields(gq_walker *w, const gq_vec *sel, gq_vec *out, gq_map *seen_frags) {
    if (!gq_enter(w)) return;
    for (uint32_t i = 0; i < sel->n; i++) {
        gq_sel *s = sel->v[i];
        if (s->kind == GQ_SEL_FIELD) {
            if (gq_push(w->a, out, s)) fail_oom(w);
        } else if (s->kind == GQ_SEL_INLINE) {
            top_fields(w, &s->sel, out, seen_frags);
        } else {
            if (!s->frag) break;
            if (!set_has(seen_frags, s->frag->name)) {
                set_add(w, seen_frags, s->frag->name);
                top_fields(w, &s->frag->sel, out, seen_frags);
            }
        }
    }
    gq_leave(w);
}

static void rule_single_field_subscription(gq_walker *w, gq_op *op) {
    if (!w->s->subscription || !gq_eqc(op->op, "subscription")) return;
    gq_vec all = {0}, fields = {0};
    gq_map seen_frags = {0}, seen = {0};
    top_fields(w, &op->sel, &all, &seen_frags);
    for (uint32_t i = 0; i < all.n; i++) {
        gq_sel *f = all.v[i];
        if (!set_has(&seen, f->name) && gq_push(w->a, &fields, f)) fail_oom(w);
        set_add(w, &seen, f->name);
    }
    rb_sb name;
    rb_sb_init(&name, w->a, 32);
    if (op->name.n) {
        rb_sb_puts(&name, "Subscription ");
        rb_go_quote_sb(&name, op->name.p, op->name.n, false);
    } else {
        rb_sb_puts(&name, "Anonymous Subscription");
    }
    rb_sb_putc(&name, '\0');
    if (name.oom) {
        fail_oom(w);
        return;
    }
    if (fields.n > 1)
        gq_errf(w, ((gq_sel *)fields.v[1])->pos, "%s must select only one top level field.",
                name.p);
    for (uint32_t i = 0; i < fields.n; i++) {
        gq_sel *f = fields.v[i];
        if (f->name.n >= 2 && f->name.p[0] == '_' && f->name.p[1] == '_')
            gq_errf(w, f->pos, "%s must not select an introspection top level field.", name.p);
    }
}

static void on_operation(gq_walker *w, gq_op *op) {
    /* KnownRootType */
    gq_def *root = NULL;
    bool known = true;
    if (!op->op.n || gq_eqc(op->op, "query"))
        root = w->s->query;
    else if (gq_eqc(op->op, "mutation"))
        root = w->s->mutation;
    else if (gq_eqc(op->op, "subscription"))
        root = w->s->subscription;
    else
        known = false;
    if (!known)
        gq_errf(w, op->pos, "got unknown operation type \"%S\"", &op->op);
    else if (!root)
        gq_errf(w, op->pos, "Schema does not support operation type \"%S\"", &op->op);
    /* LoneAnonymousOperation */
    if (!op->name.n && w->doc->ops.n > 1)
        gq_errf(w, op->pos, "This anonymous operation must be the only defined operation.");
    /* NoUnusedVariables */
    for (uint32_t i = 0; i < op->vars.n; i++) {
        gq_vardef *d = op->vars.v[i];
        if (d->used) continue;
        if (op->name.n)
            gq_errf(w, d->pos, "Variable \"$%S\" is never used in operation \"%S\".", &d->var,
                    &op->name);
        else
            gq_errf(w, d->pos, "Variable \"$%S\" is never used.", &d->var);
    }
    gq_rule_overlap(w, &op->sel);
    rule_single_field_subscription(w, op);
    /* UniqueOperationNames */
    if (set_has(&w->op_names, op->name))
        gq_errf(w, op->pos, "There can be only one operation named \"%S\".", &op->name);
    set_add(w, &w->op_names, op->name);
    /* UniqueVariableNames */
    if (op->vars.n > 1) {
        gq_map count = {0};
        for (uint32_t i = 0; i < op->vars.n; i++) {
            gq_vardef *d = op->vars.v[i];
            uintptr_t c = (uintptr_t)gq_map_get(&count, d->var);
            if (c == 1)
                gq_errf(w, d->pos, "There can be only one variable named \"$%S\".", &d->var);
            if (gq_map_put(w->a, &count, d->var, (void *)(c + 1))) fail_oom(w);
        }
    }
    /* VariablesAreInputTypes */
    for (uint32_t i = 0; i < op->vars.n; i++) {
        gq_vardef *d = op->vars.v[i];
        if (d->def && !is_input(d->def))
            gq_errf(w, d->pos, "Variable \"$%S\" cannot be non-input type \"%T\".", &d->var,
                    d->type);
    }
}

static void walk_operation(gq_walker *w, gq_op *op) {
    w->cur_op = op;
    for (uint32_t i = 0; i < op->vars.n; i++) {
        gq_vardef *d = op->vars.v[i];
        gh_str tn = gq_type_name(d->type);
        d->def = type_def(w, tn);
        if (!d->def) gq_errf(w, d->pos, "Unknown type \"%S\".", &tn); /* KnownTypeNames */
        if (d->defval) {
            d->defval->expected = d->type;
            d->defval->def = d->def;
        }
    }
    gq_def *root = NULL;
    const char *loc = "";
    if (!op->op.n || gq_eqc(op->op, "query")) {
        root = w->s->query;
        loc = "QUERY";
    } else if (gq_eqc(op->op, "mutation")) {
        root = w->s->mutation;
        loc = "MUTATION";
    } else if (gq_eqc(op->op, "subscription")) {
        root = w->s->subscription;
        loc = "SUBSCRIPTION";
    }
    for (uint32_t i = 0; i < op->vars.n; i++) {
        gq_vardef *d = op->vars.v[i];
        if (d->defval) walk_value(w, d->defval);
        walk_directives(w, &d->dirs, "VARIABLE_DEFINITION");
    }
    walk_directives(w, &op->dirs, loc);
    walk_selection_set(w, root, &op->sel);
    if (!w->failed) on_operation(w, op);
    w->cur_op = NULL;
}

static void walk_fragment(gq_walker *w, gq_frag *f) {
    gq_def *def = type_def(w, f->typecond);
    f->def = def;
    walk_directives(w, &f->dirs, "FRAGMENT_DEFINITION");
    walk_selection_set(w, def, &f->sel);
    if (w->failed) return;
    /* FragmentsOnCompositeTypes */
    if (def && f->typecond.n && !is_composite(def))
        gq_errf(w, f->pos, "Fragment \"%S\" cannot condition on non composite type \"%S\".",
                &f->name, &f->typecond);
    /* KnownTypeNames */
    if (!def) {
        gq_vec names = {0};
        for (uint32_t i = 0; i < w->s->types.n; i++)
            if (gq_push(w->a, &names, &w->s->types.keys[i])) fail_oom(w);
        rb_sb b;
        rb_sb_init(&b, w->a, 64);
        gq_fmt(&b, "Unknown type \"%S\".", &f->typecond);
        gq_append_suggestions(w, &b, "Did you mean", f->typecond, &names, true);
        gq_report(w, &b, f->pos);
    }
    gq_rule_cycles(w, f);
    /* NoUnusedFragments */
    w->in_fragment_def = true;
    if (!set_has(&w->frag_used, f->name))
        gq_errf(w, f->pos, "Fragment \"%S\" is never used.", &f->name);
    gq_rule_overlap(w, &f->sel);
    /* UniqueFragmentNames */
    if (set_has(&w->frag_names, f->name))
        gq_errf(w, f->pos, "There can be only one fragment named \"%S\".", &f->name);
    set_add(w, &w->frag_names, f->name);
}

int gq_validate(gh_arena *a, gq_schema *s, gq_qdoc *q, gq_vec *errs, gq_error *e) {
    memset(e, 0, sizeof *e);
    gq_walker w = {.a = a, .s = s, .doc = q, .errs = errs, .e = e};
    for (uint32_t i = 0; i < q->ops.n && !w.failed; i++) {
        memset(&w.validated, 0, sizeof w.validated);
        walk_operation(&w, q->ops.v[i]);
    }
    for (uint32_t i = 0; i < q->frags.n && !w.failed; i++) {
        memset(&w.validated, 0, sizeof w.validated);
        walk_fragment(&w, q->frags.v[i]);
    }
    if (w.failed) return e->code ? e->code : GH_ENOMEM;
    return 0;
}
