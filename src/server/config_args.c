/* config_args.c - `gatehouse serve` flags: ours and `opa run --server`'s, so
 * an OPA deployment switches by changing the binary name. Called by
 * cli_serve.c (through srv_config_args) after srv_config_defaults. Every
 * flag that maps to a gatehouse.yaml key is set through srv_cfg_set_text,
 * so a flag and its key accept the same values. Flags that make no sense
 * for gatehouse are accepted and ignored; flags whose meaning gatehouse
 * cannot honour (bundle signature checks, --set) are errors, never ignored. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/config_int.h"

typedef enum flag_kind {
    FL_KEY,      /* sets the key named by `key` */
    FL_SECONDS,  /* a duration key; a bare integer counts seconds (opa run's int flags) */
    FL_LIST,     /* list key: comma-separated values, replaces the file's list */
    FL_APPEND,   /* list key: each use appends (no comma splitting) */
    FL_CONFIG,   /* the configuration file (handled in the first pass) */
    FL_NO_PACK,  /* --no-builtin-pack */
    FL_NOOP,     /* accepted, no effect (boolean) */
    FL_NOOP_ARG, /* accepted, no effect (takes a value) */
    FL_REJECT,   /* an error: gatehouse cannot honour it (takes a value) */
} flag_kind;

typedef struct flag {
    const char *name; /* long name without "--" */
    char shrt;        /* short letter or 0 */
    flag_kind kind;
    const char *key; /* FL_KEY/FL_SECONDS/FL_LIST/FL_APPEND: the gatehouse.yaml key */
    const char *why; /* FL_REJECT: the reason */
} flag;

static const flag flags[] = {
    /* opa run --server flags that map onto settings */
    {"server", 's', FL_NOOP, NULL, NULL},
    {"addr", 'a', FL_LIST, "server.addr", NULL},
    {"tls-cert-file", 0, FL_KEY, "tls.cert_file", NULL},
    {"tls-private-key-file", 0, FL_KEY, "tls.key_file", NULL},
    {"tls-ca-cert-file", 0, FL_KEY, "tls.client_ca_file", NULL},
    {"min-tls-version", 0, FL_KEY, "tls.min_version", NULL},
    {"authentication", 0, FL_KEY, "auth.authentication", NULL},
    {"authorization", 0, FL_KEY, "auth.authorization", NULL},
    {"config-file", 'c', FL_CONFIG, NULL, NULL},
    {"ignore", 0, FL_LIST, "policies.ignore", NULL},
    {"bundle", 'b', FL_KEY, "policies.bundle", NULL},
    {"skip-verify", 0, FL_KEY, "policies.skip_verify", NULL},
    {"v0-compatible", 0, FL_KEY, "policies.v0_compatible", NULL},
    {"log-level", 'l', FL_KEY, "logging.level", NULL},
    {"log-format", 0, FL_KEY, "logging.format", NULL},
    /* opa run flags accepted and ignored */
    {"v1-compatible", 0, FL_NOOP, NULL, NULL}, /* v1 is gatehouse's default */
    {"skip-version-check", 0, FL_NOOP, NULL, NULL},
    {"disable-telemetry", 0, FL_NOOP, NULL, NULL},
    {"skip-known-schema-check", 0, FL_NOOP, NULL, NULL},
    {"h2c", 0, FL_KEY, "server.h2c", NULL},
    {"pprof", 0, FL_NOOP, NULL, NULL},
    {"watch", 'w', FL_NOOP, NULL, NULL}, /* reload with SIGHUP instead */
    {"format", 'f', FL_NOOP_ARG, NULL, NULL},
    {"history", 'H', FL_NOOP_ARG, NULL, NULL},
    {"max-errors", 'm', FL_NOOP_ARG, NULL, NULL},
    {"ready-timeout", 0, FL_NOOP_ARG, NULL, NULL},
    {"shutdown-grace-period", 0, FL_SECONDS, "server.shutdown_grace_period", NULL},
    {"shutdown-wait-period", 0, FL_SECONDS, "server.shutdown_wait_period", NULL},
    {"log-timestamp-format", 0, FL_NOOP_ARG, NULL, NULL},
    {"unix-socket-perm", 0, FL_NOOP_ARG, NULL, NULL},
    {"tls-cert-refresh-period", 0, FL_NOOP_ARG, NULL, NULL},
    {"signing-alg", 0, FL_NOOP_ARG, NULL, NULL},
    {"exclude-files-verify", 0, FL_NOOP_ARG, NULL, NULL},
    /* opa run flags gatehouse refuses rather than silently ignores */
    {"verification-key", 0, FL_REJECT, NULL,
     "bundle signature verification is not supported; verify bundles before loading them"},
    {"verification-key-id", 0, FL_REJECT, NULL, "bundle signature verification is not supported"},
    {"scope", 0, FL_REJECT, NULL, "bundle signature verification is not supported"},
    {"set", 0, FL_REJECT, NULL,
     "OPA configuration overrides are not supported; use gatehouse.yaml or the flags"},
    {"set-file", 0, FL_REJECT, NULL,
     "OPA configuration overrides are not supported; use gatehouse.yaml or the flags"},
    {"diagnostic-addr", 0, FL_REJECT, NULL,
     "a separate diagnostic listener is not supported; /health and /metrics are served on "
     "--addr"},
    {"tls-cipher-suites", 0, FL_REJECT, NULL,
     "cipher suites are not configurable (TLS 1.3 suites, and OpenSSL's secure defaults for "
     "TLS 1.2)"},
    /* gatehouse's own */
    {"config", 0, FL_CONFIG, NULL, NULL},
    {"tls-min-version", 0, FL_KEY, "tls.min_version", NULL},
    {"insecure-http", 0, FL_KEY, "server.insecure_http", NULL},
    {"data-dir", 0, FL_KEY, "data_dir", NULL},
    {"workers", 0, FL_KEY, "server.workers", NULL},
    {"http2", 0, FL_KEY, "server.http2", NULL},
    {"no-builtin-pack", 0, FL_NO_PACK, NULL, NULL},
    {"pack-dir", 0, FL_KEY, "policies.pack_dir", NULL},
    {"token-sha256", 0, FL_APPEND, "auth.token_sha256", NULL},
    {"allow-unauthenticated-writes", 0, FL_KEY, "auth.allow_unauthenticated_writes", NULL},
    {"admission-fail-open", 0, FL_KEY, "admission.fail_open", NULL},
    {"admission-path", 0, FL_LIST, "admission.paths", NULL},
    {"access-log", 0, FL_KEY, "logging.access_log", NULL},
    {"decision-log-file", 0, FL_KEY, "logging.decision_log_file", NULL},
    {"run-as-user", 0, FL_KEY, "run_as_user", NULL},
    {"max-header-bytes", 0, FL_KEY, "limits.max_header_bytes", NULL},
    {"max-body-bytes", 0, FL_KEY, "limits.max_body_bytes", NULL},
    {"read-timeout", 0, FL_KEY, "limits.read_timeout", NULL},
    {"idle-timeout", 0, FL_KEY, "limits.idle_timeout", NULL},
    {"write-timeout", 0, FL_KEY, "limits.write_timeout", NULL},
    {"rate-limit", 0, FL_KEY, "limits.rate_limit.rps", NULL},
    {"rate-limit-burst", 0, FL_KEY, "limits.rate_limit.burst", NULL},
    {"max-connections", 0, FL_KEY, "limits.max_connections", NULL},
    {"eval-timeout", 0, FL_KEY, "limits.eval_timeout", NULL},
    {"eval-memory", 0, FL_KEY, "limits.eval_memory", NULL},
    {NULL, 0, 0, NULL, NULL},
};

