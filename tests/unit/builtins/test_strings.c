/* test_strings.c - the string builtin families: strings (incl.
 * strings.render_template), sprintf, units, semver. Replays the recorded OPA
 * answers of tests/differential/{strings,sprintf,units,semver,template}
 * .expect (+ .rtexpect for operand errors) and the OPA 1.x expectations of
 * <family>.opa1, runs cases taken from the OPA conformance corpus with their
 * exact messages, checks the helpers (UTF-8, case tables) and runs
 * builtins under a tiny arena budget to exercise out-of-memory paths. */
#include <stdlib.h>

#include "../gh_test.h"

#include "bi_diff.h"
#include "rego/builtins/strutil.h"

static const rego_builtin *const tabs[] = {rego_bi_strings, rego_bi_sprintf, rego_bi_units,
                                           rego_bi_semver, NULL};

/* Deliberate differences from OPA 0.61 (answers in <family>.opa1 or docs). */
static const bd_known known[] = {
    {"strings.render_template(\"{{define \\\"x\\\"}}a{{end}}\", {})",
     "define/template/block are not supported"},
    {NULL, NULL},
};

/* ---- differential replay (values compared with val_equal, so 1.5 == 1.50) --- */

/* Invalid UTF-8 bytes as U+FFFD, as OPA's JSON output shows them. */
static void sanitize(char *out, size_t cap, const char *s) {
    size_t n = strlen(s), k = 0;
    for (size_t i = 0; i < n && k + 4 < cap;) {
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (r == RB_RUNE_ERROR && w == 1) {
            memcpy(out + k, "\xef\xbf\xbd", 3);
            k += 3;
        } else {
            memcpy(out + k, s + i, (size_t)w);
            k += (size_t)w;
        }
        i += (size_t)w;
    }
    out[k] = '\0';
}

static int check_line(gh_arena *a, val_t *o, const char *rt, bool opa1, bd_stats *st) {
    const char *expr = bd_str(o, "expr");
    const char *code = bd_str(o, "error_code");
    for (const bd_known *k = known; k->expr; k++)
        if (!strcmp(k->expr, expr)) return st->skip++, 0;
    if (code && !strcmp(code, "rego_type_error")) {
        if (!(o = bd_rt(a, rt, expr))) return st->skip++, 0;
        code = bd_str(o, "error_code");
    }
    if (code && strcmp(code, "eval_type_error") && strcmp(code, "eval_builtin_error"))
        return st->skip++, 0;
    char name[128];
    val_t *args[8];
    int n = rl_call(a, expr, name, sizeof name, args, 8);
    const rego_builtin *b = n >= 0 ? bd_find(tabs, name) : NULL;
    if (!b || b->arity != n) return st->skip++, 0;
    gh_err err;
    gh_err_clear(&err);
    rego_bctx c = {.a = a, .err = &err};
    val_t *out = NULL;
    int rc = b->fn(&c, args, &out);
    bool ok;
    char got[2048];
    if (code) {
        char msg[GH_ERR_MSG * 2];
        sanitize(msg, sizeof msg, rc < 0 ? err.msg : "(no error)");
        snprintf(got, sizeof got, "%s: %s: %s",
                 rc == GH_ETYPE ? "eval_type_error" : rc == GH_EINVAL ? "eval_builtin_error" : "?",
                 name, msg);
        char want[2048];
        snprintf(want, sizeof want, "%s: %s", code, bd_str(o, "error"));
        ok = !strcmp(got, want);
    } else {
        val_t *wv = val_obj_get_str(o, "value", 5);
        ok = rc == RB_OK && wv && val_equal(out, wv);
        snprintf(got, sizeof got, "%s", rc == RB_OK ? val_to_json(a, out, 0) : err.msg);
    }
    if (!ok) {
        printf("MISMATCH%s %s\n   got: %.400s\n", opa1 ? " (opa1)" : "", expr, got);
        st->fail++;
    } else {
        st->pass++;
    }
    return 0;
}

static bool in_opa1(gh_arena *a, const char *opa1, const char *expr) {
    return bd_rt(a, opa1, expr) != NULL;
}

