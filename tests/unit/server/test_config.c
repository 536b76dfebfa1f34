/* test_config.c - the server's configuration (src/server/config.c,
 * config_args.c): defaults, gatehouse.yaml keys and their errors (key named,
 * file:line), `opa run --server` flags, validation, and the unit parsers in
 * base (gh_parse_size, gh_parse_duration). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/config_int.h"
#include "server/srv.h"

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gh_test_config_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write text to a file in tmpdir; returns its path (static buffer). */
static const char *write_file(const char *name, const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load text as gatehouse.yaml over the defaults; returns the status. */
static int load_text(srv_config *c, const char *text, gh_err *e) {
    srv_config_defaults(c);
    gh_err_clear(e);
    return srv_config_load(c, write_file("gatehouse.yaml", text), e);
}

static void test_defaults(void **state) {
    (void)state;
    srv_config c;
    srv_config_defaults(&c);
    assert_int_equal(c.naddrs, 1);
    assert_string_equal(c.addrs[0], "127.0.0.1:8181");
    assert_false(c.insecure_http);
    assert_false(c.tls_allow_12);
    assert_true(c.builtin_pack);
    assert_int_equal(c.max_header_bytes, 8192);
    assert_int_equal(c.max_body_bytes, 4u << 20);
    assert_int_equal(c.read_timeout_ms, 10000);
    assert_int_equal(c.idle_timeout_ms, 60000);
    assert_int_equal(c.authn, SRV_AUTHN_OFF);
    assert_int_equal(c.authz, SRV_AUTHZ_OFF);
    assert_false(c.allow_unauthenticated_writes);
    assert_false(c.admit_fail_open);
    assert_true(c.access_log);
    assert_string_equal(c.run_as_user, "nobody");
    assert_non_null(c.data_dir);
    assert_null(c.config_file);
    srv_config_free(&c);
}

/* The documented example must load and validate (paths made absolute so
 * the test does not depend on its working directory). */
static void test_example_file(void **state) {
    (void)state;
    srv_config c;
    srv_config_defaults(&c);
    gh_err e;
    gh_err_clear(&e);
    int rc = srv_config_load(&c, GH_SOURCE_DIR "/examples/gatehouse.yaml", &e);
    if (rc) fail_msg("%s:%d: %s", e.file, e.line, e.msg);
    assert_int_equal(c.naddrs, 1);
    assert_string_equal(c.addrs[0], "127.0.0.1:8181");
    assert_int_equal(c.max_body_bytes, 4u << 20);
    assert_int_equal(c.rate_limit_burst, 200);
    assert_true(c.rate_limit_rps > 0);
    assert_int_equal(c.eval_timeout_ms, 5000);
    assert_string_equal(c.config_file, GH_SOURCE_DIR "/examples/gatehouse.yaml");
    srv_config_free(&c);
}

static void test_all_keys(void **state) {
    (void)state;
    srv_config c;
    gh_err e;
    int rc = load_text(&c,
                       "# every key\n"
                       "server:\n"
                       "  addr: [\"0.0.0.0:8443\", \"[::1]:8181\"]\n"
                       "  insecure_http: false\n"
                       "  workers: 3\n"
                       "tls:\n"
                       "  cert_file: /etc/gh/tls.crt\n"
                       "  key_file: /etc/gh/tls.key\n"
                       "  client_ca_file: /etc/gh/ca.crt\n"
                       "  min_version: 1.2\n"
                       "data_dir: /var/lib/gh\n"
                       "policies:\n"
                       "  paths: [policy/, data.json]\n"
                       "  ignore: '.*'\n"
                       "  bundle: true\n"
                       "  v0_compatible: true\n"
                       "  builtin_pack: false\n"
                       "  pack_dir: /usr/share/gatehouse/policies\n"
                       "limits:\n"
                       "  max_header_bytes: 16KiB\n"
                       "  max_body_bytes: 8MiB\n"
                       "  read_timeout: 1m30s\n"
                       "  idle_timeout: 2m\n"
                       "  write_timeout: 500ms\n"
                       "  rate_limit:\n"
                       "    rps: 2.5\n"
                       "    burst: 10\n"
                       "  max_connections: 100\n"
                       "  eval_timeout: 250ms\n"
                       "  eval_memory: 64MiB\n"
                       "auth:\n"
                       "  authentication: token\n"
                       "  authorization: basic\n"
                       "  token_sha256:\n"
                       "    - 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\n"
                       "  allow_unauthenticated_writes: true\n"
                       "admission:\n"
                       "  fail_open: true\n"
                       "logging:\n"
                       "  level: debug\n"
                       "  format: json\n"
                       "  access_log: false\n"
                       "  decision_log_file: /var/log/gh/decisions.jsonl\n"
                       "run_as_user: gatehouse\n",
                       &e);
    if (rc) fail_msg("%s:%d: %s", e.file, e.line, e.msg);
    assert_int_equal(c.naddrs, 2);
    assert_string_equal(c.addrs[1], "[::1]:8181");
    assert_int_equal(c.workers, 3);
    assert_string_equal(c.tls_client_ca_file, "/etc/gh/ca.crt");
    assert_true(c.tls_allow_12);
    assert_string_equal(c.data_dir, "/var/lib/gh");
    assert_int_equal(c.npaths, 2);
    assert_string_equal(c.paths[0], "policy/");
    assert_int_equal(c.nignore, 1);
    assert_string_equal(c.ignore[0], ".*");
    assert_true(c.bundle);
    assert_true(c.v0_compatible);
    assert_false(c.builtin_pack);
    assert_int_equal(c.max_header_bytes, 16384);
    assert_int_equal(c.max_body_bytes, 8u << 20);
    assert_int_equal(c.read_timeout_ms, 90000);
    assert_int_equal(c.idle_timeout_ms, 120000);
    assert_int_equal(c.write_timeout_ms, 500);
    assert_true(c.rate_limit_rps == 2.5);
    assert_int_equal(c.rate_limit_burst, 10);
    assert_int_equal(c.max_connections, 100);
    assert_int_equal(c.eval_timeout_ms, 250);
    assert_int_equal(c.eval_mem_bytes, 64u << 20);
    assert_int_equal(c.authn, SRV_AUTHN_TOKEN);
    assert_int_equal(c.authz, SRV_AUTHZ_BASIC);
    assert_int_equal(c.ntoken_hashes, 1);
    assert_string_equal(c.token_hashes[0],
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    assert_true(c.allow_unauthenticated_writes);
    assert_true(c.admit_fail_open);
    assert_int_equal(c.log_level, GH_LOG_DEBUG);
    assert_int_equal(c.log_format, GH_LOG_JSON);
    assert_false(c.access_log);
    assert_string_equal(c.run_as_user, "gatehouse");
    srv_config_free(&c);
}

/* Error: code GH_EINVAL, file named, the key's line, message fragment. */
static void expect_error(const char *text, int line, const char *frag) {
    srv_config c;
    gh_err e;
    int rc = load_text(&c, text, &e);
    assert_int_not_equal(rc, 0);
    if (!strstr(e.msg, frag)) fail_msg("message \"%s\" lacks \"%s\"", e.msg, frag);
    if (e.line != line) fail_msg("line %d, want %d (%s)", e.line, line, e.msg);
    assert_non_null(strstr(e.file, "gatehouse.yaml"));
    srv_config_free(&c);
}

static void test_errors_name_key_and_line(void **state) {
    (void)state;
    expect_error("server:\n  adr: x\n", 2,
                 "unknown key \"server.adr\" (did you mean \"server.addr\"?)");
    expect_error("limits:\n  max_body_bytes: true\n", 2, "limits.max_body_bytes: expected a size");
    expect_error("limits:\n  max_body_bytes: 4 parsecs\n", 2,
                 "limits.max_body_bytes: expected a size");
    expect_error("limits:\n  max_body_bytes: 10\n", 2, "limits.max_body_bytes: size out of range");
    expect_error("# c\nlimits:\n  read_timeout: 10\n", 3,
                 "limits.read_timeout: expected a duration string");
    expect_error("limits:\n  read_timeout: 10 seconds\n", 2,
                 "limits.read_timeout: expected a duration");
    expect_error("policies:\n  paths:\n    - a\n    - 3\n", 4,
                 "policies.paths[1]: expected a string, got number");
    expect_error("tls:\n  min_version: 1.1\n", 2, "TLS 1.0 and 1.1 are not supported");
    expect_error("auth:\n  authentication: bearer\n", 2,
                 "auth.authentication: expected off, token or tls");
    expect_error("server: 8181\n", 1, "server: expected a mapping of settings, got number");
    expect_error("server:\n  workers: many\n", 2, "server.workers: expected an integer");
    expect_error("logging:\n  access_log: 1\n", 2, "logging.access_log: expected a boolean");
    expect_error("services:\n  acme:\n    url: https://example.com\n", 1,
                 "this is an OPA configuration key");
    expect_error("server:\n  addr:\n    - a:1\n    - b:2\n    - c:3\n    - d:4\n    - e:5\n"
                 "    - f:6\n    - g:7\n    - h:8\n    - i:9\n",
                 11, "too many addresses");
    expect_error("a: 1\n---\nb: 2\n", 0, "expected one YAML document");
    expect_error("- 1\n", 1, "expected a mapping of settings");
    expect_error("server:\n  addr: [\n", 3, ""); /* YAML syntax error, located */
}

/* Token hashes are secrets' digests: a raw token is refused and never echoed. */
static void test_token_hash_not_echoed(void **state) {
    (void)state;
    srv_config c;
    gh_err e;
    assert_int_not_equal(load_text(&c, "auth:\n  token_sha256: [hunter2-secret-token]\n", &e), 0);
    assert_null(strstr(e.msg, "hunter2"));
    assert_non_null(strstr(e.msg, "auth.token_sha256[0]: expected the hex SHA-256"));
    assert_int_equal(e.line, 2);
    srv_config_free(&c);
    /* a single string is not accepted for tokens either (lists only) */
    assert_int_not_equal(load_text(&c, "auth:\n  token_sha256: hunter2\n", &e), 0);
    assert_null(strstr(e.msg, "hunter2"));
    srv_config_free(&c);
}

static void test_empty_and_null(void **state) {
    (void)state;
    srv_config c;
    gh_err e;
    assert_int_equal(load_text(&c, "", &e), 0);
    assert_int_equal(c.max_body_bytes, 4u << 20);
    assert_non_null(c.config_file);
    srv_config_free(&c);
    assert_int_equal(load_text(&c, "# only comments\ntls:\nlimits:\n  read_timeout:\n", &e), 0);
    assert_int_equal(c.read_timeout_ms, 10000);
    srv_config_free(&c);
    srv_config_defaults(&c);
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_load(&c, "/nonexistent/gatehouse.yaml", &e), 0);
    assert_non_null(strstr(e.file, "/nonexistent/gatehouse.yaml"));
    srv_config_free(&c);
}

static int args(srv_config *c, gh_err *e, ...) {
    char *argv[64];
    int argc = 0;
    argv[argc++] = "serve";
    va_list ap;
    va_start(ap, e);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 63;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    srv_config_defaults(c);
    gh_err_clear(e);
    return srv_config_args(c, argc, argv, e);
}

static void test_opa_run_flags(void **state) {
    (void)state;
    srv_config c;
    gh_err e;
    int rc = args(&c, &e, "-s", "--addr=:8443", "-a", "127.0.0.1:9000", "--tls-cert-file", "c.pem",
                  "--tls-private-key-file=k.pem", "--tls-ca-cert-file", "ca.pem",
                  "--authentication=token", "--authorization", "basic", "--skip-version-check",
                  "--ignore", ".*,*.txt", "-l", "debug", "--log-format=json-pretty",
                  "--min-tls-version", "1.2", "-w", "--shutdown-grace-period", "5",
                  "--v1-compatible", "-b", "policy.rego", "data.json", NULL);
    if (rc) fail_msg("%s", e.msg);
    assert_int_equal(c.naddrs, 2);
    assert_string_equal(c.addrs[0], ":8443");
    assert_string_equal(c.addrs[1], "127.0.0.1:9000");
    assert_string_equal(c.tls_cert_file, "c.pem");
    assert_string_equal(c.tls_key_file, "k.pem");
    assert_string_equal(c.tls_client_ca_file, "ca.pem");
    assert_int_equal(c.authn, SRV_AUTHN_TOKEN);
    assert_int_equal(c.authz, SRV_AUTHZ_BASIC);
    assert_int_equal(c.nignore, 2);
    assert_string_equal(c.ignore[1], "*.txt");
    assert_int_equal(c.log_level, GH_LOG_DEBUG);
    assert_int_equal(c.log_format, GH_LOG_JSON);
    assert_true(c.tls_allow_12);
    assert_true(c.bundle);
    assert_int_equal(c.npaths, 2);
    assert_string_equal(c.paths[0], "policy.rego");
    assert_string_equal(c.paths[1], "data.json");
    srv_config_free(&c);

    /* ours, short forms glued, booleans with values, -- ends flags */
    rc = args(&c, &e, "-a:9999", "--insecure-http", "--workers", "2", "--no-builtin-pack",
              "--data-dir", "/tmp/x", "--token-sha256",
              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              "--access-log=false", "--max-body-bytes", "1MiB", "--eval-timeout=2s",
              "--allow-unauthenticated-writes", "--", "--not-a-flag.rego", NULL);
    if (rc) fail_msg("%s", e.msg);
    assert_string_equal(c.addrs[0], ":9999");
    assert_true(c.insecure_http);
    assert_int_equal(c.workers, 2);
    assert_false(c.builtin_pack);
    assert_int_equal(c.ntoken_hashes, 1);
    assert_false(c.access_log);
    assert_int_equal(c.max_body_bytes, 1u << 20);
    assert_int_equal(c.eval_timeout_ms, 2000);
    assert_true(c.allow_unauthenticated_writes);
    assert_int_equal(c.npaths, 1);
    assert_string_equal(c.paths[0], "--not-a-flag.rego");
    srv_config_free(&c);
}

static void expect_flag_error(const char *frag, ...) {
    char *argv[16];
    int argc = 0;
    argv[argc++] = "serve";
    va_list ap;
    va_start(ap, frag);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 15;)
        argv[argc++] = a;
    va_end(ap);
    srv_config c;
    srv_config_defaults(&c);
    gh_err e;
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_args(&c, argc, argv, &e), 0);
    if (!strstr(e.msg, frag)) fail_msg("message \"%s\" lacks \"%s\"", e.msg, frag);
    srv_config_free(&c);
}