/* Whether flag f is a boolean switch (no value unless given as --f=value). */
static bool is_bool(const flag *f) {
    if (f->kind == FL_NOOP || f->kind == FL_NO_PACK) return true;
    if (f->kind != FL_KEY) return false;
    const srv_cfg_key *k = srv_cfg_key_find(f->key);
    return k && k->type == SRV_KT_BOOL;
}

static const flag *find_long(const char *name, size_t n) {
    for (const flag *f = flags; f->name; f++)
        if (strlen(f->name) == n && !strncmp(f->name, name, n)) return f;
    return NULL;
}

static const flag *find_short(char c) {
    for (const flag *f = flags; f->name; f++)
        if (f->shrt == c) return f;
    return NULL;
}

bool srv_config_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return true;
    }
    return false;
}

/* State of one pass: lists replaced by the first flag of a kind, then
 * appended to. */
typedef struct pass {
    srv_config *c;
    bool load; /* first pass: only the config file flag acts */
    const char *config;
    bool seen_list[128];
} pass;

static int flag_err(gh_err *e, const flag *f, bool shrt, const char *why) {
    if (shrt) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "-%c: %s", f->shrt, why);
    return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "--%s: %s", f->name, why);
}

/* Apply flag f with value v (NULL for a switch). */
static int apply(pass *p, const flag *f, bool shrt, const char *v, gh_err *e) {
    const char *why = NULL;
    if (f->kind == FL_CONFIG) {
        if (!v || !*v) return flag_err(e, f, shrt, "needs a file name");
        p->config = v;
        return 0;
    }
    if (p->load) return 0;
    switch (f->kind) {
    case FL_NOOP:
    case FL_NOOP_ARG: return 0;
    case FL_REJECT: return flag_err(e, f, shrt, f->why);
    case FL_NO_PACK:
        if (v && strcmp(v, "true") && strcmp(v, "false"))
            return flag_err(e, f, shrt, "expected true or false");
        p->c->builtin_pack = v && !strcmp(v, "false");
        srv_cfg_origin_forget(p->c, "policies.builtin_pack");
        return 0;
    default: break;
    }
    const srv_cfg_key *k = srv_cfg_key_find(f->key);
    if (!k) return flag_err(e, f, shrt, "internal error: unknown key");
    srv_cfg_origin_forget(p->c, k->name); /* the flag, not the file, set it now */
    if (!v) v = "true";                   /* a boolean switch */
    if (f->kind == FL_SECONDS && *v && strspn(v, "0123456789") == strlen(v)) {
        char secs[32];
        if (strlen(v) > 9) return flag_err(e, f, shrt, "too long");
        snprintf(secs, sizeof secs, "%ss", v);
        int rc = srv_cfg_set_text(p->c, k, secs, false, &why);
        return rc ? flag_err(e, f, shrt, why) : 0;
    }
    if (f->kind == FL_KEY || f->kind == FL_SECONDS) {
        int rc = srv_cfg_set_text(p->c, k, v, false, &why);
        return rc ? flag_err(e, f, shrt, why) : 0;
    }
    /* lists: the first use replaces what the file set */
    size_t slot = (size_t)(f - flags);
    bool append = slot < sizeof p->seen_list && p->seen_list[slot];
    if (slot < sizeof p->seen_list) p->seen_list[slot] = true;
    if (f->kind == FL_APPEND) {
        int rc = srv_cfg_set_text(p->c, k, v, append, &why);
        return rc ? flag_err(e, f, shrt, why) : 0;
    }
    /* comma-separated, as pflag's StringSlice */
    size_t n = strlen(v);
    char *copy = gh_malloc(n + 1);
    if (!copy) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    memcpy(copy, v, n + 1);
    int rc = 0;
    char *save = copy;
    for (char *tok; (tok = strsep(&save, ",")) != NULL;) {
        if ((rc = srv_cfg_set_text(p->c, k, tok, append, &why))) break;
        append = true;
    }
    gh_free(copy);
    return rc ? flag_err(e, f, shrt, why) : 0;
}