static void run_family(const char *fam, bd_stats *st) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/differential/%s.expect", GH_SOURCE_DIR, fam);
    char *text = bd_slurp(path);
    assert_non_null(text);
    snprintf(path, sizeof path, "%s/tests/differential/%s.rtexpect", GH_SOURCE_DIR, fam);
    char *rt = bd_slurp(path);
    snprintf(path, sizeof path, "%s/tests/differential/%s.opa1", GH_SOURCE_DIR, fam);
    char *opa1 = bd_slurp(path);
    gh_arena a;
    gh_arena_init(&a, 0);
    for (int pass = 0; pass < 2; pass++) {
        char *src = pass ? opa1 : text;
        for (char *p = src; p && *p;) {
            char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            gh_arena_reset(&a);
            val_t *o = NULL;
            gh_err err;
            if (len && !val_json_parse(&a, p, len, NULL, &o, &err)) {
                const char *expr = bd_str(o, "expr");
                if (pass == 1 || !in_opa1(&a, opa1, expr)) check_line(&a, o, rt, pass == 1, st);
            } else if (len) {
                st->skip++;
            }
            p += len + (e ? 1 : 0);
        }
    }
    gh_arena_free(&a);
    free(text);
    free(rt);
    free(opa1);
    printf("differential %s: %d passed, %d failed, %d skipped\n", fam, st->pass, st->fail, st->skip);
}

static void test_differential(const char *fam, int min_pass) {
    bd_stats st = {0};
    run_family(fam, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass >= min_pass);
}

static void test_diff_strings(void **s) { (void)s; test_differential("strings", 190); }
static void test_diff_sprintf(void **s) { (void)s; test_differential("sprintf", 480); }
static void test_diff_units(void **s) { (void)s; test_differential("units", 140); }
static void test_diff_semver(void **s) { (void)s; test_differential("semver", 50); }
static void test_diff_template(void **s) { (void)s; test_differential("template", 95); }

/* ---- direct calls with exact messages (OPA conformance corpus cases) -------- */

typedef struct {
    gh_arena a;
    gh_err err;
    rego_bctx c;
} env;

static void env_init(env *e, size_t budget) {
    gh_arena_init(&e->a, budget);
    gh_err_clear(&e->err);
    e->c = (rego_bctx){.a = &e->a, .err = &e->err};
}

/* Calls `line`; returns the JSON of the result or "ERR <code>: <msg>". */
static const char *call(env *e, const char *line) {
    char name[128];
    val_t *args[8];
    int n = rl_call(&e->a, line, name, sizeof name, args, 8);
    assert_true(n >= 0);
    const rego_builtin *b = bd_find(tabs, name);
    assert_non_null(b);
    assert_int_equal(b->arity, n);
    val_t *out = NULL;
    gh_err_clear(&e->err);
    int rc = b->fn(&e->c, args, &out);
    if (rc < 0)
        return gh_arena_printf(&e->a, "ERR %s: %s", rc == GH_ETYPE ? "type" : rc == GH_EINVAL ? "builtin" : "other",
                               e->err.msg);
    assert_int_equal(rc, RB_OK);
    return val_to_json(&e->a, out, VAL_JSON_NO_HTML_ESC);
}

#define EXPECT(e, line, want) assert_string_equal(call(e, line), want)

