/* config.c - the server's configuration: defaults, gatehouse.yaml and the
 * cross-field checks (flags are config_args.c's). Called by `gatehouse
 * serve` (cli_serve.c) before srv_serve, and by tests. The file is read with
 * the value module's YAML loader; a second pass over libyaml's events maps
 * every key path to its line so each error names the key and file:line.
 * String values get ${NAME} substitution (config_env.c) as they are applied.
 * Invariants: a srv_config owns every string it holds (heap); secrets never
 * appear in error messages (token hashes are reported by position only, and
 * values from the environment not at all). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "server/config_int.h"
#include "value/value.h"

/* ---- defaults and ownership ---------------------------------------------------------- */

char *srv_cfg_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s);
    char *p = gh_malloc(n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

static void free_list(char **v, int n) {
    for (int i = 0; i < n; i++)
        gh_free(v[i]);
    gh_free(v);
}

/* Where the file set each key (key paths of srv_cfg_keys only). */
typedef struct origin {
    const char *key; /* static: srv_cfg_keys[i].name */
    int line, col;
} origin;

typedef struct origins {
    size_t n;
    origin v[];
} origins;

static void origins_free(srv_config *c) {
    gh_free(c->origins);
    c->origins = NULL;
}

static const origin *origin_of(const srv_config *c, const char *key) {
    const origins *o = c->origins;
    for (size_t i = 0; o && i < o->n; i++)
        if (!strcmp(o->v[i].key, key)) return &o->v[i];
    return NULL;
}

void srv_cfg_origin_forget(srv_config *c, const char *name) {
    origins *o = c->origins;
    for (size_t i = 0; o && i < o->n; i++)
        if (!strcmp(o->v[i].key, name)) o->v[i].line = 0;
}

/* Where the development CA and keys live when data_dir is not configured:
 * /var/lib/gatehouse for root, else $XDG_STATE_HOME/gatehouse or
 * ~/.local/state/gatehouse, else ./.gatehouse. */
static char *default_data_dir(void) {
    if (geteuid() == 0) return srv_cfg_strdup("/var/lib/gatehouse");
    char buf[PATH_MAX];
    const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
    if (x && x[0] == '/' && snprintf(buf, sizeof buf, "%s/gatehouse", x) < (int)sizeof buf)
        return srv_cfg_strdup(buf);
    if (h && h[0] == '/' &&
        snprintf(buf, sizeof buf, "%s/.local/state/gatehouse", h) < (int)sizeof buf)
        return srv_cfg_strdup(buf);
    return srv_cfg_strdup(".gatehouse");
}

void srv_config_defaults(srv_config *c) {
    memset(c, 0, sizeof *c);
    c->addrs[0] = srv_cfg_strdup(SRV_DEFAULT_ADDR);
    c->naddrs = c->addrs[0] ? 1 : 0;
    c->data_dir = default_data_dir();
    c->builtin_pack = true;
    c->max_header_bytes = SRV_DEFAULT_MAX_HEADER_BYTES;
    c->max_body_bytes = SRV_DEFAULT_MAX_BODY_BYTES;
    c->read_timeout_ms = SRV_DEFAULT_READ_TIMEOUT_MS;
    c->idle_timeout_ms = SRV_DEFAULT_IDLE_TIMEOUT_MS;
    c->write_timeout_ms = SRV_DEFAULT_WRITE_TIMEOUT_MS;
    c->shutdown_grace_ms = SRV_DEFAULT_SHUTDOWN_GRACE_MS;
    c->rate_limit_rps = 0;
    c->rate_limit_burst = SRV_DEFAULT_RATE_BURST;
    c->max_connections = SRV_DEFAULT_MAX_CONNECTIONS;
    c->eval_timeout_ms = 0;
    c->eval_mem_bytes = SRV_DEFAULT_EVAL_MEM_BYTES;
    c->authn = SRV_AUTHN_OFF;
    c->authz = SRV_AUTHZ_OFF;
    c->log_level = GH_LOG_INFO;
    c->log_format = GH_LOG_PLAIN;
    c->access_log = true;
    c->http2 = true;
    c->run_as_user = srv_cfg_strdup("nobody");
}

void srv_config_free(srv_config *c) {
    if (!c) return;
    for (int i = 0; i < c->naddrs; i++)
        gh_free(c->addrs[i]);
    gh_free(c->tls_cert_file);
    gh_free(c->tls_key_file);
    gh_free(c->tls_client_ca_file);
    gh_free(c->data_dir);
    free_list(c->paths, c->npaths);
    free_list(c->ignore, c->nignore);
    free_list(c->admit_paths, c->nadmit_paths);
    gh_free(c->pack_dir);
    for (int i = 0; i < c->ntoken_hashes; i++)
        if (c->token_hashes[i]) gh_free_secret(c->token_hashes[i], strlen(c->token_hashes[i]));
    gh_free(c->token_hashes);
    gh_free(c->decision_log_file);
    gh_free(c->run_as_user);
    gh_free(c->config_file);
    srv_cfg_list_clear(&c->argv, &c->argc, false);
    origins_free(c);
    memset(c, 0, sizeof *c);
}

/* ---- the key table -------------------------------------------------------------------- */

static const char *const authn_names[] = {"off", "token", "tls", NULL};
static const char *const authz_names[] = {"off", "basic", NULL};
static const char *const level_names[] = {"debug", "info", "warn", "error", NULL};
static const char *const format_names[] = {"text", "json", NULL};

#define OFF(f) offsetof(srv_config, f)
const srv_cfg_key srv_cfg_keys[] = {
    {"server.addr", "--addr", SRV_KT_ADDRS, 0, 0, NULL, 0, 0},
    {"server.insecure_http", "--insecure-http", SRV_KT_BOOL, OFF(insecure_http), 0, NULL, 0, 0},
    {"server.http2", "--http2", SRV_KT_BOOL, OFF(http2), 0, NULL, 0, 0},
    {"server.h2c", "--h2c", SRV_KT_BOOL, OFF(h2c), 0, NULL, 0, 0},
    {"server.shutdown_grace_period", "--shutdown-grace-period", SRV_KT_DUR, OFF(shutdown_grace_ms),
     0, NULL, 0, SRV_MAX_TIMEOUT_MS},
    {"server.shutdown_wait_period", "--shutdown-wait-period", SRV_KT_DUR, OFF(shutdown_wait_ms), 0,
     NULL, 0, SRV_MAX_TIMEOUT_MS},
    {"server.workers", "--workers", SRV_KT_INT, OFF(workers), 0, NULL, 0, SRV_MAX_WORKERS},
    {"tls.cert_file", "--tls-cert-file", SRV_KT_STR, OFF(tls_cert_file), 0, NULL, 0, 0},
    {"tls.key_file", "--tls-private-key-file", SRV_KT_STR, OFF(tls_key_file), 0, NULL, 0, 0},
    {"tls.client_ca_file", "--tls-ca-cert-file", SRV_KT_STR, OFF(tls_client_ca_file), 0, NULL, 0,
     0},
    {"tls.min_version", "--tls-min-version", SRV_KT_TLSVER, OFF(tls_allow_12), 0, NULL, 0, 0},
    {"data_dir", "--data-dir", SRV_KT_STR, OFF(data_dir), 0, NULL, 0, 0},
    {"policies.paths", "PATH", SRV_KT_LIST, OFF(paths), OFF(npaths), NULL, 0, 0},
    {"policies.ignore", "--ignore", SRV_KT_LIST, OFF(ignore), OFF(nignore), NULL, 0, 0},
    {"policies.bundle", "--bundle", SRV_KT_BOOL, OFF(bundle), 0, NULL, 0, 0},
    {"policies.skip_verify", "--skip-verify", SRV_KT_BOOL, OFF(skip_verify), 0, NULL, 0, 0},
    {"policies.v0_compatible", "--v0-compatible", SRV_KT_BOOL, OFF(v0_compatible), 0, NULL, 0, 0},
    {"policies.builtin_pack", "--no-builtin-pack", SRV_KT_BOOL, OFF(builtin_pack), 0, NULL, 0, 0},
    {"policies.pack_dir", "--pack-dir", SRV_KT_STR, OFF(pack_dir), 0, NULL, 0, 0},
    {"limits.max_header_bytes", "--max-header-bytes", SRV_KT_SIZE, OFF(max_header_bytes), 0, NULL,
     SRV_MIN_HEADER_BYTES, SRV_MAX_HEADER_BYTES},
    {"limits.max_body_bytes", "--max-body-bytes", SRV_KT_SIZE, OFF(max_body_bytes), 0, NULL,
     SRV_MIN_BODY_BYTES, GH_MAX_DOC_BYTES},
    {"limits.read_timeout", "--read-timeout", SRV_KT_DUR, OFF(read_timeout_ms), 0, NULL, 1,
     SRV_MAX_TIMEOUT_MS},
    {"limits.idle_timeout", "--idle-timeout", SRV_KT_DUR, OFF(idle_timeout_ms), 0, NULL, 1,
     SRV_MAX_TIMEOUT_MS},
    {"limits.write_timeout", "--write-timeout", SRV_KT_DUR, OFF(write_timeout_ms), 0, NULL, 1,
     SRV_MAX_TIMEOUT_MS},
    {"limits.rate_limit.rps", "--rate-limit", SRV_KT_NUM, OFF(rate_limit_rps), 0, NULL, 0, 1e9},
    {"limits.rate_limit.burst", "--rate-limit-burst", SRV_KT_INT, OFF(rate_limit_burst), 0, NULL, 1,
     1000000000},
    {"limits.max_connections", "--max-connections", SRV_KT_INT, OFF(max_connections), 0, NULL, 1,
     1000000},
    {"limits.eval_timeout", "--eval-timeout", SRV_KT_DUR64, OFF(eval_timeout_ms), 0, NULL, 0,
     SRV_MAX_TIMEOUT_MS},
    {"limits.eval_memory", "--eval-memory", SRV_KT_SIZE, OFF(eval_mem_bytes), 0, NULL,
     SRV_MIN_EVAL_MEM_BYTES, (double)SIZE_MAX},
    {"auth.authentication", "--authentication", SRV_KT_ENUM, OFF(authn), 0, authn_names, 0, 0},
    {"auth.authorization", "--authorization", SRV_KT_ENUM, OFF(authz), 0, authz_names, 0, 0},
    {"auth.token_sha256", "--token-sha256", SRV_KT_TOKENS, OFF(token_hashes), OFF(ntoken_hashes),
     NULL, 0, 0},
    {"auth.allow_unauthenticated_writes", "--allow-unauthenticated-writes", SRV_KT_BOOL,
     OFF(allow_unauthenticated_writes), 0, NULL, 0, 0},
    {"admission.fail_open", "--admission-fail-open", SRV_KT_BOOL, OFF(admit_fail_open), 0, NULL, 0,
     0},
    {"admission.paths", "--admission-path", SRV_KT_LIST, OFF(admit_paths), OFF(nadmit_paths), NULL,
     0, 0},
    {"logging.level", "--log-level", SRV_KT_ENUM, OFF(log_level), 0, level_names, 0, 0},
    {"logging.format", "--log-format", SRV_KT_ENUM, OFF(log_format), 0, format_names, 0, 0},
    {"logging.access_log", "--access-log", SRV_KT_BOOL, OFF(access_log), 0, NULL, 0, 0},
    {"logging.decision_log_file", "--decision-log-file", SRV_KT_STR, OFF(decision_log_file), 0,
     NULL, 0, 0},
    {"run_as_user", "--run-as-user", SRV_KT_STR, OFF(run_as_user), 0, NULL, 0, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0, 0},
};
#undef OFF

static const char *const sections[] = {
    "server", "tls",       "policies", "limits", "limits.rate_limit",
    "auth",   "admission", "logging",  NULL};

/* Keys of OPA's own configuration file: named in the error so users moving
 * an OPA config know why it is refused rather than silently ignored. */
static const char *const opa_keys[] = {"services",
                                       "bundles",
                                       "decision_logs",
                                       "status",
                                       "discovery",
                                       "keys",
                                       "labels",
                                       "default_decision",
                                       "default_authorization_decision",
                                       "caching",
                                       "distributed_tracing",
                                       "plugins",
                                       "persistence_directory",
                                       "storage",
                                       "nd_builtin_cache",
                                       NULL};

const srv_cfg_key *srv_cfg_key_find(const char *name) {
    for (const srv_cfg_key *k = srv_cfg_keys; k->name; k++)
        if (!strcmp(k->name, name)) return k;
    return NULL;
}

static bool is_section(const char *name) {
    for (size_t i = 0; sections[i]; i++)
        if (!strcmp(sections[i], name)) return true;
    return false;
}

/* Levenshtein distance, capped: for "did you mean" hints. */
size_t srv_cfg_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

size_t srv_cfg_suggest_limit(const char *name) {
    size_t n = strlen(name) / 3 + 2; /* only close misspellings: distance below this */
    return n < 4 ? n : 4;
}

const char *srv_cfg_suggest(const char *name) {
    const char *best = NULL;
    size_t bd = srv_cfg_suggest_limit(name);
    for (const srv_cfg_key *k = srv_cfg_keys; k->name; k++) {
        size_t d = srv_cfg_edit_distance(name, k->name);
        if (d < bd) bd = d, best = k->name;
    }
    for (size_t i = 0; sections[i]; i++) {
        size_t d = srv_cfg_edit_distance(name, sections[i]);
        if (d < bd) bd = d, best = sections[i];
    }
    return best;
}

/* ---- setting one value ---------------------------------------------------------------- */

static int set_str(char **slot, const char *s) {
    char *d = NULL;
    if (s && *s && !(d = srv_cfg_strdup(s))) return GH_ENOMEM;
    gh_free(*slot);
    *slot = d;
    return 0;
}

int srv_cfg_list_add(char ***v, int *n, const char *s) {
    if (*n >= SRV_MAX_LIST) return GH_ELIMIT;
    char **nv = gh_realloc(*v, (size_t)(*n + 1) * sizeof *nv);
    if (!nv) return GH_ENOMEM;
    *v = nv;
    if (!(nv[*n] = srv_cfg_strdup(s))) return GH_ENOMEM;
    (*n)++;
    return 0;
}

void srv_cfg_list_clear(char ***v, int *n, bool secret) {
    for (int i = 0; i < *n; i++)
        if ((*v)[i]) {
            if (secret)
                gh_free_secret((*v)[i], strlen((*v)[i]));
            else
                gh_free((*v)[i]);
        }
    gh_free(*v);
    *v = NULL;
    *n = 0;
}

static bool is_hex64(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n])) return false;
    return n == 64;
}

