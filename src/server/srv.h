/* srv.h - the gatehouse decision server (`gatehouse serve`): public API.
 *
 * The server answers OPA's REST API (/v1/data, /v1/policies, /v1/query,
 * /health, ...), Kubernetes admission (/v1/admit) and Prometheus scrapes
 * (/metrics) over HTTP/1.1 keep-alive, TLS 1.3 by default. Worker threads
 * (one event loop each) share an immutable compiled snapshot of policies
 * and data; writes and reloads build a new snapshot and swap it in
 * atomically, so the decision path takes no lock.
 *
 * Contents:
 *   1. configuration: gatehouse.yaml and `opa run --server` flags (config.c,
 *      config_args.c; every key in docs/configuration.md)
 *   2. running the server (serve.c)
 *
 * Ownership: a srv_config owns every string it holds (heap); free it with
 * srv_config_free. srv_serve borrows the config for its whole run. */
#ifndef GH_SRV_H
#define GH_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* ==== 1. configuration ====================================================== */

#define SRV_MAX_ADDRS 8

typedef enum srv_authn {
    SRV_AUTHN_OFF = 0, /* no authentication (OPA's default) */
    SRV_AUTHN_TOKEN,   /* Authorization: Bearer <token> checked against tokens */
    SRV_AUTHN_TLS,     /* a client certificate verified against tls.client_ca */
} srv_authn;

typedef enum srv_authz {
    SRV_AUTHZ_OFF = 0, /* authenticated callers may do everything */
    SRV_AUTHZ_BASIC,   /* data.system.authz.allow decides, as OPA's --authorization=basic */
} srv_authz;

typedef struct srv_config {
    /* listen */
    char *addrs[SRV_MAX_ADDRS]; /* "host:port" ("[::1]:8181", ":8181" = all addresses) */
    int naddrs;
    bool insecure_http;   /* plain HTTP allowed on non-loopback addresses */
    bool http2;           /* offer h2 by ALPN on TLS listeners (default on) */
    bool h2c;             /* plain listeners also take HTTP/2 with prior knowledge */
    /* TLS */
    char *tls_cert_file;  /* NULL: dev certificate (non-loopback) or plain HTTP (loopback) */
    char *tls_key_file;
    char *tls_client_ca_file; /* mTLS: client certificates verified against it */
    bool tls_allow_12;    /* tls.min_version: "1.2" (default "1.3") */
    char *data_dir;       /* development CA and server key live here */
    /* what is served */
    char **paths;         /* policy / data / bundle directory paths, loaded as `opa run` */
    int npaths;
    char **ignore;        /* --ignore globs for walked files */
    int nignore;
    bool v0_compatible;   /* parse modules as Rego v0 */
    bool builtin_pack;    /* also load policies/ (the built-in pack) for /v1/admit */
    bool bundle;          /* paths that are directories holding a .manifest load as OPA
                             bundles (opa run -b; pol_loaded.bundle) */
    bool skip_verify;     /* load signed bundle archives without verifying them (opa run
                             --skip-verify); otherwise a .signatures.json is an error */
    char *pack_dir;       /* where the built-in pack lives (default: beside the binary / source tree) */
    /* limits */
    int workers;          /* 0: number of online CPUs */
    size_t max_header_bytes;
    size_t max_body_bytes;
    int read_timeout_ms;  /* whole request (headers + body) must arrive within */
    int idle_timeout_ms;  /* keep-alive connection closed after this much idleness */
    int write_timeout_ms;
    int shutdown_grace_ms; /* SIGTERM: in-flight requests get this long (opa run's
                              --shutdown-grace-period, default 10 s) */
    int shutdown_wait_ms;  /* SIGTERM: keep serving this long first, while load
                              balancers stop sending (--shutdown-wait-period, 0) */
    double rate_limit_rps; /* per client address token bucket; 0: off */
    int rate_limit_burst;
    int max_connections;  /* per worker */
    int64_t eval_timeout_ms; /* per decision; 0: none */
    size_t eval_mem_bytes;   /* per decision arena budget */
    /* authentication / authorization (management endpoints and, when set, all) */
    srv_authn authn;
    srv_authz authz;
    char **token_hashes;  /* hex SHA-256 of accepted bearer tokens */
    int ntoken_hashes;
    bool allow_unauthenticated_writes; /* policy/data writes without authentication */
    /* admission */
    bool admit_fail_open;
    char **admit_paths;   /* Gatekeeper ConstraintTemplate/Constraint files or directories
                             for /v1/admit (loaded with pol_gk_load_path, after the built-in
                             pack's); heap strings owned by the config */
    int nadmit_paths;
    /* logging */
    int log_level;        /* gh_log_level */
    int log_format;       /* gh_log_format */
    bool access_log;
    char *decision_log_file; /* JSON lines; NULL: decision logging off */
    /* process */
    char *run_as_user;    /* user to drop to when started as root (default "nobody") */
    char *config_file;    /* the file this came from (NULL: flags only) */
    char **argv;          /* the flags srv_config_args applied (a copy, argc entries, for
                             srv_config_reread); NULL when built otherwise */
    int argc;
    void *origins;        /* private to config.c: the file line of each key it set,
                             so validation errors name file:line */
} srv_config;

