/* value.h - the Rego/JSON value model shared by every gatehouse module.
 *
 * Seven kinds, ordered as OPA orders them:
 *   null < boolean < number < string < array < object < set
 * Values are built into a gh_arena and are immutable once handed to another
 * module (builders below are only for the code constructing a value). Every
 * value carries its hash, maintained as it is built, so hashing is O(1) and
 * equal values hash equal (1 and 1.0 included). Strings are byte strings
 * (UTF-8 validated by the parsers) and may be shared freely by pointer.
 *
 * Numbers keep an int64 fast path; anything else (fractions, exponents,
 * huge integers) is an exact decimal that remembers its source text so JSON
 * round-trips byte for byte, as in OPA.
 *
 * Objects and sets keep insertion order plus a hash index; canonical (sorted)
 * order is computed only when output or comparison needs it.
 *
 * Ownership: values live in the arena they were built in. Functions taking a
 * gh_arena allocate there; nothing here frees individually. Singletons
 * (null, true, false, small ints, "") are static and valid forever.
 *
 * Building: a container's hash is updated as items are added, so a child
 * must be complete before it is pushed/put/added. Builders return GH_EINVAL
 * for a NULL or wrong-kind argument and GH_ENOMEM on exhaustion, leaving the
 * container as it was. Value hashes use the module's own random key, fixed
 * at program load (gh_hash_seed does not change them). Reading values is
 * thread-safe; building one value is not. */
#ifndef GH_VALUE_H
#define GH_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

typedef enum {
    VAL_NULL = 0,
    VAL_BOOL = 1,
    VAL_NUMBER = 2,
    VAL_STRING = 3,
    VAL_ARRAY = 4,
    VAL_OBJECT = 5,
    VAL_SET = 6,
} val_kind;

/* number representations (val_t.sub for VAL_NUMBER) */
enum { VAL_NUM_INT = 0, VAL_NUM_DEC = 1 };

typedef struct val val_t;

/* Exact decimal: value = (neg ? -1 : 1) * digits * 10^exp, digits has no
 * leading or trailing zeros ("" for zero, then neg = 0). `text` is the
 * literal as written (JSON grammar) and is what output prints. */
typedef struct val_dec {
    const char *text;
    uint32_t text_len;
    uint32_t ndigits;
    const char *digits;
    int64_t exp;
    bool neg;
} val_dec;

/* Hash table shared by objects and sets: entries in insertion order, plus an
 * open-addressing index of entry positions (built once n > 8). */
typedef struct val_tab {
    val_t **keys;
    val_t **vals;       /* NULL for sets */
    uint32_t *index;    /* icap slots of two words: entry position + 1 (0 = empty),
                           then the high 32 bits of the key's hash */
    uint32_t n, cap, icap;
} val_tab;

struct val {
    uint8_t kind;   /* val_kind */
    uint8_t sub;    /* VAL_NUM_* for numbers; flags for others */
    uint16_t pad;
    uint32_t len;   /* string length in bytes */
    uint64_t hash;
    union {
        bool b;
        int64_t i;
        const val_dec *dec;
        const char *s;  /* NUL-terminated, len bytes, may contain NUL */
        struct {
            val_t **items;
            uint32_t n, cap;
        } arr;
        val_tab tab;    /* object or set */
    } u;
};

/* ---- singletons and scalars ---------------------------------------------- */
extern val_t val_null_v, val_true_v, val_false_v, val_empty_str_v;
#define VAL_NULLV (&val_null_v)
#define VAL_TRUE (&val_true_v)
#define VAL_FALSE (&val_false_v)

static inline val_kind val_kind_of(const val_t *v) { return (val_kind)v->kind; }
static inline bool val_is_str(const val_t *v) { return v->kind == VAL_STRING; }
static inline bool val_is_int(const val_t *v) {
    return v->kind == VAL_NUMBER && v->sub == VAL_NUM_INT;
}
static inline uint64_t val_hash(const val_t *v) { return v->hash; }
const char *val_kind_name(val_kind k); /* OPA's type_name: "null", "boolean", ... */