/* Parse the text of one value of key k (a flag argument, or a YAML scalar
 * as text) into c. `append` adds to list keys instead of replacing them.
 * On error, *why holds a static reason (never the value for secrets). */
int srv_cfg_set_text(srv_config *c, const srv_cfg_key *k, const char *s, bool append,
                     const char **why) {
    char *base = (char *)c;
    switch (k->type) {
    case SRV_KT_STR:
        return set_str((char **)(base + k->off), s) ? (*why = "out of memory", GH_ENOMEM) : 0;
    case SRV_KT_ADDRS: {
        if (!append) {
            for (int i = 0; i < c->naddrs; i++)
                gh_free(c->addrs[i]), c->addrs[i] = NULL;
            c->naddrs = 0;
        }
        if (!*s) return *why = "expected HOST:PORT, got an empty string", GH_EINVAL;
        if (c->naddrs >= SRV_MAX_ADDRS) return *why = "too many addresses (at most 8)", GH_ELIMIT;
        if (!(c->addrs[c->naddrs] = srv_cfg_strdup(s))) return *why = "out of memory", GH_ENOMEM;
        c->naddrs++;
        return 0;
    }
    case SRV_KT_LIST:
    case SRV_KT_TOKENS: {
        char ***v = (char ***)(base + k->off);
        int *n = (int *)(base + k->off_n);
        bool secret = k->type == SRV_KT_TOKENS;
        if (!append) srv_cfg_list_clear(v, n, secret);
        if (secret && !is_hex64(s))
            return *why = "expected the hex SHA-256 of a token (64 hex digits, e.g. from "
                          "`printf %s TOKEN | sha256sum`), never the token itself",
                   GH_EINVAL;
        if (!*s) return *why = "expected a non-empty string", GH_EINVAL;
        int rc = srv_cfg_list_add(v, n, s);
        if (rc == GH_ELIMIT) *why = "too many entries (at most 1024)";
        if (rc == GH_ENOMEM) *why = "out of memory";
        if (!rc && secret)
            for (char *p = (*v)[*n - 1]; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return rc;
    }
    case SRV_KT_BOOL: {
        bool *b = (bool *)(base + k->off);
        if (!strcmp(s, "true"))
            *b = true;
        else if (!strcmp(s, "false"))
            *b = false;
        else
            return *why = "expected true or false", GH_EINVAL;
        return 0;
    }
    case SRV_KT_INT: {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (!*s || *end || errno) return *why = "expected an integer", GH_EINVAL;
        if (v < (long)k->min || v > (long)k->max) return *why = "integer out of range", GH_EINVAL;
        *(int *)(base + k->off) = (int)v;
        return 0;
    }
    case SRV_KT_NUM: {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (!*s || *end || errno || v != v) return *why = "expected a number", GH_EINVAL;
        if (v < k->min || v > k->max) return *why = "number out of range", GH_EINVAL;
        *(double *)(base + k->off) = v;
        return 0;
    }
    case SRV_KT_SIZE: {
        size_t v;
        if (gh_parse_size(s, &v))
            return *why = "expected a size such as 4096, \"64KiB\" or \"4MiB\"", GH_EINVAL;
        if ((double)v < k->min || (double)v > k->max) return *why = "size out of range", GH_EINVAL;
        *(size_t *)(base + k->off) = v;
        return 0;
    }
    case SRV_KT_DUR:
    case SRV_KT_DUR64: {
        int64_t ns;
        if (gh_parse_duration(s, &ns) || ns < 0)
            return *why = "expected a duration such as \"10s\", \"500ms\" or \"1m30s\"", GH_EINVAL;
        int64_t ms = ns / 1000000 + (ns % 1000000 != 0); /* round up: 1us is not "none" */
        if ((double)ms < k->min || (double)ms > k->max)
            return *why = "duration out of range", GH_EINVAL;
        if (k->type == SRV_KT_DUR)
            *(int *)(base + k->off) = (int)ms;
        else
            *(int64_t *)(base + k->off) = ms;
        return 0;
    }
    case SRV_KT_ENUM:
        for (int i = 0; k->names[i]; i++)
            if (!strcmp(k->names[i], s)) {
                *(int *)(base + k->off) = i;
                return 0;
            }
        if (k->names == level_names && !strcmp(s, "warning")) {
            *(int *)(base + k->off) = GH_LOG_WARN;
            return 0;
        }
        if (k->names == format_names && !strcmp(s, "json-pretty")) {
            *(int *)(base + k->off) = GH_LOG_JSON;
            return 0;
        }
        *why = k->names == authn_names   ? "expected off, token or tls"
               : k->names == authz_names ? "expected off or basic"
               : k->names == level_names ? "expected debug, info, warn or error"
                                         : "expected text or json";
        return GH_EINVAL;
    case SRV_KT_TLSVER:
        if (!strcmp(s, "1.3"))
            c->tls_allow_12 = false;
        else if (!strcmp(s, "1.2"))
            c->tls_allow_12 = true;
        else if (!strcmp(s, "1.0") || !strcmp(s, "1.1"))
            return *why = "TLS 1.0 and 1.1 are not supported (use 1.2 or 1.3)", GH_EINVAL;
        else
            return *why = "expected \"1.2\" or \"1.3\"", GH_EINVAL;
        return 0;
    }
    return *why = "unsupported key type", GH_EINTERNAL;
}

/* ---- key lines: a pass over libyaml's events ------------------------------------------ */

typedef struct key_line {
    char *path; /* "limits.max_body_bytes", "policies.paths[1]" */
    int line, col;
} key_line;

typedef struct key_lines {
    key_line *v;
    size_t n, cap;
} key_lines;

static void key_lines_free(key_lines *kl) {
    for (size_t i = 0; i < kl->n; i++)
        gh_free(kl->v[i].path);
    gh_free(kl->v);
    memset(kl, 0, sizeof *kl);
}

static int key_lines_add(key_lines *kl, const char *p, size_t n, const yaml_mark_t *m) {
    if (kl->n == kl->cap) {
        size_t nc = kl->cap ? kl->cap * 2 : 32;
        key_line *nv = gh_realloc(kl->v, nc * sizeof *nv);
        if (!nv) return -1;
        kl->v = nv;
        kl->cap = nc;
    }
    char *s = gh_malloc(n + 1);
    if (!s) return -1;
    memcpy(s, p, n);
    s[n] = 0;
    kl->v[kl->n++] = (key_line){s, (int)m->line + 1, (int)m->column + 1};
    return 0;
}

typedef struct frame {
    bool map, want_key;
    size_t base; /* path length when the container started */
    size_t idx;  /* sequences: index of the next item */
} frame;

/* Record the line of every mapping key and sequence item of the first
 * document. Best effort: the value loader has already accepted the text, so
 * a failure here only loses line numbers. */
static void collect_lines(const char *text, size_t len, key_lines *kl) {
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    frame st[GH_MAX_DEPTH];
    size_t depth = 0;
    gh_buf path;
    gh_buf_init(&path);
    bool done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) break;
        yaml_event_type_t t = ev.type;
        bool node_start = t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT ||
                          t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT;
        bool is_key = false; /* this event is a mapping key, not a value */
        if (node_start && depth) {
            frame *f = &st[depth - 1];
            if (f->map && f->want_key) {
                path.len = f->base;
                is_key = true;
                f->want_key = false;
                if (t == YAML_SCALAR_EVENT) {
                    if (path.len) gh_buf_putc(&path, '.');
                    gh_buf_append(&path, ev.data.scalar.value, ev.data.scalar.length);
                } else {
                    gh_buf_puts(&path, path.len ? ".?" : "?");
                }
                if (!path.oom) key_lines_add(kl, path.p, path.len, &ev.start_mark);
            } else if (!f->map) {
                path.len = f->base;
                gh_buf_printf(&path, "[%zu]", f->idx++);
                if (!path.oom) key_lines_add(kl, path.p, path.len, &ev.start_mark);
            }
        }
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            if (depth == GH_MAX_DEPTH) {
                yaml_event_delete(&ev);
                break;
            }
            /* a complex key's contents are not addressed by any key path */
            st[depth++] = (frame){t == YAML_MAPPING_START_EVENT, true, path.len, 0};
        } else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            if (depth) depth--;
        } else if (t == YAML_DOCUMENT_END_EVENT || t == YAML_STREAM_END_EVENT) {
            done = true;
        }
        /* a finished value lets its mapping expect the next key */
        if (depth && !is_key &&
            (t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT || t == YAML_MAPPING_END_EVENT ||
             t == YAML_SEQUENCE_END_EVENT)) {
            frame *f = &st[depth - 1];
            if (f->map) f->want_key = true;
        }
        yaml_event_delete(&ev);
    }
    gh_buf_free(&path);
    yaml_parser_delete(&p);
}

