/* state.c - the server's policy/data state: loads the configured paths (and
 * the built-in pack's Gatekeeper templates), publishes immutable snapshots
 * and applies changes (module put/delete, data put/patch/delete, reload).
 * Readers: workers via srv_state_get (one atomic load when nothing changed),
 * other threads via srv_state_acquire. Writers are serialised by write_mu and
 * build the next snapshot without blocking readers; pub_mu only guards the
 * swap of `cur` and reference bumps. A snapshot is freed by whoever drops
 * its last reference (the state holds one for `cur`). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/state_int.h"

/* A module written through the API (kept across reloads). */
typedef struct api_mod {
    char *id, *text;
    size_t len;
} api_mod;

/* A data write accepted through the API, kept so that a reload can apply it
 * again over the files' data. A PUT or DELETE at P supersedes earlier
 * entries at or under P (marked dead; compacted when they dominate). */
typedef struct jentry {
    srv_change_kind kind;
    val_t *path, *value; /* in jarena */
    bool if_none_match;
    bool dead;
} jentry;

struct srv_state {
    st_cfg *cfg;              /* the current configuration (one reference); changed by a reload */
    pthread_mutex_t write_mu; /* one change at a time; guards api and the journal */
    pthread_mutex_t pub_mu;   /* cur, last_error */
    srv_snapshot *cur;        /* holds one reference */
    _Atomic uint64_t rev;     /* cur->revision, for the workers' fast path */
    uint64_t next_rev;
    char last_error[GH_ERR_MSG];
    api_mod *api;
    size_t napi, capapi;
    gh_arena jarena;
    jentry *jv;
    size_t nj, capj, njdead;
};

/* ---- references ------------------------------------------------------------ */

srv_snapshot *srv_state_acquire(srv_state *st) {
    if (!st) return NULL;
    pthread_mutex_lock(&st->pub_mu);
    srv_snapshot *s = st->cur;
    if (s) atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&st->pub_mu);
    return s;
}

void srv_snapshot_release(srv_snapshot *s) {
    if (!s) return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) st_snapshot_destroy(s);
}

srv_snapshot *srv_state_get(srv_state *st, srv_worker *w) {
    uint64_t r = atomic_load_explicit(&st->rev, memory_order_acquire);
    if (GH_LIKELY(w->snap != NULL && (w->snap_rev == r || w->pinned))) return w->snap;
    srv_snapshot *s = srv_state_acquire(st);
    srv_snapshot_release(w->snap);
    w->snap = s;
    w->snap_rev = s ? s->revision : 0;
    return s;
}

void srv_state_worker_done(srv_worker *w) {
    if (!w) return;
    srv_snapshot_release(w->snap);
    w->snap = NULL;
    w->snap_rev = 0;
    if (w->query_cache && w->query_cache_free) w->query_cache_free(w->query_cache);
    w->query_cache = NULL;
}

void srv_state_last_error(srv_state *st, char *out, size_t n) {
    if (!n) return;
    pthread_mutex_lock(&st->pub_mu);
    snprintf(out, n, "%s", st->last_error);
    pthread_mutex_unlock(&st->pub_mu);
}

uint64_t srv_state_revision(srv_state *st) {
    return atomic_load_explicit(&st->rev, memory_order_acquire);
}

/* Publish s (write_mu held): it becomes cur with the next revision. */
static void publish(srv_state *st, srv_snapshot *s) {
    s->revision = ++st->next_rev;
    pthread_mutex_lock(&st->pub_mu);
    srv_snapshot *old = st->cur;
    st->cur = s;
    atomic_store_explicit(&st->rev, s->revision, memory_order_release);
    pthread_mutex_unlock(&st->pub_mu);
    srv_snapshot_release(old);
}

static void set_last_error(srv_state *st, const char *msg) {
    pthread_mutex_lock(&st->pub_mu);
    snprintf(st->last_error, sizeof st->last_error, "%s", msg);
    pthread_mutex_unlock(&st->pub_mu);
}

/* s->bundles from the bundles a disk load recorded ({name: {"revision"}});
 * false when out of memory. */