val_t *val_bool(bool b);
/* Integers; small ones come from a static table (no allocation). NULL on
 * arena exhaustion. */
val_t *val_int(gh_arena *a, int64_t i);
/* Number from a JSON-grammar literal (validated by the caller or checked
 * here: returns NULL and sets e for malformed text). Integers fitting int64
 * become VAL_NUM_INT unless the text has a fraction or exponent, in which
 * case the text is kept for exact output. */
val_t *val_num_parse(gh_arena *a, const char *text, size_t n, gh_err *e);
/* Number from a double, printed as OPA prints computed floats: integral
 * values exactly (an int when they fit int64, else all digits), others with
 * Go's shortest round-trip %g (strconv 'g', -1: "0.30000000000000004",
 * "1e-05", "1.2345675e+06"). -0 becomes 0. NULL for NaN/inf or on arena
 * exhaustion. */
val_t *val_num_double(gh_arena *a, double d);
/* Numeric views. val_num_to_int64: true when the value is integral and fits.
 * val_num_to_double: nearest double (inf for out of range). */
bool val_num_to_int64(const val_t *v, int64_t *out);
double val_num_to_double(const val_t *v);
bool val_num_is_integral(const val_t *v);

/* Strings. val_str copies the bytes into the arena; val_str_ref shares the
 * caller's bytes, which must outlive the value and be NUL-terminated. */
val_t *val_str(gh_arena *a, const char *s, size_t n);
val_t *val_strc(gh_arena *a, const char *s);
val_t *val_str_ref(gh_arena *a, const char *s, size_t n);
/* (All three return "" as the static empty string, and NULL on exhaustion
 * or for n >= 4 GiB.) */
static inline const char *val_str_ptr(const val_t *v) { return v->u.s; }
static inline size_t val_str_len(const val_t *v) { return v->len; }

/* ---- arrays ---------------------------------------------------------------- */
val_t *val_arr_new(gh_arena *a, size_t cap);
int val_arr_push(gh_arena *a, val_t *arr, val_t *item); /* 0 or GH_ENOMEM */
static inline size_t val_arr_len(const val_t *v) { return v->u.arr.n; }
static inline val_t *val_arr_at(const val_t *v, size_t i) { return v->u.arr.items[i]; }

/* ---- objects ----------------------------------------------------------------
 * val_obj_put replaces the value of an existing key (last wins, as Go's
 * encoding/json does for duplicate JSON keys). */
val_t *val_obj_new(gh_arena *a, size_t cap);
int val_obj_put(gh_arena *a, val_t *obj, val_t *key, val_t *value);
val_t *val_obj_get(const val_t *obj, const val_t *key);
val_t *val_obj_get_str(const val_t *obj, const char *key, size_t n);
static inline size_t val_obj_len(const val_t *v) { return v->u.tab.n; }
static inline val_t *val_obj_key_at(const val_t *v, size_t i) { return v->u.tab.keys[i]; }
static inline val_t *val_obj_val_at(const val_t *v, size_t i) { return v->u.tab.vals[i]; }

/* ---- sets ------------------------------------------------------------------ */
val_t *val_set_new(gh_arena *a, size_t cap);
/* Adds item unless present; *added (may be NULL) says which. */
int val_set_add(gh_arena *a, val_t *set, val_t *item, bool *added);
bool val_set_has(const val_t *set, const val_t *item);
static inline size_t val_set_len(const val_t *v) { return v->u.tab.n; }
static inline val_t *val_set_at(const val_t *v, size_t i) { return v->u.tab.keys[i]; }

/* ---- order, equality ---------------------------------------------------------
 * val_compare is OPA's total order (ast.Compare): kinds by rank; numbers by
 * exact value; strings bytewise; arrays element-wise then by length;
 * objects by sorted keys pairwise (key, then value) then by size; sets by
 * sorted elements then size. Returns <0, 0, >0. */
int val_compare(const val_t *a, const val_t *b);
bool val_equal(const val_t *a, const val_t *b);

/* Entry positions of an object/set (item positions of an array) in
 * canonical order, stable for equal items; the array is allocated in `a`.
 * NULL when the container is empty, v is a scalar, or on exhaustion. */
