/* test_state.c - the server's snapshots (src/server/state*.c): loading,
 * data writes with OPA's store semantics and conflict checks, module
 * put/delete, reload (also with a new configuration, published with the
 * snapshot), the workers' cached pointer, and concurrent writers +
 * readers (run under ASan: no leak, no use-after-free). Set
 * GH_STATE_BENCH=1 to print what a data write costs with 1 MB of data. */
#include "srv_test.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/config_int.h"
#include "server/state_int.h"

static char tmpdir[64];
static char *paths[1];
static srv_config cfg;

static const char *X_REGO = "package x\n"
                            "default allow := false\n"
                            "allow if input.user == \"alice\"\n"
                            "y := data.d.k\n";

static int setup(void **st) {
    (void)st;
    strcpy(tmpdir, "/tmp/gh_state_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    char p[256];
    snprintf(p, sizeof p, "%s/d", tmpdir);
    mkdir(p, 0700);
    write_file(tmpdir, "x.rego", X_REGO);
    write_file(tmpdir, "d/data.json", "{\"k\": 7, \"arr\": [1, {\"a\": 2}]}");
    memset(&cfg, 0, sizeof cfg);
    paths[0] = tmpdir;
    cfg.paths = paths;
    cfg.npaths = 1;
    return 0;
}

static int teardown(void **st) {
    (void)st;
    return rm_rf(tmpdir);
}

static srv_state *new_state(void) {
    gh_err e;
    gh_err_clear(&e);
    srv_state *s = srv_state_new(&cfg, &e);
    if (!s) fail_msg("srv_state_new: %s", e.msg);
    return s;
}

/* Evaluate query text on a snapshot; the JSON of the first result or "undefined". */
static int first(void *ud, const rego_result *r) {
    *(val_t **)ud = r->nexprs ? r->exprs[0] : NULL;
    return 1;
}

static char *eval_json(const srv_snapshot *s, const char *q, const char *input_json) {
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    gh_err_clear(&e);
    rego_query *rq;
    if (rego_query_prepare(s->policy, &a, q, strlen(q), NULL, &rq, &e))
        fail_msg("prepare: %s", e.msg);
    val_t *in = NULL, *out = NULL;
    if (input_json)
        assert_int_equal(val_json_parse(&a, input_json, strlen(input_json), NULL, &in, &e), 0);
    rego_eval_opts o = {.input = in};
    if (rego_query_eval(rq, &a, &o, first, &out, &e)) fail_msg("eval: %s", e.msg);
    gh_buf b;
    gh_buf_init(&b);
    if (out)
        val_json_emit(&b, out, VAL_JSON_SORTED);
    else
        gh_buf_puts(&b, "undefined");
    char *r = strdup(b.p);
    gh_buf_free(&b);
    gh_arena_free(&a);
    return r;
}

static void assert_eval(srv_state *st, const char *q, const char *input, const char *want) {
    srv_snapshot *s = srv_state_acquire(st);
    char *got = eval_json(s, q, input);
    if (strcmp(got, want)) fail_msg("%s: got %s, want %s", q, got, want);
    free(got);
    srv_snapshot_release(s);
}

static val_t *jv(gh_arena *a, const char *json) {
    val_t *v = NULL;
    gh_err e;
    if (val_json_parse(a, json, strlen(json), NULL, &v, &e)) fail_msg("json: %s", e.msg);
    return v;
}

/* Apply a data change; returns rc, e filled. */
static int data_op(srv_state *st, srv_change_kind k, const char *path_json, const char *value_json,
                   gh_err *e, char *errs_out, size_t n) {
    gh_arena a;
    gh_arena_init(&a, 0);
    srv_change ch = {
        .kind = k, .path = jv(&a, path_json), .value = value_json ? jv(&a, value_json) : NULL};
    val_t *errs = NULL;
    gh_err_clear(e);
    int rc = srv_state_apply(st, &ch, &a, &errs, e);
    if (errs_out && n) {
        errs_out[0] = 0;
        if (errs) {
            char *t = val_to_json(&a, errs, VAL_JSON_SORTED);
            snprintf(errs_out, n, "%s", t ? t : "");
        }
    }
    gh_arena_free(&a);
    return rc;
}

static void test_load(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    srv_snapshot *s = srv_state_acquire(st);
    assert_non_null(s);
    assert_int_equal(s->revision, 1);
    assert_int_equal(s->nmods, 1);
    assert_non_null(strstr(s->mods[0].id, "x.rego"));
    assert_non_null(s->data);
    assert_null(s->gk);
    srv_snapshot_release(s);
    assert_eval(st, "data.x.allow", "{\"user\":\"alice\"}", "true");
    assert_eval(st, "data.x.y", NULL, "7");
    assert_eval(st, "data.d.arr[1].a", NULL, "2");
    char err[8];
    srv_state_last_error(st, err, sizeof err);
    assert_string_equal(err, "");
    srv_state_free(st);
}

static void test_load_errors(void **unused) {
    (void)unused;
    write_file(tmpdir, "bad.rego", "package bad\np if {\n");
    gh_err e;
    gh_err_clear(&e);
    srv_state *st = srv_state_new(&cfg, &e);
    assert_null(st);
    assert_non_null(strstr(e.msg, "bad.rego"));
    char p[256];
    snprintf(p, sizeof p, "%s/bad.rego", tmpdir);
    unlink(p);
    /* data at a rule's path: OPA's conflict check */
    snprintf(p, sizeof p, "%s/x", tmpdir);
    mkdir(p, 0700);
    write_file(tmpdir, "x/data.json", "{\"allow\": 1}");
    gh_err_clear(&e);
    st = srv_state_new(&cfg, &e);
    assert_null(st);
    assert_non_null(strstr(e.msg, "conflicting rule for data path x/allow found"));
    snprintf(p, sizeof p, "%s/x/data.json", tmpdir);
    unlink(p);
    snprintf(p, sizeof p, "%s/x", tmpdir);
    rmdir(p);
}

static void test_data_put_delete(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    gh_err e;
    char errs[1024];
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"foo\"]", "{\"a\":1}", &e, NULL, 0), 0);
    assert_int_equal(srv_state_revision(st), 2);
    assert_eval(st, "data.foo", NULL, "{\"a\":1}");
    /* parents created */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"p\",\"q\",\"r\"]", "true", &e, NULL, 0), 0);
    assert_eval(st, "data.p", NULL, "{\"q\":{\"r\":true}}");
    /* through a scalar: write conflict naming the prefix */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"foo\",\"a\",\"b\"]", "3", &e, NULL, 0),
                     GH_ECONFLICT);
    assert_string_equal(e.kind, "storage_write_conflict_error");
    assert_string_equal(e.msg, "storage_write_conflict_error: /foo/a");
    /* If-None-Match */
    gh_arena a;
    gh_arena_init(&a, 0);
    srv_change ch = {.kind = SRV_CH_DATA_PUT,
                     .path = jv(&a, "[\"foo\"]"),
                     .value = jv(&a, "2"),
                     .if_none_match = true};
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &ch, &a, NULL, &e), GH_ECONFLICT);
    assert_string_equal(e.kind, "not_modified");
    gh_arena_free(&a);
    /* rules: data at a rule path and over a package */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"x\",\"allow\"]", "3", &e, errs, sizeof errs),
                     GH_EINVAL);
    assert_string_equal(e.kind, "rego_compile_error");
    assert_non_null(strstr(errs, "conflicting rule for data path x/allow found"));
    assert_non_null(strstr(errs, "\"row\":2"));
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"x\"]", "3", &e, errs, sizeof errs),
                     GH_EINVAL);
    assert_non_null(strstr(errs, "x/allow"));
    assert_non_null(strstr(errs, "x/y"));
    /* beside rules is fine */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"x\",\"q\"]", "3", &e, NULL, 0), 0);
    assert_eval(st, "data.x.q", NULL, "3");
    /* root */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[]", "3", &e, NULL, 0), GH_EINVAL);
    assert_string_equal(e.msg, "storage_invalid_patch_error: root must be object");
    /* delete */
    assert_int_equal(data_op(st, SRV_CH_DATA_DELETE, "[\"nothere\"]", NULL, &e, NULL, 0),
                     GH_ENOTFOUND);
    assert_string_equal(e.msg, "storage_not_found_error: /nothere: document does not exist");
    assert_int_equal(data_op(st, SRV_CH_DATA_DELETE, "[\"foo\"]", NULL, &e, NULL, 0), 0);
    assert_eval(st, "data.foo", NULL, "undefined");
    assert_int_equal(data_op(st, SRV_CH_DATA_DELETE, "[\"d\",\"arr\",\"5\"]", NULL, &e, NULL, 0),
                     GH_ENOTFOUND);
    assert_string_equal(e.msg, "storage_not_found_error: /d/arr/5: array index out of range");
    /* failures kept the snapshot: revisions only moved on success */
    assert_int_equal(srv_state_revision(st), 5);
    assert_eval(st, "data.x.y", NULL, "7");
    srv_state_free(st);
}