static bool bundles_from_loaded(srv_snapshot *s, const pol_loaded *l) {
    s->bundles = NULL;
    if (!l->nbundles) return true;
    gh_arena *a = &s->arena;
    val_t *o = val_obj_new(a, l->nbundles);
    if (!o) return false;
    for (size_t i = 0; i < l->nbundles; i++) {
        val_t *b = val_obj_new(a, 1), *k = val_strc(a, l->bundles[i].name);
        val_t *rk = val_strc(a, "revision"), *rv = val_strc(a, l->bundles[i].revision);
        if (!b || !k || !rk || !rv || val_obj_put(a, b, rk, rv) || val_obj_put(a, o, k, b))
            return false;
    }
    s->bundles = o;
    return true;
}

/* next keeps base's bundles (API writes do not change what disk loaded). */
static bool bundles_from_base(srv_snapshot *next, const srv_snapshot *base) {
    next->bundles = base->bundles ? val_copy(&next->arena, base->bundles) : NULL;
    return !base->bundles || next->bundles;
}

/* ---- loading from disk ----------------------------------------------------- */

/* Load every configured path and the built-in pack's Gatekeeper model. */
static int load_disk(const srv_config *cfg, pol_loaded *l, st_gk **gk, pol_errors *errs) {
    *gk = NULL;
    l->ignore = cfg->ignore;
    l->nignore = cfg->nignore > 0 ? (size_t)cfg->nignore : 0;
    l->bundle = cfg->bundle;
    l->skip_verify = cfg->skip_verify;
    for (int i = 0; i < cfg->npaths; i++)
        pol_load_path(l, cfg->paths[i], errs);
    if (errs->n || errs->oom) return GH_EINVAL;
    if (!cfg->builtin_pack && cfg->nadmit_paths <= 0) return 0;
    st_gk *g = gh_calloc(1, sizeof *g);
    if (g) g->gk = pol_gk_new();
    if (!g || !g->gk) {
        gh_free(g);
        pol_errors_addf(errs, "out of memory");
        return GH_ENOMEM;
    }
    atomic_init(&g->refs, 1);
    gh_err e;
    int rc = 0;
    if (cfg->builtin_pack) {
        const char *pack = cfg->pack_dir && *cfg->pack_dir ? cfg->pack_dir : "policies";
        char *dir = gh_malloc(strlen(pack) + sizeof "/gatekeeper");
        if (!dir) {
            st_gk_unref(g);
            pol_errors_addf(errs, "out of memory");
            return GH_ENOMEM;
        }
        sprintf(dir, "%s/gatekeeper", pack);
        gh_err_clear(&e);
        rc = pol_gk_load_path(g->gk, dir, NULL, NULL, &e);
        gh_free(dir);
    }
    for (int i = 0; !rc && i < cfg->nadmit_paths; i++) {
        gh_err_clear(&e);
        rc = pol_gk_load_path(g->gk, cfg->admit_paths[i], NULL, NULL, &e);
    }
    if (rc) {
        pol_errors_add_gh(errs, &e, NULL, 0);
        st_gk_unref(g);
        return rc;
    }
    *gk = g;
    return 0;
}

/* A disk module's policy id: its loader name without a leading '/', as
 * `opa run` names modules loaded from absolute paths (ids and error
 * locations read "etc/policy.rego"). */
static const char *disk_id(const char *name) {
    while (*name == '/')
        name++;
    return name;
}

/* Sources for a build: the disk modules then the API modules (an API module
 * replaces a disk module of the same id). Returns a heap array. */
static st_src *merge_sources(const pol_loaded *l, const api_mod *api, size_t napi, size_t *n) {
    st_src *v = gh_malloc((l->nmods + napi + 1) * sizeof *v);
    if (!v) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < l->nmods; i++) {
        const char *id = disk_id(l->mods[i].name);
        bool shadowed = false;
        for (size_t j = 0; j < napi && !shadowed; j++)
            shadowed = !strcmp(api[j].id, id);
        if (!shadowed) v[k++] = (st_src){id, l->mods[i].text, l->mods[i].len, l->mods[i].name};
    }
    for (size_t j = 0; j < napi; j++)
        v[k++] = (st_src){api[j].id, api[j].text, api[j].len, NULL};
    *n = k;
    return v;
}

