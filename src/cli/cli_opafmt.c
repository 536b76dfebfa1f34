/* cli_opafmt.c - output conventions that users of OPA's CLI know, shared by
 * eval, test and bench: OPA's error lists as JSON (the lists themselves and
 * their text form are policy/load_errors.c's), Go's JSON string
 * escaping, Go durations (print and parse), and the bordered tables OPA's
 * pretty format draws. Only CLI code calls this; nothing here touches the
 * engine beyond reading gh_err values. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_print_errors(const pol_errors *errs, bool json) {
    gh_buf b;
    gh_buf_init(&b);
    if (json)
        cli_errors_json(&b, errs);
    else
        pol_errors_text(&b, errs, "");
    cli_flush(&b, stdout);
    gh_buf_free(&b);
}

void cli_errors_json(gh_buf *b, const pol_errors *l) {
    gh_buf_puts(b, "{\n  \"errors\": [");
    for (size_t i = 0; i < l->n; i++) {
        const pol_error *x = &l->v[i];
        gh_buf_puts(b, i ? ",\n    {\n      \"message\": " : "\n    {\n      \"message\": ");
        cli_json_str(b, x->message, strlen(x->message));
        if (x->code) {
            gh_buf_puts(b, ",\n      \"code\": ");
            cli_json_str(b, x->code, strlen(x->code));
            if (x->file) {
                gh_buf_puts(b, ",\n      \"location\": {\n        \"file\": ");
                cli_json_str(b, x->file, strlen(x->file));
                gh_buf_printf(b, ",\n        \"row\": %d,\n        \"col\": %d\n      }", x->row,
                              x->col);
            }
            if (x->detail_line) {
                gh_buf_puts(b, ",\n      \"details\": {\n        \"line\": ");
                cli_json_str(b, x->detail_line, strlen(x->detail_line));
                gh_buf_printf(b, ",\n        \"idx\": %d\n      }", x->detail_idx);
            } else if (x->details) {
                gh_arena a;
                gh_arena_init(&a, 0);
                val_t *d = NULL;
                if (!val_json_parse(&a, x->details, strlen(x->details), NULL, &d, NULL)) {
                    gh_buf_puts(b, ",\n      \"details\": ");
                    /* the engine's text has OPA's member order */
                    val_json_emit_indent(b, d, VAL_JSON_PRETTY, 3);
                }
                gh_arena_free(&a);
            }
        }
        gh_buf_puts(b, "\n    }");
    }
    gh_buf_puts(b, l->n ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- Go-flavoured scalars ------------------------------------------------------------- */

void cli_json_str(gh_buf *b, const char *s, size_t n) {
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *v = val_str_ref(&a, s, n);
    if (v)
        val_json_emit(b, v, 0);
    else
        b->oom = 1;
    gh_arena_free(&a);
}

/* Go's fmtFrac/fmtInt: v's integer part, then up to prec fractional digits
 * with trailing zeros removed. */
static void put_frac(gh_buf *b, uint64_t v, int prec) {
    char frac[16];
    int n = 0;
    bool print = false;
    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(v % 10);
        print = print || digit != 0;
        if (print) frac[n++] = (char)('0' + digit);
        v /= 10;
    }
    gh_buf_printf(b, "%llu", (unsigned long long)v);
    if (n) {
        gh_buf_putc(b, '.');
        while (n)
            gh_buf_putc(b, frac[--n]);
    }
}

void cli_go_duration(gh_buf *b, int64_t ns) {
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (ns < 0) gh_buf_putc(b, '-');
    if (u == 0) {
        gh_buf_puts(b, "0s");
    } else if (u < 1000) {
        gh_buf_printf(b, "%lluns", (unsigned long long)u);
    } else if (u < 1000000) {
        put_frac(b, u, 3);
        gh_buf_puts(b, "µs");
    } else if (u < 1000000000) {
        put_frac(b, u, 6);
        gh_buf_puts(b, "ms");
    } else {
        uint64_t secs = u / 1000000000u, h = secs / 3600, m = secs / 60 % 60;
        if (h) gh_buf_printf(b, "%lluh", (unsigned long long)h);
        if (h || m) gh_buf_printf(b, "%llum", (unsigned long long)m);
        put_frac(b, u % 60000000000ull, 9);
        gh_buf_putc(b, 's');
    }
}

int cli_parse_duration(const char *s, int64_t *ns) { return gh_parse_duration(s, ns); }

/* ---- tables ------------------------------------------------------------------------------- */

