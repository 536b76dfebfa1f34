/* srv_test.h - what the server unit tests repeat: a dispatch context (CFG,
 * CTX, W) with its response RS and arena A, requests built by hand from a
 * "path?query" target and run through srv_dispatch (no sockets), checks on
 * the response body and headers, and temporary policy directories.
 * Header-only; include it first, as "srv_test.h" from tests/unit/server/.
 * Unused parts cost nothing (all are marked unused). */
#ifndef GH_SRV_TEST_H
#define GH_SRV_TEST_H

#include "../gh_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/srv_int.h"

#define SRV_TEST_UNUSED __attribute__((unused))

SRV_TEST_UNUSED static srv_config CFG;
SRV_TEST_UNUSED static srv_ctx CTX;
SRV_TEST_UNUSED static srv_worker W;
SRV_TEST_UNUSED static srv_resp RS; /* the response of the last run/run_req */
/* Headers run() sends: NHDR of HDR_N/HDR_V, or when BEARER is set only
 * "Authorization: Bearer <BEARER>". */
SRV_TEST_UNUSED static const char *const *HDR_N;
SRV_TEST_UNUSED static const char *const *HDR_V;
SRV_TEST_UNUSED static int NHDR;
SRV_TEST_UNUSED static const char *BEARER;

/* Zeroes CFG, CTX, W and RS, points CTX at CFG with version "9.9.9" and the
 * given instance id, and opens arena A (no budget). */
SRV_TEST_UNUSED static void srv_test_init(const char *instance_id) {
    gh_arena_init(&A, 0);
    memset(&CFG, 0, sizeof CFG);
    memset(&CTX, 0, sizeof CTX);
    memset(&W, 0, sizeof W);
    CTX.cfg = &CFG;
    CTX.version = "9.9.9";
    snprintf(CTX.instance_id, sizeof CTX.instance_id, "%s", instance_id);
    memset(&RS, 0, sizeof RS);
    gh_buf_init(&RS.body);
}

/* Releases what srv_test_init opened (RS's body, arena A). */
SRV_TEST_UNUSED static void srv_test_done(void) {
    gh_buf_free(&RS.body);
    gh_arena_free(&A);
}

/* A request (in arena A, worker W): target is "path?query" as on the
 * request line; body NULL for none. */
SRV_TEST_UNUSED static srv_req req(const char *method, const char *target, const char *body) {
    srv_req r;
    memset(&r, 0, sizeof r);
    r.method = method;
    const char *q = strchr(target, '?');
    r.raw_path = q ? gh_arena_strndup(&A, target, (size_t)(q - target)) : target;
    r.path = srv_unescape_path(&A, r.raw_path, strlen(r.raw_path));
    r.query = q ? q + 1 : NULL;
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    r.arena = &A;
    r.worker = &W;
    return r;
}

/* Dispatches r through CTX into a fresh RS. */
SRV_TEST_UNUSED static void run_req(const srv_req *r) {
    gh_buf_free(&RS.body);
    memset(&RS, 0, sizeof RS);
    gh_buf_init(&RS.body);
    srv_req copy = *r; /* the router may mark it authenticated */
    srv_dispatch(&CTX, &copy, &RS);
}

/* req() + run_req(), with the headers above. */
SRV_TEST_UNUSED static void run(const char *method, const char *target, const char *body) {
    srv_req r = req(method, target, body);
    r.hdr_names = HDR_N;
    r.hdr_values = HDR_V;
    r.nhdrs = NHDR;
    static const char *n[1] = {"Authorization"};
    static const char *v[1];
    if (BEARER) {
        v[0] = gh_arena_printf(&A, "Bearer %s", BEARER);
        r.hdr_names = n;
        r.hdr_values = v;
        r.nhdrs = 1;
    }
    run_req(&r);
}

/* RS's body ("" when none). */
SRV_TEST_UNUSED static const char *body(void) { return RS.body.p ? RS.body.p : ""; }

/* The body holds `s` (printed with the body when not). */
SRV_TEST_UNUSED static void has_(const char *s, int line) {
    if (strstr(body(), s)) return;
    print_error("line %d: body lacks [%s]:\n%s\n", line, s, body());
    fail();
}
#define has(s) has_((s), __LINE__)

/* The value of RS's header `name`, or NULL. */
SRV_TEST_UNUSED static const char *header(const char *name) {
    for (int i = 0; i < RS.nhdr; i++)
        if (strcmp(RS.hdr_name[i], name) == 0) return RS.hdr_value[i];
    return NULL;
}

/* Writes text to dir/name (the test fails when it cannot). */
SRV_TEST_UNUSED static void write_file(const char *dir, const char *name, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Points cfg at the one policy path `path` (kept in *slot, which must
 * outlive the state), zeroes ctx and worker, and opens ctx->state (version
 * "0.61.0"); the test fails with the loader's message when that fails. */
SRV_TEST_UNUSED static void srv_test_open_state(srv_config *cfg, srv_ctx *ctx, srv_worker *worker,
                                                char **slot, char *path) {
    memset(cfg, 0, sizeof *cfg);
    *slot = path;
    cfg->paths = slot;
    cfg->npaths = 1;
    memset(ctx, 0, sizeof *ctx);
    ctx->cfg = cfg;
    ctx->version = "0.61.0";
    gh_err e;
    gh_err_clear(&e);
    ctx->state = srv_state_new(cfg, &e);
    if (!ctx->state) fail_msg("%s", e.msg);
    memset(worker, 0, sizeof *worker);
}

/* Removes dir and all below it: 0, or -1 (said on stderr) when that failed. */
SRV_TEST_UNUSED static int rm_rf(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) == 0) return 0;
    fprintf(stderr, "cleanup of %s failed\n", dir);
    return -1;
}

#endif
