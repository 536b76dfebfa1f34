/* re2.c - RE2 syntax for the regex builtins: parses a pattern the way Go's
 * regexp/syntax does with the Perl flags regexp.Compile uses (same accepted
 * language, same error precedence and text) and translates it to a PCRE2
 * pattern with the same matches. Called by regex.c's compile cache and the
 * regex fuzzer; no global state.
 * Invariants: the output is plain ASCII (every other code point is written
 * as \x{..}); Go's ASCII-only \d \s \w [[:class:]] \b become explicit
 * ranges; flags are resolved here (no (?U), (?s), (?m) reach PCRE2, only
 * caseless toggles); surrogate code points, which never occur in decoded
 * text, are dropped from classes and never match as literals. */
#include <stdio.h>
#include <string.h>

#include "regex_int.h"
#include "strutil.h"

/* Patterns longer than this are rejected as "expression too large": PCRE2
 * (16-bit links) cannot hold their compiled form anyway, and the limit
 * bounds the parser's memory. */
#define RE2_MAX_PATTERN (128u * 1024u)
/* Go's maxSize: compiled program size in instructions (128 MiB / 40 B). */
#define RE2_MAX_SIZE ((int64_t)(128 << 20) / 40)

#include "re2_int.h"

/* ---- errors ------------------------------------------------------------------ */

int re2_perr(parser *p, const char *code, const char *expr, size_t n) {
    gh_buf_printf(p->err, "error parsing regexp: %s: `", code);
    gh_buf_append(p->err, expr, n);
    gh_buf_putc(p->err, '`');
    return GH_EINVAL;
}

static int perr_whole(parser *p, const char *code) {
    return re2_perr(p, code, p->whole, (size_t)(p->end - p->whole));
}

/* Go's nextRune: the rune at t, width 0 at the end of input; invalid UTF-8
 * is an error naming the rest of the input. */
int re2_next_rune(parser *p, const char *t, uint32_t *c, int *w) {
    if (t >= p->end) {
        *c = RB_RUNE_ERROR;
        *w = 0;
        return 0;
    }
    int ww;
    int32_t r = rb_u8_decode(t, (size_t)(p->end - t), &ww);
    if (r == RB_RUNE_ERROR && ww == 1) return re2_perr(p, "invalid UTF-8", t, (size_t)(p->end - t));
    *c = (uint32_t)r;
    *w = ww;
    return 0;
}

/* Go's checkUTF8 over s[0..n): the error names the rest from the bad byte. */
int re2_check_utf8(parser *p, const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        int w;
        if (rb_u8_decode(s + i, n - i, &w) == RB_RUNE_ERROR && w == 1)
            return re2_perr(p, "invalid UTF-8", s + i, n - i);
        i += (size_t)w;
    }
    return 0;
}

/* ---- nodes and vectors ---------------------------------------------------------- */

node *re2_mk(parser *p, int op) {
    node *nd = gh_arena_calloc(&p->a, sizeof *nd);
    if (!nd) return NULL;
    nd->op = (uint8_t)op;
    nd->height = 1;
    nd->size = 1;
    p->nnodes++;
    return nd;
}

static int nv_push(parser *p, nvec *v, node *x) {
    if (v->n == v->cap) {
        uint32_t nc = v->cap ? v->cap * 2 : 8;
        node **nn = gh_arena_realloc(&p->a, v->v, v->cap * sizeof *nn, nc * sizeof *nn);
        if (!nn) return GH_ENOMEM;
        v->v = nn;
        v->cap = nc;
    }
    v->v[v->n++] = x;
    return 0;
}

static frame *top(parser *p) { return &p->fr[p->nfr - 1]; }