static void test_flag_errors(void **state) {
    (void)state;
    expect_flag_error("unknown flag --adr (did you mean --addr?)", "--adr", ":1", NULL);
    expect_flag_error("unknown flag -z", "-z", NULL);
    expect_flag_error("--addr: needs a value", "--addr", NULL);
    expect_flag_error("--set: OPA configuration overrides are not supported", "--set", "x=1", NULL);
    expect_flag_error("--verification-key: bundle signature verification is not supported",
                      "--verification-key", "k.pem", NULL);
    expect_flag_error("--authentication: expected off, token or tls", "--authentication=x", NULL);
    expect_flag_error("--workers: expected an integer", "--workers", "lots", NULL);
    expect_flag_error("--insecure-http: expected true or false", "--insecure-http=maybe", NULL);
    expect_flag_error("--token-sha256: expected the hex SHA-256", "--token-sha256", "s3cret", NULL);
    expect_flag_error("-c: needs a file name", "-c", "", NULL);
}

/* -c loads the file first wherever it appears; flags win over it. */
static void test_config_flag_then_flags(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s",
             write_file("f.yaml", "server:\n  addr: 10.0.0.1:1\n"
                                  "  workers: 7\n"
                                  "policies:\n  paths: [a]\n"));
    srv_config c;
    gh_err e;
    int rc = args(&c, &e, "--addr", ":9", "b", "-c", path, NULL);
    if (rc) fail_msg("%s", e.msg);
    assert_int_equal(c.naddrs, 1);
    assert_string_equal(c.addrs[0], ":9");
    assert_int_equal(c.workers, 7);
    assert_int_equal(c.npaths, 2); /* file's paths, then positional ones */
    assert_string_equal(c.paths[1], "b");
    assert_string_equal(c.config_file, path);
    srv_config_free(&c);
    /* a bad file through the flag: the error names the file and line */
    snprintf(path, sizeof path, "%s", write_file("bad.yaml", "limits:\n  max_body: 1\n"));
    rc = args(&c, &e, "--config-file", path, NULL);
    assert_int_not_equal(rc, 0);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "limits.max_body"));
    srv_config_free(&c);
}

