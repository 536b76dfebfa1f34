/* state_int.h - private interfaces of the server's state (state.c,
 * state_data.c, state_build.c): the document store operations that data
 * writes use (OPA's in-memory store semantics on immutable values) and the
 * snapshot builder. Nothing outside those files includes it except their
 * unit tests. */
#ifndef GH_SRV_STATE_INT_H
#define GH_SRV_STATE_INT_H

#include "server/srv_int.h"

/* ---- document store (state_data.c) -----------------------------------------
 * Values are immutable: a write returns a new root that shares every
 * untouched subtree with the old one (path copying into arena a). Paths are
 * arrays of string keys (array positions are decimal strings, as in OPA's
 * storage paths). Errors carry OPA's storage error text in e->msg (e.g.
 * "storage_not_found_error: /a/b: document does not exist") and its code in
 * e->kind: "storage_not_found_error", "storage_write_conflict_error",
 * "storage_invalid_patch_error". */
typedef enum st_op { ST_ADD, ST_REMOVE, ST_REPLACE } st_op;

/* The value at path (NULL + GH_ENOTFOUND when absent; OPA's ptr.Ptr). */
int st_data_read(const val_t *root, const val_t *path, const val_t **out, gh_err *e);
/* One storage write (OPA's inmem Write): add creates or replaces an object
 * key or inserts into an array ("-" or the length appends); remove and
 * replace need the target to exist; the root may only be replaced by an
 * object and never removed. */
int st_data_write(gh_arena *a, const val_t *root, st_op op, const val_t *path, const val_t *value,
                  val_t **out, gh_err *e);
/* OPA's storage.MakeDir: create empty objects along path; an existing
 * non-object on the way is a write conflict naming that prefix. */
int st_data_mkdir(gh_arena *a, const val_t *root, const val_t *path, size_t n, val_t **out,
                  gh_err *e);
/* OPA's storage.NonEmpty: true when path reads a value or some proper
 * prefix of it is a non-object. keys are string values. */
bool st_data_nonempty(const val_t *root, val_t *const *keys, size_t n);
/* "/a/b%2Fc" - OPA's storage.Path text (segments path-escaped), in a. */
const char *st_path_text(gh_arena *a, const val_t *path, size_t n);

/* ---- snapshot building (state_build.c) ------------------------------------- */

/* Shared Gatekeeper model: snapshots built from data writes share it. */
typedef struct st_gk {
    _Atomic uint32_t refs;
    pol_gk *gk;
} st_gk;
st_gk *st_gk_ref(st_gk *g);
void st_gk_unref(st_gk *g);

/* A configuration shared by the snapshots published under it: each holds
 * a reference, and so does the state for its current configuration. The
 * start-up configuration is borrowed (owned by srv_serve's caller); one
 * read by a reload is owned and freed with the last reference. */
struct st_cfg {
    _Atomic uint32_t refs;
    bool owned;
    srv_config *cfg;
};
/* A holder with one reference; NULL when out of memory (an owned cfg is
 * then freed). */
st_cfg *st_cfg_new(srv_config *cfg, bool owned);
st_cfg *st_cfg_ref(st_cfg *h);
void st_cfg_unref(st_cfg *h);
/* Attach h to snapshot s (a reference is taken; s->cfg set). */
void st_snapshot_set_cfg(srv_snapshot *s, st_cfg *h);

/* A module source for a build (borrowed). */
typedef struct st_src {
    const char *id;
    const char *text;
    size_t len;
    const char *file; /* name the module is parsed under (locations); NULL: id. `opa run`
                         parses files under their path but lists them without a leading
                         '/'; modules changed through the API are re-parsed under their id */
} st_src;

/* Build (not publish) a snapshot: copy the modules (sorted by id), compile
 * them with data, check that no rule path holds data (OPA's path conflict
 * check). On failure returns NULL and appends every error to errs. The
 * revision and the reference count (1) are set; gk is referenced. */
srv_snapshot *st_snapshot_build(const srv_config *cfg, const st_src *mods, size_t nmods,
                                const val_t *data, st_gk *gk, pol_errors *errs);
/* A snapshot with base's modules and compiled rules (shared through
 * rego_policy_rebase: nothing is parsed or compiled) and new base data,
 * after the same conflict check. For data writes. */
srv_snapshot *st_snapshot_rebase(const srv_snapshot *base, const val_t *data, pol_errors *errs);
/* Free a snapshot whose count reached zero. */
void st_snapshot_destroy(srv_snapshot *s);
/* The shared Gatekeeper model of a snapshot (NULL when none). */
st_gk *st_snapshot_gk(const srv_snapshot *s);

#endif