static const key_line *line_of(const key_lines *kl, const char *path) {
    for (size_t i = 0; i < kl->n; i++)
        if (!strcmp(kl->v[i].path, path)) return &kl->v[i];
    return NULL;
}

/* ---- applying the document ------------------------------------------------------------ */

typedef struct load_ctx {
    srv_config *c;
    const char *file;
    key_lines lines;
    gh_err *e;
} load_ctx;

static int fail(load_ctx *x, const char *path, int code, const char *fmt, ...) GH_PRINTF(4, 5);
static int fail(load_ctx *x, const char *path, int code, const char *fmt, ...) {
    const key_line *kl = line_of(&x->lines, path);
    char msg[GH_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gh_err_set(x->e, code, x->file, kl ? kl->line : 0, kl ? kl->col : 0, "%s", msg);
}

/* A scalar's text for srv_cfg_set_text; NULL for non-scalars. */
static const char *scalar_text(gh_arena *a, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_STRING: return val_str_ptr(v);
    case VAL_BOOL: return v->u.b ? "true" : "false";
    case VAL_NUMBER: return val_to_json(a, v, 0);
    default: return NULL;
    }
}

static const char *type_word(const srv_cfg_key *k) {
    switch (k->type) {
    case SRV_KT_STR: return "a string";
    case SRV_KT_ADDRS: return "an address or a list of addresses";
    case SRV_KT_LIST: return "a string or a list of strings";
    case SRV_KT_TOKENS: return "a list of hex SHA-256 digests";
    case SRV_KT_BOOL: return "a boolean (true or false)";
    case SRV_KT_INT: return "an integer";
    case SRV_KT_NUM: return "a number";
    case SRV_KT_SIZE: return "a size (bytes, or a string such as \"4MiB\")";
    case SRV_KT_DUR:
    case SRV_KT_DUR64: return "a duration string such as \"10s\"";
    case SRV_KT_ENUM: return "a string";
    case SRV_KT_TLSVER: return "\"1.2\" or \"1.3\"";
    }
    return "a value";
}

