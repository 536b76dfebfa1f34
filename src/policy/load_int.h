/* load_int.h - what load.c (files, directories, bundle directories) shares
 * with load_archive.c (bundle .tar.gz archives): adding modules and data to a
 * pol_loaded, reading a bundle manifest, and checking a bundle against its
 * roots before merging it. Private to src/policy/. */
#ifndef GH_POLICY_LOAD_INT_H
#define GH_POLICY_LOAD_INT_H

#include "policy/policy.h"

/* Add module `name` taking ownership of heap `text` on success (a module
 * loaded twice under one name keeps the latest text). -1 when out of memory
 * (text is then still the caller's). */
int pol_ld_add_module(pol_loaded *l, const char *name, char *text, size_t len);
/* Parse a data file (JSON when json, else YAML) reported as `name` and merge
 * it at keys[0..nkeys) into l->data. Returns 1 with an error added. */
int pol_ld_add_data(pol_loaded *l, const char *name, const char *text, size_t len, bool json,
                    char *const *keys, size_t nkeys, pol_errors *errs);
/* Read the file at path (at most max bytes) into heap *text; on failure
 * add the error, named after `name`, to errs and return nonzero. */
int pol_ld_read(const char *path, const char *name, size_t max, char **text, size_t *len,
                pol_errors *errs);
/* Whether a bundle file with this base name is data (data.json/.yaml/.yml). */
bool pol_ld_is_bundle_data(const char *base);
/* Parse a manifest (JSON) reported as mname: roots (default [""]) and
 * revision ("" when absent), both allocated in l->arena. 1 on error. */
int pol_ld_manifest(pol_loaded *l, const char *mname, const char *text, size_t len,
                    const val_t **roots, const char **revision, pol_errors *errs);

/* A bundle is loaded into a fresh l->data between begin and end; end puts
 * the previous data back, checks the bundle's data and modules against its
 * roots, merges it and records it in l->bundles (when no error was added
 * since begin). */
typedef struct pol_ld_bundle {
    val_t *saved;
    size_t mods_before, errs_before;
} pol_ld_bundle;
int pol_ld_bundle_begin(pol_loaded *l, pol_ld_bundle *b, pol_errors *errs);
void pol_ld_bundle_end(pol_loaded *l, pol_ld_bundle *b, const char *name, char *const *keys,
                       size_t nkeys, const val_t *roots, const char *revision, pol_errors *errs);

/* Read the archive at `path` (bounded) and load it with keys as the data
 * prefix; errors added to errs (load_archive.c). */
void pol_ld_archive(pol_loaded *l, const char *path, char *const *keys, size_t nkeys,
                    pol_errors *errs);

#endif