static void test_conformance_cases(void **s) {
    (void)s;
    env e;
    env_init(&e, 0);
    /* strings/any_prefix_match, any_suffix_match type errors */
    EXPECT(&e, "strings.any_prefix_match([1, 2, 3], [\"f/\"])",
           "ERR type: operand 1 must be array of strings but got array containing number");
    EXPECT(&e, "strings.any_prefix_match(1, [\"f/\"])",
           "ERR type: operand 1 must be one of {string, set, array} but got number");
    EXPECT(&e, "strings.any_suffix_match([\"a\"], 1)",
           "ERR type: operand 2 must be one of {string, set, array} but got number");
    EXPECT(&e, "strings.any_prefix_match({\"a/b/c\", \"e/f\"}, {\"e/\"})", "true");
    EXPECT(&e, "strings.any_suffix_match(\"a/b/g\", [\"/c\", \"/a\"])", "false");
    /* replacen */
    EXPECT(&e, "strings.replace_n({\"<\": \"&lt;\", \">\": \"&gt;\"}, \"This is <b>HTML</b>!\")",
           "\"This is &lt;b&gt;HTML&lt;/b&gt;!\"");
    EXPECT(&e, "strings.replace_n({\"f\": \"x\", \"foo\": \"xxx\"}, \"foobar\")", "\"xoobar\"");
    EXPECT(&e, "strings.replace_n({2: \"x\"}, \"foo\")",
           "ERR type: operand 1 non-string key found in pattern object");
    EXPECT(&e, "strings.replace_n({\"f\": 100}, \"foo\")",
           "ERR type: operand 1 non-string value found in pattern object");
    /* strings folder */
    EXPECT(&e, "format_int(15.5, 16)", "\"f\"");
    EXPECT(&e, "format_int(4.1, 199)", "ERR type: operand 2 must be one of {2, 8, 10, 16}");
    EXPECT(&e, "concat(\"/\", [\"\", \"foo\", \"bar\", \"0\", \"baz\"])", "\"/foo/bar/0/baz\"");
    EXPECT(&e, "concat(\",\", {\"3\", \"1\", \"2\"})", "\"1,2,3\"");
    EXPECT(&e, "indexof(\"abcabcabcdefgh\", \"cde\")", "8");
    EXPECT(&e, "indexof(\"skön var våren\", \"vår\")", "9");
    EXPECT(&e, "indexof(\"🍧🍨🧁🍰🍮\", \"🍮\")", "4");
    EXPECT(&e, "substring(\"åäö\", 0, 2)", "\"åä\"");
    /* sprintf big ints */
    EXPECT(&e, "sprintf(\"%s\", [123456789123456789123])", "\"123456789123456789123\"");
    EXPECT(&e, "sprintf(\"%s\", [1208925819614629174706175])", "\"1208925819614629174706175\"");
    /* units */
    EXPECT(&e, "units.parse(\"\")", "ERR builtin: units.parse: no amount provided");
    EXPECT(&e, "units.parse(\"0.0.0\")", "ERR builtin: units.parse: could not parse amount to a number");
    EXPECT(&e, "units.parse(\" 327Mi \")", "ERR builtin: units.parse: spaces not allowed in resource strings");
    EXPECT(&e, "units.parse_bytes(\"GB\")", "ERR builtin: units.parse_bytes: no byte amount provided");
    EXPECT(&e, "units.parse(\"1G\")", "1000000000");
    EXPECT(&e, "units.parse(\"500m\")", "0.5000000000");
    EXPECT(&e, "units.parse(\"0.0005K\")", "0.5000000000");
    EXPECT(&e, "units.parse(\"10Ei\")", "11529215046068469760");
    EXPECT(&e, "units.parse_bytes(\"1.1KiB\")", "1126");
    /* semver */
    EXPECT(&e, "semver.compare(\"a\", \"1.0.0\")", "ERR builtin: operand 1: string \"a\" is not a valid SemVer");
    EXPECT(&e, "semver.compare(\"1.0.0-alpha.1\", \"1.0.0-alpha.beta\")", "-1");
    EXPECT(&e, "strings.count(\"cheese\", \"e\")", "3");
    gh_arena_free(&e.a);
}

static void test_unicode_helpers(void **s) {
    (void)s;
    int w;
    assert_int_equal(rb_u8_decode("\xc3\xa9", 2, &w), 0xE9);
    assert_int_equal(w, 2);
    assert_int_equal(rb_u8_decode("\xc3", 1, &w), RB_RUNE_ERROR);
    assert_int_equal(w, 1);
    assert_int_equal(rb_u8_decode("\xed\xa0\x80", 3, &w), RB_RUNE_ERROR); /* surrogate */
    assert_int_equal(rb_u8_decode("\xc0\x80", 2, &w), RB_RUNE_ERROR);     /* overlong */
    assert_int_equal(rb_u8_decode_last("a\xf0\x9f\x98\x80", 5, &w), 0x1F600);
    assert_int_equal(w, 4);
    assert_int_equal(rb_u8_count("h\xc3\xa9\xff", 4), 3);
    assert_int_equal(rb_rune_upper(0x3C3), 0x3A3);   /* σ */
    assert_int_equal(rb_rune_upper(0x3C2), 0x3A3);   /* ς */
    assert_int_equal(rb_rune_upper(0xDF), 0xDF);     /* ß has no simple upper case */
    assert_int_equal(rb_rune_upper(0x1F80), 0x1F88); /* ᾀ */
    assert_int_equal(rb_rune_lower(0x130), 0x69);    /* İ */
    assert_int_equal(rb_rune_lower(0x1E9E), 0xDF);   /* ẞ */
    assert_int_equal(rb_rune_lower(0x42F), 0x44F);   /* Я */
    assert_true(rb_rune_printable(0xE9));
    assert_false(rb_rune_printable(0xAD)); /* soft hyphen */
    assert_false(rb_rune_printable(0x378)); /* unassigned */
    assert_true(rb_rune_space(0x3000));
    assert_false(rb_rune_space(0x200B));
    gh_buf b;
    gh_buf_init(&b);
    rb_go_quote(&b, "a\"\x01\xff\xe2\x80\xa8", 7, false);
    assert_string_equal(b.p, "\"a\\\"\\x01\\xff\\u2028\"");
    gh_buf_free(&b);
}