/* Whether a YAML value's kind fits key k (scalars are then checked by text). */
static bool kind_fits(const srv_cfg_key *k, const val_t *v) {
    val_kind kd = val_kind_of(v);
    switch (k->type) {
    case SRV_KT_STR:
    case SRV_KT_ENUM: return kd == VAL_STRING;
    case SRV_KT_BOOL: return kd == VAL_BOOL;
    case SRV_KT_INT:
    case SRV_KT_NUM: return kd == VAL_NUMBER;
    case SRV_KT_SIZE: return kd == VAL_NUMBER || kd == VAL_STRING;
    case SRV_KT_DUR:
    case SRV_KT_DUR64:
        return kd == VAL_STRING || (kd == VAL_NUMBER && val_is_int(v) && v->u.i == 0);
    case SRV_KT_TLSVER: return kd == VAL_STRING || kd == VAL_NUMBER;
    default: return true;
    }
}

/* ---- ${NAME} in values (config_env.c) ---- */

typedef struct env_site {
    load_ctx *x;
    const char *path;
} env_site;

/* An unset variable: warned about by name at the key's location (never a
 * value: variables may hold secrets). The value becomes "", as in OPA. */
static void env_unset(void *ud, const char *name) {
    const env_site *s = ud;
    const key_line *kl = line_of(&s->x->lines, s->path);
    char at[GH_ERR_FILE + 32];
    snprintf(at, sizeof at, "%s:%d:%d", s->x->file, kl ? kl->line : 0, kl ? kl->col : 0);
    gh_log(GH_LOG_WARN, "environment variable is not set; using an empty string", "variable", name,
           "setting", s->path, "at", at, NULL);
}

