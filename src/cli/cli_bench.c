/* cli_bench.c - `gatehouse bench QUERY`, like `opa bench`: prepares the
 * policy and query once, then evaluates repeatedly the way the server does
 * (arena reset + rego_query_eval per decision), scaling the iteration count
 * as Go's testing.Benchmark does until the timed total reaches --benchtime
 * (default 1s). Reports OPA's fields: N, T (ns), Bytes, MemAllocs, MemBytes
 * and Extra (histogram_timer_rego_query_eval_ns_* over a uniform sample of
 * 1028 evaluations, as OPA's metrics do). Memory: MemBytes is arena bytes
 * used by the evaluations, MemAllocs the heap chunks the arena had to take
 * (builtins' short-lived gh_malloc buffers are not counted). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { BFMT_PRETTY, BFMT_JSON, BFMT_GOBENCH };
enum { BENCH_MAX_PATHS = 256, BENCH_SAMPLE = 1028 };

typedef struct bench_result {
    int64_t n, t_ns;
    int64_t mem_allocs, mem_bytes;
    /* histogram of rego_query_eval times (uniform reservoir sample) */
    int64_t sample[BENCH_SAMPLE];
    size_t nsample;
    int64_t count;
} bench_result;

typedef struct bench_ctx {
    const rego_query *q;
    gh_arena *a;
    rego_eval_opts eo;
    bool fail; /* undefined result is an error */
    gh_err err;
    int failed; /* 1: eval error, 2: undefined */
    uint64_t rng;
} bench_ctx;

static void bench_usage(FILE *f) {
    fprintf(f, "usage: gatehouse bench [flags] <query>\n\n"
               "Benchmark a Rego query, as `opa bench` does: the policy and query are\n"
               "prepared once, each evaluation runs on a reset arena.\n\n"
               "  -d, --data PATH          policy or data file or directory (repeatable)\n"
               "  -i, --input FILE         input document (JSON or YAML)\n"
               "  -I, --stdin-input        read the input document from stdin\n"
               "      --stdin              read the query from stdin\n"
               "  -f, --format FMT         pretty (default), json, gobench\n"
               "      --count N            repeat the whole benchmark N times (default 1)\n"
               "  -t, --benchtime D        time to run each benchmark (default 1s), or Nx\n"
               "                           for exactly N evaluations\n"
               "      --benchmem[=BOOL]    report memory (default true)\n"
               "      --fail[=BOOL]        an undefined result is an error (default true)\n"
               "      --v0-compatible      parse modules and query as Rego v0\n"
               "      --v1-compatible      parse as Rego v1 (the default)\n\n"
               "exit status: 0 ok, 1 undefined result or evaluation error, 2 usage/load error\n");
}

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int on_result(void *ud, const rego_result *r) {
    (void)r;
    *(bool *)ud = true;
    return 1;
}

/* One run of b.N evaluations (Go's runN). Returns 0 or -1 on failure. */
static int run_n(bench_ctx *c, int64_t n, bench_result *r) {
    memset(r, 0, sizeof *r);
    r->n = n;
    for (int64_t i = 0; i < n; i++) {
        bool defined = false;
        int64_t t0 = gh_mono_ns();
        gh_arena_reset(c->a);
        size_t chunks0 = gh_arena_chunks(c->a);
        int64_t t1 = gh_mono_ns();
        int rc = rego_query_eval(c->q, c->a, &c->eo, on_result, &defined, &c->err);
        int64_t t2 = gh_mono_ns();
        r->t_ns += t2 - t0;
        r->mem_bytes += (int64_t)gh_arena_used(c->a);
        size_t chunks = gh_arena_chunks(c->a);
        r->mem_allocs += chunks > chunks0 ? (int64_t)(chunks - chunks0) : 0;
        if (rc) {
            c->failed = 1;
            return -1;
        }
        if (!defined && c->fail) {
            c->failed = 2;
            return -1;
        }
        int64_t v = t2 - t1;
        r->count++;
        if (r->nsample < BENCH_SAMPLE) {
            r->sample[r->nsample++] = v;
        } else {
            uint64_t k = rng_next(&c->rng) % (uint64_t)r->count;
            if (k < BENCH_SAMPLE) r->sample[k] = v;
        }
    }
    return 0;
}

/* Go's testing.B.launch: grow N until the timed total reaches d. */
static int benchmark(bench_ctx *c, int64_t d_ns, int64_t fixed_n, bench_result *r) {
    if (fixed_n > 0) return run_n(c, fixed_n, r);
    if (run_n(c, 1, r)) return -1;
    for (int64_t n = 1; r->t_ns < d_ns && n < 1000000000;) {
        int64_t last = n;
        int64_t prevns = r->t_ns > 0 ? r->t_ns : 1;
        /* multiply first: for fast benchmarks prevIters ~= prevns */
        double goal = (double)d_ns * (double)r->n / (double)prevns;
        n = goal > 1e12 ? 1000000000000LL : (int64_t)goal;
        n += n / 5;
        if (n > 100 * last) n = 100 * last;
        if (n < last + 1) n = last + 1;
        if (n > 1000000000) n = 1000000000;
        if (run_n(c, n, r)) return -1;
    }
    return 0;
}