static void test_data_patch(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    gh_err e;
    assert_int_equal(data_op(st, SRV_CH_DATA_PATCH, "[\"d\",\"arr\"]",
                             "[{\"op\":\"add\",\"path\":\"/-\",\"value\":3},"
                             "{\"op\":\"add\",\"path\":\"1/b\",\"value\":4},"
                             "{\"op\":\"replace\",\"path\":\"/0\",\"value\":9}]",
                             &e, NULL, 0),
                     0);
    assert_eval(st, "data.d.arr", NULL, "[9,{\"a\":2,\"b\":4},3]");
    assert_int_equal(data_op(st, SRV_CH_DATA_PATCH, "[\"d\"]",
                             "[{\"op\":\"remove\",\"path\":\"arr/0\"},"
                             "{\"op\":\"add\",\"path\":\"a~1b\",\"value\":1}]",
                             &e, NULL, 0),
                     0);
    assert_eval(st, "data.d", NULL, "{\"a/b\":1,\"arr\":[{\"a\":2,\"b\":4},3],\"k\":7}");
    assert_int_equal(data_op(st, SRV_CH_DATA_PATCH, "[\"d\"]", "[{\"op\":\"test\",\"path\":\"k\"}]",
                             &e, NULL, 0),
                     GH_EINVAL);
    assert_string_equal(e.msg, "bad patch operation: test");
    assert_int_equal(data_op(st, SRV_CH_DATA_PATCH, "[\"d\",\"arr\"]",
                             "[{\"op\":\"add\",\"path\":\"x\",\"value\":1}]", &e, NULL, 0),
                     GH_ENOTFOUND);
    assert_string_equal(e.msg, "storage_not_found_error: /d/arr/x: array index must be integer");
    assert_int_equal(
        data_op(st, SRV_CH_DATA_PATCH, "[]", "[{\"op\":\"remove\",\"path\":\"\"}]", &e, NULL, 0),
        GH_EINVAL);
    assert_string_equal(e.msg, "storage_invalid_patch_error: root cannot be removed");
    /* an op that fails leaves earlier ops unapplied too */
    assert_int_equal(data_op(st, SRV_CH_DATA_PATCH, "[\"d\"]",
                             "[{\"op\":\"add\",\"path\":\"z\",\"value\":1},"
                             "{\"op\":\"replace\",\"path\":\"nope\",\"value\":1}]",
                             &e, NULL, 0),
                     GH_ENOTFOUND);
    assert_eval(st, "data.d.z", NULL, "undefined");
    srv_state_free(st);
}

