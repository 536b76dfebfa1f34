/* test_types.c - the types builtins against OPA's recorded answers
 * (tests/differential/types.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_types, NULL};

static const bd_case cases[] = {
    /* strings Go's ParseFloat takes but JSON does not: stored as valid
     * JSON numbers (OPA 0.61 keeps the raw text and cannot print it) */
    {"to_number(\"+1\")", 0, "1"},
    {"to_number(\"+1.5\")", 0, "1.5"},
    {"to_number(\".5\")", 0, "0.5"},
    {"to_number(\"5.\")", 0, "5"},
    {"to_number(\"007\")", 0, "7"},
    {"to_number(\"-00.5e1\")", 0, "-0.5e1"},
    {"to_number(\"1_000\")", 0, "1000"},
    {"to_number(\"0x1p-2\")", 0, "0.25"},
    {"to_number(\"0x1.8p1\")", 0, "3"},
    {"to_number(\"1__0\")", GH_EINVAL, "strconv.ParseFloat: parsing \"1__0\": invalid syntax"},
    {"to_number(\"_1\")", GH_EINVAL, "strconv.ParseFloat: parsing \"_1\": invalid syntax"},
    {"to_number(\"a\\nb\")", GH_EINVAL, "strconv.ParseFloat: parsing \"a\\nb\": invalid syntax"},
    /* OPA 1.x refuses infinities and NaN */
    {"to_number(\"Inf\")", GH_ETYPE, "operand 1 must be valid number string but got string"},
    {"to_number(\"-infinity\")", GH_ETYPE, "operand 1 must be valid number string but got string"},
    {"to_number(\"NaN\")", GH_ETYPE, "operand 1 must be valid number string but got string"},
    {"to_number(\"1.7976931348623159e308\")", GH_EINVAL,
     "strconv.ParseFloat: parsing \"1.7976931348623159e308\": value out of range"},
    {"to_number(\"1.7976931348623157e308\")", 0, "1.7976931348623157e308"},
};

BD_FAMILY_TEST("types", tabs, 60, cases)
