/* cli_input.c - loading input documents for subcommands: picks JSON, YAML,
 * Dockerfile, TOML, INI, XML, Jsonnet, properties, dotenv, HOCON, EDN, VCL,
 * HCL1, HCL2, SPDX, CycloneDX, CUE or .gitignore/.dockerignore data (all but the first two in
 * policy/parse_*.c) by
 * --parser,
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
    if (!strcasecmp(name, "xml")) return CLI_FMT_XML;
    if (!strcasecmp(name, "jsonnet")) return CLI_FMT_JSONNET;
    if (!strcasecmp(name, "properties")) return CLI_FMT_PROPERTIES;
    if (!strcasecmp(name, "dotenv")) return CLI_FMT_DOTENV;
    if (!strcasecmp(name, "hocon")) return CLI_FMT_HOCON;
    if (!strcasecmp(name, "edn")) return CLI_FMT_EDN;
    if (!strcasecmp(name, "vcl")) return CLI_FMT_VCL;
    if (!strcasecmp(name, "hcl1")) return CLI_FMT_HCL1;
    if (!strcasecmp(name, "spdx")) return CLI_FMT_SPDX;
    if (!strcasecmp(name, "cyclonedx")) return CLI_FMT_CYCLONEDX;
    if (!strcasecmp(name, "hcl2")) return CLI_FMT_HCL2;
    if (!strcasecmp(name, "cue")) return CLI_FMT_CUE;
    if (!strcasecmp(name, "ignore")) return CLI_FMT_IGNORE;
    if (!strcasecmp(name, "groovy")) return CLI_FMT_GROOVY;
    if (!strcasecmp(name, "textproto")) return CLI_FMT_TEXTPROTO;
    return -1;
}

int cli_format_for_path(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!strcasecmp(base, "Dockerfile") || !strncasecmp(base, "Dockerfile.", 11))
        return CLI_FMT_DOCKERFILE;
    if (!dot) return -1;
    if (!strcasecmp(dot, ".json")) return CLI_FMT_JSON;
    if (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml")) return CLI_FMT_YAML;
    if (!strcasecmp(dot, ".dockerfile")) return CLI_FMT_DOCKERFILE;
    if (!strcasecmp(dot, ".toml")) return CLI_FMT_TOML;
    if (!strcasecmp(dot, ".ini")) return CLI_FMT_INI;
    if (!strcasecmp(dot, ".xml")) return CLI_FMT_XML;
    if (!strcasecmp(dot, ".jsonnet") || !strcasecmp(dot, ".libsonnet")) return CLI_FMT_JSONNET;
    if (!strcasecmp(dot, ".properties")) return CLI_FMT_PROPERTIES;
    if (!strcasecmp(dot, ".env")) return CLI_FMT_DOTENV;
    if (!strcasecmp(dot, ".tf") || !strcasecmp(dot, ".tfvars") || !strcasecmp(dot, ".hcl"))
        return CLI_FMT_HCL2;
    if (!strcasecmp(dot, ".hocon")) return CLI_FMT_HOCON;
    if (!strcasecmp(dot, ".edn")) return CLI_FMT_EDN;
    if (!strcasecmp(dot, ".vcl")) return CLI_FMT_VCL;
    if (!strcasecmp(dot, ".spdx")) return CLI_FMT_SPDX;
    if (!strcasecmp(dot, ".cue")) return CLI_FMT_CUE;
    /* conftest: the extension names the type; both map to its ignore parser */
    if (!strcasecmp(dot, ".gitignore") || !strcasecmp(dot, ".dockerignore")) return CLI_FMT_IGNORE;
    /* .textproto: that parser is not available (--parser textproto says so);
     * by name such files are not picked up, so directory walks skip them */
    return -1;
}

static cli_format format_for_path(const char *path) {
    int f = cli_format_for_path(path);
    return f < 0 ? CLI_FMT_YAML : (cli_format)f;
}

int cli_load_document(gh_arena *a, const char *path, cli_format fmt, val_t **out, gh_err *e) {
    char *text = NULL;
    size_t len = 0;
    int rc = gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, e);
    if (rc) return rc;
    if (fmt == CLI_FMT_AUTO && !strcmp(path, "-")) fmt = CLI_FMT_YAML;
    rc = cli_parse_text(a, text, len, strcmp(path, "-") ? path : "<stdin>", fmt, out, e);
    gh_free(text);
    return rc;
}

int cli_parse_text(gh_arena *a, const char *text, size_t len, const char *name, cli_format fmt,
                   val_t **out, gh_err *e) {
    int rc = 0;
    if (fmt == CLI_FMT_AUTO) fmt = format_for_path(name);
    if (fmt == CLI_FMT_GROOVY || fmt == CLI_FMT_TEXTPROTO) {
        rc = gh_err_set(e, GH_EINVAL, name, 0, 0,
                        "parser %s is not available in this build (no C library for it)",
                        fmt == CLI_FMT_GROOVY ? "groovy" : "textproto");
    } else if (fmt == CLI_FMT_IGNORE) {
        rc = pol_parse_ignore(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_CUE) {
        rc = pol_parse_cue(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_HCL2) {
        rc = pol_parse_hcl2(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_HOCON) {
        rc = pol_parse_hocon(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_EDN) {
        rc = pol_parse_edn(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_VCL) {
        rc = pol_parse_vcl(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_HCL1) {
        rc = pol_parse_hcl1(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_SPDX) {
        rc = pol_parse_spdx(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_CYCLONEDX) {
        rc = pol_parse_cyclonedx(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_XML) {
        rc = pol_parse_xml(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_JSONNET) {
        rc = pol_parse_jsonnet(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_PROPERTIES) {
        rc = pol_parse_properties(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_DOTENV) {
        rc = pol_parse_dotenv(a, text, len, name, out, e);
    } else if (fmt == CLI_FMT_JSON) {
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
    if (rc && !e->file[0]) gh_err_set_file(e, name);
    return rc;
}

void cli_print_err(const gh_err *e) {
    char msg[GH_ERR_MSG + GH_ERR_FILE + 64];
    fprintf(stderr, "gatehouse: %s\n", gh_err_format(e, msg, sizeof msg));
}

int cli_query_text(const char *arg, bool from_stdin, char **text, size_t *len) {
    gh_err e;
    gh_err_clear(&e);
    if (from_stdin) {
        if (!gh_read_file("-", GH_MAX_DOC_BYTES, text, len, &e)) return CLI_OK;
        cli_print_err(&e);
        return CLI_USAGE;
    }
    *len = strlen(arg);
    *text = gh_strndup(arg, *len);
    if (*text) return CLI_OK;
    fprintf(stderr, "gatehouse: out of memory\n");
    return CLI_USAGE;
}

void cli_query_err(const pol_loaded *l, pol_errors *errs, const rego_errors *list, const gh_err *e,
                   const char *q, size_t qlen) {
    if (list && list->n)
        pol_errors_add_list(errs, list, e, q, qlen);
    else if (!strcmp(e->file, "query"))
        pol_errors_add_gh(errs, e, q, qlen);
    else
        pol_loaded_add_err(l, errs, e);
}