/* ---- statistics as go-metrics computes them ----------------------------------------- */

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile(const int64_t *v, size_t n, double p) {
    if (!n) return 0;
    double pos = p * (double)(n + 1);
    if (pos < 1.0) return (double)v[0];
    if (pos >= (double)n) return (double)v[n - 1];
    double lower = (double)v[(size_t)pos - 1], upper = (double)v[(size_t)pos];
    return lower + (pos - floor(pos)) * (upper - lower);
}

typedef struct extra {
    const char *key;
    double v;
} extra;

/* Extra metrics in sorted key order (as Go's map output sorts them). */
static size_t extras(bench_result *r, extra *out) {
    size_t n = r->nsample;
    qsort(r->sample, n, sizeof *r->sample, cmp_i64);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)r->sample[i];
    double mean = n ? sum / (double)n : 0, var = 0;
    for (size_t i = 0; i < n; i++)
        var += ((double)r->sample[i] - mean) * ((double)r->sample[i] - mean);
    var = n ? var / (double)n : 0;
    static const char *const p = "histogram_timer_rego_query_eval_ns_";
    static char keys[12][64];
    const char *names[12] = {"75%",   "90%", "95%",  "99%",    "99.9%", "99.99%",
                             "count", "max", "mean", "median", "min",   "stddev"};
    double vals[12] = {percentile(r->sample, n, 0.75),
                       percentile(r->sample, n, 0.9),
                       percentile(r->sample, n, 0.95),
                       percentile(r->sample, n, 0.99),
                       percentile(r->sample, n, 0.999),
                       percentile(r->sample, n, 0.9999),
                       (double)r->count,
                       n ? (double)r->sample[n - 1] : 0,
                       mean,
                       percentile(r->sample, n, 0.5),
                       n ? (double)r->sample[0] : 0,
                       sqrt(var)};
    for (size_t i = 0; i < 12; i++) {
        snprintf(keys[i], sizeof keys[i], "%s%s", p, names[i]);
        out[i] = (extra){keys[i], vals[i]};
    }
    return 12;
}

/* Go's encoding/json float64: shortest round-trip digits, 'f' notation for
 * 1e-6 <= |x| < 1e21, else 'e' with a two-digit exponent minimum. */