static void test_modules(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    gh_arena a;
    gh_arena_init(&a, 0);
    const char *m = "package m\nq := data.x.y + 1\n";
    srv_change ch = {.kind = SRV_CH_PUT_MODULE, .id = "m.rego", .text = m, .len = strlen(m)};
    gh_err e;
    gh_err_clear(&e);
    val_t *errs = NULL;
    assert_int_equal(srv_state_apply(st, &ch, &a, &errs, &e), 0);
    assert_eval(st, "data.m.q", NULL, "8");
    /* compile error: old snapshot stays, errors listed */
    const char *bad = "package m\nq := undefined_fn(1)\n";
    ch.text = bad;
    ch.len = strlen(bad);
    gh_err_clear(&e);
    assert_int_not_equal(srv_state_apply(st, &ch, &a, &errs, &e), 0);
    assert_non_null(errs);
    assert_int_equal(val_kind_of(errs), VAL_ARRAY);
    assert_true(val_arr_len(errs) >= 1);
    assert_eval(st, "data.m.q", NULL, "8");
    /* conflicts with data */
    const char *cm = "package d\nk := 2\n";
    srv_change c2 = {.kind = SRV_CH_PUT_MODULE, .id = "k.rego", .text = cm, .len = strlen(cm)};
    gh_err_clear(&e);
    assert_int_not_equal(srv_state_apply(st, &c2, &a, &errs, &e), 0);
    char *t = val_to_json(&a, errs, VAL_JSON_SORTED);
    assert_non_null(strstr(t, "conflicting rule for data path d/k found"));
    assert_non_null(strstr(t, "\"file\":\"k.rego\""));
    /* delete */
    srv_change d = {.kind = SRV_CH_DELETE_MODULE, .id = "m.rego"};
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &d, &a, NULL, &e), 0);
    assert_eval(st, "data.m.q", NULL, "undefined");
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &d, &a, NULL, &e), GH_ENOTFOUND);
    gh_arena_free(&a);
    srv_state_free(st);
}

