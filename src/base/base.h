/* base.h - the foundation every gatehouse module builds on: error type,
 * arena allocator, growable byte buffer, string views, logging and keyed
 * hashing. Nothing here knows about policies; keep it that way.
 *
 * Ownership: an arena owns everything allocated from it until reset/free.
 * A gh_buf owns its heap bytes until gh_buf_free. gh_err is plain data. */
#ifndef GH_BASE_H
#define GH_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

#define GH_VERSION "0.1.0"

#if defined(__GNUC__)
#define GH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define GH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GH_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define GH_PRINTF(a, b)
#define GH_UNLIKELY(x) (x)
#define GH_LIKELY(x) (x)
#endif

/* ---- errors ------------------------------------------------------------
 * Functions return int: 0 on success or a negative GH_E* code, and fill a
 * caller-supplied gh_err (may be NULL) with a message and a location. */
enum {
    GH_OK = 0,
    GH_ENOMEM = -1, /* allocation failed or arena budget exhausted */
    GH_EINVAL = -2, /* bad argument or usage */
    GH_EPARSE = -3, /* malformed input (JSON, YAML, Rego, ...) */
    GH_ELIMIT = -4, /* a limit from limits.h was exceeded */
    GH_EIO = -5,    /* file or socket error */
    GH_ENOTFOUND = -6,
    GH_ETYPE = -7, /* value of the wrong type */
    GH_ECONFLICT = -8,
    GH_ECANCEL = -9, /* evaluation stopped by a step/time budget */
    GH_EINTERNAL = -10,
};

#define GH_ERR_MSG 512
#define GH_ERR_FILE 256

typedef struct gh_err {
    int code;               /* one of GH_E*, 0 when no error recorded */
    int line, col;          /* 1-based; 0 when unknown */
    char file[GH_ERR_FILE]; /* "" when unknown */
    char msg[GH_ERR_MSG];
    const char *kind; /* optional static string naming the error for users, e.g.
                         OPA's "rego_parse_error"; NULL when not set */
} gh_err;

void gh_err_clear(gh_err *e);
/* Record an error; returns code so callers can `return gh_err_set(...)`.
 * file may be NULL. Safe with e == NULL. */
int gh_err_set(gh_err *e, int code, const char *file, int line, int col, const char *fmt, ...)
    GH_PRINTF(6, 7);
int gh_err_setv(gh_err *e, int code, const char *file, int line, int col, const char *fmt,
                va_list ap);
/* Name the error for users (a static string such as "rego_type_error"). */
void gh_err_set_kind(gh_err *e, const char *kind);
/* Set the file of an error that was recorded without one. */
void gh_err_set_file(gh_err *e, const char *file);
/* "file:line:col: message" (parts that are unknown are left out). */
const char *gh_err_format(const gh_err *e, char *out, size_t outsz);
const char *gh_strerror(int code);

/* ---- heap allocation ----------------------------------------------------
 * All heap memory goes through these so tests can inject failures: after
 * gh_alloc_fail_after(n), the (n+1)-th allocation fails. n < 0 disables. */
void *gh_malloc(size_t n);
void *gh_calloc(size_t nmemb, size_t size);
void *gh_realloc(void *p, size_t n);
void gh_free(void *p);
/* A heap copy of the n bytes at s, NUL-terminated (gh_free it); NULL on
 * allocation failure. */
char *gh_strndup(const char *s, size_t n);
void gh_alloc_fail_after(long n);
/* Wipe then free; for buffers that held secrets. */
void gh_free_secret(void *p, size_t n);

/* ---- arena --------------------------------------------------------------
 * Chunked bump allocator. Allocations are aligned to max_align_t. A budget
 * (bytes, 0 = unlimited) turns exhaustion into a NULL return and a sticky
 * `oom` flag instead of a crash. Reset keeps the first chunk for reuse. */
typedef struct gh_chunk gh_chunk;
typedef struct gh_arena {
    gh_chunk *head;    /* current chunk, chained to older ones */
    size_t budget;     /* 0 = unlimited */
    size_t total;      /* bytes obtained from the heap so far */
    size_t chunk_size; /* default chunk size */
    int oom;           /* set once an allocation failed */
} gh_arena;

void gh_arena_init(gh_arena *a, size_t budget);
void *gh_arena_alloc(gh_arena *a, size_t n);
void *gh_arena_calloc(gh_arena *a, size_t n);
/* Grow the most recent allocation in place when possible, else copy. */
void *gh_arena_realloc(gh_arena *a, void *p, size_t oldn, size_t newn);
char *gh_arena_strndup(gh_arena *a, const char *s, size_t n);
char *gh_arena_printf(gh_arena *a, const char *fmt, ...) GH_PRINTF(2, 3);
void gh_arena_reset(gh_arena *a);
void gh_arena_free(gh_arena *a);
size_t gh_arena_used(const gh_arena *a);
/* Number of heap chunks the arena holds now (for allocation statistics,
 * e.g. `gatehouse bench` allocs/op). */
size_t gh_arena_chunks(const gh_arena *a);

/* ---- string views and buffers -------------------------------------------- */
typedef struct gh_str {
    const char *p;
    size_t n;
} gh_str;
#define GH_STR(lit) ((gh_str){(lit), sizeof(lit) - 1})
gh_str gh_str_c(const char *s);
int gh_str_eq(gh_str a, gh_str b);
int gh_str_eqc(gh_str a, const char *c);