static void expect_invalid(srv_config *c, const char *frag) {
    gh_err e;
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_validate(c, &e), 0);
    if (!strstr(e.msg, frag)) fail_msg("message \"%s\" lacks \"%s\"", e.msg, frag);
    srv_config_free(c);
}

static void test_validate(void **state) {
    (void)state;
    srv_config c;
    gh_err e;
    assert_int_equal(args(&c, &e, "--no-builtin-pack", NULL), 0);
    gh_err_clear(&e);
    assert_int_equal(srv_config_validate(&c, &e), 0);
    srv_config_free(&c);

    args(&c, &e, "--no-builtin-pack", "--tls-cert-file", "/etc/passwd", NULL);
    expect_invalid(&c, "tls.key_file (--tls-private-key-file): required with tls.cert_file");
    args(&c, &e, "--no-builtin-pack", "--tls-cert-file", "/nonexistent.pem",
         "--tls-private-key-file", "/nonexistent.key", NULL);
    expect_invalid(&c, "tls.cert_file (--tls-cert-file): cannot read /nonexistent.pem");
    args(&c, &e, "--no-builtin-pack", "--authentication", "tls", NULL);
    expect_invalid(&c, "needs tls.client_ca_file");
    args(&c, &e, "--no-builtin-pack", "--authentication", "token", NULL);
    expect_invalid(&c, "auth.token_sha256 (--token-sha256)");
    args(&c, &e, "--no-builtin-pack", "--addr", "unix:///run/opa.sock", NULL);
    expect_invalid(&c, "unix sockets are not supported");
    args(&c, &e, "--no-builtin-pack", "--addr", "localhost", NULL);
    expect_invalid(&c, "expected HOST:PORT");
    args(&c, &e, "--no-builtin-pack", "--addr", "127.0.0.1:70000", NULL);
    expect_invalid(&c, "expected HOST:PORT");
    args(&c, &e, "--no-builtin-pack", "--tls-ca-cert-file", "/etc/passwd", NULL);
    expect_invalid(&c, "client certificates need TLS");
    args(&c, &e, "--pack-dir", "/nonexistent/policies", NULL);
    expect_invalid(&c, "policies.pack_dir (--pack-dir): /nonexistent/policies is not a directory");
    args(&c, &e, NULL);
    expect_invalid(&c, "policies.builtin_pack: the built-in pack");
    /* token authentication with a policy deciding (OPA's way) is fine */
    args(&c, &e, "--no-builtin-pack", "--authentication", "token", "--authorization", "basic",
         NULL);
    gh_err_clear(&e);
    assert_int_equal(srv_config_validate(&c, &e), 0);
    srv_config_free(&c);
    /* the built-in pack found in the source tree */
    args(&c, &e, "--pack-dir", GH_SOURCE_DIR "/policies", "--addr", "[::1]:0", NULL);
    gh_err_clear(&e);
    assert_int_equal(srv_config_validate(&c, &e), 0);
    srv_config_free(&c);
}