static void test_reload(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    gh_arena a;
    gh_arena_init(&a, 0);
    const char *m = "package m\nq := 1\n";
    srv_change ch = {.kind = SRV_CH_PUT_MODULE, .id = "m.rego", .text = m, .len = strlen(m)};
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &ch, &a, NULL, &e), 0);
    /* data written through the API: re-applied over the files' data */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"w\",\"a\"]", "1", &e, NULL, 0), 0);
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"w\"]", "{\"b\":2}", &e, NULL, 0), 0);
    assert_int_equal(data_op(st, SRV_CH_DATA_PATCH, "[\"w\"]",
                             "[{\"op\":\"add\",\"path\":\"c\",\"value\":3}]", &e, NULL, 0),
                     0);
    assert_int_equal(data_op(st, SRV_CH_DATA_DELETE, "[\"d\",\"arr\"]", NULL, &e, NULL, 0), 0);
    write_file(tmpdir, "d/data.json", "{\"k\": 8, \"arr\": [], \"more\": true}");
    srv_change rl = {.kind = SRV_CH_RELOAD};
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &rl, &a, NULL, &e), 0);
    assert_eval(st, "data.x.y", NULL, "8");
    assert_eval(st, "data.m.q", NULL, "1"); /* API modules survive */
    assert_eval(st, "data.w", NULL, "{\"b\":2,\"c\":3}");
    assert_eval(st, "data.d", NULL, "{\"k\":8,\"more\":true}");
    /* many superseded writes stay bounded (compaction) */
    for (int i = 0; i < 300; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"w\",\"n\"]", v, &e, NULL, 0), 0);
    }
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &rl, &a, NULL, &e), 0);
    assert_eval(st, "data.w.n", NULL, "299");
    /* a broken file: old snapshot kept, error reported */
    write_file(tmpdir, "broken.rego", "package broken\np if {\n");
    uint64_t rev = srv_state_revision(st);
    gh_err_clear(&e);
    assert_int_not_equal(srv_state_apply(st, &rl, &a, NULL, &e), 0);
    assert_int_equal(srv_state_revision(st), rev);
    char err[GH_ERR_MSG];
    srv_state_last_error(st, err, sizeof err);
    assert_non_null(strstr(err, "broken.rego"));
    assert_eval(st, "data.x.y", NULL, "8");
    char p[256];
    snprintf(p, sizeof p, "%s/broken.rego", tmpdir);
    unlink(p);
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(st, &rl, &a, NULL, &e), 0);
    srv_state_last_error(st, err, sizeof err);
    assert_string_equal(err, "");
    write_file(tmpdir, "d/data.json", "{\"k\": 7, \"arr\": [1, {\"a\": 2}]}");
    gh_arena_free(&a);
    srv_state_free(st);
}

