/* load.c - loads policy and data paths the way OPA's loader does, for the
 * CLI (`eval -d`, `bench -d`, `test PATH...`, `check`) and the server's
 * snapshots: recursive lexical walk, .rego modules kept as text (parsed when
 * the policy is built), JSON/YAML data merged at its directory's path with
 * OPA's conflict rule (any leaf defined twice is a "merge error").
 * Invariant: l->data is always an object. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "policy/load_int.h"
#include "policy/policy.h"
#include "rego/rego.h"

/* Deepest directory nesting walked (symlink loops stop here too). */
enum { LOAD_MAX_DEPTH = 64 };

void pol_loaded_init(pol_loaded *l) {
    memset(l, 0, sizeof *l);
    gh_arena_init(&l->arena, 0);
    l->data = val_obj_new(&l->arena, 0);
}

void pol_loaded_free(pol_loaded *l) {
    for (size_t i = 0; i < l->nmods; i++) {
        gh_free(l->mods[i].name);
        gh_free(l->mods[i].text);
    }
    gh_free(l->mods);
    for (size_t i = 0; i < l->nbundles; i++) {
        gh_free(l->bundles[i].name);
        gh_free(l->bundles[i].revision);
    }
    gh_free(l->bundles);
    gh_arena_free(&l->arena);
    memset(l, 0, sizeof *l);
}

const pol_module *pol_loaded_module(const pol_loaded *l, const char *name) {
    for (size_t i = 0; i < l->nmods; i++)
        if (!strcmp(l->mods[i].name, name)) return &l->mods[i];
    return NULL;
}

/* Go's filepath.Clean for '/'-separated paths. Result in a heap string. */
static char *clean_path(const char *p) {
    size_t n = strlen(p);
    char *out = gh_malloc(n + 2);
    if (!out) return NULL;
    bool rooted = p[0] == '/';
    size_t w = 0, i = 0, dotdot = 0; /* dotdot: where `..` may no longer back up */
    if (rooted) out[w++] = '/', i = 1, dotdot = 1;
    while (i < n) {
        if (p[i] == '/') {
            i++;
        } else if (p[i] == '.' && (i + 1 == n || p[i + 1] == '/')) {
            i++;
        } else if (p[i] == '.' && p[i + 1] == '.' && (i + 2 == n || p[i + 2] == '/')) {
            i += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0) out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0)) out[w++] = '/';
            while (i < n && p[i] != '/')
                out[w++] = p[i++];
        }
    }
    if (w == 0) out[w++] = '.';
    out[w] = 0;
    return out;
}

static bool has_ext(const char *name, const char *ext) {
    size_t n = strlen(name), e = strlen(ext);
    return n > e && !strcasecmp(name + n - e, ext);
}

int pol_ld_add_module(pol_loaded *l, const char *name, char *text, size_t len) {
    for (size_t i = 0; i < l->nmods; i++)
        if (!strcmp(l->mods[i].name, name)) { /* loaded twice: keep the latest */
            gh_free(l->mods[i].text);
            l->mods[i].text = text;
            l->mods[i].len = len;
            return 0;
        }
    if (l->nmods == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        pol_module *nm = gh_realloc(l->mods, nc * sizeof *nm);
        if (!nm) return -1;
        l->mods = nm;
        l->cap = nc;
    }
    char *nm = gh_malloc(strlen(name) + 1);
    if (!nm) return -1;
    strcpy(nm, name);
    l->mods[l->nmods++] = (pol_module){nm, text, len};
    return 0;
}

/* True when a and b cannot be merged: some key is defined by both and is not
 * an object on both sides (OPA's merge.InterfaceMaps conflict rule). */
static bool conflicts(const val_t *a, const val_t *b) {
    for (size_t i = 0; i < val_obj_len(b); i++) {
        val_t *av = val_obj_get(a, val_obj_key_at(b, i));
        if (!av) continue;
        val_t *bv = val_obj_val_at(b, i);
        if (val_kind_of(av) != VAL_OBJECT || val_kind_of(bv) != VAL_OBJECT) return true;
        if (conflicts(av, bv)) return true;
    }
    return false;
}

