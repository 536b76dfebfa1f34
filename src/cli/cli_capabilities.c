/* cli_capabilities.c - `gatehouse capabilities`: prints the builtins this
 * build provides, with their types, in the shape of OPA's capabilities.json
 * (`opa capabilities --current`), so tools that read that file work. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rego/builtins/builtins.h"

int cli_capabilities(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: gatehouse capabilities [--current]\n\n"
                   "Print the builtins of this build with their types, in the JSON shape of\n"
                   "OPA's capabilities file.\n");
            return CLI_OK;
        }
        if (strcmp(argv[i], "--current")) {
            fprintf(stderr, "gatehouse capabilities: unknown argument %s\n", argv[i]);
            return CLI_USAGE;
        }
    }
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    gh_err_clear(&e);
    val_t *caps = NULL;
    int rc = CLI_OK;
    if (rego_capabilities(&a, &caps, &e)) {
        cli_print_err(&e);
        rc = CLI_USAGE;
    } else {
        gh_buf b;
        gh_buf_init(&b);
        val_json_emit(&b, caps, VAL_JSON_PRETTY);
        gh_buf_putc(&b, '\n');
        if (b.oom || fwrite(b.p, 1, b.len, stdout) != b.len) rc = CLI_USAGE;
        gh_buf_free(&b);
    }
    gh_arena_free(&a);
    return rc;
}
