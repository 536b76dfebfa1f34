/* fuzz_router.c - libFuzzer target for srv_dispatch (src/server/router.c and
 * the API handlers): the input is "FLAGS METHOD TARGET\n" followed by the
 * body, where FLAGS is a digit choosing authorization=basic (bit 0) and an
 * authenticated caller (bit 1). A small policy state is loaded once (from a
 * temporary directory). Every request must get a status in 100..599 and,
 * for JSON answers, a body that parses. Replayed over
 * tests/fuzz/corpus/router/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/srv_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static srv_config cfg;
static srv_ctx ctx;
static srv_worker worker;
static char *paths[1];

static const char POLICY[] =
    "package example\n\nimport rego.v1\n\nallow if input.user == \"alice\"\n\nx := [1, 2]\n";
static const char AUTHZ[] = "package system.authz\n\nimport rego.v1\n\ndefault allow := false\n\n"
                            "allow if input.method == \"GET\"\n"
                            "allow if input.identity == \"t\"\n";

static void init(void) {
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/gh_fuzz_router_%d", (int)getpid());
    mkdir(dir, 0700);
    char p[128];
    snprintf(p, sizeof p, "%s/p.rego", dir);
    FILE *f = fopen(p, "w");
    if (f) fputs(POLICY, f), fclose(f);
    snprintf(p, sizeof p, "%s/authz.rego", dir);
    f = fopen(p, "w");
    if (f) fputs(AUTHZ, f), fclose(f);
    paths[0] = dir;
    cfg.paths = paths;
    cfg.npaths = 1;
    cfg.authn = SRV_AUTHN_TOKEN;
    cfg.eval_timeout_ms = 1000;
    cfg.eval_mem_bytes = 64u << 20;
    ctx.cfg = &cfg;
    ctx.version = "fuzz";
    gh_err e;
    gh_err_clear(&e);
    ctx.state = srv_state_new(&cfg, &e); /* NULL is fine: stateless answers */
    /* the state keeps its own copies: leave nothing behind in /tmp */
    snprintf(p, sizeof p, "%s/p.rego", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/authz.rego", dir);
    unlink(p);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ctx.cfg) init();
    if (size > (1u << 16)) return 0;
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t hn = nl ? (size_t)(nl - in) : size;
    gh_arena a;
    gh_arena_init(&a, 64u << 20);
    char *head = gh_arena_strndup(&a, in, hn);
    if (!head) {
        gh_arena_free(&a);
        return 0;
    }
    unsigned flags = head[0] >= '0' && head[0] <= '9' ? (unsigned)(head[0] - '0') : 0;
    char *method = strchr(head, ' ');
    char *target = method ? strchr(method + 1, ' ') : NULL;
    if (!method || !target) {
        gh_arena_free(&a);
        return 0;
    }
    *method++ = 0;
    *target++ = 0;
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    char *q = strchr(target, '?');
    if (q) *q++ = 0;
    rq.raw_path = target;
    rq.path = srv_unescape_path(&a, target, strlen(target));
    if (!rq.path) rq.path = target;
    rq.query = q;
    rq.body = nl ? nl + 1 : "";
    rq.body_len = nl ? size - hn - 1 : 0;
    rq.arena = &a;
    rq.worker = &worker;
    rq.authenticated = flags & 2;
    static const char *const hn_[] = {"Authorization", "X-Test"};
    static const char *const hv_[] = {"Bearer t", "1"};
    rq.hdr_names = hn_;
    rq.hdr_values = hv_;
    rq.nhdrs = flags & 4 ? 2 : 0;
    cfg.authz = flags & 1 ? SRV_AUTHZ_BASIC : SRV_AUTHZ_OFF;
    cfg.allow_unauthenticated_writes = false;
    srv_resp rs;
    memset(&rs, 0, sizeof rs);
    gh_buf_init(&rs.body);
    srv_dispatch(&ctx, &rq, &rs);
    if (rs.status < 100 || rs.status > 599 || !rs.route) abort();
    if (rs.body.oom) abort();
    if (!rs.content_type && rs.body.len > 0) {
        gh_arena chk;
        gh_arena_init(&chk, 64u << 20);
        val_t *v;
        gh_err e;
        if (val_json_parse(&chk, rs.body.p, rs.body.len, NULL, &v, &e) != 0) abort();
        gh_arena_free(&chk);
    }
    gh_buf_free(&rs.body);
    gh_arena_free(&a);
    return 0;
}