static void test_worker_cache(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    srv_worker w = {0};
    srv_snapshot *s1 = srv_state_get(st, &w);
    assert_non_null(s1);
    assert_ptr_equal(srv_state_get(st, &w), s1);
    assert_int_equal(atomic_load(&s1->refs), 2); /* state + worker */
    gh_err e;
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"n\"]", "1", &e, NULL, 0), 0);
    /* the worker still holds the old one until its next get */
    assert_int_equal(atomic_load(&s1->refs), 1);
    srv_snapshot *s2 = srv_state_get(st, &w);
    assert_ptr_not_equal(s2, s1);
    assert_int_equal(s2->revision, 2);
    srv_state_worker_done(&w);
    assert_null(w.snap);
    srv_state_free(st);
}

static void test_builtin_pack(void **unused) {
    (void)unused;
    srv_config c = cfg;
    c.builtin_pack = true;
    c.pack_dir = GH_SOURCE_DIR "/policies";
    gh_err e;
    gh_err_clear(&e);
    srv_state *st = srv_state_new(&c, &e);
    if (!st) fail_msg("%s", e.msg);
    srv_snapshot *s = srv_state_acquire(st);
    assert_non_null(s->gk);
    assert_true(pol_gk_ntemplates(s->gk) > 0);
    assert_true(pol_gk_nconstraints(s->gk) > 0);
    pol_gk *gk = s->gk;
    srv_snapshot_release(s);
    /* data writes share the model */
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"n\"]", "1", &e, NULL, 0), 0);
    s = srv_state_acquire(st);
    assert_ptr_equal(s->gk, gk);
    srv_snapshot_release(s);
    srv_state_free(st);
}

/* ---- the engine pieces state relies on ---- */

static int count_paths(void *ud, val_t *const *keys, uint32_t n, const rego_loc *loc) {
    (void)keys;
    (void)loc;
    (*(int *)ud)++;
    return n >= 2 ? 1 : 0;
}

static void test_engine_rebase(void **unused) {
    (void)unused;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    gh_err_clear(&e);
    rego_policy *p = rego_policy_new();
    const char *m = "package x\ny := data.d.k\nz[k] := v if { some k, v in data.d }\n";
    assert_int_equal(rego_policy_add_module(p, "x.rego", m, strlen(m), NULL, &e), 0);
    assert_int_equal(rego_policy_add_data(p, jv(&a, "{\"d\":{\"k\":1},\"system\":{\"s\":1}}"), &e),
                     0);
    assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
    int n = 0;
    assert_int_equal(rego_policy_rule_paths(p, count_paths, &n), 0);
    assert_int_equal(n, 2); /* x.y and x.z */
    rego_policy *r1 = rego_policy_rebase(p, jv(&a, "{\"d\":{\"k\":2,\"j\":3}}"), &e);
    assert_non_null(r1);
    rego_policy *r2 = rego_policy_rebase(r1, jv(&a, "{\"d\":{\"k\":4}}"), &e);
    assert_non_null(r2);
    assert_null(rego_policy_rebase(p, jv(&a, "[1]"), &e));
    srv_snapshot s = {.policy = p};
    char *t = eval_json(&s, "data", NULL);
    assert_string_equal(t, "{\"d\":{\"k\":1},\"x\":{\"y\":1,\"z\":{\"k\":1}}}"); /* system hidden */
    free(t);
    t = eval_json(&s, "data.system.s", NULL);
    assert_string_equal(t, "1");
    free(t);
    /* the original goes first: the rebased ones keep the compiled rules alive */
    rego_policy_free(p);
    s.policy = r1;
    t = eval_json(&s, "data.x", NULL);
    assert_string_equal(t, "{\"y\":2,\"z\":{\"j\":3,\"k\":2}}");
    free(t);
    rego_policy_free(r1);
    s.policy = r2;
    t = eval_json(&s, "data.x.y", NULL);
    assert_string_equal(t, "4");
    free(t);
    rego_policy_free(r2);
    gh_arena_free(&a);
}

