/* test_parse_dockerfile.c - unit tests of pol_parse_dockerfile
 * (src/policy/parse_dockerfile.c): conftest's instruction shape, argument
 * forms per instruction (JSON, whitespace, name=value), flags, comments and
 * directives, continuations, heredocs, stages, ONBUILD, errors. */
#define PARSE pol_parse_dockerfile
#define PARSE_FILE "Dockerfile"
#include "parse_test.h"

/* The instruction list of a one-stage Dockerfile, or NULL with E set. */
static val_t *P(const char *src) {
    val_t *v = PV_N(src, strlen(src));
    if (!v) return NULL;
    assert_int_equal(val_kind_of(v), VAL_ARRAY);
    assert_int_equal(val_arr_len(v), 1);
    return val_arr_at(v, 0);
}
/* instruction i as compact sorted JSON */
static const char *I(const val_t *list, size_t i) {
    assert_true(i < val_arr_len(list));
    return val_to_json(&A, val_arr_at(list, i), VAL_JSON_SORTED | VAL_JSON_NO_HTML_ESC);
}
/* just Cmd/Value of instruction i: "cmd:[...]" */
static const char *CV(const val_t *list, size_t i) {
    const val_t *o = val_arr_at(list, i);
    const val_t *c = val_obj_get_str(o, "Cmd", 3), *v = val_obj_get_str(o, "Value", 5);
    return gh_arena_printf(&A, "%s:%s", val_str_ptr(c), val_to_json(&A, v, VAL_JSON_NO_HTML_ESC));
}

static void test_shape(void **state) {
    (void)state;
    val_t *l = P("FROM alpine:3.19\nRUN [\"sh\", \"-c\", \"echo\"]\n");
    assert_non_null(l);
    assert_int_equal(val_arr_len(l), 2);
    assert_string_equal(I(l, 0), "{\"Cmd\":\"from\",\"Flags\":[],\"JSON\":false,\"Original\":"
                                 "\"FROM alpine:3.19\",\"Stage\":0,\"SubCmd\":\"\",\"Value\":"
                                 "[\"alpine:3.19\"]}");
    assert_string_equal(I(l, 1), "{\"Cmd\":\"run\",\"Flags\":[],\"JSON\":true,\"Original\":"
                                 "\"RUN [\\\"sh\\\", \\\"-c\\\", \\\"echo\\\"]\",\"Stage\":0,"
                                 "\"SubCmd\":\"\",\"Value\":[\"sh\",\"-c\",\"echo\"]}");
}

static void test_forms(void **state) {
    (void)state;
    val_t *l = P("FROM golang:1.22 AS build\n"
                 "ENV A=1 B=\"two words\"\n"
                 "ENV LEGACY value with spaces\n"
                 "LABEL k=v\n"
                 "ARG X=1 Y\n"
                 "COPY --from=build --chown=1:1 /a /b\n"
                 "EXPOSE 80 443/udp\n"
                 "WORKDIR /app dir\n"
                 "run apk add curl\n"
                 "HEALTHCHECK --interval=5s CMD curl -f http://localhost/\n"
                 "ONBUILD RUN make\n"
                 "VOLUME [\"/data\"]\n");
    assert_non_null(l);
    assert_string_equal(CV(l, 0), "from:[\"golang:1.22\",\"AS\",\"build\"]");
    assert_string_equal(CV(l, 1), "env:[\"A\",\"1\",\"B\",\"\\\"two words\\\"\"]");
    assert_string_equal(CV(l, 2), "env:[\"LEGACY\",\"value with spaces\"]");
    assert_string_equal(CV(l, 3), "label:[\"k\",\"v\"]");
    assert_string_equal(CV(l, 4), "arg:[\"X=1\",\"Y\"]");
    assert_string_equal(CV(l, 5), "copy:[\"/a\",\"/b\"]");
    assert_string_equal(val_to_json(&A, val_obj_get_str(val_arr_at(l, 5), "Flags", 5), 0),
                        "[\"--from=build\",\"--chown=1:1\"]");
    assert_string_equal(CV(l, 6), "expose:[\"80\",\"443/udp\"]");
    assert_string_equal(CV(l, 7), "workdir:[\"/app dir\"]");
    assert_string_equal(CV(l, 8), "run:[\"apk add curl\"]");
    assert_string_equal(CV(l, 9), "healthcheck:[\"CMD\",\"curl -f http://localhost/\"]");
    assert_string_equal(CV(l, 10), "onbuild:[\"make\"]");
    assert_string_equal(val_str_ptr(val_obj_get_str(val_arr_at(l, 10), "SubCmd", 6)), "run");
    assert_string_equal(CV(l, 11), "volume:[\"/data\"]");
    assert_true(val_obj_get_str(val_arr_at(l, 11), "JSON", 4) == VAL_TRUE);
}

static void test_lines_comments_stages(void **state) {
    (void)state;
    val_t *l = P("# syntax=docker/dockerfile:1.4\n"
                 "# a comment\n"
                 "FROM a AS one\n"
                 "RUN echo 1 \\\n"
                 "  # dropped\n"
                 "    && echo 2\n"
                 "\n"
                 "FROM b\n"
                 "RUN <<EOF\n"
                 "FROM not-an-instruction\n"
                 "EOF\n"
                 "CMD [\"x\"]\n");
    assert_non_null(l);
    assert_int_equal(val_arr_len(l), 6);
    assert_string_equal(CV(l, 0), "comment:[\"a comment\"]");
    assert_string_equal(CV(l, 2), "run:[\"echo 1     && echo 2\"]");
    int64_t st;
    assert_true(val_num_to_int64(val_obj_get_str(val_arr_at(l, 2), "Stage", 5), &st));
    assert_int_equal(st, 0);
    assert_string_equal(CV(l, 3), "from:[\"b\"]");
    assert_true(val_num_to_int64(val_obj_get_str(val_arr_at(l, 3), "Stage", 5), &st));
    assert_int_equal(st, 1);
    assert_string_equal(CV(l, 4), "run:[\"<<EOF\"]");
    assert_string_equal(CV(l, 5), "cmd:[\"x\"]");
}

static void test_escape_directive(void **state) {
    (void)state;
    val_t *l = P("# escape=`\nFROM w\nRUN dir `\n  c:\\\n");
    assert_non_null(l);
    assert_string_equal(CV(l, 1), "run:[\"dir   c:\\\\\"]");
}

static void test_errors(void **state) {
    (void)state;
    assert_null(P("FROM a\nFROB x\n"));
    assert_int_equal(E.code, GH_EPARSE);
    assert_int_equal(E.line, 2);
    assert_null(P("FROM a\nRUN <<EOF\nnever closed\n"));
    assert_int_equal(E.code, GH_EPARSE);
    assert_null(P("FROM a\nONBUILD FROM b\n"));
    assert_null(P("ENV A=1 B\n"));
    val_t *l = P("");
    assert_non_null(l);
    assert_int_equal(val_arr_len(l), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_shape),
        GH_TEST_ARENA(test_forms),
        GH_TEST_ARENA(test_lines_comments_stages),
        GH_TEST_ARENA(test_escape_directive),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