/* A new object holding a merged with b (no conflicts: checked first). */
static val_t *merge(gh_arena *ar, const val_t *a, const val_t *b) {
    val_t *o = val_obj_new(ar, val_obj_len(a) + val_obj_len(b));
    if (!o) return NULL;
    for (size_t i = 0; i < val_obj_len(a); i++) {
        val_t *k = val_obj_key_at(a, i), *v = val_obj_val_at(a, i);
        val_t *bv = val_obj_get(b, k);
        if (bv) v = merge(ar, v, bv);
        if (!v || val_obj_put(ar, o, k, v)) return NULL;
    }
    for (size_t i = 0; i < val_obj_len(b); i++) {
        val_t *k = val_obj_key_at(b, i);
        if (val_obj_get(a, k)) continue;
        if (val_obj_put(ar, o, k, val_obj_val_at(b, i))) return NULL;
    }
    return o;
}

/* Parse a data file: JSON for .json, else YAML (JSON text first, as OPA
 * does); an empty YAML stream is null, several documents keep the first. */
static int parse_data(gh_arena *a, const char *name, const char *text, size_t len, bool json,
                      val_t **out, gh_err *e) {
    int rc;
    if (json) {
        rc = val_json_parse(a, text, len, NULL, out, e);
    } else {
        gh_err ignored;
        if (!val_json_parse(a, text, len, NULL, out, &ignored)) return 0;
        val_t **docs = NULL;
        size_t ndocs = 0;
        rc = val_yaml_load(a, text, len, NULL, &docs, &ndocs, e);
        if (!rc) *out = ndocs ? docs[0] : VAL_NULLV;
    }
    if (rc) gh_err_set_file(e, name);
    return rc;
}

/* Load one file: `name` is how it is reported, `keys` the data path. */
static int load_file(pol_loaded *l, const char *name, const char *path, char *const *keys,
                     size_t nkeys, bool explicit_file, bool bundle, pol_errors *errs) {
    bool rego = has_ext(path, ".rego");
    bool json = has_ext(path, ".json");
    bool yaml = has_ext(path, ".yaml") || has_ext(path, ".yml");
    if (!rego && !json && !yaml && !explicit_file) return 0;
    if (bundle && !rego) {
        /* in a bundle only data.json / data.yaml / data.yml are data */
        const char *base = strrchr(path, '/');
        if (!pol_ld_is_bundle_data(base ? base + 1 : path)) return 0;
    }
    char *text = NULL;
    size_t len = 0;
    if (pol_ld_read(path, name, GH_MAX_DOC_BYTES, &text, &len, errs)) return 1;
    if (rego) {
        if (pol_ld_add_module(l, name, text, len)) {
            gh_free(text);
            pol_errors_addf(errs, "%s: out of memory", name);
            return 1;
        }
        return 0;
    }
    int rc = pol_ld_add_data(l, name, text, len, json, keys, nkeys, errs);
    gh_free(text);
    return rc;
}

int pol_ld_add_data(pol_loaded *l, const char *name, const char *text, size_t len, bool json,
                    char *const *keys, size_t nkeys, pol_errors *errs) {
    gh_err e;
    gh_err_clear(&e);
    val_t *doc = NULL;
    if (parse_data(&l->arena, name, text, len, json, &doc, &e)) {
        char buf[GH_ERR_MSG + GH_ERR_FILE + 64];
        pol_errors_addf(errs, "%s", gh_err_format(&e, buf, sizeof buf));
        return 1;
    }
    if (nkeys == 0 && val_kind_of(doc) != VAL_OBJECT) {
        pol_errors_addf(errs, "%s: bad document type", name);
        return 1;
    }
    for (size_t i = nkeys; i-- > 0;) {
        val_t *o = val_obj_new(&l->arena, 1);
        val_t *k = val_strc(&l->arena, keys[i]);
        if (!o || !k || val_obj_put(&l->arena, o, k, doc)) goto oom;
        doc = o;
    }
    if (conflicts(l->data, doc)) {
        pol_errors_addf(errs, "%s: merge error", name);
        return 1;
    }
    val_t *m = merge(&l->arena, l->data, doc);
    if (!m) goto oom;
    l->data = m;
    return 0;
oom:
    pol_errors_addf(errs, "%s: out of memory", name);
    return 1;
}

int pol_ld_read(const char *path, const char *name, size_t max, char **text, size_t *len,
                pol_errors *errs) {
    gh_err e;
    gh_err_clear(&e);
    if (!gh_read_file(path, max, text, len, &e)) return 0;
    char buf[GH_ERR_MSG + GH_ERR_FILE + 64];
    gh_err_set_file(&e, name);
    pol_errors_addf(errs, "%s", gh_err_format(&e, buf, sizeof buf));
    return 1;
}

