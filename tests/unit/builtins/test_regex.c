/* test_regex.c - the regex family (regex.*, re_match) and the engine under it:
 * replays OPA 0.61's recorded answers (tests/differential/regex.expect and
 * .rtexpect), checks the RE2 -> PCRE2 translation and Go's error texts, the
 * OPA conformance cases, Go-specific semantics (empty loop iterations, the
 * alternation fold quirk, ASCII classes), OPA 1.x named groups, the
 * backtracking budget and DFA fallback, the per-thread cache (eviction,
 * threads) and out-of-memory paths. */
#include <pthread.h>
#include <stdlib.h>

#include "../gh_test.h"

#include "bi_diff.h"
#include "rego/builtins/regex_int.h"

static const rego_builtin *const tabs[] = {rego_bi_regex, NULL};

/* Deliberate differences from OPA 0.61 (its Go 1.19 lacks (?<name>), OPA
 * 1.x accepts it): none of the recorded lines needs one today. */
static const bd_known known[] = {{NULL, NULL}};

static void test_differential(void **s) {
    (void)s;
    bd_stats st = {0, 0, 0};
    bd_run("regex", tabs, known, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass >= 350);
}

/* ---- calling helpers ------------------------------------------------------------- */

typedef struct {
    gh_arena a;
    gh_err e;
    rego_bctx c;
} env;

static void env_init(env *v, size_t budget) {
    gh_arena_init(&v->a, budget);
    gh_err_clear(&v->e);
    memset(&v->c, 0, sizeof v->c);
    v->c.a = &v->a;
    v->c.err = &v->e;
}

/* Calls `line` (a Rego call with literal args); returns the JSON of the
 * result, or "ERR <code>: <msg>". */
static const char *call(env *v, const char *line) {
    char name[64];
    val_t *args[6];
    int n = rl_call(&v->a, line, name, sizeof name, args, 6);
    assert_true(n >= 0);
    const rego_builtin *b = bd_find(tabs, name);
    assert_non_null(b);
    assert_int_equal(b->arity, n);
    val_t *out = NULL;
    gh_err_clear(&v->e);
    int rc = b->fn(&v->c, args, &out);
    if (rc < 0) return gh_arena_printf(&v->a, "ERR %d: %s", rc, v->e.msg);
    assert_int_equal(rc, RB_OK);
    return val_to_json(&v->a, out, VAL_JSON_SORTED | VAL_JSON_NO_HTML_ESC);
}

static void expect(const char *line, const char *want) {
    env v;
    env_init(&v, 0);
    const char *got = call(&v, line);
    if (strcmp(got, want)) print_error("%s\n  got:  %s\n  want: %s\n", line, got, want);
    assert_string_equal(got, want);
    gh_arena_free(&v.a);
}

/* ---- translation ----------------------------------------------------------------- */

static void translate(const char *pat, const char *want) {
    rego_re2 r;
    gh_buf e;
    gh_buf_init(&e);
    int rc = rego_re2_translate(pat, strlen(pat), &r, &e);
    const char *got = rc ? e.p : r.pcre.p;
    if (strcmp(got, want)) print_error("%s\n  got:  %s\n  want: %s\n", pat, got, want);
    assert_string_equal(got, want);
    rego_re2_free(&r);
    gh_buf_free(&e);
}

