/* test_arrays.c - the arrays builtins against OPA's recorded answers
 * (tests/differential/arrays.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_arrays, NULL};

static const bd_case cases[] = {
    {"array.slice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, 8)", 0, "[3,4,5,6,7,8]"},
    {"array.slice([1, 2, 3], -0, 1)", 0, "[1]"},
    {"array.slice([1, 2, 3], 0, -9223372036854775808)", 0, "[]"},
    {"array.concat([[1]], [])", 0, "[[1]]"},
};

BD_FAMILY_TEST("arrays", tabs, 28, cases)