bool pol_ld_is_bundle_data(const char *base) {
    return !strcasecmp(base, "data.json") || !strcasecmp(base, "data.yaml") ||
           !strcasecmp(base, "data.yml");
}

static int cmp_names(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* True when a walked entry's base name matches an --ignore glob. */
static bool ignored(const pol_loaded *l, const char *name) {
    for (size_t i = 0; i < l->nignore; i++)
        if (fnmatch(l->ignore[i], name, 0) == 0) return true;
    return false;
}

static int walk(pol_loaded *l, const char *dir, char **keys, size_t nkeys, size_t depth,
                bool bundle, pol_errors *errs) {
    if (depth > LOAD_MAX_DEPTH) {
        pol_errors_addf(errs, "%s: directories nested too deeply", dir);
        return 1;
    }
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, cmp_names);
    if (n < 0) {
        pol_errors_addf(errs, "open %s: %s", dir, strerror(errno));
        return 1;
    }
    int nerr = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..") || ignored(l, nm)) continue;
        size_t dl = strlen(dir);
        char *path = gh_malloc(dl + strlen(nm) + 2);
        if (!path) {
            nerr++;
            pol_errors_addf(errs, "%s: out of memory", dir);
            break;
        }
        sprintf(path, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", nm);
        struct stat st;
        if (stat(path, &st)) {
            pol_errors_addf(errs, "stat %s: %s", path, strerror(errno));
            nerr++;
        } else if (S_ISDIR(st.st_mode)) {
            char **k2 = gh_malloc((nkeys + 1) * sizeof *k2);
            if (!k2) {
                nerr++;
            } else {
                if (nkeys) memcpy(k2, keys, nkeys * sizeof *k2);
                k2[nkeys] = (char *)nm;
                nerr += walk(l, path, k2, nkeys + 1, depth + 1, bundle, errs);
                gh_free(k2);
            }
        } else if (S_ISREG(st.st_mode)) {
            nerr += load_file(l, path, path, keys, nkeys, false, bundle, errs);
        }
        gh_free(path);
    }
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return nerr;
}

/* ---- bundle directories ----------------------------------------------------------- */

static bool has_manifest(const char *dir) {
    size_t n = strlen(dir);
    char *p = gh_malloc(n + sizeof "/.manifest");
    if (!p) return false;
    snprintf(p, n + sizeof "/.manifest", "%s/.manifest", dir);
    struct stat st;
    bool ok = !stat(p, &st) && S_ISREG(st.st_mode);
    gh_free(p);
    return ok;
}

/* Whether '/'-separated path p lies under one of the roots ("" holds all). */
static bool under_root(const val_t *roots, const char *p) {
    for (size_t i = 0; i < val_arr_len(roots); i++) {
        const val_t *r = val_arr_at(roots, i);
        size_t rl = val_str_len(r);
        const char *rs = val_str_ptr(r);
        if (!rl || (!strncmp(p, rs, rl) && (p[rl] == 0 || p[rl] == '/'))) return true;
    }
    return false;
}

/* Whether p is a proper ancestor of some root (data there may hold roots). */
static bool above_root(const val_t *roots, const char *p) {
    size_t pl = strlen(p);
    for (size_t i = 0; i < val_arr_len(roots); i++) {
        const val_t *r = val_arr_at(roots, i);
        if (val_str_len(r) > pl && !strncmp(val_str_ptr(r), p, pl) &&
            (pl == 0 || val_str_ptr(r)[pl] == '/'))
            return true;
    }
    return false;
}

static void roots_text(gh_buf *b, const val_t *roots) {
    gh_buf_putc(b, '[');
    for (size_t i = 0; i < val_arr_len(roots); i++) {
        if (i) gh_buf_putc(b, ' ');
        gh_buf_append(b, val_str_ptr(val_arr_at(roots, i)), val_str_len(val_arr_at(roots, i)));
    }
    gh_buf_putc(b, ']');
}