srv_state *srv_state_new(const srv_config *c, gh_err *e) {
    srv_state *st = gh_calloc(1, sizeof *st);
    if (!st) {
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    /* borrowed: the caller's configuration outlives the state */
    if (!(st->cfg = st_cfg_new((srv_config *)c, false))) {
        gh_free(st);
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    gh_arena_init(&st->jarena, 0);
    pthread_mutex_init(&st->write_mu, NULL);
    pthread_mutex_init(&st->pub_mu, NULL);
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    st_gk *gk = NULL;
    srv_snapshot *s = NULL;
    if (!load_disk(c, &l, &gk, &errs)) {
        size_t n = 0;
        st_src *src = merge_sources(&l, NULL, 0, &n);
        if (!src)
            pol_errors_addf(&errs, "out of memory");
        else
            s = st_snapshot_build(c, src, n, l.data, gk, &errs);
        gh_free(src);
        if (s && !bundles_from_loaded(s, &l)) {
            st_snapshot_destroy(s);
            s = NULL;
            pol_errors_addf(&errs, "out of memory");
        }
    }
    st_gk_unref(gk);
    pol_loaded_free(&l);
    if (!s) {
        if (!pol_errors_to_err(&errs, e))
            gh_err_set(e, GH_EINTERNAL, NULL, 0, 0, "state: load failed");
        pol_errors_free(&errs);
        srv_state_free(st);
        return NULL;
    }
    pol_errors_free(&errs);
    st_snapshot_set_cfg(s, st->cfg);
    publish(st, s);
    return st;
}

void srv_state_free(srv_state *st) {
    if (!st) return;
    srv_snapshot_release(st->cur);
    st_cfg_unref(st->cfg);
    gh_free(st->jv);
    gh_arena_free(&st->jarena);
    for (size_t i = 0; i < st->napi; i++) {
        gh_free(st->api[i].id);
        gh_free(st->api[i].text);
    }
    gh_free(st->api);
    pthread_mutex_destroy(&st->write_mu);
    pthread_mutex_destroy(&st->pub_mu);
    gh_free(st);
}

/* ---- changes --------------------------------------------------------------- */

static int oom(gh_err *e) { return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory"); }

/* Remember an API module (replacing one of the same id); text NULL forgets. */
static int api_remember(srv_state *st, const char *id, const char *text, size_t len) {
    for (size_t i = 0; i < st->napi; i++) {
        if (strcmp(st->api[i].id, id)) continue;
        if (!text) {
            gh_free(st->api[i].id);
            gh_free(st->api[i].text);
            st->api[i] = st->api[--st->napi];
            return 0;
        }
        char *t = gh_malloc(len + 1);
        if (!t) return GH_ENOMEM;
        memcpy(t, text, len);
        t[len] = 0;
        gh_free(st->api[i].text);
        st->api[i].text = t;
        st->api[i].len = len;
        return 0;
    }
    if (!text) return 0;
    if (st->napi == st->capapi) {
        size_t nc = st->capapi ? st->capapi * 2 : 8;
        api_mod *v = gh_realloc(st->api, nc * sizeof *v);
        if (!v) return GH_ENOMEM;
        st->api = v;
        st->capapi = nc;
    }
    char *i2 = gh_malloc(strlen(id) + 1), *t = gh_malloc(len + 1);
    if (!i2 || !t) {
        gh_free(i2);
        gh_free(t);
        return GH_ENOMEM;
    }
    strcpy(i2, id);
    memcpy(t, text, len);
    t[len] = 0;
    st->api[st->napi++] = (api_mod){i2, t, len};
    return 0;
}

/* The current snapshot's modules, with `id` replaced by text (text NULL:
 * removed). *found says whether id was there. Heap array. */
static st_src *with_module(const srv_snapshot *s, const char *id, const char *text, size_t len,
                           size_t *n, bool *found) {
    st_src *v = gh_malloc((s->nmods + 1) * sizeof *v);
    if (!v) return NULL;
    size_t k = 0;
    *found = false;
    for (size_t i = 0; i < s->nmods; i++) {
        if (!strcmp(s->mods[i].id, id)) {
            *found = true;
            continue;
        }
        v[k++] = (st_src){s->mods[i].id, s->mods[i].text, s->mods[i].len, NULL};
    }
    if (text) v[k++] = (st_src){id, text, len, NULL};
    *n = k;
    return v;
}

static int bad_param(gh_err *e, const char *fmt, const char *arg) {
    gh_err_set(e, GH_EINVAL, NULL, 0, 0, fmt, arg);
    gh_err_set_kind(e, "invalid_parameter");
    return GH_EINVAL;
}

/* One PATCH path segment as OPA's ParsePatchPathEscaped reads it: Go's
 * url.PathUnescape (a malformed escape keeps the segment as written), then
 * the JSON Pointer escapes ~1 and ~0. NULL on OOM. */
static val_t *unescape_seg(gh_arena *a, const char *s, size_t n) {
    char *out = gh_arena_alloc(a, n + 1);
    if (!out) return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[w++] = s[i];
            continue;
        }
        if (i + 2 >= n) goto raw;
        int v = 0;
        for (int j = 1; j <= 2; j++) {
            char c = s[i + (size_t)j];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= c - '0';
            else if (c >= 'a' && c <= 'f')
                v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                v |= c - 'A' + 10;
            else
                goto raw;
        }
        out[w++] = (char)v;
        i += 2;
    }
    if (0) {
    raw:
        memcpy(out, s, n);
        w = n;
    }
    /* JSON pointer escapes after percent-decoding, as OPA's ParsePatchPathEscaped */
    size_t r = 0, w2 = 0;
    while (r < w) {
        if (out[r] == '~' && r + 1 < w && (out[r + 1] == '1' || out[r + 1] == '0')) {
            out[w2++] = out[r + 1] == '1' ? '/' : '~';
            r += 2;
        } else {
            out[w2++] = out[r++];
        }
    }
    return val_str(a, out, w2);
}

/* One PATCH operation's full storage path: the request path then the op's
 * path (slashes trimmed, split on '/', each segment unescaped). */
static int patch_path(gh_arena *a, const val_t *base, const val_t *opath, val_t **out, gh_err *e) {
    const char *s = val_str_ptr(opath);
    size_t n = val_str_len(opath);
    while (n && *s == '/')
        s++, n--;
    while (n && s[n - 1] == '/')
        n--;
    val_t *p = val_arr_new(a, val_arr_len(base) + 4);
    if (!p) return oom(e);
    for (size_t i = 0; i < val_arr_len(base); i++)
        if (val_arr_push(a, p, val_arr_at(base, i))) return oom(e);
    if (n) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && s[i] != '/') continue;
            val_t *seg = unescape_seg(a, s + start, i - start);
            if (!seg || val_arr_len(p) >= GH_MAX_DEPTH)
                return bad_param(e, "bad patch path: %s", val_str_ptr(opath));
            if (val_arr_push(a, p, seg)) return oom(e);
            start = i + 1;
        }
    }
    *out = p;
    return 0;
}