/* Set key k from string value v (at `path`) after substituting ${NAME}.
 * A value that came from the environment is never quoted in an error. */
static int set_string(load_ctx *x, const srv_cfg_key *k, const char *path, const val_t *v,
                      bool append) {
    env_site site = {x, path};
    char *exp = NULL;
    const char *why = NULL;
    int rc = srv_cfg_env_expand(val_str_ptr(v), &exp, env_unset, &site);
    if (rc)
        return fail(x, path, rc, "%s: %s", path,
                    rc == GH_ELIMIT ? "the value with environment variables substituted is too long"
                                    : "out of memory");
    const char *s = exp ? exp : val_str_ptr(v);
    rc = srv_cfg_set_text(x->c, k, s, append, &why);
    if (exp) gh_free_secret(exp, strlen(exp));
    if (!rc) return 0;
    bool list = k->type == SRV_KT_ADDRS || k->type == SRV_KT_LIST || k->type == SRV_KT_TOKENS;
    if (list) rc = GH_EINVAL;
    if (exp)
        return fail(x, path, rc, "%s: %s (the value after ${...} substitution is not shown)", path,
                    why);
    return fail(x, path, rc, "%s: %s", path, why); /* lists: as the items' errors always were */
}

static int apply_leaf(load_ctx *x, gh_arena *a, const srv_cfg_key *k, const val_t *v) {
    const char *why = NULL;
    if (val_kind_of(v) == VAL_NULL) return 0; /* `key:` with nothing: keep the default */
    if (k->type == SRV_KT_ADDRS || k->type == SRV_KT_LIST || k->type == SRV_KT_TOKENS) {
        bool secret = k->type == SRV_KT_TOKENS;
        if (val_kind_of(v) == VAL_STRING) return set_string(x, k, k->name, v, false);
        if (val_kind_of(v) != VAL_ARRAY)
            return fail(x, k->name, GH_EINVAL, "%s: expected %s, got %s", k->name, type_word(k),
                        val_kind_name(val_kind_of(v)));
        /* an empty list clears (server.addr: [] is caught by validation) */
        if (k->type == SRV_KT_ADDRS) {
            for (int i = 0; i < x->c->naddrs; i++)
                gh_free(x->c->addrs[i]), x->c->addrs[i] = NULL;
            x->c->naddrs = 0;
        } else {
            srv_cfg_list_clear((char ***)((char *)x->c + k->off), (int *)((char *)x->c + k->off_n),
                               secret);
        }
        for (size_t i = 0; i < val_arr_len(v); i++) {
            char item[128];
            snprintf(item, sizeof item, "%s[%zu]", k->name, i);
            const val_t *it = val_arr_at(v, i);
            if (val_kind_of(it) != VAL_STRING)
                return fail(x, item, GH_EINVAL, "%s: expected a string, got %s", item,
                            val_kind_name(val_kind_of(it)));
            int rc = set_string(x, k, item, it, true);
            if (rc) return rc;
        }
        return 0;
    }
    /* a reference is text whatever the key's type (`workers: ${N}`), as the
     * substituted text is read by OPA's YAML parser */
    if (val_kind_of(v) == VAL_STRING && strstr(val_str_ptr(v), "${"))
        return set_string(x, k, k->name, v, false);
    /* YAML 1.1 reads an unquoted `off` as false */
    if (k->type == SRV_KT_ENUM && val_kind_of(v) == VAL_BOOL && !v->u.b &&
        !strcmp(k->names[0], "off")) {
        *(int *)((char *)x->c + k->off) = 0;
        return 0;
    }
    const char *s = kind_fits(k, v) ? scalar_text(a, v) : NULL;
    if (!s)
        return fail(x, k->name, GH_EINVAL, "%s: expected %s, got %s", k->name, type_word(k),
                    val_kind_name(val_kind_of(v)));
    /* YAML reads `min_version: 1.2` as a number; its text is the same */
    int rc = srv_cfg_set_text(x->c, k, s, false, &why);
    if (rc) {
        if (k->type == SRV_KT_STR || k->type == SRV_KT_TOKENS)
            return fail(x, k->name, rc, "%s: %s", k->name, why);
        return fail(x, k->name, rc, "%s: %s, got %s", k->name, why,
                    val_kind_of(v) == VAL_STRING ? val_to_json(a, v, 0) : s);
    }
    return 0;
}

