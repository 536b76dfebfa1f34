/* builtins.h - the built-in function library of the Rego engine: the calling
 * convention every builtin follows, argument helpers, and the registry.
 *
 * Each family lives in its own file (strings.c, regex.c, numbers.c, ...) and
 * exports one table `const rego_builtin rego_bi_<family>[]` ended by an
 * entry whose name is NULL; registry.c lists the families. A builtin checks
 * its arguments first (OPA's operand errors), then works, allocating its
 * result in ctx->a. It never prints and never keeps pointers to its
 * arguments beyond the call except inside its result (values are
 * immutable, so sharing argument sub-values in a result is fine).
 *
 * Return values: RB_OK with *out set; RB_UNDEF when the call is undefined
 * (no result, not an error); or a negative GH_E* code with ctx->err filled:
 *   GH_ETYPE  -> OPA's eval_type_error   (e.g. operand type mismatch)
 *   GH_EINVAL -> OPA's eval_builtin_error (bad value, e.g. invalid regex)
 *   GH_ECANCEL / GH_ENOMEM -> evaluation stops (halt errors)
 * The message holds only the detail ("operand 1 must be string but got
 * number"); the evaluator prefixes the builtin's name and picks the code. */
#ifndef GH_REGO_BUILTINS_H
#define GH_REGO_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "value/value.h"

enum { RB_OK = 0, RB_UNDEF = 1 };

/* Per-query state a builtin may use. The evaluator creates one per query
 * and keeps it for the whole query so non-deterministic builtins are
 * stable within it. */
typedef struct rego_bctx {
    gh_arena *a;          /* where results are allocated */
    gh_err *err;          /* filled on error */
    int64_t now_ns;       /* time.now_ns for this query (wall clock at query start) */
    val_t *cache;         /* per-query memo object (see rb_cache_get/put); created lazily */
    bool strict;          /* strict builtin errors requested by the caller */
    uint64_t seed;        /* per-query randomness seed (rand.intn, uuid.rfc4122) */
    /* Optional sinks and capabilities, set by the embedding program: */
    void (*print)(void *ud, const char *line, size_t n); /* print(); NULL = stderr */
    void *print_ud;
    const struct rego_http_policy *http; /* http.send allowed when non-NULL */
    void *host; /* rego_eval_opts.host: context for host builtins (may be NULL) */
    const struct rego_loc *loc; /* the call being evaluated (file:row), or NULL */
} rego_bctx;

typedef int (*rego_bfn)(rego_bctx *c, val_t *const *args, val_t **out);

enum {
    RB_NONDET = 1 << 0,   /* result varies between queries: memoise per query */
    RB_RELATION = 1 << 1, /* returns an array of alternative results to iterate (walk) */
    RB_NOCACHE = 1 << 2,  /* must not be constant-folded at compile time */
};

/* A registry entry. `decl` gives the signature in this small grammar:
 *   decl := "(" [arg {"," arg}] ")" "->" [name ":"] type
 *   arg  := [name ":"] type
 *   type := prim {"|" prim}
 *   prim := "any" | "string" | "number" | "boolean" | "null"
 *         | "array[" type "]"            dynamic array of type
 *         | "set[" type "]"
 *         | "object[" type ":" type "]"  dynamic object, key type : value type
 *         | "<" type {"," type} ">"      static array (tuple), e.g. <string, number>
 *         | "{" key ":" type {"," key ":" type} "}"  static object; a key `any`
 *                                          gives the dynamic part: {op: string, any: any}
 * e.g. "(collection: string|array[any]|object[any:any]|set[any]) -> n: number".
 * A variadic builtin is not possible in Rego; arity is the count of args. */
typedef struct rego_builtin {
    const char *name;     /* dotted name as policies call it, e.g. "strings.replace_n" */
    uint8_t arity;
    uint8_t flags;        /* RB_* */
    rego_bfn fn;
    const char *decl;
    const char *category; /* OPA's category, e.g. "strings" */
    const char *doc;      /* one sentence, our own words */
} rego_builtin;

/* ---- registry -------------------------------------------------------------- */
/* Look up a builtin by name; NULL when unknown. Thread-safe after the first
 * call (the table is built once). */
const rego_builtin *rego_builtin_find(const char *name, size_t n);
/* Call fn(ud, b) for every registered builtin in name order. */
void rego_builtin_each(void (*fn)(void *ud, const rego_builtin *b), void *ud);
size_t rego_builtin_count(void);
/* Register a family of host builtins (a table ended by a NULL name), e.g.
 * conftest's parse_config() from the policy layer, which the engine cannot
 * depend on. Registered builtins are found by the parser, compiler and
 * evaluator like the engine's own and appear in rego_capabilities; register
 * them before compiling policies that call them. They reach their host's
 * state through rego_bctx.host (rego_eval_opts.host), which is NULL when
 * the embedding program passes none: a host builtin must then fail with a
 * clear error. Registering the same table again is a no-op. Returns 0;
 * GH_EINVAL when a name is already taken (nothing is registered then);
 * GH_ELIMIT beyond REGO_MAX_HOST_FAMILIES tables; GH_ENOMEM. Thread-safe,
 * also against concurrent lookups. */
#define REGO_MAX_HOST_FAMILIES 16
int rego_builtin_register(const rego_builtin *family, gh_err *e);
/* OPA capabilities document {"builtins":[...],"future_keywords":[...],
 * "features":[...]} built from the registry's decl strings. */
int rego_capabilities(gh_arena *a, val_t **out, gh_err *e);
/* One builtin's declaration in the same shape as its capabilities "decl"
 * ({"type": "function", "args": [...], "result": ...}; named types carry
 * "name"). NULL when the decl does not parse or on OOM. */
