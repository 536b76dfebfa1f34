/* graphql_msg.c - the message helpers every GraphQL validation rule uses:
 * gqlparser's printing of types and values (Type.String(), Value.String()),
 * a small printf for messages, and its "Did you mean" suggestions
 * (SuggestionList: lowercase Levenshtein distance within a threshold,
 * ordered by Go's unstable sort.Slice, so ties come out as in OPA; then
 * QuotedOrList/OrList). Called from graphql_validate.c and
 * graphql_rules.c. Pure functions over arena memory. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/graphql_int.h"

/* ---- message formatting ------------------------------------------------------------- */

void gq_value_str(rb_sb *b, const gq_value *v, int depth) {
    if (!v) {
        rb_sb_puts(b, "<nil>");
        return;
    }
    switch (v->kind) {
    case GQ_VAR:
        rb_sb_putc(b, '$');
        rb_sb_put(b, v->raw.p, v->raw.n);
        return;
    case GQ_STRING:
    case GQ_BLOCK: rb_go_quote_sb(b, v->raw.p, v->raw.n, false); return;
    case GQ_LIST:
    case GQ_OBJECT:
        rb_sb_putc(b, v->kind == GQ_LIST ? '[' : '{');
        for (uint32_t i = 0; i < v->children.n && depth < GQ_MAX_DEPTH; i++) {
            gq_child *c = v->children.v[i];
            if (i) rb_sb_putc(b, ',');
            if (v->kind == GQ_OBJECT) {
                rb_sb_put(b, c->name.p, c->name.n);
                rb_sb_putc(b, ':');
            }
            gq_value_str(b, c->value, depth + 1);
        }
        rb_sb_putc(b, v->kind == GQ_LIST ? ']' : '}');
        return;
    default: rb_sb_put(b, v->raw.p, v->raw.n); return;
    }
}

void gq_vfmt(rb_sb *b, const char *fmt, va_list ap) {
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            rb_sb_putc(b, *p);
            continue;
        }
        switch (*++p) {
        case 's': rb_sb_puts(b, va_arg(ap, const char *)); break;
        case 'S': {
            const gh_str *s = va_arg(ap, const gh_str *);
            rb_sb_put(b, s->p, s->n);
            break;
        }
        case 'T': gq_type_put(b, va_arg(ap, const gq_type *)); break;
        case 'V': gq_value_str(b, va_arg(ap, const gq_value *), 0); break;
        case 'd': rb_sb_printf(b, "%d", va_arg(ap, int)); break;
        default: rb_sb_putc(b, *p); break;
        }
    }
}

void gq_fmt(rb_sb *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gq_vfmt(b, fmt, ap);
    va_end(ap);
}

/* ---- suggestions -------------------------------------------------------------------------- */

static size_t lower_runes(gh_arena *a, gh_str s, int32_t **out) {
    int32_t *r = gh_arena_alloc(a, (s.n + 1) * sizeof *r);
    size_t k = 0;
    if (!r) {
        *out = NULL;
        return 0;
    }
    for (size_t i = 0; i < s.n;) {
        int w;
        int32_t c = rb_u8_decode(s.p + i, s.n - i, &w);
        r[k++] = rb_rune_lower(c);
        i += (size_t)w;
    }
    *out = r;
    return k;
}

/* gqlparser's lexicalDistance: 0 when equal, 1 when equal ignoring case,
 * else the Levenshtein distance (over runes) of the lowercased strings. */