static int open_frame(parser *p, unsigned flags, uint32_t cap) {
    if (p->nfr == p->capfr) {
        uint32_t nc = p->capfr ? p->capfr * 2 : 16;
        frame *nf = gh_arena_realloc(&p->a, p->fr, p->capfr * sizeof *nf, nc * sizeof *nf);
        if (!nf) return GH_ENOMEM;
        p->fr = nf;
        p->capfr = nc;
    }
    frame *f = &p->fr[p->nfr++];
    memset(f, 0, sizeof *f);
    f->flags = flags;
    f->cap = cap;
    return 0;
}

static int64_t clamp_size(int64_t s) {
    if (s < 1) return 1;
    return s > RE2_MAX_SIZE + 1 ? RE2_MAX_SIZE + 1 : s;
}

/* Go's checkLimits for a newly built composite node. */
static int check_limits(parser *p, const node *nd) {
    if (nd->size > RE2_MAX_SIZE) return perr_whole(p, "expression too large");
    if (p->nnodes >= REGO_RE2_MAX_HEIGHT && nd->height > REGO_RE2_MAX_HEIGHT)
        return perr_whole(p, "expression nests too deeply");
    return 0;
}

int re2_push(parser *p, node *nd) {
    if (!nd) return GH_ENOMEM;
    return nv_push(p, &top(p)->items, nd);
}

static int push_op(parser *p, int op) { return re2_push(p, re2_mk(p, op)); }

static int push_lit(parser *p, uint32_t r) {
    node *nd = re2_mk(p, N_LIT);
    if (!nd) return GH_ENOMEM;
    nd->rune = r;
    nd->fold = (p->flags & F_FOLD) != 0;
    return re2_push(p, nd);
}

static bool charclass_like(const node *n) {
    return n->op == N_LIT || n->op == N_CLASS || n->op == N_ANY || n->op == N_ANYNL;
}

/* Replace the current branch of the top frame by its concatenation. */
static node *concat(parser *p, frame *f) {
    if (f->items.n == 0) return re2_mk(p, N_EMPTY);
    if (f->items.n == 1) {
        node *x = f->items.v[0];
        f->items.n = 0;
        return x;
    }
    node *c = re2_mk(p, N_CAT);
    if (!c) return NULL;
    c->sub = f->items.v;
    c->nsub = f->items.n;
    memset(&f->items, 0, sizeof f->items);
    int32_t h = 0, runs = 0;
    int64_t size = 0;
    for (uint32_t i = 0; i < c->nsub; i++) {
        node *s = c->sub[i];
        /* Go merges adjacent literals of equal case folding into one node */
        if (!(s->op == N_LIT && i > 0 && c->sub[i - 1]->op == N_LIT &&
              c->sub[i - 1]->fold == s->fold))
            runs++;
        if (s->height > h) h = s->height;
        size = clamp_size(size + s->size);
    }
    c->height = runs > 1 ? h + 1 : h;
    c->size = size;
    return c;
}

/* ---- Go's alternation factoring quirk ------------------------------------------
 * Go factors alternatives that start with "equal" single-rune literals into a
 * common prefix (parse.go factor, round 2), and Regexp.Equal ignores the
 * case-folding flag, so the prefix keeps the first alternative's flag:
 * `A\b|(?i)a` matches "A" but not "a" in Go. Reproduce that on the branch
 * list before it becomes an N_ALT: after Go's merging of adjacent
 * single-character branches and its literal-prefix grouping (round 1),
 * consecutive units led by the same stored rune take the first's flag. */

static uint32_t min_fold(uint32_t r) {
    uint32_t m = r, u = (uint32_t)rb_rune_upper((int32_t)r),
             l = (uint32_t)rb_rune_lower((int32_t)r);
    if (u < m) m = u;
    if (l < m) m = l;
    return m;
}

/* The rune of a literal as Go stores it (folded ones as their smallest case
 * mate); the factored prefix is the first unit's literal, rune and flag. */
static uint32_t stored_rune(const node *n) { return n->fold ? min_fold(n->rune) : n->rune; }

/* Leading literal run of a branch: its first LIT node and how many LITs of
 * the same fold follow (Go merges them into one literal string). */