/* Every data leaf must be under a root, as OPA's bundle reader checks. */
static int check_data_roots(const val_t *data, gh_buf *path, const val_t *roots, size_t depth,
                            pol_errors *errs) {
    if (val_kind_of(data) != VAL_OBJECT || depth > GH_MAX_DEPTH) return 0;
    int nerr = 0;
    for (size_t i = 0; i < val_obj_len(data); i++) {
        const val_t *k = val_obj_key_at(data, i);
        if (!val_is_str(k)) continue;
        size_t keep = path->len;
        if (path->len) gh_buf_putc(path, '/');
        gh_buf_append(path, val_str_ptr(k), val_str_len(k));
        gh_buf_putc(path, 0);
        path->len--;
        if (path->oom) {
            pol_errors_addf(errs, "out of memory");
            return nerr + 1;
        }
        if (under_root(roots, path->p)) {
            /* covered */
        } else if (above_root(roots, path->p) &&
                   val_kind_of(val_obj_val_at(data, i)) == VAL_OBJECT) {
            nerr += check_data_roots(val_obj_val_at(data, i), path, roots, depth + 1, errs);
        } else {
            gh_buf rb;
            gh_buf_init(&rb);
            roots_text(&rb, roots);
            gh_buf_putc(&rb, 0);
            pol_errors_addf(errs,
                            "manifest roots %s do not permit data at path '/%s' (hint: check "
                            "bundle directory structure)",
                            rb.oom ? "?" : rb.p, path->p);
            gh_buf_free(&rb);
            nerr++;
        }
        path->len = keep;
    }
    return nerr;
}

/* The package of a module as a '/'-separated path ("a/b" for data.a.b), in
 * a; NULL when the module does not parse (compiling reports that). */
static const char *module_root_path(gh_arena *a, const pol_module *m) {
    rego_parse_opts po = {0};
    rego_module *mod = NULL;
    if (rego_parse_module(a, m->name, m->text, m->len, &po, &mod, NULL)) {
        po.version = REGO_V0;
        if (rego_parse_module(a, m->name, m->text, m->len, &po, &mod, NULL)) return NULL;
    }
    const char *d = rego_ref_dotted(a, mod->package);
    if (!d || strncmp(d, "data", 4)) return NULL;
    d += 4;
    if (*d == '.') d++;
    char *p = gh_arena_strndup(a, d, strlen(d));
    for (char *c = p; c && *c; c++)
        if (*c == '.') *c = '/';
    return p;
}

int pol_ld_manifest(pol_loaded *l, const char *mname, const char *text, size_t len,
                    const val_t **roots_out, const char **rev_out, pol_errors *errs) {
    gh_err e;
    gh_err_clear(&e);
    val_t *man = NULL;
    if (val_json_parse(&l->arena, text, len, NULL, &man, &e)) {
        char buf[GH_ERR_MSG + GH_ERR_FILE + 64];
        gh_err_set_file(&e, mname);
        pol_errors_addf(errs, "%s", gh_err_format(&e, buf, sizeof buf));
        return 1;
    }
    /* roots: absent means [""] (the whole data tree) */
    val_t *roots = val_kind_of(man) == VAL_OBJECT ? val_obj_get_str(man, "roots", 5) : NULL;
    if (val_kind_of(man) != VAL_OBJECT || (roots && val_kind_of(roots) != VAL_ARRAY)) {
        pol_errors_addf(errs, "%s: manifest must be an object with a \"roots\" array", mname);
        return 1;
    }
    const val_t *rev = val_obj_get_str(man, "revision", 8);
    if (rev && !val_is_str(rev)) {
        pol_errors_addf(errs, "%s: manifest revision must be a string", mname);
        return 1;
    }
    const val_t *meta = val_obj_get_str(man, "metadata", 8);
    if (meta && val_kind_of(meta) != VAL_OBJECT && val_kind_of(meta) != VAL_NULL) {
        pol_errors_addf(errs, "%s: manifest metadata must be an object", mname);
        return 1;
    }
    if (!roots) {
        roots = val_arr_new(&l->arena, 1);
        val_t *all = val_strc(&l->arena, "");
        if (!roots || !all || val_arr_push(&l->arena, roots, all)) {
            pol_errors_addf(errs, "%s: out of memory", mname);
            return 1;
        }
    }
    for (size_t i = 0; i < val_arr_len(roots); i++)
        if (!val_is_str(val_arr_at(roots, i))) {
            pol_errors_addf(errs, "%s: manifest roots must be strings", mname);
            return 1;
        }
    *roots_out = roots;
    *rev_out = "";
    if (rev) {
        char *r = gh_arena_strndup(&l->arena, val_str_ptr(rev), val_str_len(rev));
        if (!r) {
            pol_errors_addf(errs, "%s: out of memory", mname);
            return 1;
        }
        *rev_out = r;
    }
    return 0;
}