static size_t distance(gh_arena *a, gh_str x, gh_str y) {
    if (gq_eq(x, y)) return 0;
    int32_t *ra, *rb;
    size_t na = lower_runes(a, x, &ra), nb = lower_runes(a, y, &rb);
    if (!ra || !rb) return SIZE_MAX;
    if (na == nb && (na == 0 || !memcmp(ra, rb, na * sizeof *ra))) return 1;
    size_t *row = gh_arena_alloc(a, (nb + 1) * sizeof *row);
    if (!row) return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t cur = row[j];
            size_t best = prev + (ra[i - 1] != rb[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[nb];
}

/* ---- Go's sort.Slice -------------------------------------------------------------------
 * Suggestions are ordered with Go's unstable sort.Slice (pattern-defeating
 * quicksort since Go 1.19), so options at equal distance come out in the
 * order that algorithm leaves them. This reproduces its sequence of
 * comparisons and swaps over (item, key) pairs ordered by key. */
typedef struct gsort {
    void **item;
    size_t *key;
} gsort;

static bool gs_less(const gsort *d, size_t i, size_t j) { return d->key[i] < d->key[j]; }

static void gs_swap(gsort *d, size_t i, size_t j) {
    void *t = d->item[i];
    d->item[i] = d->item[j];
    d->item[j] = t;
    size_t k = d->key[i];
    d->key[i] = d->key[j];
    d->key[j] = k;
}

static void gs_insertion(gsort *d, size_t a, size_t b) {
    for (size_t i = a + 1; i < b; i++)
        for (size_t j = i; j > a && gs_less(d, j, j - 1); j--)
            gs_swap(d, j, j - 1);
}

static void gs_sift_down(gsort *d, size_t lo, size_t hi, size_t first) {
    size_t root = lo;
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= hi) return;
        if (child + 1 < hi && gs_less(d, first + child, first + child + 1)) child++;
        if (!gs_less(d, first + root, first + child)) return;
        gs_swap(d, first + root, first + child);
        root = child;
    }
}

static void gs_heap(gsort *d, size_t a, size_t b) {
    size_t hi = b - a;
    for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
        gs_sift_down(d, i, hi, a);
    for (size_t i = hi; i-- > 0;) {
        gs_swap(d, a, a + i);
        gs_sift_down(d, 0, i, a);
    }
}

static unsigned bit_len(size_t x) {
    unsigned n = 0;
    while (x)
        n++, x >>= 1;
    return n;
}

static void gs_break_patterns(gsort *d, size_t a, size_t b) {
    size_t len = b - a;
    if (len < 8) return;
    uint64_t r = len;
    size_t mod = (size_t)1 << bit_len(len);
    for (size_t idx = a + (len / 4) * 2 - 1; idx <= a + (len / 4) * 2 + 1; idx++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        size_t other = (size_t)r & (mod - 1);
        if (other >= len) other -= len;
        gs_swap(d, idx, a + other);
    }
}

static size_t gs_median(gsort *d, size_t a, size_t b, size_t c, int *swaps) {
    size_t t;
    if (gs_less(d, b, a)) ++*swaps, t = a, a = b, b = t;
    if (gs_less(d, c, b)) ++*swaps, t = b, b = c, c = t;
    if (gs_less(d, b, a)) ++*swaps, t = a, a = b, b = t;
    return b;
}

enum { HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING };

static size_t gs_pivot(gsort *d, size_t a, size_t b, int *hint) {
    size_t l = b - a, i = a + l / 4, j = a + l / 4 * 2, k = a + l / 4 * 3;
    int swaps = 0;
    if (l >= 8) {
        if (l >= 50) {
            i = gs_median(d, i - 1, i, i + 1, &swaps);
            j = gs_median(d, j - 1, j, j + 1, &swaps);
            k = gs_median(d, k - 1, k, k + 1, &swaps);
        }
        j = gs_median(d, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? HINT_INCREASING : swaps == 12 ? HINT_DECREASING : HINT_UNKNOWN;
    return j;
}

static bool gs_partial_insertion(gsort *d, size_t a, size_t b) {
    size_t i = a + 1;
    for (int step = 0; step < 5; step++) {
        while (i < b && !gs_less(d, i, i - 1))
            i++;
        if (i == b) return true;
        if (b - a < 50) return false;
        gs_swap(d, i, i - 1);
        if (i - a >= 2)
            for (size_t j = i - 1; j >= 1 && gs_less(d, j, j - 1); j--)
                gs_swap(d, j, j - 1);
        if (b - i >= 2)
            for (size_t j = i + 1; j < b && gs_less(d, j, j - 1); j++)
                gs_swap(d, j, j - 1);
    }
    return false;
}

static size_t gs_partition_equal(gsort *d, size_t a, size_t b, size_t pivot) {
    gs_swap(d, a, pivot);
    size_t i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !gs_less(d, a, i))
            i++;
        while (i <= j && gs_less(d, a, j))
            j--;
        if (i > j) break;
        gs_swap(d, i, j);
        i++;
        j--;
    }
    return i;
}

