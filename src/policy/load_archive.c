/* load_archive.c - OPA bundle archives (.tar.gz) for the loader (load.c's
 * pol_load_path, the fuzzer): libarchive reads the gzip-compressed tar
 * stream from memory, every entry is checked (path, type, limits) before its
 * bytes are inflated, then the manifest, data files and modules load as for a
 * bundle directory. Nothing is ever written to the filesystem.
 * Invariant: no more than the byte and entry budgets is decompressed or
 * allocated, whatever an entry header claims. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/load_int.h"
#include "policy/policy.h"

/* Deepest directory nesting of an entry path (as load.c's walk). */
enum { AR_MAX_DEPTH = 64 };

/* One kept entry: path without leading '/', './' or empty segments. */
typedef struct ar_file {
    char *path; /* heap */
    char *text; /* heap, NUL-terminated; NULL for entries only noted (signatures) */
    size_t len;
} ar_file;

typedef struct ar_files {
    ar_file *v;
    size_t n;
    bool signed_; /* a .signatures.json entry was seen */
} ar_files;

static void files_free(ar_files *f) {
    for (size_t i = 0; i < f->n; i++) {
        gh_free(f->v[i].path);
        gh_free(f->v[i].text);
    }
    gh_free(f->v);
    memset(f, 0, sizeof *f);
}

static bool has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcasecmp(s + n - k, suf);
}

/* The entry path made bundle-relative: a leading '/' (as `opa build` writes
 * entries) and "." / empty segments dropped. NULL (with why set) for a ".."
 * segment, or a path with nothing left but directories' names. Heap. */
static char *clean_entry(const char *p, const char **why) {
    size_t n = strlen(p);
    char *out = gh_malloc(n + 1);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        size_t sl = j - i;
        if (sl == 2 && p[i] == '.' && p[i + 1] == '.') {
            gh_free(out);
            *why = "path leaves the bundle (\"..\")";
            return NULL;
        }
        if (sl && !(sl == 1 && p[i] == '.')) {
            if (w) out[w++] = '/';
            memcpy(out + w, p + i, sl);
            w += sl;
        }
        i = j + 1;
    }
    out[w] = 0;
    return out;
}

/* An entry name for messages: control bytes become '?', and names longer
 * than AR_SHOWN bytes are cut with "...". out holds AR_SHOWN + 4 bytes. */
enum { AR_SHOWN = 200 };
static void shown_name(char *out, const char *p) {
    size_t w = 0;
    for (; *p && w < AR_SHOWN; p++)
        out[w++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    if (*p) memcpy(out + w, "...", 3), w += 3;
    out[w] = 0;
}

/* What the bundle reader does with an entry, from its cleaned path. */
enum { E_SKIP, E_KEEP, E_SIGNATURE, E_UNSUPPORTED };

static int classify(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strcmp(path, ".manifest") || has_suffix(path, ".rego") || pol_ld_is_bundle_data(base))
        return E_KEEP;
    if (!strcmp(base, ".signatures.json")) return E_SIGNATURE;
    if (has_suffix(path, ".wasm") || !strcmp(path, "plan.json")) return E_UNSUPPORTED;
    return E_SKIP;
}