/* Validation errors point at the file line of a key the file set, and not
 * once a flag has overridden it. */
static void test_validate_located(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s",
             write_file("v.yaml", "policies:\n  builtin_pack: false\n"
                                  "tls:\n  cert_file: /etc/passwd\n"
                                  "auth:\n  authentication: tls\n"));
    srv_config c;
    gh_err e;
    assert_int_equal(args(&c, &e, "-c", path, NULL), 0);
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_validate(&c, &e), 0);
    assert_string_equal(e.file, path);
    assert_int_equal(e.line, 4);
    assert_non_null(strstr(e.msg, "tls.key_file (--tls-private-key-file): required"));
    srv_config_free(&c);
    assert_int_equal(args(&c, &e, "-c", path, "--tls-private-key-file", "/etc/passwd", NULL), 0);
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_validate(&c, &e), 0);
    assert_int_equal(e.line, 6); /* authentication: tls without a client CA */
    assert_non_null(strstr(e.msg, "needs tls.client_ca_file"));
    srv_config_free(&c);
    assert_int_equal(args(&c, &e, "-c", path, "--tls-private-key-file", "/etc/passwd",
                          "--authentication", "off", "--tls-cert-file", "/nonexistent", NULL),
                     0);
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_validate(&c, &e), 0);
    assert_int_equal(e.line, 0); /* the flag set it */
    assert_string_equal(e.file, "");
    assert_non_null(strstr(e.msg, "cannot read /nonexistent"));
    srv_config_free(&c);
}