static node *leading_lit(node *b, uint32_t *len) {
    *len = 0;
    if (b->op == N_LIT) {
        *len = 1;
        return b;
    }
    if (b->op != N_CAT || b->sub[0]->op != N_LIT) return NULL;
    uint32_t k = 1;
    while (k < b->nsub && b->sub[k]->op == N_LIT && b->sub[k]->fold == b->sub[0]->fold)
        k++;
    *len = k;
    return b->sub[0];
}

static void go_factor_fold(node **b, uint32_t n) {
    uint32_t i = 0;
    const node *prev = NULL; /* leading literal of the current round-2 run */
    while (i < n) {
        /* adjacent single-character branches merge into one class unit */
        uint32_t j = i;
        while (j < n && charclass_like(b[j]))
            j++;
        if (j - i >= 2) {
            prev = NULL;
            i = j;
            continue;
        }
        uint32_t len;
        node *lead = leading_lit(b[i], &len);
        if (!lead) {
            prev = NULL;
            i++;
            continue;
        }
        /* round 1: following branches sharing the first stored rune and flag */
        uint32_t end = i + 1, common = len;
        while (end < n && !(end + 1 < n && charclass_like(b[end]) && charclass_like(b[end + 1]))) {
            uint32_t l2;
            node *ld = leading_lit(b[end], &l2);
            if (!ld || ld->fold != lead->fold || stored_rune(ld) != stored_rune(lead)) break;
            node **s1 = b[i]->op == N_CAT ? b[i]->sub : &b[i],
                 **s2 = b[end]->op == N_CAT ? b[end]->sub : &b[end];
            uint32_t same = 1;
            while (same < common && same < l2 && stored_rune(s1[same]) == stored_rune(s2[same]))
                same++;
            common = same;
            end++;
        }
        bool single = common == 1;
        if (single && prev && stored_rune(prev) == stored_rune(lead)) {
            for (uint32_t k = i; k < end; k++) { /* the factored prefix keeps prev's flag */
                uint32_t l3;
                node *ld = leading_lit(b[k], &l3);
                if (ld) {
                    ld->rune = prev->rune;
                    ld->fold = prev->fold;
                }
            }
        } else {
            prev = single ? lead : NULL;
        }
        i = end;
    }
}

static node *alternate(parser *p, frame *f) {
    node *last = concat(p, f);
    if (!last || nv_push(p, &f->alts, last)) return NULL;
    if (f->alts.n == 1) {
        f->alts.n = 0;
        return last;
    }
    go_factor_fold(f->alts.v, f->alts.n);
    node *a = re2_mk(p, N_ALT);
    if (!a) return NULL;
    a->sub = f->alts.v;
    a->nsub = f->alts.n;
    memset(&f->alts, 0, sizeof f->alts);
    int32_t h = 0;
    bool classes = true;
    int64_t size = a->nsub - 1;
    for (uint32_t i = 0; i < a->nsub; i++) {
        if (a->sub[i]->height > h) h = a->sub[i]->height;
        if (!charclass_like(a->sub[i])) classes = false;
        size = clamp_size(size + a->sub[i]->size);
    }
    a->height = classes ? 1 : h + 1; /* Go folds single-character branches into a class */
    a->size = size;
    return a;
}

/* ---- repetition ------------------------------------------------------------------- */

/* Go's repeatIsValid: nested counted repetitions may not multiply past n. */
static bool repeat_valid(const node *re, int n) {
    if (re->op == N_REPEAT) {
        int m = re->max;
        if (m == 0) return true;
        if (m < 0) m = re->min;
        if (m > n) return false;
        if (m > 0) n /= m;
    }
    for (uint32_t i = 0; i < re->nsub; i++)
        if (!repeat_valid(re->sub[i], n)) return false;
    return true;
}