/* Read the archive's entries into f. Returns 1 with an error added. */
static int read_entries(pol_loaded *l, struct archive *a, const char *name, ar_files *f,
                        pol_errors *errs) {
    size_t max_bytes = l->bundle_max_bytes ? l->bundle_max_bytes : GH_MAX_BUNDLE_BYTES;
    size_t max_entries = l->bundle_max_entries ? l->bundle_max_entries : GH_MAX_BUNDLE_ENTRIES;
    size_t used = 0, nentries = 0, cap = 0;
    struct archive_entry *ent;
    for (;;) {
        int rc = archive_read_next_header(a, &ent);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) {
            if (nentries == 0 && archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP)
                pol_errors_addf(errs, "%s: not a bundle archive (gzip-compressed tar): %s", name,
                                archive_error_string(a));
            else
                pol_errors_addf(errs, "%s: corrupt bundle archive: %s", name,
                                archive_error_string(a));
            return 1;
        }
        if (nentries == 0 && archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
            pol_errors_addf(errs, "%s: bundle archive is not gzip-compressed", name);
            return 1;
        }
        if (++nentries > max_entries) {
            pol_errors_addf(errs, "%s: bundle archive has more than %zu entries", name,
                            max_entries);
            return 1;
        }
        if ((uint64_t)archive_filter_bytes(a, 0) > max_bytes) {
            pol_errors_addf(errs, "%s: archive larger than %zu bytes after decompression", name,
                            max_bytes);
            return 1;
        }
        const char *pathname = archive_entry_pathname(ent);
        if (!pathname || !*pathname) {
            pol_errors_addf(errs, "%s: bundle entry %zu has no usable name", name, nentries);
            return 1;
        }
        char raw[AR_SHOWN + 4]; /* the name as errors show it */
        shown_name(raw, pathname);
        const char *why = NULL;
        char *path = clean_entry(pathname, &why);
        if (!path) {
            pol_errors_addf(errs, "%s: bundle entry \"%s\": %s", name, raw, why);
            return 1;
        }
        size_t depth = 0;
        for (const char *c = path; *c; c++)
            depth += *c == '/';
        if (depth > AR_MAX_DEPTH) {
            pol_errors_addf(errs, "%s: bundle entry \"%s\": directories nested too deeply", name,
                            raw);
            gh_free(path);
            return 1;
        }
        int64_t sz = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
        mode_t type = archive_entry_filetype(ent);
        const char *bad = NULL;
        if (archive_entry_hardlink(ent))
            bad = "hard links are not allowed in bundles";
        else if (type == AE_IFLNK)
            bad = "symbolic links are not allowed in bundles";
        else if (type != AE_IFREG && type != AE_IFDIR)
            bad = "only regular files and directories are allowed in bundles";
        if (bad) {
            pol_errors_addf(errs, "%s: bundle entry \"%s\": %s", name, raw, bad);
            gh_free(path);
            return 1;
        }
        if (sz < 0 || (uint64_t)sz > max_bytes - used) {
            pol_errors_addf(errs,
                            "%s: bundle entry \"%s\": archive larger than %zu bytes after "
                            "decompression",
                            name, raw, max_bytes);
            gh_free(path);
            return 1;
        }
        used += (size_t)sz + 512; /* the header block counts too */
        if (used > max_bytes) used = max_bytes;
        int what = type == AE_IFDIR || !*path ? E_SKIP : classify(path);
        if (what == E_UNSUPPORTED) {
            pol_errors_addf(errs,
                            "%s: bundle entry \"%s\": Wasm modules and plans are not supported",
                            name, raw);
            gh_free(path);
            return 1;
        }
        if (what == E_SIGNATURE) f->signed_ = true;
        if (what != E_KEEP) {
            gh_free(path);
            if (archive_read_data_skip(a) < ARCHIVE_WARN) {
                pol_errors_addf(errs, "%s: corrupt bundle archive: %s", name,
                                archive_error_string(a));
                return 1;
            }
            continue;
        }
        if ((uint64_t)sz > GH_MAX_DOC_BYTES) {
            pol_errors_addf(errs, "%s: bundle entry \"%s\" is larger than %u bytes", name, raw,
                            GH_MAX_DOC_BYTES);
            gh_free(path);
            return 1;
        }
        char *text = gh_malloc((size_t)sz + 1);
        if (f->n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            ar_file *nv = gh_realloc(f->v, nc * sizeof *nv);
            if (nv) f->v = nv, cap = nc;
        }
        if (!text || f->n == cap) {
            gh_free(text);
            gh_free(path);
            pol_errors_addf(errs, "%s: out of memory", name);
            return 1;
        }
        size_t got = 0;
        for (;;) {
            la_ssize_t r = archive_read_data(a, text + got, (size_t)sz - got);
            if (r < 0) {
                pol_errors_addf(errs, "%s: corrupt bundle archive at \"%s\": %s", name, raw,
                                archive_error_string(a));
                gh_free(text);
                gh_free(path);
                return 1;
            }
            if (r == 0) break;
            got += (size_t)r;
            if (got == (size_t)sz) {
                char extra;
                r = archive_read_data(a, &extra, 1);
                if (r != 0) {
                    pol_errors_addf(errs, "%s: corrupt bundle archive at \"%s\": %s", name, raw,
                                    r < 0 ? archive_error_string(a) : "entry longer than declared");
                    gh_free(text);
                    gh_free(path);
                    return 1;
                }
                break;
            }
        }
        text[got] = 0;
        f->v[f->n++] = (ar_file){path, text, got};
    }
    if (nentries == 0 && archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
        pol_errors_addf(errs, "%s: bundle archive is not gzip-compressed", name);
        return 1;
    }
    return 0;
}