static void test_addr_parse(void **state) {
    (void)state;
    char host[64];
    int port;
    assert_int_equal(srv_addr_parse("127.0.0.1:8181", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8181);
    assert_true(srv_addr_is_loopback(host));
    assert_int_equal(srv_addr_parse(":8181", host, sizeof host, &port), 0);
    assert_string_equal(host, "");
    assert_false(srv_addr_is_loopback(host));
    assert_int_equal(srv_addr_parse("[::1]:0", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 0);
    assert_true(srv_addr_is_loopback(host));
    assert_int_equal(srv_addr_parse("localhost:1", host, sizeof host, &port), 0);
    assert_true(srv_addr_is_loopback(host));
    assert_int_equal(srv_addr_parse("0.0.0.0:443", host, sizeof host, &port), 0);
    assert_false(srv_addr_is_loopback(host));
    assert_int_equal(srv_addr_parse("::1:80", host, sizeof host, &port), -1);
    assert_int_equal(srv_addr_parse("host:", host, sizeof host, &port), -1);
    assert_int_equal(srv_addr_parse("host:8x", host, sizeof host, &port), -1);
    assert_int_equal(srv_addr_parse("[::1]8181", host, sizeof host, &port), -1);
    assert_int_equal(srv_addr_parse("http://a:1", host, sizeof host, &port), -1);
}

static void test_units(void **state) {
    (void)state;
    size_t s;
    assert_int_equal(gh_parse_size("4MiB", &s), 0);
    assert_int_equal(s, 4u << 20);
    assert_int_equal(gh_parse_size("512", &s), 0);
    assert_int_equal(s, 512);
    assert_int_equal(gh_parse_size("64KB", &s), 0);
    assert_int_equal(s, 64000);
    assert_int_equal(gh_parse_size("1G", &s), 0);
    assert_int_equal(s, 1u << 30);
    assert_int_equal(gh_parse_size("2 Ki", &s), 0);
    assert_int_equal(s, 2048);
    assert_int_equal(gh_parse_size("", &s), -1);
    assert_int_equal(gh_parse_size("-1", &s), -1);
    assert_int_equal(gh_parse_size("1.5MiB", &s), -1);
    assert_int_equal(gh_parse_size("4TiB", &s), -1);
    assert_int_equal(gh_parse_size("99999999999999999999999", &s), -1);
    assert_int_equal(gh_parse_size("18446744073709551615GiB", &s), -1);
    int64_t ns;
    assert_int_equal(gh_parse_duration("1m30s", &ns), 0);
    assert_int_equal(ns, 90000000000ll);
    assert_int_equal(gh_parse_duration("250ms", &ns), 0);
    assert_int_equal(ns, 250000000);
    assert_int_equal(gh_parse_duration("10", &ns), -1);
    assert_int_equal(gh_parse_duration("9999999999h", &ns), -1);
}

/* ---- ${NAME} substitution ---- */

static char unset_seen[256];
static void note_unset(void *ud, const char *name) {
    (*(int *)ud)++;
    size_t n = strlen(unset_seen);
    snprintf(unset_seen + n, sizeof unset_seen - n, "%s;", name);
}

/* Expand s; returns the result (static) or NULL when s needed no change. */
static const char *expand(const char *s, int *unset) {
    static char out[512];
    char *r = NULL;
    unset_seen[0] = 0;
    *unset = 0;
    assert_int_equal(srv_cfg_env_expand(s, &r, note_unset, unset), 0);
    if (!r) return NULL;
    snprintf(out, sizeof out, "%s", r);
    gh_free_secret(r, strlen(r));
    return out;
}

static void test_env_expand_rules(void **state) {
    (void)state;
    setenv("GH_T_A", "abc", 1);
    setenv("GH_T_B", "12", 1);
    setenv("GH_T_EMPTY", "", 1);
    unsetenv("GH_T_UNSET");
    int u;
    assert_null(expand("plain $GH_T_A text", &u)); /* $NAME is not a reference */
    assert_string_equal(expand("${GH_T_A}", &u), "abc");
    assert_string_equal(expand("x${GH_T_A}y$GH_T_A", &u), "xabcy$GH_T_A");
    assert_string_equal(expand("${GH_T_A}${GH_T_B}", &u), "abc12");
    assert_string_equal(expand("$${GH_T_A}", &u), "$abc"); /* no escape, as OPA */
    assert_int_equal(u, 0);
    /* unset: "" and reported by name; "${env.X}" is a variable named env.X */
    assert_string_equal(expand("a${GH_T_UNSET}b", &u), "ab");
    assert_int_equal(u, 1);
    assert_string_equal(unset_seen, "GH_T_UNSET;");
    assert_string_equal(expand("${env.GH_T_A}", &u), "");
    assert_string_equal(unset_seen, "env.GH_T_A;");
    /* set but empty is not unset */
    assert_string_equal(expand("${GH_T_EMPTY}", &u), "");
    assert_int_equal(u, 0);
    /* an unclosed reference, or one across a line break, stays as written */
    assert_string_equal(expand("${GH_T_A", &u), "${GH_T_A");
    assert_string_equal(expand("${GH_T_A\n}", &u), "${GH_T_A\n}");
    /* the first "}" closes: ${A${B}} looks up "A${B" */
    assert_string_equal(expand("${GH_T_A${GH_T_B}}", &u), "}");
    assert_int_equal(u, 1);
}

static void test_env_in_config(void **state) {
    (void)state;
    setenv("GH_T_WORKERS", "3", 1);
    setenv("GH_T_DIR", "/srv/policies", 1);
    setenv("GH_T_HASH", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1);
    setenv("GH_T_BOOL", "true", 1);
    setenv("GH_T_YAML", "[a, b]\nx: 1", 1);
    srv_config c;
    gh_err e;
    int rc = load_text(&c,
                       "server:\n"
                       "  workers: ${GH_T_WORKERS}\n"
                       "policies:\n"
                       "  paths: ['${GH_T_DIR}/main', \"${GH_T_YAML}\"]\n"
                       "  v0_compatible: ${GH_T_BOOL}\n"
                       "auth:\n"
                       "  authentication: token\n"
                       "  token_sha256: [\"${GH_T_HASH}\"]\n"
                       "logging:\n"
                       "  decision_log_file: ${GH_T_DIR}/decisions.log\n",
                       &e);
    if (rc) fail_msg("%s:%d:%d: %s", e.file, e.line, e.col, e.msg);
    assert_int_equal(c.workers, 3); /* typed by the key, like OPA's expanded text */
    assert_true(c.v0_compatible);
    assert_int_equal(c.npaths, 2);
    assert_string_equal(c.paths[0], "/srv/policies/main");
    /* a value cannot add YAML structure: one path, holding the text as is */
    assert_string_equal(c.paths[1], "[a, b]\nx: 1");
    assert_int_equal(c.ntoken_hashes, 1);
    assert_string_equal(c.decision_log_file, "/srv/policies/decisions.log");
    srv_config_free(&c);
    /* keys are not expanded */
    assert_int_not_equal(load_text(&c, "server:\n  ${GH_T_WORKERS}: 1\n", &e), 0);
    assert_non_null(strstr(e.msg, "unknown key \"server.${GH_T_WORKERS}\""));
    srv_config_free(&c);
}

static void test_env_errors_hide_values(void **state) {
    (void)state;
    setenv("GH_T_SECRET", "hunter2-secret", 1);
    srv_config c;
    gh_err e;
    assert_int_not_equal(load_text(&c, "limits:\n  rate_limit:\n    burst: ${GH_T_SECRET}\n", &e),
                         0);
    assert_null(strstr(e.msg, "hunter2"));
    assert_non_null(strstr(e.msg, "limits.rate_limit.burst: expected an integer"));
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 5);
    assert_non_null(strstr(e.file, "gatehouse.yaml"));
    srv_config_free(&c);
    assert_int_not_equal(load_text(&c, "auth:\n  token_sha256:\n    - ${GH_T_SECRET}\n", &e), 0);
    assert_null(strstr(e.msg, "hunter2"));
    assert_non_null(strstr(e.msg, "auth.token_sha256[0]"));
    assert_int_equal(e.line, 3);
    srv_config_free(&c);
}

/* An unset variable is a warning naming it and where it is used, never a
 * value; the setting gets "" (a string key is then unset). */
static void test_env_unset_warns(void **state) {
    (void)state;
    unsetenv("GH_T_NOPE");
    char logp[128];
    snprintf(logp, sizeof logp, "%s/warn.log", tmpdir);
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(gh_log_open(logp, &e), 0);
    srv_config c;
    int rc = load_text(&c, "tls:\n  client_ca_file: \"${GH_T_NOPE}\"\n", &e);
    gh_log_close();
    assert_int_equal(rc, 0);
    assert_null(c.tls_client_ca_file);
    srv_config_free(&c);
    FILE *f = fopen(logp, "r");
    assert_non_null(f);
    char buf[1024] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_non_null(strstr(buf, "environment variable is not set"));
    assert_non_null(strstr(buf, "GH_T_NOPE"));
    assert_non_null(strstr(buf, "tls.client_ca_file"));
    assert_non_null(strstr(buf, "gatehouse.yaml:2:3"));
}

/* ---- reload: srv_config_reread and srv_config_keep_restart ---- */

/* Reread goes through the same file and flags as start-up: the file's
 * changes show, the flags still win, a broken file is an error located at
 * the key and gives nothing. */
static void test_reread(void **state) {
    (void)state;
    setenv("GH_T_RPS", "5", 1);
    char file[256];
    snprintf(file, sizeof file, "%s",
             write_file("live.yaml", "server:\n  workers: 4\n"
                                     "policies:\n  builtin_pack: false\n"
                                     "  paths: [a]\n"));
    char *argv[] = {"serve", "--config", file, "--workers", "2", "extra"};
    srv_config run;
    srv_config_defaults(&run);
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(srv_config_args(&run, 6, argv, &e), 0);
    assert_int_equal(run.workers, 2);
    assert_int_equal(run.argc, 6);
    write_file("live.yaml", "server:\n  workers: 8\n"
                            "policies:\n  builtin_pack: false\n  paths: [b, c]\n"
                            "limits:\n  rate_limit:\n    rps: ${GH_T_RPS}\n");
    srv_config *next = NULL;
    int rc = srv_config_reread(&run, &next, &e);
    if (rc) fail_msg("%s:%d:%d: %s", e.file, e.line, e.col, e.msg);
    assert_int_equal(next->workers, 2); /* the flag still wins */
    assert_int_equal(next->npaths, 3);  /* the file's, then the positional path */
    assert_string_equal(next->paths[0], "b");
    assert_string_equal(next->paths[2], "extra");
    assert_true(next->rate_limit_rps == 5.0);
    assert_string_equal(next->config_file, file);
    assert_string_equal(next->data_dir, run.data_dir);
    srv_config_free(next);
    gh_free(next);
    /* broken: file:line:col of the key, nothing returned */
    write_file("live.yaml", "policies:\n  builtin_pack: false\nlimits:\n  max_body_bytes: lots\n");
    gh_err_clear(&e);
    assert_int_not_equal(srv_config_reread(&run, &next, &e), 0);
    assert_null(next);
    assert_string_equal(e.file, file);
    assert_int_equal(e.line, 4);
    assert_int_equal(e.col, 3);
    assert_non_null(strstr(e.msg, "limits.max_body_bytes"));
    /* fails validation: also an error */
    write_file("live.yaml", "policies:\n  builtin_pack: false\ntls:\n  key_file: /nope\n");
    assert_int_not_equal(srv_config_reread(&run, &next, &e), 0);
    assert_null(next);
    srv_config_free(&run);
}

static int has_key(const char **keys, size_t n, const char *k) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], k)) return 1;
    return 0;
}