/* Apply a data change to `root` (borrowed from the current snapshot). */
static int data_change(gh_arena *a, const val_t *root, const srv_change *ch, val_t **out,
                       gh_err *e) {
    const val_t *path = ch->path;
    if (!path || val_kind_of(path) != VAL_ARRAY) return bad_param(e, "bad data path%s", "");
    const val_t *cur;
    gh_err rerr;
    gh_err_clear(&rerr);
    int rc;
    switch (ch->kind) {
    case SRV_CH_DATA_PUT: {
        rc = st_data_read(root, path, &cur, &rerr);
        if (rc && rc != GH_ENOTFOUND) {
            *e = rerr;
            return rc;
        }
        val_t *r2 = (val_t *)root;
        if (rc == GH_ENOTFOUND) {
            if (val_arr_len(path) &&
                (rc = st_data_mkdir(a, root, path, val_arr_len(path) - 1, &r2, e)))
                return rc;
        } else if (ch->if_none_match) {
            gh_err_set(e, GH_ECONFLICT, NULL, 0, 0, "document exists");
            gh_err_set_kind(e, "not_modified");
            return GH_ECONFLICT;
        }
        return st_data_write(a, r2, ST_ADD, path, ch->value, out, e);
    }
    case SRV_CH_DATA_DELETE:
        if ((rc = st_data_read(root, path, &cur, e))) return rc;
        return st_data_write(a, root, ST_REMOVE, path, NULL, out, e);
    case SRV_CH_DATA_PATCH: {
        const val_t *ops = ch->value;
        if (!ops || val_kind_of(ops) == VAL_NULL) {
            *out = (val_t *)root;
            return 0;
        }
        if (val_kind_of(ops) != VAL_ARRAY) return bad_param(e, "bad patch document%s", "");
        size_t nops = val_arr_len(ops);
        st_op *kinds = gh_arena_alloc(a, (nops + 1) * sizeof *kinds);
        val_t **paths = gh_arena_alloc(a, (nops + 1) * sizeof *paths);
        if (!kinds || !paths) return oom(e);
        for (size_t i = 0; i < nops; i++) { /* validate every op first, as OPA */
            const val_t *o = val_arr_at(ops, i);
            const val_t *opv = val_kind_of(o) == VAL_OBJECT ? val_obj_get_str(o, "op", 2) : NULL;
            const char *op = opv && val_is_str(opv) ? val_str_ptr(opv) : "";
            if (!strcmp(op, "add"))
                kinds[i] = ST_ADD;
            else if (!strcmp(op, "remove"))
                kinds[i] = ST_REMOVE;
            else if (!strcmp(op, "replace"))
                kinds[i] = ST_REPLACE;
            else
                return bad_param(e, "bad patch operation: %s", op);
            const val_t *pv = val_obj_get_str(o, "path", 4);
            val_t *empty = val_str(a, "", 0);
            if (!empty) return oom(e);
            if ((rc = patch_path(a, path, pv && val_is_str(pv) ? pv : empty, &paths[i], e)))
                return rc;
        }
        val_t *r = (val_t *)root;
        for (size_t i = 0; i < nops; i++) {
            const val_t *v = val_obj_get_str(val_arr_at(ops, i), "value", 5);
            if (!v) v = VAL_NULLV;
            if ((rc = st_data_write(a, r, kinds[i], paths[i], v, &r, e))) return rc;
        }
        *out = r;
        return 0;
    }
    default: return bad_param(e, "bad change%s", "");
    }
}