int pol_ld_bundle_begin(pol_loaded *l, pol_ld_bundle *b, pol_errors *errs) {
    b->saved = l->data;
    b->mods_before = l->nmods;
    b->errs_before = errs->n;
    l->data = val_obj_new(&l->arena, 0);
    if (!l->data) {
        l->data = b->saved;
        pol_errors_addf(errs, "out of memory");
        return 1;
    }
    return 0;
}

static char *dup_str(const char *s) {
    char *d = gh_malloc(strlen(s) + 1);
    if (d) strcpy(d, s);
    return d;
}

static int record_bundle(pol_loaded *l, const char *name, const char *revision) {
    pol_bundle_info *nb = gh_realloc(l->bundles, (l->nbundles + 1) * sizeof *nb);
    if (!nb) return -1;
    l->bundles = nb;
    char *n = dup_str(name), *r = dup_str(revision ? revision : "");
    if (!n || !r) {
        gh_free(n);
        gh_free(r);
        return -1;
    }
    l->bundles[l->nbundles++] = (pol_bundle_info){n, r};
    return 0;
}

void pol_ld_bundle_end(pol_loaded *l, pol_ld_bundle *b, const char *name, char *const *keys,
                       size_t nkeys, const val_t *roots, const char *revision, pol_errors *errs) {
    val_t *bdata = l->data;
    l->data = b->saved;
    if (errs->n != b->errs_before) return;
    const val_t *own = bdata; /* the bundle's data without the "prefix:" keys */
    for (size_t i = 0; own && i < nkeys; i++)
        own = val_obj_get_str(own, keys[i], strlen(keys[i]));
    gh_buf path;
    gh_buf_init(&path);
    if (own) check_data_roots(own, &path, roots, 0, errs);
    gh_buf_free(&path);
    for (size_t i = b->mods_before; i < l->nmods; i++) {
        gh_arena tmp;
        gh_arena_init(&tmp, 0);
        const char *pkg = module_root_path(&tmp, &l->mods[i]);
        if (pkg && !under_root(roots, pkg)) {
            gh_buf rb;
            gh_buf_init(&rb);
            roots_text(&rb, roots);
            gh_buf_putc(&rb, 0);
            pol_errors_addf(errs, "manifest roots %s do not permit 'data.%s' in module '%s'",
                            rb.oom ? "?" : rb.p, pkg, l->mods[i].name);
            gh_buf_free(&rb);
        }
        gh_arena_free(&tmp);
    }
    if (errs->n != b->errs_before) return;
    if (conflicts(l->data, bdata)) {
        pol_errors_addf(errs, "%s: merge error", name);
        return;
    }
    val_t *m = merge(&l->arena, l->data, bdata);
    if (!m || record_bundle(l, name, revision)) {
        pol_errors_addf(errs, "%s: out of memory", name);
        return;
    }
    l->data = m;
}

/* Load directory `root` holding a .manifest as an OPA bundle named `name`:
 * its roots limit where its modules and data may live. */
static void load_bundle(pol_loaded *l, const char *root, const char *name, char **keys,
                        size_t nkeys, pol_errors *errs) {
    size_t rl = strlen(root);
    char *mpath = gh_malloc(rl + sizeof "/.manifest");
    if (!mpath) {
        pol_errors_addf(errs, "out of memory");
        return;
    }
    snprintf(mpath, rl + sizeof "/.manifest", "%s/.manifest", root);
    char *text = NULL;
    size_t len = 0;
    if (pol_ld_read(mpath, mpath, GH_MAX_DOC_BYTES, &text, &len, errs)) {
        gh_free(mpath);
        return;
    }
    const val_t *roots = NULL;
    const char *rev = NULL;
    int rc = pol_ld_manifest(l, mpath, text, len, &roots, &rev, errs);
    gh_free(text);
    gh_free(mpath);
    pol_ld_bundle b;
    if (rc || pol_ld_bundle_begin(l, &b, errs)) return;
    walk(l, root, keys, nkeys, 0, true, errs);
    pol_ld_bundle_end(l, &b, name, keys, nkeys, roots, rev, errs);
}