static void json_float(gh_buf *b, double x) {
    if (x == 0) {
        gh_buf_putc(b, '0');
        return;
    }
    char digits[GH_FLOAT_DIGITS];
    int ex;
    size_t nd = (size_t)gh_float_digits(x, digits, &ex);
    if (signbit(x)) gh_buf_putc(b, '-');
    double ax = fabs(x);
    if (ax < 1e-6 || ax >= 1e21) {
        /* Go: mantissa digits, then e-07 / e+21 */
        gh_buf_putc(b, digits[0]);
        if (nd > 1) {
            gh_buf_putc(b, '.');
            gh_buf_append(b, digits + 1, nd - 1);
        }
        gh_buf_printf(b, "e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
        return;
    }
    /* the digits written out in positional form */
    int point = ex + 1; /* digits before the decimal point */
    if (point <= 0) {
        gh_buf_puts(b, "0.");
        for (int i = 0; i < -point; i++)
            gh_buf_putc(b, '0');
        gh_buf_append(b, digits, nd);
    } else if ((size_t)point >= nd) {
        gh_buf_append(b, digits, nd);
        for (size_t i = nd; i < (size_t)point; i++)
            gh_buf_putc(b, '0');
    } else {
        gh_buf_append(b, digits, (size_t)point);
        gh_buf_putc(b, '.');
        gh_buf_append(b, digits + point, nd - (size_t)point);
    }
}

/* Go testing's prettyPrint (gobench) and OPA's prettyFormatFloat (pretty). */
static void fmt_float(char *out, size_t n, double x, bool go_bench) {
    double y = fabs(x);
    if (go_bench) {
        if (y == 0 || y >= 999.95)
            snprintf(out, n, "%10.0f", x);
        else if (y >= 99.995)
            snprintf(out, n, "%12.1f", x);
        else if (y >= 9.9995)
            snprintf(out, n, "%13.2f", x);
        else if (y >= 0.99995)
            snprintf(out, n, "%14.3f", x);
        else if (y >= 0.099995)
            snprintf(out, n, "%15.4f", x);
        else if (y >= 0.0099995)
            snprintf(out, n, "%16.5f", x);
        else if (y >= 0.00099995)
            snprintf(out, n, "%17.6f", x);
        else
            snprintf(out, n, "%18.7f", x);
        return;
    }
    if (y == 0 || y >= 99.95)
        snprintf(out, n, "%10.0f", x);
    else if (y >= 9.995)
        snprintf(out, n, "%12.1f", x);
    else if (y >= 0.9995)
        snprintf(out, n, "%13.2f", x);
    else if (y >= 0.09995)
        snprintf(out, n, "%14.3f", x);
    else if (y >= 0.009995)
        snprintf(out, n, "%15.4f", x);
    else if (y >= 0.0009995)
        snprintf(out, n, "%16.5f", x);
    else
        snprintf(out, n, "%17.6f", x);
}

static void render(gh_buf *b, bench_result *r, int fmt, bool mem) {
    extra ex[12];
    size_t nex = extras(r, ex);
    int64_t n = r->n > 0 ? r->n : 1;
    if (fmt == BFMT_JSON) {
        gh_buf_printf(b, "{\n  \"N\": %lld,\n  \"T\": %lld,\n  \"Bytes\": 0,\n", (long long)r->n,
                      (long long)r->t_ns);
        gh_buf_printf(b, "  \"MemAllocs\": %lld,\n  \"MemBytes\": %lld,\n  \"Extra\": {",
                      (long long)(mem ? r->mem_allocs : 0), (long long)(mem ? r->mem_bytes : 0));
        for (size_t i = 0; i < nex; i++) {
            gh_buf_printf(b, "%s\n    \"%s\": ", i ? "," : "", ex[i].key);
            json_float(b, ex[i].v);
        }
        gh_buf_puts(b, "\n  }\n}\n");
        return;
    }
    char tmp[64];
    if (fmt == BFMT_GOBENCH) {
        gh_buf_printf(b, "BenchmarkOPAEval\t%8lld", (long long)r->n);
        double ns = (double)r->t_ns / (double)n;
        if (ns != 0) {
            fmt_float(tmp, sizeof tmp, ns, true);
            gh_buf_printf(b, "\t%s ns/op", tmp);
        }
        for (size_t i = 0; i < nex; i++) {
            fmt_float(tmp, sizeof tmp, ex[i].v, true);
            gh_buf_printf(b, "\t%s %s", tmp, ex[i].key);
        }
        if (mem)
            gh_buf_printf(b, "\t%8lld B/op\t%8lld allocs/op", (long long)(r->mem_bytes / n),
                          (long long)(r->mem_allocs / n));
        gh_buf_putc(b, '\n');
        return;
    }
    char cellbuf[16][2][64];
    const char *cells[32];
    size_t rows = 0;
#define ROW(k, ...)                                                                                \
    do {                                                                                           \
        snprintf(cellbuf[rows][0], 64, "%s", k);                                                   \
        snprintf(cellbuf[rows][1], 64, __VA_ARGS__);                                               \
        cells[2 * rows] = cellbuf[rows][0];                                                        \
        cells[2 * rows + 1] = cellbuf[rows][1];                                                    \
        rows++;                                                                                    \
    } while (0)
    ROW("samples", "%lld", (long long)r->n);
    fmt_float(tmp, sizeof tmp, (double)r->t_ns / (double)n, false);
    ROW("ns/op", "%s", tmp);
    if (mem) {
        ROW("B/op", "%lld", (long long)(r->mem_bytes / n));
        ROW("allocs/op", "%lld", (long long)(r->mem_allocs / n));
    }
    for (size_t i = 0; i < nex; i++) {
        fmt_float(tmp, sizeof tmp, ex[i].v, false);
        ROW(ex[i].key, "%s", tmp);
    }
#undef ROW
    cli_table_plain(b, 2, cells, rows);
}

static int parse_bool_opt(const char *arg, bool *out) {
    if (!arg || !strcmp(arg, "true") || !strcmp(arg, "1"))
        *out = true;
    else if (!strcmp(arg, "false") || !strcmp(arg, "0"))
        *out = false;
    else
        return -1;
    return 0;
}

static const char *const bench_formats[] = {"pretty", "json", "gobench", NULL};

static int bench_main(cli_opts *o, int argc, char **argv) {
    enum { O_COUNT = 256, O_MEM, O_FAIL };
    static const struct option opts[] = {
        {"count", required_argument, NULL, O_COUNT},
        {"benchtime", required_argument, NULL, 't'},
        {"benchmem", optional_argument, NULL, O_MEM},
        {"fail", optional_argument, NULL, O_FAIL},
        {NULL, 0, NULL, 0},
    };
    o->own = opts;
    o->own_short = "t:";
    bool mem = true, fail = true;
    long count = 1;
    int64_t benchtime = 1000000000LL, fixed_n = 0;
    int c;
    while ((c = cli_opts_next(o, argc, argv)) > 0) {
        switch (c) {
        case O_COUNT: {
            char *end;
            count = strtol(optarg, &end, 10);
            if (*end || count < 1 || count > 1000000) {
                fprintf(stderr, "gatehouse bench: invalid --count \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case 't': {
            size_t n = strlen(optarg);
            if (n > 1 && optarg[n - 1] == 'x') {
                char *end;
                long long k = strtoll(optarg, &end, 10);
                if (end != optarg + n - 1 || k < 1 || k > 1000000000) {
                    fprintf(stderr, "gatehouse bench: invalid --benchtime \"%s\"\n", optarg);
                    return CLI_USAGE;
                }
                fixed_n = k;
            } else if (cli_parse_duration(optarg, &benchtime) || benchtime <= 0) {
                fprintf(stderr, "gatehouse bench: invalid --benchtime \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case O_MEM:
        case O_FAIL:
            if (parse_bool_opt(optarg, c == O_MEM ? &mem : &fail)) {
                fprintf(stderr, "gatehouse bench: invalid boolean \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            break;
        }
    }
    if (c < 0) return o->rc;
    int nargs = argc - optind;
    if ((o->query_stdin && nargs) || (!o->query_stdin && nargs != 1)) {
        fprintf(stderr, "gatehouse bench: specify exactly one query argument or --stdin\n");
        return CLI_USAGE;
    }

    int rc = CLI_OK;
    char *qtext = NULL;
    size_t qlen = 0;
    gh_err e;
    gh_err_clear(&e);
    pol_errors errs = {0};
    pol_loaded l;
    pol_loaded_init(&l);
    gh_arena qa, ea;
    gh_arena_init(&qa, 0);
    gh_arena_init(&ea, 0);
    rego_policy *p = NULL;
    bench_result *res = gh_calloc(1, sizeof *res);
    if (!res) {
        fprintf(stderr, "gatehouse bench: out of memory\n");
        rc = CLI_USAGE;
        goto out;
    }
    rc = cli_query_text(o->query_stdin ? NULL : argv[optind], o->query_stdin, &qtext, &qlen);
    if (rc) goto out;
    val_t *input;
    cli_opts_load(o, &l, &qa, &input, &errs);
    rego_parse_opts po = {.version = o->v0 ? REGO_V0 : REGO_V1};
    if (!errs.n) p = pol_loaded_compile(&l, &po, NULL, &errs);
    rego_query *q = NULL;
    rego_errors qerrs = {0};
    rego_parse_opts qpo = po;
    qpo.errors = &qerrs;
    if (p && rego_query_prepare(p, &qa, qtext, qlen, &qpo, &q, &e)) {
        size_t from = errs.n;
        cli_query_err(&l, &errs, &qerrs, &e, qtext, qlen);
        for (size_t i = from; i < errs.n; i++)
            if (errs.v[i].file && !strcmp(errs.v[i].file, "query")) errs.v[i].file[0] = 0;
    }
    rego_errors_free(&qerrs);
    if (errs.n || errs.oom) {
        cli_print_errors(&errs, o->fmt == BFMT_JSON);
        rc = CLI_USAGE;
        goto out;
    }
    bench_ctx ctx = {.q = q, .a = &ea, .fail = fail, .rng = (uint64_t)gh_mono_ns()};
    ctx.eo.input = input;
    gh_err_clear(&ctx.err);
    for (long i = 0; i < count; i++) {
        if (benchmark(&ctx, benchtime, fixed_n, res)) {
            if (ctx.failed == 2)
                pol_errors_addf(&errs, "undefined result");
            else
                pol_loaded_add_err(&l, &errs, &ctx.err);
            cli_print_errors(&errs, o->fmt == BFMT_JSON);
            rc = CLI_FAIL;
            goto out;
        }
        gh_buf b;
        gh_buf_init(&b);
        render(&b, res, o->fmt, mem);
        rc = cli_flush(&b, stdout);
        gh_buf_free(&b);
        if (rc) break;
    }
out:
    gh_free(res);
    pol_errors_free(&errs);
    gh_arena_free(&ea);
    gh_arena_free(&qa);
    rego_policy_free(p);
    pol_loaded_free(&l);
    gh_free(qtext);
    return rc;
}

int cli_bench(int argc, char **argv) {
    cli_opts o = {.cmd = "bench",
                  .take = CLI_O_DATA | CLI_O_INPUT | CLI_O_STDIN | CLI_O_FORMAT | CLI_O_VERSION,
                  .formats = bench_formats,
                  .usage = bench_usage,
                  .max_paths = BENCH_MAX_PATHS,
                  .fmt = BFMT_PRETTY};
    int rc = bench_main(&o, argc, argv);
    cli_opts_free(&o);
    return rc;
}
