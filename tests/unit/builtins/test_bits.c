/* test_bits.c - the bits builtins against OPA's recorded answers
 * (tests/differential/bits.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_bits, NULL};

static const bd_case cases[] = {
    {"bits.rsh(1, 100000000000000000000)", 0, "0"},
    {"bits.rsh(-1, 100000000000000000000)", 0, "-1"},
    {"bits.lsh(0, 100000000000000000000)", 0, "0"},
    {"bits.lsh(1, 100000)", GH_EINVAL, "number too big"},
    {"bits.lsh(-9223372036854775808, 1)", 0, "-18446744073709551616"},
    {"bits.rsh(-9223372036854775808, 63)", 0, "-1"},
    {"bits.xor(-18446744073709551616, 18446744073709551615)", 0, "-1"},
    {"bits.and(-18446744073709551616, -1)", 0, "-18446744073709551616"},
    {"bits.or(-18446744073709551616, 5)", 0, "-18446744073709551611"},
};

BD_FAMILY_TEST("bits", tabs, 45, cases)