static void test_translation(void **s) {
    (void)s;
    translate("a(b|c)*d", "a(b|c)*d");
    translate("\\d+\\s\\w", "[\\x{30}-\\x{39}]+[\\x{9}-\\x{a}\\x{c}-\\x{d}\\x{20}]"
                            "[\\x{30}-\\x{39}\\x{41}-\\x{5a}\\x{5f}\\x{61}-\\x{7a}]");
    translate("(?i)abc", "(?i)abc");
    translate("(?i)[^k]", "(?i)[^\\x{6b}]");
    translate("\\pL\\p{Greek}\\PN", "[\\p{L}][\\p{sc:Greek}][\\P{N}]");
    translate("\\p{Kawi}", "[\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}\\x{11f3e}-\\x{11f59}]");
    translate("x{2,5}?", "x{2,5}?");
    translate("\\Qa.b\\E+", "a\\x{2e}b+");
    translate(".(?s).", "\\N.");
    translate("^a$", "\\Aa\\z");
    translate("(?m)^a$", "(?m:^)a(?m:$)");
    translate("\\x{D800}", "(?!)");
    translate("[\\x{D000}-\\x{E000}]", "[\\x{d000}-\\x{d7ff}\\x{e000}]");
    translate("(?U)a+b+?", "a+?b+");
    translate("(?P<x>a)(?<y>b)", "(a)(b)");
    translate("(a|)+", "()(?:()(a|)(?C1))+");
    translate("\\b*", "(?:\\b)*");
    translate("", "");
    translate("(?i)\\W", "(?i)[\\x{0}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{17e}"
                         "\\x{180}-\\x{2129}\\x{212b}-\\x{d7ff}\\x{e000}-\\x{10ffff}]");
    /* Go's error texts */
    translate("\\1", "error parsing regexp: invalid escape sequence: `\\1`");
    translate("a**", "error parsing regexp: invalid nested repetition operator: `**`");
    translate("*", "error parsing regexp: missing argument to repetition operator: `*`");
    translate("x{1001}", "error parsing regexp: invalid repeat count: `{1001}`");
    translate("(a{500}){3}", "error parsing regexp: invalid repeat count: `{3}`");
    translate("[a", "error parsing regexp: missing closing ]: `[a`");
    translate("(a", "error parsing regexp: missing closing ): `(a`");
    translate("a)", "error parsing regexp: unexpected ): `a)`");
    translate("\\", "error parsing regexp: trailing backslash at end of expression: ``");
    translate("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    translate("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a)`");
    translate("\\x{zz}", "error parsing regexp: invalid escape sequence: `\\x{z`");
    translate("\\p{greek}", "error parsing regexp: invalid character class range: `\\p{greek}`");
    translate("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`");
    translate("[z-a]", "error parsing regexp: invalid character class range: `z-a`");
    translate("a\xff", "error parsing regexp: invalid UTF-8: `\xff`");
    /* nesting: Go's limit of 1000 levels */
    char deep[3000];
    size_t k = 0;
    for (int i = 0; i < 1001; i++)
        deep[k++] = '(';
    deep[k++] = 'a';
    for (int i = 0; i < 1001; i++)
        deep[k++] = ')';
    deep[k] = '\0';
    rego_re2 r;
    gh_buf e;
    gh_buf_init(&e);
    assert_int_equal(rego_re2_translate(deep, k, &r, &e), GH_EINVAL);
    assert_non_null(strstr(e.p, "expression nests too deeply"));
    rego_re2_free(&r);
    gh_buf_free(&e);
    /* 999 levels compile and match */
    char ok[3000];
    k = 0;
    for (int i = 0; i < 999; i++)
        ok[k++] = '(';
    ok[k++] = 'a';
    for (int i = 0; i < 999; i++)
        ok[k++] = ')';
    ok[k] = '\0';
    const rego_re *re;
    gh_err ge;
    assert_int_equal(rego_re_get(ok, k, &re, &ge), 0);
    assert_int_equal(rego_re_test(re, "xa", 2, &ge), 1);
}

/* ---- semantics -------------------------------------------------------------------- */

static void test_conformance_cases(void **s) {
    (void)s;
    /* opa-conformance v1/regexfind, regexmatch, regexsplit; regorus complex.yaml */
    expect("regex.find_n(\"a.\", \"paranormal\", -1)", "[\"ar\",\"an\",\"al\"]");
    expect("regex.find_n(\"a.\", \"paranormal\", 2)", "[\"ar\",\"an\"]");
    expect("regex.find_n(\"bork\", \"paranormal\", -1)", "[]");
    expect("regex.match(\"^[a-z]+\\\\[[0-9]+\\\\]$\", \"foo[1]\")", "true");
    expect("regex.split(\"^[a-z]+\\\\[[0-9]+\\\\]$\", \"\")", "[\"\"]");
    expect("regex.split(\"a\", \"banana\")", "[\"b\",\"n\",\"n\",\"\"]");
    expect("regex.split(\"z+\", \"pizza\")", "[\"pi\",\"a\"]");
    const char *emails[] = {"valid@example.com", "also.valid+tag@domain.co.uk", "invalid.email",
                            "another@valid-domain.org"};
    const char *want[] = {"true", "true", "false", "true"};
    for (int i = 0; i < 4; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "regex.match(\"^[a-zA-Z0-9._%%+-]+@[a-zA-Z0-9.-]+\\\\.[a-zA-Z]{2,}$\", \"%s\")",
                 emails[i]);
        expect(line, want[i]);
    }
}

