/* cli_serve.c - `gatehouse serve [--config FILE] [flags] [PATH...]` (and
 * `gatehouse run --server ...`, so an `opa run --server` command line works
 * with only the binary name changed): builds
 * the server's configuration (defaults, then gatehouse.yaml, then flags,
 * which include `opa run --server`'s), finds the built-in policy pack, checks
 * the whole, and runs the server until SIGINT/SIGTERM. Bad configuration is
 * one error naming the key or flag, exit 2. No server logic lives here. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "server/srv.h"

static void usage(FILE *f) {
    fputs("usage: gatehouse serve [--config gatehouse.yaml] [flags] [PATH...]\n"
          "\n"
          "Serve decisions over OPA's REST API (/v1/data, /v1/policies, /v1/query, /health),\n"
          "Kubernetes admission (/v1/admit) and Prometheus metrics (/metrics). PATHs are\n"
          "policy (.rego), data (.json/.yaml) files or directories, as for `opa run`.\n"
          "Plain HTTP is served on loopback addresses only; elsewhere TLS (1.3 by default)\n"
          "with the given certificate, or a development one generated into --data-dir.\n"
          "\n"
          "flags (also accepted by `opa run --server`):\n"
          "  -c, --config-file FILE       gatehouse.yaml (also --config); flags override it\n"
          "  -a, --addr HOST:PORT         listen address, repeatable (default 127.0.0.1:8181)\n"
          "      --tls-cert-file FILE     server certificate (PEM)\n"
          "      --tls-private-key-file FILE  its private key (PEM)\n"
          "      --tls-ca-cert-file FILE  CA for client certificates (mTLS)\n"
          "      --min-tls-version 1.2|1.3  lowest TLS version (default 1.3)\n"
          "      --authentication off|token|tls  (default off)\n"
          "      --authorization off|basic  basic: data.system.authz.allow decides\n"
          "      --ignore GLOB            skip walked files/directories matching GLOB\n"
          "  -b, --bundle                 directories with a .manifest load as bundles\n"
          "                               (PATH.tar.gz archives always do)\n"
          "      --skip-verify            load signed bundle archives unverified\n"
          "      --v0-compatible          parse modules as Rego v0 (default v1)\n"
          "  -l, --log-level LEVEL        debug|info|warn|error (default info)\n"
          "      --log-format FORMAT      text|json (default text)\n"
          "      --h2c                    HTTP/2 with prior knowledge on plain listeners\n"
          "      --shutdown-grace-period S  seconds in-flight requests get on SIGTERM (10)\n"
          "      --shutdown-wait-period S   seconds to keep serving after SIGTERM (0)\n"
          "  -s, --server                 accepted (gatehouse serve is always a server)\n"
          "\n"
          "gatehouse flags:\n"
          "      --insecure-http          allow plain HTTP on non-loopback addresses\n"
          "      --http2=false            do not offer HTTP/2 (h2) by ALPN over TLS\n"
          "      --data-dir DIR           development CA and keys (default "
          "~/.local/state/gatehouse)\n"
          "      --workers N              worker threads (default: one per core)\n"
          "      --no-builtin-pack        do not load the built-in pack (policies/)\n"
          "      --pack-dir DIR           where the built-in pack lives\n"
          "      --token-sha256 HEX       accepted bearer token, as its SHA-256 (repeatable)\n"
          "      --allow-unauthenticated-writes  allow policy/data writes without auth\n"
          "      --admission-fail-open    allow admission requests when evaluation fails\n"
          "      --decision-log-file FILE JSON lines, one per decision\n"
          "      --run-as-user USER       user to drop to when started as root (default nobody)\n"
          "      --max-body-bytes SIZE, --max-header-bytes SIZE, --read-timeout DUR,\n"
          "      --idle-timeout DUR, --write-timeout DUR, --rate-limit RPS,\n"
          "      --rate-limit-burst N, --max-connections N, --eval-timeout DUR,\n"
          "      --eval-memory SIZE, --access-log=false\n"
          "\n"
          "Every setting and its default: docs/configuration.md. Running and curl\n"
          "examples: docs/server.md. SIGHUP re-reads the configuration file and the\n"
          "policies from disk (settings that need a restart are logged).\n",
          f);
}

static bool is_dir(const char *p) {
    struct stat st;
    return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The built-in pack: beside an installed binary (../share/gatehouse/policies),
 * in the source tree of a build directory (../policies), or ./policies. A
 * directory counts when it holds the pack's gatekeeper/ folder. */
static char *find_pack(void) {
    char exe[PATH_MAX], cand[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *rel[] = {"/../share/gatehouse/policies", "/../policies", "/policies"};
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            snprintf(cand, sizeof cand, "%s%s/gatekeeper", exe, rel[i]);
            if (is_dir(cand)) {
                snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
                char real[PATH_MAX];
                return strdup(realpath(cand, real) ? real : cand);
            }
        }
    }
    if (is_dir("policies/gatekeeper")) {
        char real[PATH_MAX];
        return strdup(realpath("policies", real) ? real : "policies");
    }
    return NULL;
}

int cli_serve(int argc, char **argv) {
    if (srv_config_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    srv_config c;
    srv_config_defaults(&c);
    gh_err e;
    gh_err_clear(&e);
    int rc = srv_config_args(&c, argc, argv, &e);
    if (!rc && c.builtin_pack && !c.pack_dir) {
        char *p = find_pack();
        if (p) {
            /* the config owns heap strings freed with gh_free */
            size_t len = strlen(p) + 1;
            c.pack_dir = gh_malloc(len);
            if (c.pack_dir) memcpy(c.pack_dir, p, len);
            free(p);
        }
    }
    if (!rc) rc = srv_config_validate(&c, &e);
    if (rc) {
        cli_print_err(&e);
        srv_config_free(&c);
        return CLI_USAGE;
    }
    gh_log_setup((gh_log_level)c.log_level, (gh_log_format)c.log_format);
    rc = srv_serve(&c, &e);
    if (rc) cli_print_err(&e);
    srv_config_free(&c);
    return rc ? CLI_USAGE : CLI_OK;
}

/* `gatehouse run -s|--server ...`: OPA's spelling of serve. Without the server
 * flag OPA would start its REPL, which gatehouse does not have. */
int cli_run(int argc, char **argv) {
    if (srv_config_wants_help(argc, argv)) {
        fputs("usage: gatehouse run --server [flags] [PATH...]   (as `opa run --server`)\n\n",
              stdout);
        usage(stdout);
        return CLI_OK;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) break;
        if (!strcmp(a, "--server") || !strcmp(a, "--server=true") ||
            (a[0] == '-' && a[1] != '-' && strchr(a + 1, 's') &&
             strspn(a + 1, "sbw") == strlen(a + 1)))
            return cli_serve(argc, argv);
    }
    fputs("gatehouse: run: only server mode is supported (add --server, or use gatehouse "
          "serve); the interactive shell of `opa run` is not provided\n",
          stderr);
    return CLI_USAGE;
}
