/* parse_jsonnet.c - Jsonnet inputs for `gatehouse check` (conftest's
 * jsonnet parser): the snippet is evaluated by libjsonnet's C API and the
 * JSON it yields is parsed into a value. Imports resolve relative to the
 * snippet's file through libjsonnet's default file importer (local files
 * only; Jsonnet has no network access). A fresh VM per call keeps calls
 * independent and thread-safe. Called by cli_input.c and check builtins. */
#include <libjsonnet.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define JSONNET_MAX_STACK 500u /* nested calls: libjsonnet's default, stated */

/* libjsonnet's messages start "RUNTIME ERROR: " / "STATIC ERROR: " and put
 * file:line:col after it; keep the first line. */
static int jsonnet_fail(const char *msg, const char *file, gh_err *e) {
    const char *nl = msg ? strchr(msg, '\n') : NULL;
    int len = msg ? (int)(nl ? (size_t)(nl - msg) : strlen(msg)) : 0;
    return gh_err_set(e, GH_EPARSE, file, 0, 0, "jsonnet: %.*s", len, msg ? msg : "error");
}

int pol_parse_jsonnet(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                      gh_err *e) {
    if (!file) file = "<jsonnet>";
    if (n > GH_MAX_DOC_BYTES) return gh_err_set(e, GH_ELIMIT, file, 0, 0, "document too large");
    if (memchr(text, '\0', n))
        return gh_err_set(e, GH_EPARSE, file, 0, 0, "jsonnet: the text contains a NUL byte");
    char *src = malloc(n + 1);
    if (!src) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    memcpy(src, text, n);
    src[n] = '\0';
    struct JsonnetVm *vm = jsonnet_make();
    if (!vm) {
        free(src);
        return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    }
    jsonnet_max_stack(vm, JSONNET_MAX_STACK);
    int err = 0;
    char *json = jsonnet_evaluate_snippet(vm, file, src, &err);
    free(src);
    int rc;
    if (err) {
        rc = jsonnet_fail(json, file, e);
    } else {
        rc = val_json_parse(a, json, strlen(json), NULL, out, e);
        if (rc) gh_err_set_file(e, file);
    }
    if (json) jsonnet_realloc(vm, json, 0);
    jsonnet_destroy(vm);
    return rc;
}