static int repeat(parser *p, int op, int min, int max, const char *before, const char **afterp,
                  const char *last_repeat) {
    const char *after = *afterp;
    bool nongreedy = (p->flags & F_NONGREEDY) != 0;
    if (after < p->end && *after == '?') {
        after++;
        nongreedy = !nongreedy;
    }
    if (last_repeat)
        return re2_perr(p, "invalid nested repetition operator", last_repeat,
                        (size_t)(after - last_repeat));
    frame *f = top(p);
    if (f->items.n == 0)
        return re2_perr(p, "missing argument to repetition operator", before,
                        (size_t)(after - before));
    node *sub = f->items.v[f->items.n - 1];
    node *r = re2_mk(p, op);
    if (!r) return GH_ENOMEM;
    node **one = gh_arena_alloc(&p->a, sizeof *one);
    if (!one) return GH_ENOMEM;
    one[0] = sub;
    r->sub = one;
    r->nsub = 1;
    r->min = min;
    r->max = max;
    r->greedy = !nongreedy;
    r->height = sub->height + 1;
    int64_t s = sub->size, size;
    switch (op) {
    case N_STAR: size = 2 + s; break;
    case N_PLUS:
    case N_QUEST: size = 1 + s; break;
    default:
        if (max == -1)
            size = min == 0 ? 2 + s : 1 + (int64_t)min * s;
        else
            size = (int64_t)max * s + (max - min);
    }
    r->size = clamp_size(size);
    f->items.v[f->items.n - 1] = r;
    int rc = check_limits(p, r);
    if (rc) return rc;
    if (op == N_REPEAT && (min >= 2 || max >= 2) && !repeat_valid(r, REGO_RE2_MAX_REPEAT))
        return re2_perr(p, "invalid repeat count", before, (size_t)(after - before));
    *afterp = after;
    return 0;
}

/* Go's parseInt: decimal without leading zeros; -1 when >= 1e8. */
static bool parse_int(const char **sp, const char *end, int *out) {
    const char *s = *sp;
    if (s >= end || *s < '0' || *s > '9') return false;
    if (end - s >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '9') return false;
    const char *t = s;
    while (s < end && *s >= '0' && *s <= '9')
        s++;
    int n = 0;
    for (; t < s; t++) {
        if (n >= 100000000) {
            n = -1;
            break;
        }
        n = n * 10 + (*t - '0');
    }
    *out = n;
    *sp = s;
    return true;
}

/* Go's parseRepeat: {min}, {min,}, {min,max}; min -1 when a count is huge. */
static bool parse_repeat(const char *s, const char *end, int *min, int *max, const char **rest) {
    if (s >= end || *s != '{') return false;
    s++;
    if (!parse_int(&s, end, min)) return false;
    if (s >= end) return false;
    if (*s != ',') {
        *max = *min;
    } else {
        s++;
        if (s >= end) return false;
        if (*s == '}') {
            *max = -1;
        } else {
            if (!parse_int(&s, end, max)) return false;
            if (*max < 0) *min = -1;
        }
    }
    if (s >= end || *s != '}') return false;
    *rest = s + 1;
    return true;
}

/* ---- escapes ----------------------------------------------------------------------- */