static void test_go_semantics(void **s) {
    (void)s;
    /* an empty loop iteration after a non-empty one is dropped, as in Go */
    expect("regex.find_all_string_submatch_n(\"(a|)+\", \"a\", -1)", "[[\"a\",\"a\"]]");
    expect("regex.find_all_string_submatch_n(\"(a*)*\", \"ba\", -1)",
           "[[\"\",\"\"],[\"a\",\"a\"]]");
    expect("regex.replace(\"a\", \"(a|)+A?\", \"<$1>\")", "\"<a>\"");
    /* Go's alternation factoring keeps the first branch's case flag */
    expect("regex.match(\"A\\\\b|(?i)a\\\\d\", \"a1\")", "false");
    expect("regex.match(\"A|(?i)a\", \"a\")", "true");
    /* ASCII-only Perl classes and word boundaries; Unicode \\pL */
    expect("regex.match(\"\\\\w\", \"é\")", "false");
    expect("regex.match(\"\\\\pL\", \"é\")", "true");
    expect("regex.match(\"\\\\s\", \"\\u000b\")", "false");
    expect("regex.match(\"\\\\bé\", \" é\")", "false");
    /* case folding across Unicode (Kelvin sign, long s) */
    expect("regex.match(\"(?i)k\", \"\\u212a\")", "true");
    expect("regex.match(\"(?i)[^k]\", \"\\u212a\")", "false");
    expect("regex.match(\"(?i)\\\\W\", \"\\u017f\")", "false");
    /* anchors */
    expect("regex.match(\"a$\", \"a\\n\")", "false");
    expect("regex.find_n(\"(?m)^\", \"a\\nb\\n\", -1)", "[\"\",\"\",\"\"]");
    /* successive empty matches, as Go's allMatches */
    expect("regex.find_n(\"a*\", \"baaac\", -1)", "[\"\",\"aaa\",\"\"]");
    expect("regex.split(\"\", \"héllo\")", "[\"h\",\"é\",\"l\",\"l\",\"o\"]");
    expect("regex.replace(\"héllo\", \"\", \"-\")", "\"-h-é-l-l-o-\"");
    /* OPA 1.x (Go >= 1.22) accepts (?<name>...) */
    expect("regex.is_valid(\"(?<year>\\\\d{4})\")", "true");
    expect("regex.replace(\"2024-05\", \"(?<y>\\\\d{4})-(?<m>\\\\d\\\\d)\", \"${m}/${y}\")",
           "\"05/2024\"");
    /* template_match and its messages */
    expect("regex.template_match(\"urn:foo:{.*}\", \"urn:foo:bar:baz\", \"{\", \"}\")", "true");
    expect("regex.template_match(\"a{\", \"a\", \"{\", \"}\")",
           "ERR -2: unbalanced braces in \"a{\"");
    expect("regex.template_match(\"a\", \"a\", \"{\", \"}}\")",
           "ERR -2: end delimiter has to be exactly one character long but is 1 long");
    /* globs_match (yashtewari/glob-intersection) */
    expect("regex.globs_match(\"a+.a\", \"a*\")", "true");
    expect("regex.globs_match(\"b*b\", \"a*b+b\")", "false");
    expect("regex.globs_match(\"a]\", \".*\")",
           "ERR -2: input:a], pos:2, set-close ']' with no preceding '[': the input provided is "
           "invalid");
}

/* ---- limits ------------------------------------------------------------------------ */

static void test_backtracking_budget(void **s) {
    (void)s;
    char text[64];
    memset(text, 'a', 40);
    strcpy(text + 40, "!");
    env v;
    env_init(&v, 0);
    char line[256];
    /* regex.match never fails: the DFA matcher takes over */
    snprintf(line, sizeof line, "regex.match(\"^(\\\\w+\\\\s?)*$\", \"%s\")", text);
    assert_string_equal(call(&v, line), "false");
    snprintf(line, sizeof line, "regex.match(\"^(a|aa)+$\", \"%s\")", text);
    assert_string_equal(call(&v, line), "false");
    /* leftmost-first results need backtracking: a clear error instead of a hang */
    snprintf(line, sizeof line, "regex.find_n(\"^(\\\\w+\\\\s?)*$\", \"%s\", -1)", text);
    assert_non_null(strstr(call(&v, line), "backtracking limit"));
    /* oversized patterns are rejected like Go's large expressions */
    char *big = malloc(200000);
    memset(big, 'a', 199999);
    big[199999] = '\0';
    const rego_re *re;
    gh_err e;
    assert_int_equal(rego_re_get(big, 199999, &re, &e), GH_EINVAL);
    assert_non_null(strstr(e.msg, "expression too large"));
    free(big);
    gh_arena_free(&v.a);
}