static size_t gs_partition(gsort *d, size_t a, size_t b, size_t pivot, bool *already) {
    gs_swap(d, a, pivot);
    size_t i = a + 1, j = b - 1;
    while (i <= j && gs_less(d, i, a))
        i++;
    while (i <= j && !gs_less(d, j, a))
        j--;
    if (i > j) {
        gs_swap(d, j, a);
        *already = true;
        return j;
    }
    gs_swap(d, i, j);
    i++;
    j--;
    for (;;) {
        while (i <= j && gs_less(d, i, a))
            i++;
        while (i <= j && !gs_less(d, j, a))
            j--;
        if (i > j) break;
        gs_swap(d, i, j);
        i++;
        j--;
    }
    gs_swap(d, j, a);
    *already = false;
    return j;
}

static void gs_pdq(gsort *d, size_t a, size_t b, unsigned limit) {
    bool balanced = true, partitioned = true;
    for (;;) {
        size_t len = b - a;
        if (len <= 12) {
            gs_insertion(d, a, b);
            return;
        }
        if (limit == 0) {
            gs_heap(d, a, b);
            return;
        }
        if (!balanced) {
            gs_break_patterns(d, a, b);
            limit--;
        }
        int hint;
        size_t pivot = gs_pivot(d, a, b, &hint);
        if (hint == HINT_DECREASING) {
            for (size_t i = a, j = b - 1; i < j; i++, j--)
                gs_swap(d, i, j);
            pivot = (b - 1) - (pivot - a);
            hint = HINT_INCREASING;
        }
        if (balanced && partitioned && hint == HINT_INCREASING && gs_partial_insertion(d, a, b))
            return;
        if (a > 0 && !gs_less(d, a - 1, pivot)) {
            a = gs_partition_equal(d, a, b, pivot);
            continue;
        }
        bool already;
        size_t mid = gs_partition(d, a, b, pivot, &already);
        partitioned = already;
        size_t left = mid - a, right = b - mid, threshold = len / 8;
        if (left < right) {
            balanced = left >= threshold;
            gs_pdq(d, a, mid, limit);
            a = mid + 1;
        } else {
            balanced = right >= threshold;
            gs_pdq(d, mid + 1, b, limit);
            b = mid;
        }
    }
}

gq_vec gq_suggest(gh_arena *a, gh_str input, const gq_vec *options) {
    gq_vec out = {0};
    size_t *dist = gh_arena_alloc(a, (options->n + 1) * sizeof *dist);
    if (!dist) return out;
    size_t threshold = (size_t)floor((double)input.n * 0.4) + 1;
    for (uint32_t i = 0; i < options->n; i++) {
        gh_str *o = options->v[i];
        size_t d = distance(a, input, *o);
        if (d > threshold) continue;
        dist[out.n] = d;
        if (gq_push(a, &out, o)) return out;
    }
    gsort d = {out.v, dist};
    if (out.n > 1) gs_pdq(&d, 0, out.n, bit_len(out.n));
    return out;
}

void gq_or_list(rb_sb *b, const gq_vec *items, bool quoted) {
    uint32_t n = items->n > 5 ? 5 : items->n;
    for (uint32_t i = 0; i < n; i++) {
        if (i) rb_sb_puts(b, n == 2 ? " or " : i == n - 1 ? ", or " : ", ");
        gh_str *s = items->v[i];
        if (quoted) rb_sb_putc(b, '"');
        rb_sb_put(b, s->p, s->n);
        if (quoted) rb_sb_putc(b, '"');
    }
}

void gq_append_suggestions(gq_walker *w, rb_sb *b, const char *prefix, gh_str typed,
                           const gq_vec *options, bool quoted) {
    if (!options->n || !gq_spend(w, options->n)) return;
    gq_vec s = gq_suggest(w->a, typed, options);
    if (!s.n) return;
    rb_sb_putc(b, ' ');
    rb_sb_puts(b, prefix);
    rb_sb_putc(b, ' ');
    gq_or_list(b, &s, quoted);
    rb_sb_putc(b, '?');
}
