/* check_int.h - state shared by check.c and check_builtins.c: what a
 * checker hands to conftest's builtins through rego_eval_opts.host. The
 * magic number lets a builtin recognise a checker's host block (any other
 * embedding may set host to something else, or nothing). */
#ifndef GH_POLICY_CHECK_INT_H
#define GH_POLICY_CHECK_INT_H

#include <stdint.h>

#include "policy/policy.h"

#define POL_CHECK_HOST_MAGIC 0x63686b68u /* "chkh" */

typedef struct pol_check_host {
    uint32_t magic;       /* POL_CHECK_HOST_MAGIC */
    pol_parse_hook parse; /* NULL: the builtins fail with a clear error */
    void *parse_ud;
} pol_check_host;

#endif