/* ---- the journal of API data writes ----------------------------------------- */

static bool path_prefix(const val_t *p, const val_t *q) {
    if (val_arr_len(p) > val_arr_len(q)) return false;
    for (size_t i = 0; i < val_arr_len(p); i++)
        if (!val_equal(val_arr_at(p, i), val_arr_at(q, i))) return false;
    return true;
}

/* Copy the live entries into a fresh arena (dead ones dominate). */
static void journal_compact(srv_state *st) {
    gh_arena na;
    gh_arena_init(&na, 0);
    size_t k = 0;
    for (size_t i = 0; i < st->nj; i++) {
        jentry x = st->jv[i];
        if (x.dead) continue;
        x.path = val_copy(&na, x.path);
        x.value = x.value ? val_copy(&na, x.value) : NULL;
        if (!x.path || (st->jv[i].value && !x.value)) { /* out of memory: keep the old arena */
            gh_arena_free(&na);
            return;
        }
        st->jv[k++] = x;
    }
    gh_arena_free(&st->jarena);
    st->jarena = na;
    st->nj = k;
    st->njdead = 0;
}

/* Remember an applied data change (write_mu held). Out of memory only means
 * a later reload will not re-apply it. */
static void journal_add(srv_state *st, const srv_change *ch) {
    if (ch->kind == SRV_CH_DATA_PUT || ch->kind == SRV_CH_DATA_DELETE)
        for (size_t i = 0; i < st->nj; i++)
            if (!st->jv[i].dead && path_prefix(ch->path, st->jv[i].path)) {
                st->jv[i].dead = true;
                st->njdead++;
            }
    if (st->njdead > 64 && st->njdead * 2 > st->nj) journal_compact(st);
    if (st->nj == st->capj) {
        size_t nc = st->capj ? st->capj * 2 : 16;
        jentry *v = gh_realloc(st->jv, nc * sizeof *v);
        if (!v) return;
        st->jv = v;
        st->capj = nc;
    }
    jentry x = {.kind = ch->kind, .if_none_match = ch->if_none_match};
    x.path = val_copy(&st->jarena, ch->path);
    x.value = ch->value ? val_copy(&st->jarena, ch->value) : NULL;
    if (!x.path || (ch->value && !x.value)) return;
    st->jv[st->nj++] = x;
}

/* The files' data with the journal applied in order (writes that no longer
 * apply are skipped), in a. */
static val_t *journal_replay(srv_state *st, gh_arena *a, val_t *data) {
    for (size_t i = 0; i < st->nj; i++) {
        const jentry *x = &st->jv[i];
        if (x->dead) continue;
        srv_change c = {
            .kind = x->kind, .path = x->path, .value = x->value, .if_none_match = x->if_none_match};
        val_t *nd;
        gh_err ign;
        gh_err_clear(&ign);
        if (!data_change(a, data, &c, &nd, &ign)) data = nd;
    }
    return data;
}

/* Turn build errors into the caller's outputs. */
static int report(pol_errors *errs, gh_arena *a, val_t **errs_out, gh_err *e) {
    if (errs_out && a) *errs_out = pol_errors_to_value(a, errs);
    int rc = pol_errors_to_err(errs, e);
    if (!rc) rc = gh_err_set(e, GH_EINTERNAL, NULL, 0, 0, "snapshot build failed");
    if (e && !e->kind && errs->n && errs->v[0].code) gh_err_set_kind(e, errs->v[0].code);
    return rc;
}

