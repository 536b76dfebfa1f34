/* cli_parse.c - `gatehouse parse`, like `conftest parse`: prints each input
 * file as the JSON document a policy sees as `input`. One file prints its
 * document; several print an object keyed by file name. Output is
 * tab-indented JSON with sorted keys, as conftest prints it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void parse_usage(FILE *f) {
    fprintf(f, "usage: gatehouse parse [--parser NAME] FILE...\n\n"
               "Print each FILE (- for stdin) as JSON. The parser follows the file name as\n"
               "conftest's does (.json, .yaml/.yml, .toml, .ini, Dockerfile, .xml, .jsonnet,\n"
               ".properties, .env, .hocon, .edn, .vcl, .tf/.tfvars/.hcl: hcl2, .spdx, .cue,\n"
               ".gitignore/.dockerignore: ignore;\n"
               "anything else and stdin: YAML) unless --parser is given. Parsers: yaml, json,\n"
               "dockerfile, toml, ini, xml, jsonnet, properties, dotenv, hocon, edn, vcl, hcl1,\n"
               "hcl2, spdx, cyclonedx, cue (data only), ignore (groovy and textproto are not\n"
               "available in this build). A YAML file with several documents prints as an\n"
               "array of them.\n");
}

int cli_parse(int argc, char **argv) {
    static const struct option opts[] = {
        {"parser", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    cli_opts o = {.cmd = "parse", .own = opts, .own_short = "p:", .usage = parse_usage};
    cli_format fmt = CLI_FMT_AUTO;
    int c;
    while ((c = cli_opts_next(&o, argc, argv)) > 0) {
        int f = cli_format_from_name(optarg); /* c is 'p' */
        if (f < 0) {
            fprintf(stderr, "gatehouse parse: unknown parser \"%s\" (see --help)\n", optarg);
            return CLI_USAGE;
        }
        fmt = (cli_format)f;
    }
    if (c < 0) return o.rc;
    if (optind >= argc) {
        parse_usage(stderr);
        return CLI_USAGE;
    }
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    gh_err_clear(&e);
    int nfiles = argc - optind, rc = CLI_OK;
    val_t *result = nfiles > 1 ? val_obj_new(&a, (size_t)nfiles) : NULL;
    for (int i = optind; i < argc && rc == CLI_OK; i++) {
        val_t *doc = NULL;
        if (cli_load_document(&a, argv[i], fmt, &doc, &e)) {
            cli_print_err(&e);
            rc = CLI_USAGE;
        } else if (nfiles == 1) {
            result = doc;
        } else {
            val_t *key = val_strc(&a, argv[i]);
            if (!result || !key || val_obj_put(&a, result, key, doc)) {
                fprintf(stderr, "gatehouse parse: out of memory\n");
                rc = CLI_USAGE;
            }
        }
    }
    if (rc == CLI_OK) {
        gh_buf b;
        gh_buf_init(&b);
        val_json_emit(&b, result, VAL_JSON_PRETTY | VAL_JSON_TABS | VAL_JSON_SORTED);
        gh_buf_putc(&b, '\n');
        if (b.oom || fwrite(b.p, 1, b.len, stdout) != b.len) {
            fprintf(stderr, "gatehouse parse: cannot write output\n");
            rc = CLI_USAGE;
        }
        gh_buf_free(&b);
    }
    gh_arena_free(&a);
    return rc;
}
