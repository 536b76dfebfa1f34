/* check_builtins.c - conftest's builtins for policies run by `gatehouse
 * check`: parse_config(parser, content), parse_config_file(path) and
 * parse_combined_config_files(paths). They are host builtins: registered
 * with the engine at run time (pol_check_register_builtins) and reaching the
 * checker's parser hook through rego_bctx.host (check_int.h). Relative
 * paths resolve against the directory of the calling policy file, as
 * conftest does; files are read within GH_MAX_DOC_BYTES. */
#include <stdlib.h>
#include <string.h>

#include "policy/check_int.h"
#include "policy/policy.h"
#include "rego/builtins/builtins.h"
#include "rego/rego.h"

static const pol_check_host *host_of(rego_bctx *c, const char *name) {
    const pol_check_host *h = c->host;
    if (!h || h->magic != POL_CHECK_HOST_MAGIC || !h->parse) {
        rb_err(c, "%s is only available to policies run by `gatehouse check`", name);
        return NULL;
    }
    return h;
}

/* A parser error as a builtin error (the evaluator adds the builtin's name). */
static int parse_fail(rego_bctx *c, int rc, const gh_err *pe) {
    if (rc == GH_ENOMEM) return rb_oom(c);
    char msg[GH_ERR_MSG + GH_ERR_FILE + 64];
    return rb_err(c, "%s", gh_err_format(pe, msg, sizeof msg));
}

static int bi_parse_config(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *parser, *text;
    size_t plen, n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &parser, &plen)) || (rc = rb_arg_str(c, args, 1, &text, &n)))
        return rc;
    const pol_check_host *h = host_of(c, "parse_config");
    if (!h) return GH_EINVAL;
    char *pname = gh_arena_strndup(c->a, parser, plen);
    if (!pname) return rb_oom(c);
    gh_err pe;
    gh_err_clear(&pe);
    rc = h->parse(h->parse_ud, c->a, pname, NULL, text, n, out, &pe);
    return rc ? parse_fail(c, rc, &pe) : RB_OK;
}

/* Go's filepath.Clean, in place: no "." segments, ".." folded into the
 * segment before it where there is one, no doubled or trailing slashes. */
static char *clean(char *path) {
    bool abs = path[0] == '/';
    char *out = path, *w = path;
    const char *r = path;
    if (abs) *w++ = '/', r++;
    char *floor = w; /* ".." never folds past this */
    while (*r) {
        const char *seg = r;
        while (*r && *r != '/')
            r++;
        size_t len = (size_t)(r - seg);
        while (*r == '/')
            r++;
        if (len == 0 || (len == 1 && seg[0] == '.')) continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (w > floor) { /* drop the previous segment */
                while (w > floor && w[-1] != '/')
                    w--;
                if (w > floor) w--;
                continue;
            }
            if (abs) continue;
            if (w > out && w[-1] != '/') *w++ = '/';
            memcpy(w, "..", 2), w += 2;
            floor = w;
            continue;
        }
        if (w > out && w[-1] != '/') *w++ = '/';
        memmove(w, seg, len);
        w += len;
    }
    if (w == out) *w++ = '.';
    *w = '\0';
    return out;
}

/* path relative to the directory of the calling policy file, cleaned */
static char *resolve(rego_bctx *c, const char *p, size_t n) {
    const char *file = c->loc && c->loc->file ? c->loc->file : "";
    const char *slash = strrchr(file, '/');
    char *r;
    if ((n && p[0] == '/') || !slash)
        r = gh_arena_strndup(c->a, p, n);
    else
        r = gh_arena_printf(c->a, "%.*s/%.*s", (int)(slash - file), file, (int)n, p);
    return r ? clean(r) : NULL;
}

static int parse_file(rego_bctx *c, const pol_check_host *h, const char *p, size_t n, val_t **out) {
    if (memchr(p, '\0', n)) return rb_err(c, "path contains a NUL byte");
    char *path = resolve(c, p, n);
    if (!path) return rb_oom(c);
    gh_err pe;
    gh_err_clear(&pe);
    char *text = NULL;
    size_t len = 0;
    int rc = gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, &pe);
    if (rc) return parse_fail(c, rc, &pe);
    rc = h->parse(h->parse_ud, c->a, NULL, path, text, len, out, &pe);
    gh_free(text);
    return rc ? parse_fail(c, rc, &pe) : RB_OK;
}

static int bi_parse_config_file(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *p;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &p, &n);
    if (rc) return rc;
    const pol_check_host *h = host_of(c, "parse_config_file");
    if (!h) return GH_EINVAL;
    return parse_file(c, h, p, n, out);
}

static int add_doc(rego_bctx *c, val_t *arr, const char *path, val_t *doc) {
    val_t *o = val_obj_new(c->a, 2);
    val_t *pk = val_strc(c->a, "path"), *pv = val_strc(c->a, path);
    val_t *ck = val_strc(c->a, "contents");
    if (!o || !pk || !pv || !ck || val_obj_put(c->a, o, pk, pv) || val_obj_put(c->a, o, ck, doc) ||
        val_arr_push(c->a, arr, o))
        return rb_oom(c);
    return 0;
}

static int bi_parse_combined(rego_bctx *c, val_t *const *args, val_t **out) {
    if (val_kind_of(args[0]) != VAL_ARRAY) return rb_type_err(c, 1, "array", args[0]);
    const pol_check_host *h = host_of(c, "parse_combined_config_files");
    if (!h) return GH_EINVAL;
    size_t n = val_arr_len(args[0]);
    val_t *arr = val_arr_new(c->a, n ? n : 1);
    if (!arr) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        const val_t *p = val_arr_at(args[0], i);
        if (!val_is_str(p)) return rb_err(c, "operand 1 must be an array of strings");
        val_t *doc = NULL;
        int rc = parse_file(c, h, val_str_ptr(p), val_str_len(p), &doc);
        if (rc) return rc;
        const char *path = resolve(c, val_str_ptr(p), val_str_len(p));
        if (!path) return rb_oom(c);
        if (val_kind_of(doc) == VAL_ARRAY) { /* multi-document file: one entry each */
            for (size_t k = 0; k < val_arr_len(doc); k++)
                if ((rc = add_doc(c, arr, path, val_arr_at(doc, k)))) return rc;
        } else if ((rc = add_doc(c, arr, path, doc))) {
            return rc;
        }
    }
    *out = arr;
    return RB_OK;
}

static const rego_builtin conftest_builtins[] = {
    {"parse_combined_config_files", 1, RB_NOCACHE, bi_parse_combined,
     "(paths: array[string]) -> output: any", "conftest",
     "Parses the files (by file name) and combines them as [{path, contents}]."},
    {"parse_config", 2, 0, bi_parse_config, "(parser: string, content: string) -> output: any",
     "conftest", "Parses content with the named conftest parser (yaml, json, toml, ...)."},
    {"parse_config_file", 1, RB_NOCACHE, bi_parse_config_file, "(path: string) -> output: any",
     "conftest", "Parses a file, relative to the calling policy, choosing the parser by name."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};

int pol_check_register_builtins(gh_err *e) { return rego_builtin_register(conftest_builtins, e); }