static int apply_object(load_ctx *x, gh_arena *a, const val_t *o, const char *prefix) {
    for (size_t i = 0; i < val_obj_len(o); i++) {
        const val_t *kv = val_obj_key_at(o, i), *v = val_obj_val_at(o, i);
        char name[256];
        const char *ks = val_is_str(kv) ? val_str_ptr(kv) : "?";
        if (snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", ks) >=
            (int)sizeof name)
            return fail(x, prefix, GH_EINVAL, "%s: key too long", prefix);
        if (is_section(name)) {
            if (val_kind_of(v) == VAL_NULL) continue;
            if (val_kind_of(v) != VAL_OBJECT)
                return fail(x, name, GH_EINVAL, "%s: expected a mapping of settings, got %s", name,
                            val_kind_name(val_kind_of(v)));
            int rc = apply_object(x, a, v, name);
            if (rc) return rc;
            continue;
        }
        const srv_cfg_key *k = srv_cfg_key_find(name);
        if (k) {
            int rc = apply_leaf(x, a, k, v);
            if (rc) return rc;
            continue;
        }
        if (!*prefix)
            for (size_t j = 0; opa_keys[j]; j++)
                if (!strcmp(opa_keys[j], name))
                    return fail(x, name, GH_EINVAL,
                                "unknown key \"%s\": this is an OPA configuration key; gatehouse "
                                "does not fetch bundles or send logs to remote services (load "
                                "policies from disk with policies.paths; see "
                                "docs/configuration.md)",
                                name);
        const char *hint = srv_cfg_suggest(name);
        if (hint)
            return fail(x, name, GH_EINVAL, "unknown key \"%s\" (did you mean \"%s\"?)", name,
                        hint);
        return fail(x, name, GH_EINVAL, "unknown key \"%s\"", name);
    }
    return 0;
}

