/* cli_input.c - loading input documents for subcommands: picks JSON, YAML,
 * Dockerfile, TOML or INI (the last three in policy/parse_*.c) by --parser,
 * extension or file name, reads files or stdin within GH_MAX_DOC_BYTES,
 * and reports errors with file:line:col. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "policy/policy.h"

int cli_format_from_name(const char *name) {
    if (!strcasecmp(name, "json")) return CLI_FMT_JSON;
    if (!strcasecmp(name, "yaml") || !strcasecmp(name, "yml")) return CLI_FMT_YAML;
    if (!strcasecmp(name, "dockerfile")) return CLI_FMT_DOCKERFILE;
    if (!strcasecmp(name, "toml")) return CLI_FMT_TOML;
    if (!strcasecmp(name, "ini")) return CLI_FMT_INI;
    return -1;
}

static cli_format format_for_path(const char *path) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!strcasecmp(base, "Dockerfile") || !strncasecmp(base, "Dockerfile.", 11))
        return CLI_FMT_DOCKERFILE;
    if (!dot || (slash && dot < slash)) return CLI_FMT_YAML;
    if (!strcasecmp(dot, ".json")) return CLI_FMT_JSON;
    if (!strcasecmp(dot, ".dockerfile")) return CLI_FMT_DOCKERFILE;
    if (!strcasecmp(dot, ".toml")) return CLI_FMT_TOML;
    if (!strcasecmp(dot, ".ini")) return CLI_FMT_INI;
    return CLI_FMT_YAML;
}

int cli_load_document(gh_arena *a, const char *path, cli_format fmt, val_t **out, gh_err *e) {
    char *text = NULL;
    size_t len = 0;
    int rc = gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, e);
    if (rc) return rc;
    if (fmt == CLI_FMT_AUTO) fmt = strcmp(path, "-") ? format_for_path(path) : CLI_FMT_YAML;
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    if (fmt == CLI_FMT_JSON) {
        rc = val_json_parse(a, text, len, NULL, out, e);
    } else if (fmt == CLI_FMT_DOCKERFILE) {
        rc = pol_parse_dockerfile(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_TOML) {
        rc = pol_parse_toml(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_INI) {
        rc = pol_parse_ini(a, text, len, name, out, e);
    } else {
        /* As OPA does: text that is valid JSON is read as JSON even in a .yaml
         * file, so number literals keep their exact text; YAML otherwise. */
        gh_err ignored;
        if (val_json_parse(a, text, len, NULL, out, &ignored) == 0) goto done;
        val_t **docs = NULL;
        size_t ndocs = 0;
        rc = val_yaml_load(a, text, len, NULL, &docs, &ndocs, e);
        if (!rc) {
            if (ndocs == 0) {
                *out = VAL_NULLV;
            } else if (ndocs == 1) {
                *out = docs[0];
            } else {
                val_t *arr = val_arr_new(a, ndocs);
                for (size_t i = 0; arr && i < ndocs; i++)
                    if (val_arr_push(a, arr, docs[i])) arr = NULL;
                if (!arr) rc = gh_err_set(e, GH_ENOMEM, name, 0, 0, "out of memory");
                *out = arr;
            }
        }
    }
done:
    if (rc) gh_err_set_file(e, name);
    gh_free(text);
    return rc;
}

void cli_print_err(const gh_err *e) {
    char msg[GH_ERR_MSG + GH_ERR_FILE + 64];
    fprintf(stderr, "gatehouse: %s\n", gh_err_format(e, msg, sizeof msg));
}