static uint32_t utf8_next(const char *s, size_t n, size_t *i) {
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = n - *i;
    uint32_t c = p[0];
    size_t len = 1;
    if (c >= 0xf0 && left >= 4)
        c = ((c & 7u) << 18) | ((p[1] & 63u) << 12) | ((p[2] & 63u) << 6) | (p[3] & 63u), len = 4;
    else if (c >= 0xe0 && left >= 3)
        c = ((c & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u), len = 3;
    else if (c >= 0xc0 && left >= 2)
        c = ((c & 31u) << 6) | (p[1] & 63u), len = 2;
    *i += len;
    return c;
}

static int rune_width(uint32_t c) {
    static const uint32_t zero[][2] = {
        {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a}, {0x064b, 0x065f},
        {0x200b, 0x200f}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
    };
    static const uint32_t wide[][2] = {
        {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
        {0x25fd, 0x25fe},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26aa, 0x26ab},
        {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},
        {0xa000, 0xa4cf},   {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
        {0xfe10, 0xfe19},   {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},
        {0x16fe0, 0x16fe4}, {0x17000, 0x18cff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004},
        {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f251}, {0x1f300, 0x1f64f},
        {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff}, {0x1fa70, 0x1faff}, {0x20000, 0x3fffd},
    };
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return 0;
    for (size_t i = 0; i < sizeof zero / sizeof *zero; i++)
        if (c >= zero[i][0] && c <= zero[i][1]) return 0;
    for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
        if (c >= wide[i][0] && c <= wide[i][1]) return 2;
    return 1;
}

size_t cli_display_width(const char *s, size_t n) {
    size_t w = 0, i = 0;
    while (i < n)
        w += (size_t)rune_width(utf8_next(s, n, &i));
    return w;
}

typedef struct cell {
    char **lines;
    size_t n;
} cell;

enum { TABLE_WRAP = 30 }; /* tablewriter's MAX_ROW_WIDTH */

static void cell_push(cell *c, const char *s, size_t n, int *oom) {
    char **nl = gh_realloc(c->lines, (c->n + 1) * sizeof *nl);
    char *line = gh_strndup(s, n);
    if (!nl || !line) {
        if (nl) c->lines = nl;
        gh_free(line);
        *oom = 1;
        return;
    }
    c->lines = nl;
    c->lines[c->n++] = line;
}

/* tablewriter's WrapString: words split at single spaces; lines chosen to
 * minimise raggedness (sum of squared slack), lines longer than the limit
 * penalised. The limit grows to the longest word. */
static void wrap_para(cell *c, const char *s, size_t n, size_t lim, int *oom) {
    size_t nw = 1;
    for (size_t i = 0; i < n; i++)
        nw += s[i] == ' ';
    size_t *ws = gh_malloc(nw * sizeof *ws), *we = gh_malloc(nw * sizeof *we);
    size_t *wl = gh_malloc(nw * sizeof *wl), *brk = gh_malloc(nw * sizeof *brk);
    long long *cost = gh_malloc(nw * sizeof *cost);
    if (!ws || !we || !wl || !brk || !cost) {
        *oom = 1;
        goto out;
    }
    size_t k = 0, st = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == ' ') {
            ws[k] = st;
            we[k] = i;
            wl[k] = cli_display_width(s + st, i - st);
            if (wl[k] > lim) lim = wl[k];
            k++;
            st = i + 1;
        }
    const long long pen = 100000;
    for (size_t i = nw; i-- > 0;) {
        size_t len = 0;
        for (size_t j = i; j < nw; j++)
            len += wl[j] + (j > i);
        if (len <= lim) {
            cost[i] = 0;
            brk[i] = nw;
            continue;
        }
        cost[i] = 0x7fffffff;
        size_t run = wl[i]; /* length of words i..j-1 */
        for (size_t j = i + 1; j < nw; j++) {
            long long d = (long long)lim - (long long)run;
            long long cst = d * d + cost[j];
            if (run > lim) cst += pen;
            if (cst < cost[i]) {
                cost[i] = cst;
                brk[i] = j;
            }
            run += 1 + wl[j];
        }
    }
    for (size_t i = 0; i < nw;) {
        size_t j = brk[i];
        cell_push(c, s + ws[i], we[j - 1] - ws[i], oom);
        i = j;
    }
out:
    gh_free(ws);
    gh_free(we);
    gh_free(wl);
    gh_free(brk);
    gh_free(cost);
}

/* tablewriter's parseDimension with auto-wrap and reflow: the text's lines
 * are joined with spaces and wrapped to min(width, 30) columns. */
static size_t cell_parse(cell *c, const char *s, int *oom) {
    size_t n = strlen(s), maxw = 0;
    for (size_t i = 0, st = 0; i <= n; i++)
        if (i == n || s[i] == '\n') {
            size_t w = cli_display_width(s + st, i - st);
            if (w > maxw) maxw = w;
            st = i + 1;
        }
    if (maxw > TABLE_WRAP) maxw = TABLE_WRAP;
    char *flat = gh_strndup(s, n);
    if (!flat) {
        *oom = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (flat[i] == '\n') flat[i] = ' ';
    wrap_para(c, flat, n, maxw, oom);
    gh_free(flat);
    for (size_t i = 0; i < c->n; i++) {
        size_t w = cli_display_width(c->lines[i], strlen(c->lines[i]));
        if (w > maxw) maxw = w;
    }
    return maxw;
}

static void rule_line(gh_buf *b, const size_t *width, size_t ncols) {
    gh_buf_putc(b, '+');
    for (size_t j = 0; j < ncols; j++) {
        for (size_t k = 0; k < width[j] + 2; k++)
            gh_buf_putc(b, '-');
        gh_buf_putc(b, '+');
    }
    gh_buf_putc(b, '\n');
}

static void pad(gh_buf *b, size_t n) {
    while (n--)
        gh_buf_putc(b, ' ');
}

enum { ALIGN_CENTER, ALIGN_LEFT, ALIGN_DEFAULT };

/* tablewriter's `decimal` test for ALIGN_DEFAULT: -?(\d{1,3}(,\d{3})*|\d+)(\.\d+)? */
static bool is_decimal(const char *s) {
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    size_t d = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, d++;
    if (!d) return false;
    if (i < n && s[i] == ',') {
        if (d > 3) return false;
        while (i < n && s[i] == ',') {
            i++;
            for (int k = 0; k < 3; k++, i++)
                if (i >= n || s[i] < '0' || s[i] > '9') return false;
        }
    }
    if (i < n && s[i] == '.') {
        i++;
        size_t f = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, f++;
        if (!f) return false;
    }
    return i == n;
}

static void print_row(gh_buf *b, cell *row, const size_t *width, size_t ncols, int align) {
    size_t h = 0;
    for (size_t j = 0; j < ncols; j++)
        if (row[j].n > h) h = row[j].n;
    for (size_t x = 0; x < h; x++) {
        gh_buf_putc(b, '|');
        for (size_t j = 0; j < ncols; j++) {
            const char *t = x < row[j].n ? row[j].lines[x] : "";
            size_t w = cli_display_width(t, strlen(t));
            size_t gap = width[j] > w ? width[j] - w : 0;
            size_t left = align == ALIGN_CENTER                     ? gap / 2
                          : align == ALIGN_DEFAULT && is_decimal(t) ? gap
                                                                    : 0;
            gh_buf_putc(b, ' ');
            pad(b, left);
            gh_buf_puts(b, t);
            pad(b, gap - left);
            gh_buf_puts(b, " |");
        }
        gh_buf_putc(b, '\n');
    }
}

static void render(gh_buf *b, const char *const *header, size_t ncols, const char *const *cells,
                   size_t nrows, int align) {
    if (!ncols) return;
    int oom = 0;
    size_t nh = header ? 1 : 0, ncell = (nrows + nh) * ncols;
    cell *cs = gh_calloc(ncell, sizeof *cs);
    size_t *width = gh_calloc(ncols, sizeof *width);
    if (!cs || !width) {
        b->oom = 1;
        goto out;
    }
    for (size_t i = 0; i < ncell; i++) {
        const char *s = i < nh * ncols ? header[i] : cells[i - nh * ncols];
        size_t w = cell_parse(&cs[i], s ? s : "", &oom);
        if (w > width[i % ncols]) width[i % ncols] = w;
    }
    if (oom) {
        b->oom = 1;
        goto out;
    }
    rule_line(b, width, ncols);
    if (header) {
        print_row(b, cs, width, ncols, ALIGN_CENTER);
        rule_line(b, width, ncols);
    }
    for (size_t r = 0; r < nrows; r++)
        print_row(b, cs + (r + nh) * ncols, width, ncols, align);
    rule_line(b, width, ncols);
out:
    if (cs)
        for (size_t i = 0; i < ncell; i++) {
            for (size_t k = 0; k < cs[i].n; k++)
                gh_free(cs[i].lines[k]);
            gh_free(cs[i].lines);
        }
    gh_free(cs);
    gh_free(width);
}

void cli_table(gh_buf *b, const char *const *header, size_t ncols, const char *const *cells,
               size_t nrows) {
    render(b, header, ncols, cells, nrows, ALIGN_LEFT);
}

void cli_table_plain(gh_buf *b, size_t ncols, const char *const *cells, size_t nrows) {
    render(b, NULL, ncols, cells, nrows, ALIGN_DEFAULT);
}

int cli_flush(gh_buf *b, FILE *f) {
    if (b->oom) {
        fprintf(stderr, "gatehouse: out of memory\n");
        return CLI_USAGE;
    }
    if (b->len && (fwrite(b->p, 1, b->len, f) != b->len || fflush(f))) {
        fprintf(stderr, "gatehouse: cannot write output\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}
