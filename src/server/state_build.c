/* state_build.c - builds one immutable srv_snapshot from module sources,
 * base data and the shared Gatekeeper model: parse + compile with the
 * engine, then OPA's path conflict check (no rule may sit at or under a
 * path that holds data). Called by state.c with the writer mutex held; the
 * result is published by state.c. Inputs are borrowed and copied. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/state_int.h"

/* The private part of a snapshot (the public struct comes first). */
typedef struct st_snap {
    srv_snapshot pub;
    st_gk *gk;
    const char **files; /* parse name of each module (pub.mods order), during a build */
} st_snap;

st_gk *st_gk_ref(st_gk *g) {
    if (g) atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
    return g;
}

void st_gk_unref(st_gk *g) {
    if (!g) return;
    if (atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) != 1) return;
    pol_gk_free(g->gk);
    gh_free(g);
}

st_gk *st_snapshot_gk(const srv_snapshot *s) { return ((const st_snap *)s)->gk; }

st_cfg *st_cfg_new(srv_config *cfg, bool owned) {
    st_cfg *h = gh_malloc(sizeof *h);
    if (!h) {
        if (owned) {
            srv_config_free(cfg);
            gh_free(cfg);
        }
        return NULL;
    }
    atomic_init(&h->refs, 1);
    h->owned = owned;
    h->cfg = cfg;
    return h;
}

st_cfg *st_cfg_ref(st_cfg *h) {
    if (h) atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
    return h;
}

void st_cfg_unref(st_cfg *h) {
    if (!h) return;
    if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1) return;
    if (h->owned) {
        srv_config_free(h->cfg);
        gh_free(h->cfg);
    }
    gh_free(h);
}

void st_snapshot_set_cfg(srv_snapshot *s, st_cfg *h) {
    st_cfg_unref(s->cfg_ref);
    s->cfg_ref = st_cfg_ref(h);
    s->cfg = h ? h->cfg : NULL;
}

void st_snapshot_destroy(srv_snapshot *s) {
    if (!s) return;
    st_snap *sp = (st_snap *)s;
    rego_policy_free(s->policy);
    st_gk_unref(sp->gk);
    st_cfg_unref(s->cfg_ref);
    gh_arena_free(&s->arena);
    gh_free(sp);
}

static int cmp_src(const void *a, const void *b) {
    return strcmp(((const st_src *)a)->id, ((const st_src *)b)->id);
}

typedef struct conflict_ctx {
    const val_t *data;
    pol_errors *errs;
} conflict_ctx;

/* OPA's checkDocumentConflicts for one rule node. */
static int conflict_visit(void *ud, val_t *const *keys, uint32_t n, const rego_loc *loc) {
    conflict_ctx *c = ud;
    if (!st_data_nonempty(c->data, keys, n)) return 0;
    gh_buf path;
    gh_buf_init(&path);
    for (uint32_t i = 0; i < n; i++) {
        if (i) gh_buf_putc(&path, '/');
        gh_buf_append(&path, val_str_ptr(keys[i]), val_str_len(keys[i]));
    }
    gh_err e;
    gh_err_clear(&e);
    gh_err_set(&e, GH_ECONFLICT, loc->file, (int)loc->line, (int)loc->col,
               "conflicting rule for data path %s found", path.p ? path.p : "");
    gh_err_set_kind(&e, "rego_compile_error");
    gh_buf_free(&path);
    pol_errors_add_gh(c->errs, &e, NULL, 0);
    return 1; /* OPA stops at the first conflicting node of a branch */
}

/* A new snapshot holding copies of the modules (sorted by id); NULL on OOM. */
static st_snap *snap_new(const st_src *mods, size_t nmods) {
    st_snap *sp = gh_calloc(1, sizeof *sp);
    if (!sp) return NULL;
    srv_snapshot *s = &sp->pub;
    atomic_init(&s->refs, 1);
    gh_arena_init(&s->arena, 0);
    st_src *sorted = gh_malloc((nmods + 1) * sizeof *sorted);
    if (!sorted) goto oom;
    if (nmods) memcpy(sorted, mods, nmods * sizeof *sorted);
    if (nmods > 1) qsort(sorted, nmods, sizeof *sorted, cmp_src);
    s->mods = gh_arena_alloc(&s->arena, (nmods + 1) * sizeof *s->mods);
    sp->files = gh_arena_alloc(&s->arena, (nmods + 1) * sizeof *sp->files);
    if (!s->mods || !sp->files) goto oom;
    for (size_t i = 0; i < nmods; i++) {
        srv_module *m = &s->mods[i];
        m->id = gh_arena_strndup(&s->arena, sorted[i].id, strlen(sorted[i].id));
        m->text = gh_arena_strndup(&s->arena, sorted[i].text, sorted[i].len);
        m->len = sorted[i].len;
        sp->files[i] = sorted[i].file
                           ? gh_arena_strndup(&s->arena, sorted[i].file, strlen(sorted[i].file))
                           : m->id;
        if (!m->id || !m->text || !sp->files[i]) goto oom;
    }
    s->nmods = nmods;
    gh_free(sorted);
    return sp;
oom:
    gh_free(sorted);
    st_snapshot_destroy(s);
    return NULL;
}