/* ---- concurrency: readers on their own workers while a writer publishes ---- */

typedef struct race {
    srv_state *st;
    _Atomic bool stop;
    _Atomic long reads;
} race;

static void *reader(void *p) {
    race *r = p;
    srv_worker w = {0};
    gh_arena a;
    gh_arena_init(&a, 0);
    while (!atomic_load(&r->stop)) {
        srv_snapshot *s = srv_state_get(r->st, &w);
        /* the configuration published with it is alive as long as it is */
        if (!s->cfg || s->cfg->npaths != 1 || strcmp(s->cfg->paths[0], tmpdir)) abort();
        rego_query *q;
        gh_err e;
        if (rego_query_prepare(s->policy, &a, "data.n", 6, NULL, &q, &e)) abort();
        val_t *out = NULL;
        if (rego_query_eval(q, &a, NULL, first, &out, &e)) abort();
        int64_t v;
        /* the value read never goes backwards within a snapshot's lifetime */
        if (out && (!val_num_to_int64(out, &v) || v < 0)) abort();
        gh_arena_reset(&a);
        atomic_fetch_add(&r->reads, 1);
    }
    gh_arena_free(&a);
    srv_state_worker_done(&w);
    return NULL;
}

static srv_config *heap_cfg(const char *dir, int64_t eval_timeout_ms);

static void test_concurrent(void **unused) {
    (void)unused;
    race r = {.st = new_state()};
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, &r), 0);
    gh_err e;
    while (atomic_load(&r.reads) == 0)
        usleep(1000); /* readers started */
    for (int i = 0; i < 60 || (atomic_load(&r.reads) < 300 && i < 3000); i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        assert_int_equal(data_op(r.st, SRV_CH_DATA_PUT, "[\"n\"]", v, &e, NULL, 0), 0);
        if (i % 10 == 0) { /* every other reload with a new configuration */
            srv_change rl = {.kind = SRV_CH_RELOAD, .cfg = i % 20 ? heap_cfg(tmpdir, i) : NULL};
            gh_err_clear(&e);
            assert_int_equal(srv_state_apply(r.st, &rl, NULL, NULL, &e), 0);
        }
    }
    atomic_store(&r.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    assert_true(atomic_load(&r.reads) > 0);
    srv_state_free(r.st);
}

/* ---- cost of a data write with 1 MB of data (printed with GH_STATE_BENCH=1) ---- */

static void test_bench_1mb(void **unused) {
    (void)unused;
    if (!getenv("GH_STATE_BENCH")) skip();
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "{\"big\": {");
    for (int i = 0; b.len < (1u << 20); i++)
        gh_buf_printf(
            &b, "%s\"user%06d\": {\"name\": \"user %d\", \"roles\": [\"a\", \"b\"], \"n\": %d}",
            i ? "," : "", i, i, i);
    gh_buf_puts(&b, "}}");
    write_file(tmpdir, "d/big.json", b.p);
    gh_buf_free(&b);
    char *p2[3] = {tmpdir, GH_SOURCE_DIR "/policies/lib", GH_SOURCE_DIR "/policies/test"};
    for (int round = 0; round < 2; round++) {
        srv_config c = cfg;
        c.paths = p2;
        c.npaths = round ? 1 : 3;
        gh_err e;
        gh_err_clear(&e);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        srv_state *st = srv_state_new(&c, &e);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!st) fail_msg("%s", e.msg);
        printf("# initial load: %.1f ms\n",
               (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        int n = 20;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n; i++)
            assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"n\"]", "1", &e, NULL, 0), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        srv_snapshot *s = srv_state_acquire(st);
        printf("# data write (1 MB data, %zu modules): %.2f ms each\n", s->nmods,
               ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
                   n);
        /* for comparison: what a full re-parse + re-compile with the data costs */
        st_src *src = malloc((s->nmods + 1) * sizeof *src);
        for (size_t i = 0; i < s->nmods; i++)
            src[i] = (st_src){s->mods[i].id, s->mods[i].text, s->mods[i].len, NULL};
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n; i++) {
            pol_errors pe = {0};
            srv_snapshot *fb = st_snapshot_build(&c, src, s->nmods, s->data, NULL, &pe);
            assert_non_null(fb);
            srv_snapshot_release(fb);
            pol_errors_free(&pe);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        free(src);
        printf("#   full rebuild instead: %.2f ms each\n",
               ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
                   n);
        srv_snapshot_release(s);
        srv_state_free(st);
    }
    char p[256];
    snprintf(p, sizeof p, "%s/d/big.json", tmpdir);
    unlink(p);
}