/* Load the entries read from archive `name` as one bundle. */
static void load_files(pol_loaded *l, const char *name, const ar_files *f, char *const *keys,
                       size_t nkeys, pol_errors *errs) {
    if (f->signed_ && !l->skip_verify) {
        pol_errors_addf(errs,
                        "%s: bundle is signed (.signatures.json) but gatehouse does not verify "
                        "bundle signatures; verify it before loading, or skip verification "
                        "explicitly (--skip-verify)",
                        name);
        return;
    }
    const val_t *roots = NULL;
    const char *rev = "";
    size_t nl = strlen(name);
    char *label = NULL; /* "<name>/<entry path>" */
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->v[i].path, ".manifest")) {
            label = gh_malloc(nl + sizeof "/.manifest");
            if (!label) goto oom;
            sprintf(label, "%s/.manifest", name);
            int rc = pol_ld_manifest(l, label, f->v[i].text, f->v[i].len, &roots, &rev, errs);
            gh_free(label);
            if (rc) return;
        }
    if (!roots) {
        val_t *r = val_arr_new(&l->arena, 1), *all = val_strc(&l->arena, "");
        if (!r || !all || val_arr_push(&l->arena, r, all)) goto oom;
        roots = r;
    }
    pol_ld_bundle b;
    if (pol_ld_bundle_begin(l, &b, errs)) return;
    size_t maxdepth = 0;
    for (size_t i = 0; i < f->n; i++) {
        size_t d = 0;
        for (const char *c = f->v[i].path; *c; c++)
            d += *c == '/';
        if (d > maxdepth) maxdepth = d;
    }
    char **k = gh_malloc((nkeys + maxdepth + 1) * sizeof *k);
    char *dirbuf = NULL;
    if (!k) {
        pol_ld_bundle_end(l, &b, name, keys, nkeys, roots, rev, errs);
        goto oom;
    }
    for (size_t i = 0; i < f->n; i++) {
        const ar_file *e = &f->v[i];
        if (!strcmp(e->path, ".manifest")) continue;
        size_t pl = strlen(e->path);
        label = gh_malloc(nl + pl + 2);
        if (!label) {
            pol_errors_addf(errs, "%s: out of memory", name);
            break;
        }
        sprintf(label, "%s/%s", name, e->path);
        if (has_suffix(e->path, ".rego")) {
            char *text = gh_malloc(e->len + 1);
            if (text) memcpy(text, e->text, e->len + 1);
            if (!text || pol_ld_add_module(l, label, text, e->len)) {
                gh_free(text);
                pol_errors_addf(errs, "%s: out of memory", label);
            }
        } else {
            /* data.* at "a/b/data.json" merges at keys + [a, b] */
            gh_free(dirbuf);
            dirbuf = gh_malloc(pl + 1);
            if (!dirbuf) {
                gh_free(label);
                pol_errors_addf(errs, "%s: out of memory", name);
                break;
            }
            memcpy(dirbuf, e->path, pl + 1);
            size_t nk = nkeys;
            if (nkeys) memcpy(k, keys, nkeys * sizeof *k);
            char *s = dirbuf, *slash;
            while ((slash = strchr(s, '/')) != NULL) {
                *slash = 0;
                k[nk++] = s;
                s = slash + 1;
            }
            pol_ld_add_data(l, label, e->text, e->len, has_suffix(e->path, ".json"), k, nk, errs);
        }
        gh_free(label);
    }
    gh_free(dirbuf);
    gh_free(k);
    pol_ld_bundle_end(l, &b, name, keys, nkeys, roots, rev, errs);
    return;
oom:
    pol_errors_addf(errs, "%s: out of memory", name);
}

static void load_mem(pol_loaded *l, const char *name, const void *buf, size_t n, char *const *keys,
                     size_t nkeys, pol_errors *errs) {
    struct archive *a = archive_read_new();
    if (!a) {
        pol_errors_addf(errs, "%s: out of memory", name);
        return;
    }
    ar_files f = {0};
    const unsigned char *u = buf;
    if (n < 2 || u[0] != 0x1f || u[1] != 0x8b) { /* gzip's magic number */
        pol_errors_addf(errs, "%s: not a bundle archive (gzip-compressed tar)", name);
    } else if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
               archive_read_support_format_tar(a) != ARCHIVE_OK ||
               archive_read_open_memory(a, buf, n) != ARCHIVE_OK) {
        pol_errors_addf(errs, "%s: corrupt bundle archive: %s", name,
                        archive_error_string(a) ? archive_error_string(a) : "unreadable");
    } else if (!read_entries(l, a, name, &f, errs)) {
        load_files(l, name, &f, keys, nkeys, errs);
    }
    files_free(&f);
    archive_read_free(a);
}

int pol_load_bundle_archive(pol_loaded *l, const char *name, const void *buf, size_t n,
                            pol_errors *errs) {
    size_t before = errs->n;
    load_mem(l, name, buf, n, NULL, 0, errs);
    return (int)(errs->n - before);
}

void pol_ld_archive(pol_loaded *l, const char *path, char *const *keys, size_t nkeys,
                    pol_errors *errs) {
    size_t max_bytes = l->bundle_max_bytes ? l->bundle_max_bytes : GH_MAX_BUNDLE_BYTES;
    char *buf = NULL;
    size_t n = 0;
    if (pol_ld_read(path, path, max_bytes, &buf, &n, errs)) return;
    load_mem(l, path, buf, n, keys, nkeys, errs);
    gh_free(buf);
}