/* Remember where the file set each key, for srv_config_validate's errors. */
static int record_origins(srv_config *c, const key_lines *kl) {
    size_t n = 0;
    for (const srv_cfg_key *k = srv_cfg_keys; k->name; k++)
        if (line_of(kl, k->name)) n++;
    origins *o = gh_malloc(sizeof *o + n * sizeof(origin));
    if (!o) return GH_ENOMEM;
    o->n = 0;
    for (const srv_cfg_key *k = srv_cfg_keys; k->name; k++) {
        const key_line *l = line_of(kl, k->name);
        if (l) o->v[o->n++] = (origin){k->name, l->line, l->col};
    }
    origins_free(c);
    c->origins = o;
    return 0;
}

int srv_config_load(srv_config *c, const char *path, gh_err *e) {
    char *text = NULL;
    size_t len = 0;
    int rc = gh_read_file(path, SRV_MAX_CONFIG_BYTES, &text, &len, e);
    if (rc) {
        if (e && !e->file[0]) gh_err_set_file(e, path);
        return rc;
    }
    gh_arena a;
    gh_arena_init(&a, 64u << 20);
    val_t **docs = NULL;
    size_t ndocs = 0;
    load_ctx x = {c, path, {0}, e};
    rc = val_yaml_load(&a, text, len, NULL, &docs, &ndocs, e);
    if (rc) {
        gh_err_set_file(e, path);
        goto out;
    }
    if (ndocs > 1) {
        rc = gh_err_set(e, GH_EINVAL, path, 0, 0, "expected one YAML document, found %zu", ndocs);
        goto out;
    }
    if (ndocs == 0 || val_kind_of(docs[0]) == VAL_NULL) goto done; /* empty file: defaults */
    if (val_kind_of(docs[0]) != VAL_OBJECT) {
        rc = gh_err_set(e, GH_EINVAL, path, 1, 1, "expected a mapping of settings, got %s",
                        val_kind_name(val_kind_of(docs[0])));
        goto out;
    }
    collect_lines(text, len, &x.lines);
    if ((rc = apply_object(&x, &a, docs[0], ""))) goto out;
    if (record_origins(c, &x.lines)) {
        rc = gh_err_set(e, GH_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
done:
    if (set_str(&c->config_file, path)) rc = gh_err_set(e, GH_ENOMEM, path, 0, 0, "out of memory");
out:
    key_lines_free(&x.lines);
    gh_arena_free(&a);
    gh_free(text);
    return rc;
}

/* ---- cross-field checks --------------------------------------------------------------- */

int srv_addr_parse(const char *addr, char *host, size_t hostsz, int *port) {
    const char *colon;
    size_t hl;
    const char *h = addr;
    if (!strncmp(addr, "unix://", 7) || !strncmp(addr, "http", 4)) return -1;
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (!rb || rb[1] != ':') return -1;
        h = addr + 1;
        hl = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr))) return -1; /* bare IPv6 */
        hl = (size_t)(colon - addr);
    }
    if (hl >= hostsz) return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    const char *ps = colon + 1;
    if (!*ps || strlen(ps) > 5) return -1;
    int p = 0;
    for (; *ps; ps++) {
        if (*ps < '0' || *ps > '9') return -1;
        p = p * 10 + (*ps - '0');
    }
    if (p > 65535) return -1;
    *port = p;
    return 0;
}

