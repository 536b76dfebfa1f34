/* test_bundle.c - OPA bundle archives (.tar.gz) in the loader
 * (src/policy/load_archive.c): a good bundle (module ids, data paths,
 * revision), manifest roots, path traversal and links, the byte and entry
 * limits (a header claiming a gzip bomb's size is refused before inflating),
 * corrupt or non-gzip streams, signed and Wasm bundles. Archives are built
 * in memory with libarchive's writer, or by hand for hostile headers. */
#include "../gh_test.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "policy/policy.h"
#include "rego/rego.h"

enum { T_REG, T_DIR, T_SYM, T_HARD };
typedef struct tent {
    const char *path;
    const char *text; /* regular files; the link target for links */
    int type;
} tent;

static unsigned char arc[1 << 20];
static size_t arclen;

/* Write entries as a gzip-compressed pax tar into arc. */
static void build(const tent *e, size_t n) {
    struct archive *a = archive_write_new();
    assert_non_null(a);
    assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, arc, sizeof arc, &arclen), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *en = archive_entry_new();
        archive_entry_set_pathname(en, e[i].path);
        archive_entry_set_perm(en, 0644);
        if (e[i].type == T_REG) {
            archive_entry_set_filetype(en, AE_IFREG);
            archive_entry_set_size(en, (la_int64_t)strlen(e[i].text));
        } else if (e[i].type == T_DIR) {
            archive_entry_set_filetype(en, AE_IFDIR);
        } else if (e[i].type == T_SYM) {
            archive_entry_set_filetype(en, AE_IFLNK);
            archive_entry_set_symlink(en, e[i].text);
        } else {
            archive_entry_set_filetype(en, AE_IFREG);
            archive_entry_set_hardlink(en, e[i].text);
        }
        assert_int_equal(archive_write_header(a, en), ARCHIVE_OK);
        if (e[i].type == T_REG)
            assert_int_equal(archive_write_data(a, e[i].text, strlen(e[i].text)),
                             (la_ssize_t)strlen(e[i].text));
        archive_entry_free(en);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

/* Load arc as bundle "b.tar.gz"; returns the error count. */
static int load(pol_loaded *l, pol_errors *errs) {
    return pol_load_bundle_archive(l, "b.tar.gz", arc, arclen, errs);
}

static bool has_error(const pol_errors *errs, const char *needle) {
    for (size_t i = 0; i < errs->n; i++)
        if (strstr(errs->v[i].message, needle)) return true;
    return false;
}