static void test_keep_restart(void **state) {
    (void)state;
    srv_config run, next;
    gh_err e;
    assert_int_equal(load_text(&run,
                               "server:\n  addr: 127.0.0.1:8181\n  workers: 2\n"
                               "tls:\n  cert_file: /a.crt\n  key_file: /a.key\n"
                               "policies:\n  paths: [p1]\n"
                               "limits:\n  max_body_bytes: 1MiB\n  eval_timeout: 1s\n"
                               "auth:\n  authentication: token\n"
                               "logging:\n  level: info\n  access_log: true\n",
                               &e),
                     0);
    assert_int_equal(load_text(&next,
                               "server:\n  addr: [\"0.0.0.0:9000\"]\n  workers: 2\n"
                               "tls:\n  cert_file: /b.crt\n  key_file: /b.key\n"
                               "  client_ca_file: /ca.crt\n"
                               "policies:\n  paths: [p2, p3]\n"
                               "limits:\n  max_body_bytes: 2MiB\n  eval_timeout: 2s\n"
                               "auth:\n  authentication: tls\n"
                               "logging:\n  level: debug\n  access_log: false\n",
                               &e),
                     0);
    const char *keys[16];
    size_t n = srv_config_keep_restart(&run, &next, keys, 16);
    assert_int_equal(n, 4);
    assert_true(has_key(keys, n, "server.addr"));
    assert_true(has_key(keys, n, "tls.client_ca_file")); /* client certificates turned on */
    assert_true(has_key(keys, n, "limits.max_body_bytes"));
    assert_true(has_key(keys, n, "auth.authentication")); /* to "tls" */
    assert_false(has_key(keys, n, "logging.access_log")); /* live */
    /* the running values are back ... */
    assert_int_equal(next.naddrs, 1);
    assert_string_equal(next.addrs[0], "127.0.0.1:8181");
    assert_null(next.tls_client_ca_file);
    assert_int_equal(next.max_body_bytes, 1u << 20);
    assert_int_equal(next.authn, SRV_AUTHN_TOKEN);
    assert_false(next.access_log);
    /* ... and the rest applies: new TLS files (TLS stays on), paths, limits, level,
     * the access log */
    assert_string_equal(next.tls_cert_file, "/b.crt");
    assert_int_equal(next.npaths, 2);
    assert_int_equal(next.eval_timeout_ms, 2000);
    assert_int_equal(next.log_level, GH_LOG_DEBUG);
    /* now equal: nothing more to report */
    assert_int_equal(srv_config_keep_restart(&run, &next, keys, 16), 0);
    srv_config_free(&next);
    /* turning TLS off needs a restart too */
    assert_int_equal(load_text(&next,
                               "server:\n  addr: 127.0.0.1:8181\n  workers: 2\n"
                               "limits:\n  max_body_bytes: 1MiB\n  eval_timeout: 1s\n"
                               "auth:\n  authentication: token\n",
                               &e),
                     0);
    n = srv_config_keep_restart(&run, &next, keys, 16);
    assert_true(has_key(keys, n, "tls.cert_file"));
    assert_true(has_key(keys, n, "tls.key_file"));
    assert_string_equal(next.tls_cert_file, "/a.crt");
    srv_config_free(&next);
    srv_config_free(&run);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_errors_name_key_and_line),
        cmocka_unit_test(test_token_hash_not_echoed),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_opa_run_flags),
        cmocka_unit_test(test_flag_errors),
        cmocka_unit_test(test_config_flag_then_flags),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_located),
        cmocka_unit_test(test_addr_parse),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_env_expand_rules),
        cmocka_unit_test(test_env_in_config),
        cmocka_unit_test(test_env_errors_hide_values),
        cmocka_unit_test(test_env_unset_warns),
        cmocka_unit_test(test_reread),
        cmocka_unit_test(test_keep_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