/* The checks and fields shared by both ways of making a snapshot; frees s
 * and returns NULL on failure. */
static srv_snapshot *snap_finish(st_snap *sp, st_gk *gk, pol_errors *errs, size_t before) {
    srv_snapshot *s = &sp->pub;
    s->data = (val_t *)rego_policy_data(s->policy);
    conflict_ctx cc = {s->data, errs};
    int rc = rego_policy_rule_paths(s->policy, conflict_visit, &cc);
    if (rc) pol_errors_addf(errs, "%s", gh_strerror(rc));
    if (errs->n != before || errs->oom) {
        st_snapshot_destroy(s);
        return NULL;
    }
    sp->gk = st_gk_ref(gk);
    s->gk = gk ? gk->gk : NULL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->loaded_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return s;
}

srv_snapshot *st_snapshot_build(const srv_config *cfg, const st_src *mods, size_t nmods,
                                const val_t *data, st_gk *gk, pol_errors *errs) {
    size_t before = errs->n;
    st_snap *sp = snap_new(mods, nmods);
    if (!sp) {
        pol_errors_addf(errs, "out of memory");
        return NULL;
    }
    srv_snapshot *s = &sp->pub;
    s->policy = rego_policy_new();
    if (!s->policy) goto oom;
    rego_parse_opts po = {.version = cfg && cfg->v0_compatible ? REGO_V0 : REGO_V1};
    gh_err e;
    for (size_t i = 0; i < s->nmods; i++) {
        gh_err_clear(&e);
        const srv_module *m = &s->mods[i];
        rego_errors list = {0};
        po.errors = &list;
        if (rego_policy_add_module(s->policy, sp->files[i], m->text, m->len, &po, &e)) {
            if (!e.file[0]) gh_err_set_file(&e, sp->files[i]);
            if (list.n)
                pol_errors_add_list(errs, &list, &e, m->text, m->len);
            else
                pol_errors_add_gh(errs, &e, m->text, m->len);
        }
        rego_errors_free(&list);
    }
    po.errors = NULL;
    if (errs->n != before) goto fail;
    gh_err_clear(&e);
    if (data && rego_policy_add_data(s->policy, data, &e)) {
        pol_errors_add_gh(errs, &e, NULL, 0);
        goto fail;
    }
    gh_err_clear(&e);
    rego_errors list = {0};
    rego_compile_opts co = {.errors = &list};
    if (rego_policy_compile(s->policy, &co, &e)) {
        /* every error of the failing stage, each with its module's text
         * (parse errors' details line) */
        for (size_t k = 0; k < list.n || (!list.n && k == 0); k++) {
            const char *file = list.n ? list.v[k].file : e.file;
            const char *src = NULL;
            size_t srclen = 0;
            for (size_t i = 0; file && i < s->nmods; i++)
                if (!strcmp(sp->files[i], file)) src = s->mods[i].text, srclen = s->mods[i].len;
            if (list.n)
                pol_errors_add_rego(errs, &list.v[k], src, srclen);
            else
                pol_errors_add_gh(errs, &e, src, srclen);
        }
        if (list.oom) errs->oom = 1;
        rego_errors_free(&list);
        goto fail;
    }
    return snap_finish(sp, gk, errs, before);
oom:
    pol_errors_addf(errs, "out of memory");
fail:
    st_snapshot_destroy(s);
    return NULL;
}

srv_snapshot *st_snapshot_rebase(const srv_snapshot *base, const val_t *data, pol_errors *errs) {
    size_t before = errs->n;
    st_src *src = gh_malloc((base->nmods + 1) * sizeof *src);
    st_snap *sp = NULL;
    if (src) {
        for (size_t i = 0; i < base->nmods; i++)
            src[i] = (st_src){base->mods[i].id, base->mods[i].text, base->mods[i].len, NULL};
        sp = snap_new(src, base->nmods);
        gh_free(src);
    }
    if (!sp) {
        pol_errors_addf(errs, "out of memory");
        return NULL;
    }
    gh_err e;
    gh_err_clear(&e);
    sp->pub.policy = rego_policy_rebase(base->policy, data, &e);
    if (!sp->pub.policy) {
        pol_errors_add_gh(errs, &e, NULL, 0);
        st_snapshot_destroy(&sp->pub);
        return NULL;
    }
    srv_snapshot *s = snap_finish(sp, st_snapshot_gk(base), errs, before);
    if (s) st_snapshot_set_cfg(s, base->cfg_ref); /* data writes keep the configuration */
    return s;
}