uint32_t *val_sorted_order(gh_arena *a, const val_t *v);

/* Deep copy into another arena (for values that must outlive theirs).
 * Static singletons are returned as they are; NULL on exhaustion. */
val_t *val_copy(gh_arena *a, const val_t *v);

/* ---- JSON ------------------------------------------------------------------ */
typedef struct val_json_opts {
    size_t max_depth;  /* 0 = GH_MAX_DEPTH */
    size_t max_bytes;  /* 0 = GH_MAX_DOC_BYTES */
    size_t *consumed;  /* non-NULL: parse only the first value, as Go's json.Decoder
                          does; whatever follows it is left alone and *consumed gets
                          the offset just past the value */
} val_json_opts;

/* Parse one JSON text (RFC 8259, strict UTF-8, surrogate pairs checked).
 * Whitespace may surround the value; anything else after it is an error
 * (unless o->consumed is set).
 * Errors name line:col; the caller sets the file with gh_err_set_file.
 * Returns 0, GH_EPARSE (malformed), GH_ELIMIT (o->max_bytes, o->max_depth,
 * number length), GH_ENOMEM (arena budget) or GH_EINVAL; *out is NULL on
 * error. A leading UTF-8 BOM is skipped, unpaired \u surrogate escapes
 * become U+FFFD (as in Go), duplicate keys keep the last value, and equal
 * short keys may be one shared value. Details: docs/json.md. */
int val_json_parse(gh_arena *a, const char *p, size_t n, const val_json_opts *o, val_t **out,
                   gh_err *e);

/* Output flags. Sets print as sorted arrays; non-string object keys print
 * as the compact JSON text of the key, as OPA does: such objects sort by
 * that text, and when two keys give the same text (1 and "1") only the one
 * greater in canonical order is printed. */
enum {
    VAL_JSON_PRETTY = 1 << 0,   /* two-space indent, newline after ", " */
    VAL_JSON_SORTED = 1 << 1,   /* canonical order of object keys */
    VAL_JSON_ASCII = 1 << 2,    /* escape non-ASCII as \uXXXX */
    VAL_JSON_NO_HTML_ESC = 1 << 3, /* leave < > & unescaped (Go escapes them by default) */
    VAL_JSON_TABS = 1 << 4,     /* with PRETTY: indent with one tab per level (conftest) */
};
/* Appends to b; on allocation failure b->oom is set. `indent` is the
 * starting indentation level for pretty output. */
void val_json_emit(gh_buf *b, const val_t *v, int flags);
void val_json_emit_indent(gh_buf *b, const val_t *v, int flags, int indent);
/* Convenience: JSON text in the arena. */
char *val_to_json(gh_arena *a, const val_t *v, int flags);

/* ---- YAML ------------------------------------------------------------------ */
typedef struct val_yaml_opts {
    size_t max_depth;        /* 0 = GH_MAX_DEPTH */
    size_t max_alias_nodes;  /* 0 = GH_MAX_YAML_ALIAS_NODES */
} val_yaml_opts;

/* Load every document of a YAML stream (libyaml). *docs is an arena array
 * of *ndocs values; empty documents (e.g. between "---" lines) are dropped
 * as kubectl does, so a stream without documents ("", comments only, "---")
 * gives *ndocs = 0 and *docs = NULL; an explicit `null` document is kept.
 * Scalars resolve as Kubernetes' sigs.k8s.io/yaml does (see docs/yaml.md):
 * YAML 1.1 booleans yes/no/on/off are booleans, keys become strings, `<<`
 * merges. Aliases share the anchored value; their logical expansion counts
 * against max_alias_nodes per document (GH_ELIMIT past it), as nesting does
 * against max_depth. Errors (GH_EPARSE, GH_ELIMIT, GH_ENOMEM on arena
 * exhaustion) name line:col; on error *docs is NULL and *ndocs 0. */
int val_yaml_load(gh_arena *a, const char *p, size_t n, const val_yaml_opts *o, val_t ***docs,
                  size_t *ndocs, gh_err *e);

#endif
