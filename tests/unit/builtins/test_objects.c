/* test_objects.c - the objects builtins against OPA's recorded answers
 * (tests/differential/objects.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_objects, NULL};

static const bd_case cases[] = {
    {"object.subset([1, 1], {1, 2})", 0, "true"},
    {"object.subset([], set())", 0, "false"},
    {"object.subset([5], set())", 0, "true"},
    {"object.union_n([{\"a\": {\"b\": {\"c\": 1}}}, {\"a\": {\"b\": 5}}, "
     "{\"a\": {\"b\": {\"d\": 2}}}])",
     0, "{\"a\":{\"b\":{\"d\":2}}}"},
    {"object.get({\"a\": {\"b\": [1, {\"c\": 2}]}}, [\"a\", \"b\", 1, \"c\"], 0)", 0, "2"},
    {"object.get({\"a\": {\"b\": 1}}, [\"a\", \"b\", \"c\"], 0)", 0, "0"},
    {"object.remove({\"a\": 1, \"b\": 2}, {\"b\": null, \"c\": 1})", 0, "{\"a\":1}"},
};

BD_FAMILY_TEST("objects", tabs, 85, cases)