static void test_cache(void **s) {
    (void)s;
    rego_re_cache_clear();
    gh_err e;
    const rego_re *re;
    /* more patterns than the cache holds; each stays correct after eviction */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 600; i++) {
            char pat[32], subj[32];
            snprintf(pat, sizeof pat, "^x%dy$", i);
            snprintf(subj, sizeof subj, "x%dy", i);
            assert_int_equal(rego_re_get(pat, strlen(pat), &re, &e), 0);
            assert_int_equal(rego_re_test(re, subj, strlen(subj), &e), 1);
            assert_int_equal(rego_re_test(re, "x", 1, &e), 0);
        }
    /* invalid patterns are remembered with their message */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rego_re_get("(", 1, &re, &e), GH_EINVAL);
        assert_string_equal(e.msg, "error parsing regexp: missing closing ): `(`");
    }
    assert_int_equal(rego_re_get("(?P<n>a)(b)", 11, &re, &e), 0);
    assert_int_equal(rego_re_ncap(re), 2);
    assert_string_equal(rego_re_group_name(re, 1), "n");
    assert_string_equal(rego_re_group_name(re, 2), "");
    rego_re_cache_clear();
    rego_re_cache_clear();
}

static void *worker(void *arg) {
    intptr_t id = (intptr_t)arg;
    for (int i = 0; i < 300; i++) {
        env v;
        env_init(&v, 0);
        char line[128];
        snprintf(line, sizeof line, "regex.find_n(\"[0-9]+\", \"t%ld-%d-x\", -1)", (long)id, i);
        char want[64];
        snprintf(want, sizeof want, "[\"%ld\",\"%d\"]", (long)id, i);
        const char *got = call(&v, line);
        if (strcmp(got, want)) {
            gh_arena_free(&v.a);
            return (void *)1;
        }
        gh_arena_free(&v.a);
    }
    return NULL; /* the thread's cache is freed by its key destructor */
}

static void test_threads(void **s) {
    (void)s;
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_null(r);
    }
}

/* Every allocation failure point: the builtin reports out of memory or
 * succeeds, never crashes or leaks. */
static void test_out_of_memory(void **s) {
    (void)s;
    const char *lines[] = {
        "regex.find_all_string_submatch_n(\"(?P<a>x+)(y)?\", \"xxy x xy\", -1)",
        "regex.replace(\"banana\", \"(a)(n)?\", \"<$1${2}>\")",
        "regex.split(\"(a|)+\", \"xaxax\")",
        "regex.template_match(\"{[a-z]+}/{\\\\d+}\", \"ab/12\", \"{\", \"}\")",
        "regex.globs_match(\"a+[b-d]*.x\", \"a.*x\")",
        "regex.is_valid(\"(?i)\\\\p{Greek}+\")",
    };
    for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
        for (long k = 0; k < 400; k++) {
            rego_re_cache_clear();
            env v;
            env_init(&v, 0);
            char name[64];
            val_t *args[6];
            int n = rl_call(&v.a, lines[l], name, sizeof name, args, 6);
            const rego_builtin *b = bd_find(tabs, name);
            val_t *out = NULL;
            gh_alloc_fail_after(k);
            int rc = b->fn(&v.c, args, &out);
            gh_alloc_fail_after(-1);
            assert_true(n >= 0);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
            gh_arena_free(&v.a);
        }
        /* tiny arena budgets: results that do not fit are reported */
        for (size_t budget = 64; budget < 4096; budget *= 2) {
            env v;
            env_init(&v, budget);
            char name[64];
            val_t *args[6];
            gh_arena parse;
            gh_arena_init(&parse, 0);
            int n = rl_call(&parse, lines[l], name, sizeof name, args, 6);
            assert_true(n >= 0);
            const rego_builtin *b = bd_find(tabs, name);
            val_t *out = NULL;
            int rc = b->fn(&v.c, args, &out);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
            gh_arena_free(&v.a);
            gh_arena_free(&parse);
        }
    }
    rego_re_cache_clear();
}

static void test_registry_entries(void **s) {
    (void)s;
    size_t n = 0;
    for (const rego_builtin *b = rego_bi_regex; b->name; b++, n++) {
        assert_non_null(b->fn);
        assert_non_null(b->decl);
        assert_string_equal(b->category, "regex");
        /* the decl lists as many arguments as the arity */
        int commas = 0;
        for (const char *p = b->decl; *p && *p != ')'; p++)
            commas += *p == ',';
        assert_int_equal(b->arity, commas + 1);
    }
    assert_int_equal(n, 9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_translation),
        cmocka_unit_test(test_conformance_cases),
        cmocka_unit_test(test_go_semantics),
        cmocka_unit_test(test_backtracking_budget),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_registry_entries),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rego_re_cache_clear();
    return rc;
}
