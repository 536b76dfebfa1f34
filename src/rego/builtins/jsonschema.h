/* jsonschema.h - the JSON Schema validator behind json.verify_schema and
 * json.match_schema (private to src/rego/builtins/). It follows the
 * gojsonschema fork that OPA embeds: drafts 4, 6 and 7 plus OPA's default
 * "hybrid" mode (no $schema), the same schema errors at compile time, the
 * same validation errors, in the same order, with the same wording and
 * anyOf/oneOf "best match" scoring. Like OPA, "pattern" is type-checked but
 * not enforced, and remote $ref documents are never fetched.
 *   jsonschema.c           compile: schema JSON -> js_node tree, $ref
 *   jsonschema_validate.c  validation and error objects
 *   jsonschema_format.c    "format" checkers (date-time, email, ipv4, ...)
 * Everything is allocated in the caller's arena. */
#ifndef GH_REGO_JSONSCHEMA_H
#define GH_REGO_JSONSCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rego/builtins/strutil.h"

enum { JS_DRAFT4 = 4, JS_DRAFT6 = 6, JS_DRAFT7 = 7, JS_HYBRID = 1000 };

/* JSON types in gojsonschema's order and spelling. */
enum { JT_ARRAY, JT_BOOLEAN, JT_INTEGER, JT_NUMBER, JT_NULL, JT_OBJECT, JT_STRING, JT_COUNT };
extern const char *const js_type_names[JT_COUNT];

typedef struct js_node js_node;

typedef struct js_dep {
    const val_t *key;
    size_t nstr; /* > 0: property names the key depends on */
    const val_t **strs;
    js_node *schema; /* else: a schema the whole object must pass */
} js_dep;

struct js_node {
    int8_t pass; /* -1 normal; 0/1 the boolean schemas false/true */
    bool has_ref;
    js_node *ref; /* $ref target (validation uses only it) */
    uint8_t ntypes;
    uint8_t types[JT_COUNT];
    size_t nprops;
    const val_t **prop_keys;
    js_node **props;
    int addl_props; /* 0 absent, 1 false, 2 true, 3 schema */
    js_node *addl_props_s;
    size_t npat;
    const val_t **pat_keys;
    js_node **pats;
    js_node *prop_names;
    size_t nreq;
    const val_t **req; /* "required" names */
    size_t ndeps;
    js_dep *deps;
    bool items_single;
    size_t nitems;
    js_node **items;
    int addl_items; /* 0 absent, 1 false, 2 true, 3 schema */
    js_node *addl_items_s;
    const val_t *multiple_of, *minimum, *maximum, *excl_min, *excl_max;
    int64_t min_len, max_len, min_props, max_props, min_items, max_items; /* -1: absent */
    bool unique;
    js_node *contains;
    const char *const_json; /* normalized JSON of "const", or NULL */
    size_t nenum;
    const char **enum_json;
    size_t n_one, n_any, n_all;
    js_node **one_of, **any_of, **all_of;
    js_node *not_, *if_, *then_, *else_;
    const char *format; /* NULL when absent */
};

/* Compile the schema document (a JSON value: object or boolean). Returns 0
 * with *out set; 1 with gojsonschema's message in msg (e.g. "minLength
 * must be greater than or equal to 0"); GH_ENOMEM. */
int js_compile(gh_arena *a, const val_t *schema, js_node **out, rb_sb *msg);

/* Validate doc against the compiled schema. On success *errors is the
 * array of error objects {"error", "type", "field", "desc"} (empty when the
 * document matches). Returns 0, GH_ENOMEM, or GH_ELIMIT (message in msg)
 * when $ref recursion never reaches the document. */
int js_validate(gh_arena *a, const js_node *schema, const val_t *doc, val_t **errors, rb_sb *msg);

/* Go's json.Marshal of the value after a float64 round trip (gojsonschema's
 * marshalWithoutNumber): how const/enum/uniqueItems compare values. */
const char *js_norm_json(gh_arena *a, const val_t *v);

/* A "format" keyword check; unknown formats and non-strings pass. */
bool js_format_ok(const char *format, const val_t *v);

#endif