/* Defaults (documented with every key in docs/configuration.md). */
#define SRV_DEFAULT_ADDR "127.0.0.1:8181"
#define SRV_DEFAULT_MAX_HEADER_BYTES (8u * 1024u)
#define SRV_DEFAULT_MAX_BODY_BYTES (4u * 1024u * 1024u)
#define SRV_DEFAULT_READ_TIMEOUT_MS 10000
#define SRV_DEFAULT_IDLE_TIMEOUT_MS 60000
#define SRV_DEFAULT_WRITE_TIMEOUT_MS 10000
#define SRV_DEFAULT_SHUTDOWN_GRACE_MS 10000
#define SRV_DEFAULT_RATE_BURST 100
#define SRV_DEFAULT_MAX_CONNECTIONS 4096
#define SRV_DEFAULT_EVAL_MEM_BYTES (256u * 1024u * 1024u)
/* Bounds accepted for the limits (smaller headers break ordinary clients;
 * bodies and evaluation memory below these cannot hold an AdmissionReview). */
#define SRV_MIN_HEADER_BYTES 1024
#define SRV_MAX_HEADER_BYTES (1024 * 1024)
#define SRV_MIN_BODY_BYTES 1024
#define SRV_MIN_EVAL_MEM_BYTES (1024 * 1024)
#define SRV_MAX_TIMEOUT_MS (24 * 3600 * 1000)
#define SRV_MAX_WORKERS 1024

/* Defaults: 127.0.0.1:8181 (OPA's sidecar address, plain HTTP on loopback),
 * TLS 1.3 only, 8 KiB headers, 4 MiB bodies, 10 s read, 60 s idle, 10 s
 * write, no rate limit (burst 100 once a rate is set), 4096 connections per
 * worker, no evaluation timeout, 256 MiB per decision, authentication and
 * authorization off (writes then need allow_unauthenticated_writes), the
 * built-in pack on (pack_dir unset: the caller finds it), log level info as
 * text with an access log, run_as_user "nobody", data_dir /var/lib/gatehouse
 * for root, else $XDG_STATE_HOME/gatehouse or ~/.local/state/gatehouse. */
void srv_config_defaults(srv_config *c);
void srv_config_free(srv_config *c);
/* Read gatehouse.yaml into c (over its current values). Unknown keys and
 * values of the wrong type are errors naming the key ("limits.max_body_bytes:
 * expected an integer"); GH_EINVAL, e names file:line. ${NAME} in a value
 * is replaced by the environment variable NAME as OPA does in its config
 * files (unset: "" and a warning logged naming NAME and the key's
 * file:line:col), inside that one value only; errors about a substituted
 * value do not show it. */
