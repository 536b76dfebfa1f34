/* test_sets.c - the sets builtins against OPA's recorded answers
 * (tests/differential/sets.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_sets, NULL};

static const bd_case cases[] = {
    {"intersection({{1, 2, 3}, {2, 3}, {3, 4}})", 0, "[3]"},
    {"union({{1}, {2}, {3, 1}})", 0, "[1,2,3]"},
    {"and({1, 2}, {2, 1})", 0, "[1,2]"},
    {"or({[1]}, {[1.0]})", 0, "[[1]]"},
};

BD_FAMILY_TEST("sets", tabs, 28, cases)
