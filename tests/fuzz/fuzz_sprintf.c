/* fuzz_sprintf.c - libFuzzer target for sprintf (src/rego/builtins/
 * sprintf.c): the input is the format string, applied to a fixed argument
 * array covering every Go type OPA passes (int, *big.Int, float64, string,
 * and Rego-syntax text of bool/null/array/object/set). The result must be
 * valid (a string value) or an out-of-memory error under the arena budget.
 * The same bytes are also rendered as a strings.render_template template,
 * which must succeed or fail with a builtin error, never crash. Replayed
 * over tests/fuzz/corpus/sprintf/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ARGS[] =
    "[1, -2, 0, 3.5, -0.25, 1e21, \"str\", \"h\\u00e9llo\\n\", 123456789012345678901234567890, "
    "-98765432109876543210, true, null, [1, \"a\"], {\"k\": [true, {\"x\": 1}]}, 1e400, 65, "
    "1000000]";
static const char VARS[] =
    "{\"a\": 1, \"s\": \"str\", \"l\": [1, \"b\", null], \"m\": {\"k\": {\"x\": 2.5}}, \"t\": true}";

static const rego_builtin *find(const rego_builtin *tab, const char *name) {
    for (; tab->name; tab++)
        if (!strcmp(tab->name, name)) return tab;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    gh_arena a;
    gh_arena_init(&a, 8u << 20);
    gh_err e;
    val_t *args[2], *out = NULL;
    args[0] = val_str(&a, (const char *)data, size);
    if (!args[0] || val_json_parse(&a, ARGS, sizeof ARGS - 1, NULL, &args[1], &e)) abort();
    rego_bctx c = {.a = &a, .err = &e};
    gh_err_clear(&e);
    int rc = find(rego_bi_sprintf, "sprintf")->fn(&c, args, &out);
    if (rc == RB_OK) {
        if (!out || val_kind_of(out) != VAL_STRING) abort();
    } else if (rc != GH_ENOMEM) {
        abort();
    }
    gh_arena_free(&a); /* a fresh budget: the first call may have exhausted it */
    gh_arena_init(&a, 8u << 20);
    args[0] = val_str(&a, (const char *)data, size);
    if (!args[0] || val_json_parse(&a, VARS, sizeof VARS - 1, NULL, &args[1], &e)) abort();
    gh_err_clear(&e);
    out = NULL;
    rc = find(rego_bi_strings, "strings.render_template")->fn(&c, args, &out);
    if (rc == RB_OK) {
        if (!out || val_kind_of(out) != VAL_STRING) abort();
    } else if (rc != GH_EINVAL && rc != GH_ENOMEM) {
        abort();
    } else if (!e.msg[0]) {
        abort();
    }
    gh_arena_free(&a);
    return 0;
}