static int unhex(uint32_t c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

static bool is_alnum(uint32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Go's parseEscape: s points at the backslash. */
int re2_parse_escape(parser *p, const char **tp, uint32_t *out) {
    const char *s = *tp, *t = s + 1;
    uint32_t c;
    int w, rc;
    if (t >= p->end) return re2_perr(p, "trailing backslash at end of expression", "", 0);
    if ((rc = re2_next_rune(p, t, &c, &w))) return rc;
    t += w;
    switch (c) {
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        /* a single non-zero digit would be a backreference: unsupported */
        if (t >= p->end || *t < '0' || *t > '7') break;
        /* fallthrough */
    case '0': {
        uint32_t r = c - '0';
        for (int i = 1; i < 3; i++) {
            if (t >= p->end || *t < '0' || *t > '7') break;
            r = r * 8 + (uint32_t)(*t - '0');
            t++;
        }
        *out = r;
        *tp = t;
        return 0;
    }
    case 'x': {
        if (t >= p->end) break;
        if ((rc = re2_next_rune(p, t, &c, &w))) return rc;
        t += w;
        if (c == '{') {
            int nhex = 0;
            uint32_t r = 0;
            for (;;) {
                if (t >= p->end) goto bad;
                if ((rc = re2_next_rune(p, t, &c, &w))) return rc;
                t += w;
                if (c == '}') break;
                int v = unhex(c);
                if (v < 0) goto bad;
                r = r * 16 + (uint32_t)v;
                if (r > RB_MAX_RUNE) goto bad;
                nhex++;
            }
            if (nhex == 0) goto bad;
            *out = r;
            *tp = t;
            return 0;
        }
        int x = unhex(c);
        if ((rc = re2_next_rune(p, t, &c, &w))) return rc;
        t += w;
        int y = unhex(c);
        if (x < 0 || y < 0) break;
        *out = (uint32_t)(x * 16 + y);
        *tp = t;
        return 0;
    }
    case 'a':
        *out = '\a';
        *tp = t;
        return 0;
    case 'f':
        *out = '\f';
        *tp = t;
        return 0;
    case 'n':
        *out = '\n';
        *tp = t;
        return 0;
    case 'r':
        *out = '\r';
        *tp = t;
        return 0;
    case 't':
        *out = '\t';
        *tp = t;
        return 0;
    case 'v':
        *out = '\v';
        *tp = t;
        return 0;
    default:
        /* escaped punctuation is itself (\_ included); letters are reserved */
        if (c < 0x80 && !is_alnum(c)) {
            *out = c;
            *tp = t;
            return 0;
        }
    }
bad:
    return re2_perr(p, "invalid escape sequence", s, (size_t)(t - s));
}

/* ---- groups and flags ---------------------------------------------------------------- */

static int close_paren(parser *p) {
    frame *f = top(p);
    node *x = alternate(p, f);
    if (!x) return GH_ENOMEM;
    if (p->nfr < 2) return perr_whole(p, "unexpected )");
    p->flags = f->flags;
    uint32_t cap = f->cap;
    p->nfr--;
    if (cap) {
        node *c = re2_mk(p, N_CAP);
        node **one = gh_arena_alloc(&p->a, sizeof *one);
        if (!c || !one) return GH_ENOMEM;
        one[0] = x;
        c->sub = one;
        c->nsub = 1;
        c->rune = cap; /* capture index */
        c->height = x->height + 1;
        c->size = clamp_size(2 + x->size);
        int rc = check_limits(p, c);
        if (rc) return rc;
        x = c;
    } else {
        int rc = check_limits(p, x);
        if (rc) return rc;
    }
    return re2_push(p, x);
}

static bool valid_capture_name(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_' && !is_alnum((unsigned char)s[i])) return false;
    return true;
}

static int open_capture(parser *p, const char *name, size_t namelen) {
    p->ncap++;
    if (namelen) p->out->has_names = true;
    gh_buf_append(&p->out->names, name, namelen);
    gh_buf_putc(&p->out->names, '\0');
    if (p->out->names.oom) return GH_ENOMEM;
    return open_frame(p, p->flags, p->ncap);
}

/* Go's parsePerlFlags: t points at "(?". */
static int perl_flags(parser *p, const char **tp) {
    const char *s = *tp, *t = s, *end = p->end;
    size_t len = (size_t)(end - t);
    bool starts_p = len > 4 && t[2] == 'P' && t[3] == '<';
    bool starts_name = len > 3 && t[2] == '<';
    int rc;
    if (starts_p || starts_name) {
        /* (?P<name>re) and, as Go 1.22+ (OPA 1.x) accept, (?<name>re) */
        size_t begin = starts_name ? 3 : 4;
        const char *gt = memchr(t, '>', len);
        if (!gt) {
            if ((rc = re2_check_utf8(p, t, len))) return rc;
            return re2_perr(p, "invalid named capture", s, len);
        }
        const char *name = t + begin;
        size_t nl = (size_t)(gt - name);
        if ((rc = re2_check_utf8(p, name, nl))) return rc;
        if (!valid_capture_name(name, nl))
            return re2_perr(p, "invalid named capture", t, (size_t)(gt + 1 - t));
        if ((rc = open_capture(p, name, nl))) return rc;
        *tp = gt + 1;
        return 0;
    }
    t += 2;
    unsigned flags = p->flags;
    int sign = 1;
    bool saw = false;
    while (t < end) {
        uint32_t c;
        int w;
        if ((rc = re2_next_rune(p, t, &c, &w))) return rc;
        t += w;
        switch (c) {
        case 'i':
            flags |= F_FOLD;
            saw = true;
            continue;
        case 'm':
            flags |= F_MULTI;
            saw = true;
            continue;
        case 's':
            flags |= F_DOTNL;
            saw = true;
            continue;
        case 'U':
            flags |= F_NONGREEDY;
            saw = true;
            continue;
        case '-':
            if (sign < 0) break;
            sign = -1;
            flags = ~flags; /* set bits now clear them; inverted back below */
            saw = false;
            continue;
        case ':':
        case ')':
            if (sign < 0) {
                if (!saw) break;
                flags = ~flags;
            }
            flags &= F_ALL;
            if (c == ':' && (rc = open_frame(p, p->flags, 0))) return rc;
            p->flags = flags;
            *tp = t;
            return 0;
        default: break;
        }
        break;
    }
    return re2_perr(p, "invalid or unsupported Perl syntax", s, (size_t)(t - s));
}

/* ---- main loop ------------------------------------------------------------------------- */

static int parse(parser *p, node **result) {
    const char *t = p->whole, *end = p->end, *last_repeat = NULL;
    int rc = 0;
    while (t < end) {
        const char *rep = NULL;
        switch (*t) {
        case '(':
            if (end - t >= 2 && t[1] == '?') {
                rc = perl_flags(p, &t);
                break;
            }
            p->ncap++;
            gh_buf_putc(&p->out->names, '\0');
            rc = p->out->names.oom ? GH_ENOMEM : open_frame(p, p->flags, p->ncap);
            t++;
            break;
        case '|': {
            frame *f = top(p);
            node *x = concat(p, f);
            rc = !x ? GH_ENOMEM : nv_push(p, &f->alts, x);
            t++;
            break;
        }
        case ')':
            rc = close_paren(p);
            t++;
            break;
        case '^':
            rc = push_op(p, (p->flags & F_MULTI) ? N_BOL : N_BOT);
            t++;
            break;
        case '$':
            rc = push_op(p, (p->flags & F_MULTI) ? N_EOL : N_EOT);
            t++;
            break;
        case '.':
            rc = push_op(p, (p->flags & F_DOTNL) ? N_ANY : N_ANYNL);
            t++;
            break;
        case '[': rc = re2_parse_class(p, &t); break;
        case '*':
        case '+':
        case '?': {
            const char *before = t, *after = t + 1;
            int op = *t == '*' ? N_STAR : *t == '+' ? N_PLUS : N_QUEST;
            int min = op == N_PLUS ? 1 : 0, max = op == N_QUEST ? 1 : -1;
            rc = repeat(p, op, min, max, before, &after, last_repeat);
            rep = before;
            t = after;
            break;
        }
        case '{': {
            const char *before = t, *after;
            int min, max;
            if (!parse_repeat(t, end, &min, &max, &after)) {
                rc = push_lit(p, '{'); /* not a repetition: a literal brace */
                t++;
                break;
            }
            if (min < 0 || min > REGO_RE2_MAX_REPEAT || max > REGO_RE2_MAX_REPEAT ||
                (max >= 0 && min > max)) {
                rc = re2_perr(p, "invalid repeat count", before, (size_t)(after - before));
                break;
            }
            rc = repeat(p, N_REPEAT, min, max, before, &after, last_repeat);
            rep = before;
            t = after;
            break;
        }
        case '\\': {
            if (end - t >= 2) {
                int op = -1;
                switch (t[1]) {
                case 'A': op = N_BOT; break;
                case 'b': op = N_WB; break;
                case 'B': op = N_NWB; break;
                case 'z': op = N_EOT; break;
                case 'C': rc = re2_perr(p, "invalid escape sequence", t, 2); goto done;
                case 'Q': {
                    /* \Q...\E: everything up to \E (or the end) is literal */
                    const char *lit = t + 2, *litend = end;
                    for (const char *q = lit; q + 1 < end; q++)
                        if (q[0] == '\\' && q[1] == 'E') {
                            litend = q;
                            break;
                        }
                    t = litend == end ? end : litend + 2;
                    while (lit < litend && !rc) {
                        int w;
                        uint32_t c;
                        int32_t r = rb_u8_decode(lit, (size_t)(litend - lit), &w);
                        if (r == RB_RUNE_ERROR && w == 1) {
                            rc = re2_perr(p, "invalid UTF-8", lit, (size_t)(litend - lit));
                            break;
                        }
                        c = (uint32_t)r;
                        rc = push_lit(p, c);
                        lit += w;
                    }
                    goto done;
                }
                default: break;
                }
                if (op >= 0) {
                    rc = push_op(p, op);
                    t += 2;
                    break;
                }
            }
            rc = re2_escape_class(p, &t);
            if (rc) {
                if (rc > 0) rc = 0;
                break;
            }
            uint32_t c;
            rc = re2_parse_escape(p, &t, &c);
            if (!rc) rc = push_lit(p, c);
            break;
        }
        default: {
            uint32_t c;
            int w;
            rc = re2_next_rune(p, t, &c, &w);
            if (!rc) rc = push_lit(p, c);
            t += w;
            break;
        }
        }
    done:
        if (rc) return rc;
        last_repeat = rep;
    }
    node *x = alternate(p, top(p));
    if (!x) return GH_ENOMEM;
    if (p->nfr != 1) return perr_whole(p, "missing closing )");
    if ((rc = check_limits(p, x))) return rc;
    *result = x;
    return 0;
}

/* ---- entry points ---------------------------------------------------------------------- */

int rego_re2_translate(const char *pat, size_t n, rego_re2 *out, gh_buf *errmsg) {
    memset(out, 0, sizeof *out);
    gh_buf_init(&out->pcre);
    gh_buf_init(&out->names);
    parser p;
    memset(&p, 0, sizeof p);
    p.whole = pat;
    p.end = pat + n;
    p.err = errmsg;
    p.out = out;
    if (n > RE2_MAX_PATTERN) return perr_whole(&p, "expression too large");
    gh_arena_init(&p.a, 0);
    int rc = open_frame(&p, 0, 0);
    node *root = NULL;
    if (!rc) rc = parse(&p, &root);
    if (!rc) {
        out->ncap = p.ncap;
        rc = rego_re2_emit(root, out);
        if (out->names.oom) rc = GH_ENOMEM;
    }
    if (rc == GH_ENOMEM || p.a.oom) {
        rc = GH_ENOMEM;
        gh_buf_reset(errmsg);
        gh_buf_puts(errmsg, "out of memory");
    }
    gh_arena_free(&p.a);
    return rc;
}

void rego_re2_free(rego_re2 *r) {
    gh_buf_free(&r->pcre);
    gh_buf_free(&r->names);
    gh_free(r->capmap);
    gh_free(r->loops);
    r->capmap = NULL;
    r->loops = NULL;
}