int pol_load_path(pol_loaded *l, const char *arg, pol_errors *errs) {
    size_t before = errs->n;
    if (!l->data) {
        pol_errors_addf(errs, "out of memory");
        return 1;
    }
    /* "a.b:path" loads path under data.a.b */
    const char *path = arg, *colon = strchr(arg, ':');
    char *prefix = NULL;
    char *pkeys[64];
    size_t npk = 0;
    if (colon && colon > arg) {
        prefix = gh_malloc((size_t)(colon - arg) + 1);
        if (!prefix) {
            pol_errors_addf(errs, "out of memory");
            return 1;
        }
        memcpy(prefix, arg, (size_t)(colon - arg));
        prefix[colon - arg] = 0;
        path = colon + 1;
        for (char *s = prefix, *tok; (tok = strsep(&s, ".")) != NULL;)
            if (*tok && npk < sizeof pkeys / sizeof *pkeys) pkeys[npk++] = tok;
    }
    struct stat st;
    if (stat(path, &st)) {
        pol_errors_addf(errs, "stat %s: %s", path,
                        errno == ENOENT ? "no such file or directory" : strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        char *root = clean_path(path);
        if (!root)
            pol_errors_addf(errs, "out of memory");
        else if (l->bundle && has_manifest(root))
            load_bundle(l, root, path, pkeys, npk, errs);
        else
            walk(l, root, pkeys, npk, 0, false, errs);
        gh_free(root);
    } else if (has_ext(path, ".tar.gz")) {
        pol_ld_archive(l, path, pkeys, npk, errs);
    } else {
        load_file(l, path, path, pkeys, npk, true, false, errs);
    }
    gh_free(prefix);
    return (int)(errs->n - before);
}

void pol_loaded_add_err(const pol_loaded *l, pol_errors *errs, const gh_err *e) {
    const pol_module *m = e->file[0] ? pol_loaded_module(l, e->file) : NULL;
    pol_errors_add_gh(errs, e, m ? m->text : NULL, m ? m->len : 0);
}

static int cmp_mod(const void *a, const void *b) {
    return strcmp((*(const pol_module *const *)a)->name, (*(const pol_module *const *)b)->name);
}

rego_policy *pol_loaded_compile(const pol_loaded *l, const rego_parse_opts *po,
                                const rego_compile_opts *co, pol_errors *errs) {
    rego_policy *p = rego_policy_new();
    if (!p) {
        pol_errors_addf(errs, "out of memory");
        return NULL;
    }
    /* modules in name order, as OPA's compiler sorts them */
    const pol_module **order = gh_malloc((l->nmods + 1) * sizeof *order);
    if (!order) {
        pol_errors_addf(errs, "out of memory");
        rego_policy_free(p);
        return NULL;
    }
    for (size_t i = 0; i < l->nmods; i++)
        order[i] = &l->mods[i];
    qsort(order, l->nmods, sizeof *order, cmp_mod);
    size_t before = errs->n;
    gh_err e;
    rego_parse_opts mpo = po ? *po : (rego_parse_opts){0};
    for (size_t i = 0; i < l->nmods; i++) {
        gh_err_clear(&e);
        rego_errors list = {0};
        mpo.errors = &list;
        if (rego_policy_add_module(p, order[i]->name, order[i]->text, order[i]->len, &mpo, &e)) {
            if (!e.file[0]) gh_err_set_file(&e, order[i]->name);
            /* the list holds every error OPA reports for the module */
            if (list.n)
                pol_errors_add_list(errs, &list, &e, order[i]->text, order[i]->len);
            else
                pol_errors_add_gh(errs, &e, order[i]->text, order[i]->len);
        }
        rego_errors_free(&list);
    }
    gh_free(order);
    if (errs->n == before) {
        gh_err_clear(&e);
        rego_errors list = {0};
        rego_compile_opts o = co ? *co : (rego_compile_opts){0};
        o.errors = &list;
        if (rego_policy_add_data(p, l->data, &e)) {
            pol_loaded_add_err(l, errs, &e);
        } else if (rego_policy_compile(p, &o, &e)) {
            if (!list.n) pol_loaded_add_err(l, errs, &e);
            for (size_t i = 0; i < list.n; i++) {
                const pol_module *m =
                    list.v[i].file ? pol_loaded_module(l, list.v[i].file) : NULL;
                pol_errors_add_rego(errs, &list.v[i], m ? m->text : NULL, m ? m->len : 0);
            }
            if (list.oom) errs->oom = 1;
        }
        rego_errors_free(&list);
    }
    if (errs->n != before || errs->oom) {
        rego_policy_free(p);
        return NULL;
    }
    return p;
}
