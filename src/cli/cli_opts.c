/* cli_opts.c - the options several subcommands share (-d, -b, -i/-I, --stdin,
 * -f, --v0/--v1-compatible, --timeout, -h), parsed in one place so each
 * command's getopt loop keeps only its own. cli_opts_next merges the shared
 * entries a command takes with its own table once, then hands back only
 * the command's options. Messages name the command ("gatehouse eval: ...");
 * getopt's own messages for unknown options are left as they are. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* getopt values of the long-only shared options, above any command's own */
enum { SO_STDIN = 0x1000, SO_V0, SO_V1, SO_TIMEOUT };

static const struct {
    unsigned take;
    struct option opt;
    const char *shortopt;
} shared[] = {
    {CLI_O_DATA, {"data", required_argument, NULL, 'd'}, "d:"},
    {CLI_O_BUNDLE, {"bundle", required_argument, NULL, 'b'}, "b:"},
    {CLI_O_INPUT, {"input", required_argument, NULL, 'i'}, "i:"},
    {CLI_O_INPUT, {"stdin-input", no_argument, NULL, 'I'}, "I"},
    {CLI_O_STDIN, {"stdin", no_argument, NULL, SO_STDIN}, ""},
    {CLI_O_FORMAT, {"format", required_argument, NULL, 'f'}, "f:"},
    {CLI_O_VERSION, {"v0-compatible", no_argument, NULL, SO_V0}, ""},
    {CLI_O_VERSION, {"v1-compatible", no_argument, NULL, SO_V1}, ""},
    {CLI_O_TIMEOUT, {"timeout", required_argument, NULL, SO_TIMEOUT}, ""},
    {0, {"help", no_argument, NULL, 'h'}, "h"},
};
#define NSHARED (sizeof shared / sizeof *shared)

int cli_strv_push(cli_strv *s, const char *x) {
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        const char **v = gh_realloc(s->v, nc * sizeof *v);
        if (!v) return -1;
        s->v = v, s->cap = nc;
    }
    s->v[s->n++] = x;
    return 0;
}

static size_t add_own(cli_opts *o, size_t n) {
    for (const struct option *p = o->own; p && p->name; p++) {
        assert(n + 1 < CLI_OPTS_MAX);
        o->table_[n++] = *p;
    }
    return n;
}

/* The merged long table (shared entries first unless own_first) and short string. */
static void build(cli_opts *o) {
    size_t n = o->own_first ? add_own(o, 0) : 0;
    size_t sl = strlen(o->own_short ? o->own_short : "");
    assert(sl < sizeof o->short_);
    memcpy(o->short_, o->own_short ? o->own_short : "", sl);
    for (size_t i = 0; i < NSHARED; i++) {
        if (shared[i].take && !(o->take & shared[i].take)) continue;
        assert(n + 1 < CLI_OPTS_MAX);
        o->table_[n++] = shared[i].opt;
        size_t k = strlen(shared[i].shortopt);
        assert(sl + k < sizeof o->short_);
        memcpy(o->short_ + sl, shared[i].shortopt, k);
        sl += k;
    }
    if (!o->own_first) n = add_own(o, n);
    o->short_[sl] = 0;
    memset(&o->table_[n], 0, sizeof o->table_[n]);
}

static int fail(cli_opts *o) {
    o->rc = CLI_USAGE;
    return -1;
}

static int push_path(cli_opts *o, cli_strv *l, char flag) {
    if (o->max_paths && l->n == o->max_paths) {
        fprintf(stderr, "gatehouse %s: too many -%c paths (at most %zu)\n", o->cmd, flag,
                o->max_paths);
        return fail(o);
    }
    if (cli_strv_push(l, optarg)) {
        fprintf(stderr, "gatehouse %s: out of memory\n", o->cmd);
        return fail(o);
    }
    return 0;
}

static int set_format(cli_opts *o) {
    for (int i = 0; o->formats[i]; i++)
        if (!strcmp(optarg, o->formats[i])) {
            o->fmt = i;
            return 0;
        }
    fprintf(stderr, "gatehouse %s: unknown format \"%s\" (", o->cmd, optarg);
    for (int i = 0; o->formats[i]; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", o->formats[i]);
    fprintf(stderr, ")\n");
    return fail(o);
}

/* Whether getopt's c is a shared option this command takes (or an error). */
static bool is_shared(const cli_opts *o, int c) {
    for (size_t i = 0; i < NSHARED; i++)
        if (shared[i].opt.val == c) return !shared[i].take || (o->take & shared[i].take);
    return c == '?';
}

/* Handle a shared option: 0 done, -1 exit with o->rc. */
static int shared_opt(cli_opts *o, int c) {
    switch (c) {
    case 'd': return push_path(o, &o->data, 'd');
    case 'b': return push_path(o, &o->bundles, 'b');
    case 'i': o->input_path = optarg; return 0;
    case 'I': o->input_path = "-"; return 0;
    case SO_STDIN: o->query_stdin = true; return 0;
    case 'f': return set_format(o);
    case SO_V0: o->v0 = true; return 0;
    case SO_V1: o->v0 = false; return 0;
    case SO_TIMEOUT:
        if (cli_parse_duration(optarg, &o->timeout_ns) || o->timeout_ns < 0) {
            fprintf(stderr, "gatehouse %s: invalid duration \"%s\"\n", o->cmd, optarg);
            return fail(o);
        }
        return 0;
    case 'h':
        o->usage(stdout);
        o->rc = CLI_OK;
        return -1;
    /* '?': getopt has already named the bad option */
    default: o->usage(stderr); return fail(o);
    }
}

int cli_opts_next(cli_opts *o, int argc, char **argv) {
    if (!o->short_[0]) {
        build(o);
        optind = 1;
    }
    for (;;) {
        int c = getopt_long(argc, argv, o->short_, o->table_, NULL);
        if (c == -1) return 0;
        if (!is_shared(o, c)) return c;
        if (shared_opt(o, c)) return -1;
    }
}

void cli_opts_free(cli_opts *o) {
    gh_free(o->data.v);
    gh_free(o->bundles.v);
    o->data = o->bundles = (cli_strv){0};
}

void cli_opts_load(const cli_opts *o, pol_loaded *l, gh_arena *a, val_t **input, pol_errors *errs) {
    for (size_t i = 0; i < o->data.n; i++)
        pol_load_path(l, o->data.v[i], errs);
    l->bundle = true;
    for (size_t i = 0; i < o->bundles.n; i++)
        pol_load_path(l, o->bundles.v[i], errs);
    *input = NULL;
    gh_err e;
    gh_err_clear(&e);
    if (!errs->n && o->input_path && cli_load_document(a, o->input_path, CLI_FMT_AUTO, input, &e)) {
        char buf[GH_ERR_MSG + GH_ERR_FILE + 64];
        pol_errors_addf(errs, "%s", gh_err_format(&e, buf, sizeof buf));
    }
}