/* Expect loading arc to fail with an error containing needle. */
static void expect_error(const char *needle) {
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    assert_true(load(&l, &errs) > 0);
    if (!has_error(&errs, needle))
        fail_msg("no error containing \"%s\": %s", needle, errs.n ? errs.v[0].message : "(none)");
    assert_int_equal(l.nbundles, 0);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

static const tent good[] = {
    {"/.manifest",
     "{\"revision\": \"rev-7\", \"roots\": [\"example\", \"shared/cfg\"],"
     " \"metadata\": {\"team\": \"a\"}}",
     T_REG},
    {"/example/", NULL, T_DIR},
    {"/example/policy.rego", "package example\n\nallow if input.x == data.example.want\n", T_REG},
    {"/example/data.json", "{\"want\": 3}", T_REG},
    {"./shared/cfg/data.yaml", "level: 2\n", T_REG},
    {"/README.md", "ignored", T_REG},
    {"/example/notes.json", "{\"ignored\": true}", T_REG},
};

static void test_good_bundle(void **state) {
    (void)state;
    build(good, sizeof good / sizeof *good);
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    assert_int_equal(load(&l, &errs), 0);
    assert_int_equal(l.nmods, 1);
    assert_string_equal(l.mods[0].name, "b.tar.gz/example/policy.rego");
    assert_int_equal(l.nbundles, 1);
    assert_string_equal(l.bundles[0].name, "b.tar.gz");
    assert_string_equal(l.bundles[0].revision, "rev-7");
    gh_buf b;
    gh_buf_init(&b);
    val_json_emit(&b, l.data, VAL_JSON_SORTED);
    gh_buf_putc(&b, 0);
    assert_string_equal(b.p, "{\"example\":{\"want\":3},\"shared\":{\"cfg\":{\"level\":2}}}");
    gh_buf_free(&b);
    rego_policy *p = pol_loaded_compile(&l, NULL, NULL, &errs);
    assert_non_null(p);
    assert_int_equal(errs.n, 0);
    rego_policy_free(p);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

static void test_no_manifest_and_prefix_file(void **state) {
    (void)state;
    static const tent e[] = {
        {"a/data.json", "{\"x\": 1}", T_REG},
        {"p.rego", "package q\n\ny := 1\n", T_REG},
    };
    build(e, 2);
    char path[] = "/tmp/gh_test_bundle_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, arc, arclen), (ssize_t)arclen);
    close(fd);
    char *tgz = malloc(strlen(path) + 8);
    sprintf(tgz, "%s.tar.gz", path);
    assert_int_equal(rename(path, tgz), 0);
    char arg[128];
    snprintf(arg, sizeof arg, "pre.fix:%s", tgz);
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    assert_int_equal(pol_load_path(&l, arg, &errs), 0);
    assert_int_equal(l.nbundles, 1);
    assert_string_equal(l.bundles[0].name, tgz);
    assert_string_equal(l.bundles[0].revision, "");
    char want[160];
    snprintf(want, sizeof want, "%s/p.rego", tgz);
    assert_string_equal(l.mods[0].name, want);
    gh_buf b;
    gh_buf_init(&b);
    val_json_emit(&b, l.data, VAL_JSON_SORTED);
    gh_buf_putc(&b, 0);
    assert_string_equal(b.p, "{\"pre\":{\"fix\":{\"a\":{\"x\":1}}}}");
    gh_buf_free(&b);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
    unlink(tgz);
    free(tgz);
}

static void test_roots_violation(void **state) {
    (void)state;
    static const tent mod[] = {
        {"/.manifest", "{\"roots\": [\"example\"]}", T_REG},
        {"/other/p.rego", "package other\n\np := 1\n", T_REG},
    };
    build(mod, 2);
    expect_error("do not permit 'data.other' in module 'b.tar.gz/other/p.rego'");
    static const tent data[] = {
        {"/.manifest", "{\"roots\": [\"example\"]}", T_REG},
        {"/other/data.json", "{\"q\": 1}", T_REG},
    };
    build(data, 2);
    expect_error("manifest roots [example] do not permit data at path '/other'");
    static const tent badman[] = {{"/.manifest", "{\"roots\": \"x\"}", T_REG}};
    build(badman, 1);
    expect_error("manifest must be an object");
    static const tent badrev[] = {{"/.manifest", "{\"revision\": 3}", T_REG}};
    build(badrev, 1);
    expect_error("manifest revision must be a string");
}

static void test_traversal_and_links(void **state) {
    (void)state;
    static const tent dotdot[] = {{"../evil/p.rego", "package evil\n", T_REG}};
    build(dotdot, 1);
    expect_error("bundle entry \"../evil/p.rego\": path leaves the bundle");
    static const tent inner[] = {{"/a/../../data.json", "{}", T_REG}};
    build(inner, 1);
    expect_error("path leaves the bundle");
    static const tent sym[] = {{"x/data.json", "/etc/passwd", T_SYM}};
    build(sym, 1);
    expect_error("bundle entry \"x/data.json\": symbolic links are not allowed");
    static const tent hard[] = {
        {"a.rego", "package a\n", T_REG},
        {"b.rego", "a.rego", T_HARD},
    };
    build(hard, 2);
    expect_error("bundle entry \"b.rego\": hard links are not allowed");
}

/* A ustar header for a regular file of `size` bytes (no data follows). */
static void ustar_header(unsigned char *h, const char *name, unsigned long long size) {
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    char sz[32]; /* 11 octal digits + NUL fit the field; larger sizes keep their first 11 */
    snprintf(sz, sizeof sz, "%011llo", size);
    memcpy(h + 124, sz, 11);
    h[135] = 0;
    memcpy(h + 136, "00000000000", 12);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* arc = gzip(raw). */
static void gzip_into_arc(const unsigned char *raw, size_t n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)raw;
    z.avail_in = (uInt)n;
    z.next_out = arc;
    z.avail_out = sizeof arc;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    arclen = z.total_out;
    deflateEnd(&z);
}

static void test_limits(void **state) {
    (void)state;
    /* a header claiming 8 GiB (a gzip bomb's shape): refused before inflating */
    unsigned char raw[2048];
    memset(raw, 0, sizeof raw);
    ustar_header(raw, "data.json", 8ull << 30);
    gzip_into_arc(raw, sizeof raw);
    expect_error("archive larger than");

    /* real zeros beyond a lowered budget */
    size_t big = 200000;
    char *zeros = malloc(big + 1);
    memset(zeros, ' ', big);
    zeros[0] = '{', zeros[big - 1] = '}', zeros[big] = 0;
    tent e[] = {{"data.json", zeros, T_REG}};
    build(e, 1);
    free(zeros);
    pol_loaded l;
    pol_loaded_init(&l);
    l.bundle_max_bytes = 64 * 1024;
    pol_errors errs = {0};
    assert_true(load(&l, &errs) > 0);
    assert_non_null(strstr(errs.v[0].message, "bundle entry \"data.json\": archive larger than "
                                              "65536 bytes after decompression"));
    pol_loaded_free(&l);
    pol_errors_free(&errs);

    static const tent three[] = {
        {"a/data.json", "{}", T_REG}, {"b/data.json", "{}", T_REG}, {"c/data.json", "{}", T_REG}};
    build(three, 3);
    pol_loaded_init(&l);
    l.bundle_max_entries = 2;
    assert_true(load(&l, &errs) > 0);
    assert_non_null(strstr(errs.v[0].message, "more than 2 entries"));
    pol_loaded_free(&l);
    pol_errors_free(&errs);

    /* deep paths stop at 64 levels */
    char deep[400] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "d/");
    strcat(deep, "data.json");
    tent d[] = {{deep, "{}", T_REG}};
    build(d, 1);
    expect_error("directories nested too deeply");
}

static void test_corrupt(void **state) {
    (void)state;
    build(good, sizeof good / sizeof *good);
    /* flip bytes in the deflate stream */
    for (size_t i = 20; i < arclen - 10; i += 7)
        arc[i] ^= 0x5a;
    expect_error("b.tar.gz: ");
    /* truncated */
    build(good, sizeof good / sizeof *good);
    arclen /= 2;
    expect_error("corrupt bundle archive");
    /* not gzip: garbage, and a plain tar */
    memcpy(arc, "garbage, not an archive", 23);
    arclen = 23;
    expect_error("not a bundle archive (gzip-compressed tar)");
    unsigned char raw[1536];
    memset(raw, 0, sizeof raw);
    ustar_header(raw, "data.json", 2);
    memcpy(raw + 512, "{}", 2);
    memcpy(arc, raw, sizeof raw);
    arclen = sizeof raw;
    expect_error("not a bundle archive (gzip-compressed tar)");
    /* empty input */
    arclen = 0;
    expect_error("b.tar.gz: ");
}

static void test_signed_and_wasm(void **state) {
    (void)state;
    static const tent sig[] = {
        {"/.signatures.json", "{\"signatures\": [\"x.y.z\"]}", T_REG},
        {"/p.rego", "package p\n\nx := 1\n", T_REG},
    };
    build(sig, 2);
    expect_error("bundle is signed (.signatures.json) but gatehouse does not verify");
    pol_loaded l;
    pol_loaded_init(&l);
    l.skip_verify = true;
    pol_errors errs = {0};
    assert_int_equal(load(&l, &errs), 0);
    assert_int_equal(l.nmods, 1);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
    static const tent wasm[] = {{"/policy.wasm", "\0asm", T_REG}};
    build(wasm, 1);
    expect_error("Wasm modules and plans are not supported");
}

static void test_bad_data(void **state) {
    (void)state;
    static const tent e[] = {
        {"/a/data.json", "{\"x\": ", T_REG},
    };
    build(e, 1);
    expect_error("b.tar.gz/a/data.json");
    static const tent twice[] = {
        {"/a/data.json", "{\"x\": 1}", T_REG},
        {"/data.yaml", "a:\n  x: 2\n", T_REG},
    };
    build(twice, 2);
    expect_error("merge error");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_bundle),     cmocka_unit_test(test_no_manifest_and_prefix_file),
        cmocka_unit_test(test_roots_violation), cmocka_unit_test(test_traversal_and_links),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_signed_and_wasm), cmocka_unit_test(test_bad_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
