/* test_compare.c - the compare builtins against OPA's recorded answers
 * (tests/differential/compare.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_compare, NULL};

static const bd_case cases[] = {
    {"lt({3, 1, 2}, {1, 2, 4})", 0, "true"},
    {"equal({\"b\": [1, 2.0], \"a\": null}, {\"a\": null, \"b\": [1.0, 2]})", 0, "true"},
    {"gte(set(), {})", 0, "true"},
    {"neq([1e400], [1e400])", 0, "false"},
};

BD_FAMILY_TEST("compare", tabs, 50, cases)