val_t *rego_builtin_decl_value(gh_arena *a, const rego_builtin *b);

/* ---- argument helpers -------------------------------------------------------
 * Each returns 0 and fills the outputs, or records OPA's operand error
 * ("operand N must be T but got U", N is 1-based) and returns GH_ETYPE. */
int rb_type_err(rego_bctx *c, int argi, const char *want, const val_t *got);
int rb_arg_str(rego_bctx *c, val_t *const *args, int i, const char **s, size_t *n);
int rb_arg_num(rego_bctx *c, val_t *const *args, int i);              /* just checks kind */
int rb_arg_int(rego_bctx *c, val_t *const *args, int i, int64_t *out); /* int literal, fits */
int rb_arg_bool(rego_bctx *c, val_t *const *args, int i, bool *out);
int rb_arg_kind(rego_bctx *c, val_t *const *args, int i, val_kind k);
/* A builtin error (eval_builtin_error) with a printf message. */
int rb_err(rego_bctx *c, const char *fmt, ...) GH_PRINTF(2, 3);
/* Allocation failure: records "out of memory" and returns GH_ENOMEM. */
int rb_oom(rego_bctx *c);

/* Per-query memo keyed by any value (e.g. [name, args...]). */
val_t *rb_cache_get(rego_bctx *c, val_t *key);
int rb_cache_put(rego_bctx *c, val_t *key, val_t *value);

/* ---- families ------------------------------------------------------------------ */
extern const rego_builtin rego_bi_compare[];   /* eq, neq, lt, ... equal, assign(?) */
extern const rego_builtin rego_bi_numbers[];   /* plus, minus, ..., abs, round, numbers.range */
extern const rego_builtin rego_bi_aggregates[];/* count, sum, product, max, min, sort, all, any */
extern const rego_builtin rego_bi_arrays[];
extern const rego_builtin rego_bi_sets[];
extern const rego_builtin rego_bi_objects[];
extern const rego_builtin rego_bi_strings[];
extern const rego_builtin rego_bi_sprintf[];
extern const rego_builtin rego_bi_regex[];
extern const rego_builtin rego_bi_glob[];
extern const rego_builtin rego_bi_types[];
extern const rego_builtin rego_bi_bits[];
extern const rego_builtin rego_bi_units[];
extern const rego_builtin rego_bi_encoding[];
extern const rego_builtin rego_bi_json[];      /* json.filter/remove/patch, schema */
extern const rego_builtin rego_bi_time[];
extern const rego_builtin rego_bi_net[];
extern const rego_builtin rego_bi_crypto[];
extern const rego_builtin rego_bi_jwt[];
extern const rego_builtin rego_bi_misc[];      /* uuid, semver, graph, walk, rand, opa.runtime */
extern const rego_builtin rego_bi_http[];
extern const rego_builtin rego_bi_semver[];    /* semver.is_valid, semver.compare (semver.c) */
extern const rego_builtin rego_bi_aws[];       /* providers.aws.sign_req (aws.c) */
extern const rego_builtin rego_bi_graphql[];   /* graphql.* (graphql.c) */
extern const rego_builtin rego_bi_rego[];      /* rego.parse_module (rego_ast.c) */

/* ---- http.send policy ------------------------------------------------------------
 * http.send reaches the network only when the embedding program passes a
 * policy (rego_eval_opts.http -> rego_bctx.http); with none every call fails
 * with "http.send: disabled by configuration". Only http:// and https:// URLs
 * are ever fetched, on every redirect hop too. */
typedef struct rego_http_cache rego_http_cache;

/* Defaults used when a policy field is 0. */
#define REGO_HTTP_DEFAULT_TIMEOUT_NS (5ll * 1000000000ll) /* OPA's default */
#define REGO_HTTP_DEFAULT_MAX_RESPONSE (16u * 1024u * 1024u) /* body bytes */

struct rego_http_policy {
    /* Allowed destinations; nallow == 0 allows any http(s) URL. An entry
     * with "://" is a URL prefix matched on the parsed URL: same scheme, host
     * and port, and the path starts with the entry's path at a segment
     * boundary ("https://api.example.com/v1" allows /v1 and /v1/x, not /v10).
     * Any other entry is a host name, optionally with ":port", or
     * "*.example.com" for any subdomain (OPA's allow_net is host names). */
    const char *const *allow;
    size_t nallow;
    int64_t timeout_ns;          /* default when the request gives no timeout; 0: 5 s */
    int64_t max_timeout_ns;      /* cap on any request's timeout (also for "no timeout"); 0: none */
    size_t max_response_bytes;   /* response body cap; 0: REGO_HTTP_DEFAULT_MAX_RESPONSE */
    uint32_t max_retry_attempts; /* requests asking for more retries get this many */
    bool allow_insecure_tls;     /* honour tls_insecure_skip_verify (else it is an error) */
    bool allow_local_files;      /* tls_*_file and tls_*_env_variable may read files/env */
    rego_http_cache *cache;      /* inter-query cache for cache/force_cache; NULL: none */
};

/* A thread-safe in-process cache of HTTP responses shared by queries (OPA's
 * inter-query cache), honouring Cache-Control/Expires/Date and force_cache,
 * bounded to max_bytes (least recently used entries go first; 0: 64 MiB).
 * NULL on allocation failure. Free it after every evaluation using it. */
rego_http_cache *rego_http_cache_new(size_t max_bytes);
void rego_http_cache_free(rego_http_cache *hc);
/* Current number of entries and bytes held (tests, metrics). */
void rego_http_cache_stats(rego_http_cache *hc, size_t *entries, size_t *bytes);

#endif