static int unknown(gh_err *e, const char *arg) {
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    size_t n = strcspn(name, "=");
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < 63 ? n : 63), name);
    const char *best = NULL;
    size_t bd = srv_cfg_suggest_limit(buf);
    for (const flag *f = flags; f->name; f++) {
        size_t d = srv_cfg_edit_distance(buf, f->name);
        if (d < bd) bd = d, best = f->name;
    }
    for (const flag *f = flags; !best && n >= 3 && f->name; f++)
        if (!strncmp(f->name, buf, strlen(buf))) best = f->name; /* --tls-cert */
    if (best)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "unknown flag %s (did you mean --%s?)", arg,
                          best);
    return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "unknown flag %s (see gatehouse serve --help)",
                      arg);
}

static int run_pass(pass *p, int argc, char **argv, gh_err *e) {
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (flags_done || a[0] != '-' || !a[1]) {
            if (p->load) continue;
            const char *why = NULL;
            if (srv_cfg_set_text(p->c, srv_cfg_key_find("policies.paths"), a, true, &why))
                return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "%s: %s", a, why);
            continue;
        }
        if (!strcmp(a, "--")) {
            flags_done = true;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            const flag *f = find_long(name, eq ? (size_t)(eq - name) : strlen(name));
            if (!f) return unknown(e, a);
            const char *v = eq ? eq + 1 : NULL;
            if (!v && !is_bool(f)) {
                if (i + 1 >= argc) return flag_err(e, f, false, "needs a value");
                v = argv[++i];
            }
            int rc = apply(p, f, false, v, e);
            if (rc) return rc;
            continue;
        }
        /* short flags: -s, -a ADDR, -aADDR, -a=ADDR, -sb */
        for (const char *s = a + 1; *s; s++) {
            const flag *f = find_short(*s);
            if (!f) {
                char one[3] = {'-', *s, 0};
                return unknown(e, one);
            }
            if (is_bool(f)) {
                int rc = apply(p, f, true, NULL, e);
                if (rc) return rc;
                continue;
            }
            const char *v = s[1] ? s + 1 + (s[1] == '=') : NULL;
            if (!v) {
                if (i + 1 >= argc) return flag_err(e, f, true, "needs a value");
                v = argv[++i];
            }
            int rc = apply(p, f, true, v, e);
            if (rc) return rc;
            break;
        }
    }
    return 0;
}

/* Keep a copy of the flags for srv_config_reread. */
static int keep_argv(srv_config *c, int argc, char **argv) {
    srv_cfg_list_clear(&c->argv, &c->argc, false);
    if (argc <= 0) return 0;
    if (!(c->argv = gh_calloc((size_t)argc, sizeof *c->argv))) return GH_ENOMEM;
    for (; c->argc < argc; c->argc++)
        if (!(c->argv[c->argc] = srv_cfg_strdup(argv[c->argc]))) return GH_ENOMEM;
    return 0;
}

int srv_config_args(srv_config *c, int argc, char **argv, gh_err *e) {
    if (keep_argv(c, argc, argv))
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory keeping the flags");
    pass p = {.c = c, .load = true};
    int rc = run_pass(&p, argc, argv, e);
    if (rc) return rc;
    if (p.config && (rc = srv_config_load(c, p.config, e))) return rc;
    pass q = {.c = c, .load = false};
    return run_pass(&q, argc, argv, e);
}