bool srv_addr_is_loopback(const char *host) {
    return !strcmp(host, "localhost") || !strcmp(host, "::1") || !strncmp(host, "127.", 4);
}

/* A validation error about `key`: located at the key's line when the file
 * set it (and no flag overrode it), else without a location. */
static int verr(const srv_config *c, gh_err *e, const char *key, const char *fmt, ...)
    GH_PRINTF(4, 5);
static int verr(const srv_config *c, gh_err *e, const char *key, const char *fmt, ...) {
    char msg[GH_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const origin *o = key ? origin_of(c, key) : NULL;
    if (o && o->line && c->config_file)
        return gh_err_set(e, GH_EINVAL, c->config_file, o->line, o->col, "%s", msg);
    return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "%s", msg);
}

static int need_file(const srv_config *c, const char *key, const char *flag, const char *f,
                     gh_err *e) {
    if (!f) return 0;
    if (access(f, R_OK))
        return verr(c, e, key, "%s (%s): cannot read %s: %s", key, flag, f, strerror(errno));
    return 0;
}

int srv_config_validate(const srv_config *c, gh_err *e) {
    if (c->naddrs < 1) return verr(c, e, "server.addr", "server.addr (--addr): no listen address");
    bool any_public = false;
    for (int i = 0; i < c->naddrs; i++) {
        char host[256];
        int port;
        if (srv_addr_parse(c->addrs[i], host, sizeof host, &port))
            return verr(c, e, "server.addr",
                        "server.addr (--addr): \"%s\": expected HOST:PORT, [IPv6]:PORT or :PORT%s",
                        c->addrs[i],
                        strncmp(c->addrs[i], "unix://", 7) ? ""
                                                           : " (unix sockets are not supported)");
        if (!srv_addr_is_loopback(host)) any_public = true;
    }
    bool tls = c->tls_cert_file != NULL;
    if (c->tls_cert_file && !c->tls_key_file)
        return verr(c, e, "tls.cert_file",
                    "tls.key_file (--tls-private-key-file): required with tls.cert_file");
    if (c->tls_key_file && !c->tls_cert_file)
        return verr(c, e, "tls.key_file",
                    "tls.cert_file (--tls-cert-file): required with tls.key_file");
    int rc;
    if ((rc = need_file(c, "tls.cert_file", "--tls-cert-file", c->tls_cert_file, e)) ||
        (rc = need_file(c, "tls.key_file", "--tls-private-key-file", c->tls_key_file, e)) ||
        (rc = need_file(c, "tls.client_ca_file", "--tls-ca-cert-file", c->tls_client_ca_file, e)))
        return rc;
    /* without a certificate, public addresses get the development one */
    if (!tls && any_public && !c->insecure_http) {
        if (!c->data_dir)
            return verr(c, e, "server.addr",
                        "data_dir (--data-dir): needed for the development certificate of a "
                        "non-loopback address without tls.cert_file");
        tls = true;
    }
    if (c->tls_client_ca_file && !tls)
        return verr(c, e, "tls.client_ca_file",
                    "tls.client_ca_file (--tls-ca-cert-file): client certificates need TLS; set "
                    "tls.cert_file and tls.key_file");
    if (c->authn == SRV_AUTHN_TLS && !c->tls_client_ca_file)
        return verr(c, e, "auth.authentication",
                    "auth.authentication (--authentication): \"tls\" needs tls.client_ca_file "
                    "(--tls-ca-cert-file)");
    if (c->authn == SRV_AUTHN_TOKEN && c->ntoken_hashes == 0 && c->authz == SRV_AUTHZ_OFF)
        return verr(c, e, "auth.authentication",
                    "auth.token_sha256 (--token-sha256): authentication is \"token\" but no "
                    "token hashes are set and authorization is off, so nothing would check "
                    "tokens");
    if (c->ntoken_hashes && c->authn != SRV_AUTHN_TOKEN)
        return verr(c, e, "auth.token_sha256",
                    "auth.token_sha256 (--token-sha256): set, but auth.authentication is not "
                    "\"token\"");
    if (c->workers < 0 || c->workers > SRV_MAX_WORKERS)
        return verr(c, e, "server.workers", "server.workers (--workers): out of range");
    if (c->rate_limit_rps > 0 && c->rate_limit_burst < 1)
        return verr(c, e, "limits.rate_limit.burst",
                    "limits.rate_limit.burst: must be at least 1 when a rate is set");
    if (c->builtin_pack) {
        struct stat st;
        if (!c->pack_dir)
            return verr(c, e, "policies.builtin_pack",
                        "policies.builtin_pack: the built-in pack (policies/) was not found; "
                        "set policies.pack_dir (--pack-dir) or turn it off (--no-builtin-pack)");
        if (stat(c->pack_dir, &st) || !S_ISDIR(st.st_mode))
            return verr(c, e, "policies.pack_dir",
                        "policies.pack_dir (--pack-dir): %s is not a directory", c->pack_dir);
    }
    if (c->run_as_user && geteuid() == 0) {
        struct passwd pw, *res = NULL;
        char buf[4096];
        if (getpwnam_r(c->run_as_user, &pw, buf, sizeof buf, &res) || !res)
            return verr(c, e, "run_as_user", "run_as_user (--run-as-user): no such user \"%s\"",
                        c->run_as_user);
    }
    return 0;
}