/* A heap configuration serving dir (owned by whoever it is handed to). */
static srv_config *heap_cfg(const char *dir, int64_t eval_timeout_ms) {
    srv_config *c = gh_malloc(sizeof *c);
    assert_non_null(c);
    srv_config_defaults(c);
    c->builtin_pack = false;
    assert_int_equal(srv_cfg_list_add(&c->paths, &c->npaths, dir), 0);
    c->eval_timeout_ms = eval_timeout_ms;
    return c;
}

/* A reload with a new configuration publishes it with the snapshot; writes
 * keep it; a failed reload keeps the old one and frees the new one; a
 * pinned worker keeps its snapshot (and configuration) until unpinned. */
static void test_reload_config(void **unused) {
    (void)unused;
    srv_state *st = new_state();
    srv_worker w = {0};
    srv_snapshot *s0 = srv_state_get(st, &w);
    assert_ptr_equal(s0->cfg, &cfg);
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    gh_err_clear(&e);
    srv_config *nc = heap_cfg(tmpdir, 1234);
    srv_change rl = {.kind = SRV_CH_RELOAD, .cfg = nc};
    assert_int_equal(srv_state_apply(st, &rl, &a, NULL, &e), 0);
    w.pinned = true;
    assert_ptr_equal(srv_state_get(st, &w), s0); /* one request, one snapshot */
    w.pinned = false;
    srv_snapshot *s1 = srv_state_get(st, &w);
    assert_ptr_not_equal(s1, s0);
    assert_ptr_equal(s1->cfg, nc);
    assert_int_equal(s1->cfg->eval_timeout_ms, 1234);
    /* module and data writes keep the configuration */
    const char *m = "package m\nq := 1\n";
    srv_change put = {.kind = SRV_CH_PUT_MODULE, .id = "m.rego", .text = m, .len = strlen(m)};
    assert_int_equal(srv_state_apply(st, &put, &a, NULL, &e), 0);
    assert_ptr_equal(srv_state_get(st, &w)->cfg, nc);
    assert_int_equal(data_op(st, SRV_CH_DATA_PUT, "[\"w\"]", "1", &e, NULL, 0), 0);
    assert_ptr_equal(srv_state_get(st, &w)->cfg, nc);
    /* a reload whose paths fail: the running configuration stays, the new one is freed */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing", tmpdir);
    srv_change bad = {.kind = SRV_CH_RELOAD, .cfg = heap_cfg(missing, 1)};
    gh_err_clear(&e);
    assert_int_not_equal(srv_state_apply(st, &bad, &a, NULL, &e), 0);
    srv_snapshot *s3 = srv_state_get(st, &w);
    assert_ptr_equal(s3->cfg, nc);
    assert_eval(st, "data.m.q", NULL, "1");
    /* a reload without a configuration keeps the current one */
    srv_change same = {.kind = SRV_CH_RELOAD};
    assert_int_equal(srv_state_apply(st, &same, &a, NULL, &e), 0);
    assert_ptr_equal(srv_state_get(st, &w)->cfg, nc);
    gh_arena_free(&a);
    srv_state_worker_done(&w);
    srv_state_free(st); /* frees nc with the last snapshot */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_put_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_patch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_pack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_rebase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_1mb, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
