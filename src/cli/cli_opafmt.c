/* cli_opafmt.c - output conventions that users of OPA's CLI know, shared by
 * eval, test and bench: OPA's error lists (text and JSON), Go's JSON string
 * escaping, Go durations (print and parse), and the bordered tables OPA's
 * pretty format draws. Only CLI code calls this; nothing here touches the
 * engine beyond reading gh_err values. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- error lists -------------------------------------------------------------------- */

static char *xstrndup(const char *s, size_t n) {
    char *p = gh_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static cli_error *errs_push(cli_errors *l) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        cli_error *nv = gh_realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->oom = 1;
            return NULL;
        }
        l->v = nv;
        l->cap = nc;
    }
    cli_error *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    return x;
}

void cli_errors_addf(cli_errors *l, const char *fmt, ...) {
    char msg[GH_ERR_MSG + GH_ERR_FILE + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error *x = errs_push(l);
    if (!x) return;
    x->message = xstrndup(msg, strlen(msg));
    if (!x->message) l->oom = 1;
}

/* OPA's parse-error details: the line holding the error offset (moved back
 * over whitespace) and the offset's index in that line. */
static void add_details(cli_error *x, const char *src, size_t n) {
    if (!src || !n || x->row <= 0) return;
    size_t off = 0;
    int row = 1;
    while (off < n && row < x->row) {
        if (src[off] == '\n') row++;
        off++;
    }
    /* columns count code points */
    for (int c = 1; c < x->col && off < n && src[off] != '\n'; c++) {
        off++;
        while (off < n && ((unsigned char)src[off] & 0xc0) == 0x80)
            off++;
    }
    if (off >= n) off = n - 1;
    while (off > 0 && strchr(" \t\n\r\v\f", src[off]))
        off--;
    size_t begin = off;
    while (begin > 0 && src[begin] != '\n' && src[begin] != '\r')
        begin--;
    if (src[begin] == '\n' || src[begin] == '\r') begin++;
    size_t end = off;
    while (end < n && src[end] != '\n' && src[end] != '\r')
        end++;
    if (begin > end) begin = end;
    x->detail_line = xstrndup(src + begin, end - begin);
    x->detail_idx = (int)(off - begin);
}

static void add_one(cli_errors *l, const char *code, const char *file, int row, int col,
                    const char *msg, size_t msglen, const char *src, size_t srclen) {
    cli_error *x = errs_push(l);
    if (!x) return;
    size_t cl = code ? strlen(code) : 0;
    if (code && msglen > cl + 2 && !memcmp(msg, code, cl) && msg[cl] == ':' && msg[cl + 1] == ' ') {
        msg += cl + 2;
        msglen -= cl + 2;
    }
    x->message = xstrndup(msg, msglen);
    x->code = code;
    x->row = row;
    x->col = col;
    /* an error without any location (e.g. a cancelled evaluation) has none in OPA */
    bool noloc = (!file || !file[0]) && row <= 0;
    x->file = noloc ? NULL : xstrndup(file, strlen(file));
    if (!x->message || (!noloc && !x->file)) l->oom = 1;
    if (code && !strcmp(code, "rego_parse_error")) add_details(x, src, srclen);
}

/* Codes are static strings in OPA's vocabulary; map a parsed one back. */
static const char *static_code(const char *s, size_t n) {
    static const char *const codes[] = {
        "rego_parse_error",      "rego_compile_error",   "rego_type_error",
        "rego_unsafe_var_error", "rego_recursion_error", "eval_conflict_error",
        "eval_type_error",       "eval_builtin_error",   "eval_cancel_error",
    };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (strlen(codes[i]) == n && !memcmp(codes[i], s, n)) return codes[i];
    return NULL;
}

void cli_errors_add_gh(cli_errors *l, const gh_err *e, const char *src, size_t srclen) {
    char cbuf[64];
    const char *c = rego_err_code(e, cbuf, sizeof cbuf);
    const char *code = c ? static_code(c, strlen(c)) : NULL;
    if (c && !code) code = "rego_compile_error";
    const char *msg = e->msg;
    const char *nl = strchr(msg, '\n');
    if (!code) {
        /* not an engine error: a plain message with its location */
        char buf[GH_ERR_MSG + GH_ERR_FILE + 64];
        cli_errors_addf(l, "%s", gh_err_format(e, buf, sizeof buf));
        return;
    }
    add_one(l, code, e->file, e->line, e->col, msg, nl ? (size_t)(nl - msg) : strlen(msg), src,
            srclen);
    /* further errors joined by the compiler: "\nfile:row: code: message" */
    while (nl) {
        const char *line = nl + 1;
        nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* find ": code: " */
        const char *p = line, *end = line + len, *cs = NULL;
        int row = 0;
        while (p < end) {
            const char *colon = memchr(p, ':', (size_t)(end - p));
            if (!colon) break;
            char *q;
            long r = strtol(colon + 1, &q, 10);
            if (q > colon + 1 && q + 1 < end && q[0] == ':' && q[1] == ' ') {
                row = (int)r;
                cs = q + 2;
                const char *ce = cs;
                while (ce < end && *ce != ':')
                    ce++;
                const char *code2 = static_code(cs, (size_t)(ce - cs));
                if (code2 && ce + 1 < end) {
                    char *file = xstrndup(line, (size_t)(colon - line));
                    add_one(l, code2, file, row, 0, ce + 2, (size_t)(end - ce - 2), NULL, 0);
                    gh_free(file);
                    break;
                }
            }
            p = colon + 1;
            cs = NULL;
        }
        if (!cs) add_one(l, code, e->file, 0, 0, line, len, NULL, 0);
    }
}

void cli_errors_free(cli_errors *l) {
    for (size_t i = 0; i < l->n; i++) {
        gh_free(l->v[i].message);
        gh_free(l->v[i].file);
        gh_free(l->v[i].text);
        gh_free(l->v[i].detail_line);
    }
    gh_free(l->v);
    memset(l, 0, sizeof *l);
}

void cli_error_text(gh_buf *b, const cli_error *x) {
    if (!x->code) {
        gh_buf_puts(b, x->message);
        return;
    }
    if (x->file && x->file[0])
        gh_buf_printf(b, "%s:%d: ", x->file, x->row);
    else if (x->text)
        gh_buf_printf(b, "%s: ", x->text);
    else if (x->file)
        gh_buf_printf(b, "%d:%d: ", x->row, x->col);
    gh_buf_printf(b, "%s: %s", x->code, x->message);
    if (x->detail_line) {
        /* leading tabs are dropped and the caret moves left by as many */
        const char *line = x->detail_line;
        int tabs = 0;
        while (line[tabs] == '\t')
            tabs++;
        int indent = x->detail_idx - tabs;
        if (indent < 0) indent = 0;
        gh_buf_printf(b, "\n\t%s\n\t%*s^", line + tabs, indent, "");
    }
}

void cli_errors_text(gh_buf *b, const cli_errors *l, const char *what) {
    if (l->n == 1) {
        gh_buf_printf(b, "1 error occurred%s: ", what);
        cli_error_text(b, &l->v[0]);
        gh_buf_putc(b, '\n');
        return;
    }
    gh_buf_printf(b, "%zu errors occurred%s:\n", l->n, what);
    for (size_t i = 0; i < l->n; i++) {
        cli_error_text(b, &l->v[i]);
        gh_buf_putc(b, '\n');
    }
}

void cli_errors_json(gh_buf *b, const cli_errors *l) {
    gh_buf_puts(b, "{\n  \"errors\": [");
    for (size_t i = 0; i < l->n; i++) {
        const cli_error *x = &l->v[i];
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

int cli_parse_duration(const char *s, int64_t *ns) {
    static const struct {
        const char *name;
        double mult;
    } units[] = {{"ns", 1},   {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3},
                 {"ms", 1e6}, {"s", 1e9},  {"m", 6e10}, {"h", 3.6e12}};
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (!strcmp(s, "0")) {
        *ns = 0;
        return 0;
    }
    if (!*s) return -1;
    double total = 0;
    while (*s) {
        const char *start = s;
        double v = 0, scale = 1;
        bool digits = false;
        while (*s >= '0' && *s <= '9')
            v = v * 10 + (*s++ - '0'), digits = true;
        if (*s == '.') {
            s++;
            while (*s >= '0' && *s <= '9') {
                scale /= 10;
                v += (*s++ - '0') * scale;
                digits = true;
            }
        }
        if (!digits || s == start) return -1;
        size_t best = 0;
        double mult = 0;
        for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
            size_t ul = strlen(units[i].name);
            if (!strncmp(s, units[i].name, ul) && ul > best) best = ul, mult = units[i].mult;
        }
        if (!best) return -1;
        s += best;
        total += v * mult;
    }
    if (total > 9.2e18) return -1;
    *ns = (int64_t)llround(neg ? -total : total);
    return 0;
}

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
    char *line = xstrndup(s, n);
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
    char *flat = xstrndup(s, n);
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