/* Growable heap byte buffer, always NUL-terminated when p != NULL. On
 * allocation failure `oom` is set and further appends are ignored; check it
 * once at the end. */
typedef struct gh_buf {
    char *p;
    size_t len, cap;
    int oom;
} gh_buf;
void gh_buf_init(gh_buf *b);
int gh_buf_reserve(gh_buf *b, size_t extra);
void gh_buf_append(gh_buf *b, const void *p, size_t n);
void gh_buf_puts(gh_buf *b, const char *s);
void gh_buf_putc(gh_buf *b, char c);
void gh_buf_printf(gh_buf *b, const char *fmt, ...) GH_PRINTF(2, 3);
void gh_buf_vprintf(gh_buf *b, const char *fmt, va_list ap);
void gh_buf_reset(gh_buf *b);
void gh_buf_free(gh_buf *b);
/* Transfer ownership of the bytes to the caller (must gh_free them). */
char *gh_buf_take(gh_buf *b, size_t *len);

/* Read a whole file (or stdin for "-") into a heap buffer with a trailing
 * NUL. Fails with GH_ELIMIT beyond `limit` bytes. */
int gh_read_file(const char *path, size_t limit, char **out, size_t *len, gh_err *e);
/* The entries of directory `path` whose names do not start with '.', as
 * heap strings in a heap array sorted bytewise (free both with
 * gh_dir_names_free). Returns 0, GH_EIO when the directory cannot be
 * opened, or GH_ENOMEM (nothing is returned then). */
int gh_dir_names(const char *path, char ***names, size_t *n);
void gh_dir_names_free(char **names, size_t n);
/* Go's time.ParseDuration ("300ms", "1.5h", "2m3s", "0"; units ns, us/µs,
 * ms, s, m, h; an optional sign): *ns set, returns 0; -1 when malformed or
 * beyond int64 nanoseconds. (units.c) */
int gh_parse_duration(const char *s, int64_t *ns);
/* CLOCK_MONOTONIC in nanoseconds: for measuring durations. (units.c) */
int64_t gh_mono_ns(void);
/* A byte size: a non-negative integer with an optional unit B, KB/MB/GB
 * (powers of 1000), KiB/MiB/GiB (powers of 1024), K/M/G (1024, as
 * Kubernetes-style shorthands); "4MiB", "512", "1G". *out set, returns 0;
 * -1 when malformed or beyond SIZE_MAX. (units.c) */
int gh_parse_size(const char *s, size_t *out);
/* The shortest decimal digits that read back (strtod) as the finite d:
 * ASCII digits, no sign or point, trailing zeros dropped, NUL-terminated
 * in digs; d = digs[0].digs[1..] x 10^*exp10 in magnitude (the caller
 * prints the sign). 0 gives "0" and exponent 0. Returns the digit count.
 * (floatdigits.c) */
#define GH_FLOAT_DIGITS 24
int gh_float_digits(double d, char digs[GH_FLOAT_DIGITS], int *exp10);

/* ---- hashing -------------------------------------------------------------
 * SipHash-1-3 keyed with a per-process random key (from getrandom), so a
 * client cannot pick keys that collide in our tables. gh_hash_seed() lets
 * tests fix the key for reproducible results. */
uint64_t gh_hash(const void *p, size_t n);
uint64_t gh_hash_u64(uint64_t x);
uint64_t gh_hash_mix(uint64_t h, uint64_t x);
void gh_hash_seed(uint64_t k0, uint64_t k1);
uint64_t gh_siphash13(uint64_t k0, uint64_t k1, const void *p, size_t n);

/* ---- logging --------------------------------------------------------------
 * Lines go to stderr (or a file set by gh_log_open). Fields are key/value
 * string pairs ending with NULL; a field whose key looks like a credential
 * (password, secret, token, authorization, cookie, private key, ...) is
 * printed as "[REDACTED]" whatever its value. */
typedef enum { GH_LOG_DEBUG, GH_LOG_INFO, GH_LOG_WARN, GH_LOG_ERROR } gh_log_level;
typedef enum { GH_LOG_PLAIN, GH_LOG_JSON } gh_log_format;
void gh_log_setup(gh_log_level min, gh_log_format fmt);
int gh_log_open(const char *path, gh_err *e);
void gh_log_close(void);
void gh_log(gh_log_level lvl, const char *msg, ...); /* key, value, ..., NULL */
int gh_log_key_is_secret(const char *key);
/* Batching for hot paths (the server's access log): append the line gh_log
 * would print (same format, same redaction) to b without writing it;
 * returns 0 (nothing appended) when lvl is below the minimum level. Hand the
 * accumulated lines to gh_log_write, which writes them in one locked call. */
int gh_log_vappend(gh_buf *b, gh_log_level lvl, const char *msg, va_list ap);
int gh_log_append(gh_buf *b, gh_log_level lvl, const char *msg, ...);
void gh_log_write(const char *p, size_t n);
/* Append `s` to b as a JSON string literal (quotes included). */
void gh_json_quote(gh_buf *b, const char *s, size_t n);

#endif