int srv_state_apply(srv_state *st, const srv_change *ch, gh_arena *a, val_t **errs, gh_err *e) {
    if (errs) *errs = NULL;
    pthread_mutex_lock(&st->write_mu);
    srv_snapshot *base = srv_state_acquire(st);
    pol_errors pe = {0};
    srv_snapshot *next = NULL;
    int rc = 0;
    gh_arena tmp;
    gh_arena_init(&tmp, 0);
    switch (ch->kind) {
    case SRV_CH_PUT_MODULE:
    case SRV_CH_DELETE_MODULE: {
        if (!ch->id) {
            rc = bad_param(e, "missing policy id%s", "");
            break;
        }
        bool put = ch->kind == SRV_CH_PUT_MODULE, found;
        size_t n;
        st_src *src = with_module(base, ch->id, put ? (ch->text ? ch->text : "") : NULL,
                                  put ? ch->len : 0, &n, &found);
        if (!src) {
            rc = oom(e);
            break;
        }
        if (!put && !found) {
            gh_free(src);
            rc = gh_err_set(e, GH_ENOTFOUND, NULL, 0, 0,
                            "storage_not_found_error: policy id \"%s\"", ch->id);
            gh_err_set_kind(e, "storage_not_found_error");
            break;
        }
        next = st_snapshot_build(st->cfg->cfg, src, n, base->data, st_snapshot_gk(base), &pe);
        gh_free(src);
        if (!next) {
            rc = report(&pe, a, errs, e);
            break;
        }
        st_snapshot_set_cfg(next, st->cfg);
        if (!bundles_from_base(next, base) ||
            api_remember(st, ch->id, put ? (ch->text ? ch->text : "") : NULL, put ? ch->len : 0)) {
            st_snapshot_destroy(next);
            next = NULL;
            rc = oom(e);
        }
        break;
    }
    case SRV_CH_DATA_PUT:
    case SRV_CH_DATA_DELETE:
    case SRV_CH_DATA_PATCH: {
        val_t *root = NULL;
        if ((rc = data_change(&tmp, base->data, ch, &root, e))) break;
        next = st_snapshot_rebase(base, root, &pe);
        if (next && !bundles_from_base(next, base)) {
            st_snapshot_destroy(next);
            next = NULL;
            rc = oom(e);
        } else if (!next)
            rc = report(&pe, a, errs, e);
        else
            journal_add(st, ch);
        break;
    }
    case SRV_CH_RELOAD: {
        /* a new configuration is published with the snapshot its paths
         * build, or not at all */
        st_cfg *h = ch->cfg ? st_cfg_new(ch->cfg, true) : st_cfg_ref(st->cfg);
        if (!h) {
            rc = oom(e);
            break;
        }
        pol_loaded l;
        pol_loaded_init(&l);
        st_gk *gk = NULL;
        if (!load_disk(h->cfg, &l, &gk, &pe)) {
            size_t n;
            st_src *src = merge_sources(&l, st->api, st->napi, &n);
            val_t *data = journal_replay(st, &tmp, l.data);
            if (!src)
                pol_errors_addf(&pe, "out of memory");
            else
                next = st_snapshot_build(h->cfg, src, n, data, gk, &pe);
            gh_free(src);
            if (next && !bundles_from_loaded(next, &l)) {
                st_snapshot_destroy(next);
                next = NULL;
                pol_errors_addf(&pe, "out of memory");
            }
        }
        st_gk_unref(gk);
        pol_loaded_free(&l);
        if (!next) {
            rc = report(&pe, a, errs, e);
            char msg[GH_ERR_MSG + GH_ERR_FILE + 32];
            set_last_error(st, e ? gh_err_format(e, msg, sizeof msg) : "reload failed");
        } else {
            set_last_error(st, "");
            st_snapshot_set_cfg(next, h);
            st_cfg *old = st->cfg;
            st->cfg = st_cfg_ref(h);
            st_cfg_unref(old);
        }
        st_cfg_unref(h);
        break;
    }
    default: rc = bad_param(e, "unknown change%s", "");
    }
    if (next) publish(st, next);
    gh_arena_free(&tmp);
    pol_errors_free(&pe);
    srv_snapshot_release(base);
    pthread_mutex_unlock(&st->write_mu);
    return rc;
}
