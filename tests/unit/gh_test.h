/* gh_test.h - scaffolding every cmocka unit test repeats: the headers cmocka
 * needs before <cmocka.h>, and a test-group arena `A` with the setup and
 * teardown that create and free it. Header-only; include it first, as
 * "../gh_test.h" from tests/unit/<module>/. Unused parts cost nothing (the
 * arena and the functions are marked unused). */
#ifndef GH_TEST_H
#define GH_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"

/* The arena of the running group (or test, with cmocka_unit_test_setup_teardown):
 * empty with no budget after gh_test_setup, released by gh_test_teardown. */
__attribute__((unused)) static gh_arena A;

__attribute__((unused)) static int gh_test_setup(void **state) {
    (void)state;
    gh_arena_init(&A, 0);
    return 0;
}

__attribute__((unused)) static int gh_test_teardown(void **state) {
    (void)state;
    gh_arena_free(&A);
    return 0;
}

/* Runs a group of tests, each sharing the arena A set up around the group. */
#define GH_TEST_RUN_GROUP(tests) cmocka_run_group_tests(tests, gh_test_setup, gh_test_teardown)
/* A test entry with a fresh arena A of its own. */
#define GH_TEST_ARENA(f) cmocka_unit_test_setup_teardown(f, gh_test_setup, gh_test_teardown)

#endif