int srv_config_load(srv_config *c, const char *path, gh_err *e);
/* Apply `gatehouse serve` flags (ours and `opa run --server`'s: --addr,
 * --tls-cert-file, --tls-private-key-file, --tls-ca-cert-file,
 * --authentication, --authorization, --config-file, --insecure-http, ...)
 * and positional paths (appended to policies.paths). argv[0] is the command
 * name and is skipped. A -c/--config/--config-file flag, wherever it
 * appears, loads that file first (srv_config_load); the other flags then
 * win over it. `--flag=value` and `--flag value` both work; list flags
 * (--addr, --ignore) repeat or take commas, and replace the file's list.
 * Flags of `opa run` that make no sense here are accepted and ignored, and
 * those whose meaning gatehouse cannot honour (bundle signing, --set) are
 * errors; docs/server.md lists both. GH_EINVAL naming the flag. */
int srv_config_args(srv_config *c, int argc, char **argv, gh_err *e);
/* Whether argv holds -h/--help (the CLI prints usage then). */
bool srv_config_wants_help(int argc, char **argv);
/* Split a listen address "host:port", "[v6addr]:port" or ":port" (host ""
 * = every address) into host (NUL-terminated, without brackets) and port
 * (0-65535; 0 = any free port). -1 when malformed (unix:// sockets and URLs
 * included). */
int srv_addr_parse(const char *addr, char *host, size_t hostsz, int *port);
/* Whether a host from srv_addr_parse is loopback-only ("localhost",
 * 127.0.0.0/8, "::1"); "" (every address) is not. */
bool srv_addr_is_loopback(const char *host);
/* Cross-field checks (key without cert, client CA without TLS, token
 * authentication with nothing to check tokens, unreadable TLS files, bad
 * listen addresses, built-in pack not found, unknown run_as_user when
 * root, ...). GH_EINVAL naming the key and its flag, located at the key's
 * file:line when the file set it and no flag overrode it. */
int srv_config_validate(const srv_config *c, gh_err *e);

/* Build the configuration again as it was built at start, for a SIGHUP
 * reload: defaults, running->config_file, the same flags (running->argv),
 * the built-in pack's location carried over when nothing sets it, and
 * data_dir's default taken from running (it depends on the effective user,
 * which changed when privileges were dropped); then srv_config_validate.
 * ${NAME} references are expanded again (in the server's own environment,
 * which a signal does not change). *out: a heap config (srv_config_free,
 * then gh_free). Errors as srv_config_load and srv_config_validate
 * (file:line:col and the key); *out is then NULL. */
int srv_config_reread(const srv_config *running, srv_config **out, gh_err *e);
/* Settings a running server cannot change (listen addresses, workers,
 * run_as_user, data_dir, TLS on or off, client certificates on or off,
 * tls.min_version, the transport's limits and access log, an
 * authentication change to or from "tls"): for each one next sets
 * differently from running, next gets running's value back and its key
 * name goes to keys[] (static strings; at most max are stored). Returns
 * how many keys differed. */
size_t srv_config_keep_restart(const srv_config *running, srv_config *next, const char **keys,
                               size_t max);

/* ==== 2. running ============================================================= */

/* Load policies, bind, drop privileges, serve until SIGINT/SIGTERM (graceful:
 * in-flight requests finish). SIGHUP reloads from disk: gatehouse.yaml
 * when the server was started with one (srv_config_reread; settings that
 * need a restart are kept and logged, a file that does not load or
 * validate keeps the whole running configuration), then the policies,
 * data, Gatekeeper paths and TLS certificate. Returns 0 after a
 * clean shutdown, GH_E* when start-up fails (e says why: bad policy, port in
 * use, unreadable certificate). */
int srv_serve(const srv_config *c, gh_err *e);

#endif