/* Every builtin under shrinking arena budgets: errors, never crashes. */
static void test_out_of_memory(void **s) {
    (void)s;
    static const char *const lines[] = {
        "sprintf(\"%v %08.3f %q %x %[1]d\", [{\"a\": [1, {2}]}, 3.5, \"héllo\", 123456789012345678901234567890])",
        "concat(\",\", {\"b\", \"a\", \"c\"})",
        "upper(\"héllo wörld\")",
        "strings.replace_n({\"a\": \"xyz\", \"b\": \"\"}, \"abcabc\")",
        "split(\"a,b,c,d\", \",\")",
        "indexof_n(\"ééé\", \"é\")",
        "format_int(123456789012345678901234567890, 2)",
        "units.parse(\"1.23456789Ki\")",
        "units.parse_bytes(\"12345678901234567890.5EiB\")",
        "strings.render_template(\"{{range $k, $v := .x}}{{$k}}={{printf \\\"%05d\\\" $v}} {{end}}{{.y}}\", {\"x\": {\"a\": 1, \"b\": 2}, \"y\": [1, {\"z\": null}]})",
        "substring(\"héllo\", 1, 3)",
        "strings.reverse(\"héllo\")",
    };
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
        for (size_t budget = 64; budget <= 128 * 1024; budget *= 2) {
            gh_arena parse;
            gh_arena_init(&parse, 0);
            char name[128];
            val_t *args[8];
            int n = rl_call(&parse, lines[k], name, sizeof name, args, 8);
            assert_true(n >= 0);
            const rego_builtin *b = bd_find(tabs, name);
            assert_non_null(b);
            env e;
            env_init(&e, budget);
            e.a.chunk_size = 256;
            val_t *out = NULL;
            int rc = b->fn(&e.c, args, &out);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
            if (rc == RB_OK) assert_non_null(out);
            gh_arena_free(&e.a);
            gh_arena_free(&parse);
        }
    }
}

static void test_registry_entries(void **s) {
    (void)s;
    for (size_t t = 0; tabs[t]; t++)
        for (const rego_builtin *b = tabs[t]; b->name; b++) {
            assert_non_null(b->fn);
            assert_non_null(b->decl);
            assert_non_null(b->doc);
            /* the number of top-level arguments in the decl matches arity */
            int depth = 0, args = 0;
            bool any = false;
            for (const char *p = b->decl; *p && !(depth == 0 && *p == ')' && p != b->decl); p++) {
                if (*p == '(' || *p == '[' || *p == '<') depth++;
                if (*p == ']' || *p == '>') depth--;
                if (depth == 1 && *p == ',') args++;
                if (depth >= 1 && *p != '(' && *p != ' ') any = true;
            }
            assert_int_equal(any ? args + 1 : 0, b->arity);
        }
}

int main(void) {
    (void)bd_run; /* the shared runner compares numbers as text; ours uses val_equal */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_strings),     cmocka_unit_test(test_diff_sprintf),
        cmocka_unit_test(test_diff_units),       cmocka_unit_test(test_diff_semver),
        cmocka_unit_test(test_diff_template),    cmocka_unit_test(test_conformance_cases),
        cmocka_unit_test(test_unicode_helpers),
        cmocka_unit_test(test_out_of_memory),    cmocka_unit_test(test_registry_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
