/* re2_emit.c - writes a parsed RE2 tree (re2.c) as PCRE2 pattern text with
 * Go's semantics: explicit ASCII classes, \A \z and (?m:^) (?m:$) for the
 * anchors, \N for Go's '.', caseless toggles tracked as PCRE2 scopes them,
 * quantified items grouped where PCRE2 needs an atom, and nullable loops
 * that hold captures guarded by a callout (see rego_re2_loop). Output is
 * ASCII. Called by rego_re2_translate only. */
#include <string.h>

#include "re2_int.h"

#define MAX_GUARDED_LOOPS 255 /* PCRE2 callout numbers are 0..255 */

typedef struct {
    gh_buf *b;
    bool fold; /* PCRE2's caseless option at the current point */
    rego_re2 *out;
    uint32_t groups; /* PCRE2 groups opened so far */
    uint32_t loopcap;
    bool oom;
} emitter;

static void set_fold(emitter *e, bool f) {
    if (e->fold == f) return;
    gh_buf_puts(e->b, f ? "(?i)" : "(?-i)");
    e->fold = f;
}

static bool is_surrogate(uint32_t r) { return r >= 0xD800 && r <= 0xDFFF; }

static bool is_atom(const node *n) {
    switch (n->op) {
    case N_LIT: return !is_surrogate(n->rune);
    case N_CLASS:
    case N_ANY:
    case N_ANYNL:
    case N_CAP: return true;
    default: return false;
    }
}

static bool nullable(const node *n) {
    switch (n->op) {
    case N_LIT:
    case N_CLASS:
    case N_ANY:
    case N_ANYNL:
    case N_NOMATCH: return false;
    case N_CAP:
    case N_PLUS: return nullable(n->sub[0]);
    case N_REPEAT: return n->min == 0 || nullable(n->sub[0]);
    case N_CAT:
        for (uint32_t i = 0; i < n->nsub; i++)
            if (!nullable(n->sub[i])) return false;
        return true;
    case N_ALT:
        for (uint32_t i = 0; i < n->nsub; i++)
            if (nullable(n->sub[i])) return true;
        return false;
    default: return true; /* empty, assertions, star, quest */
    }
}

static bool has_capture(const node *n) {
    if (n->op == N_CAP) return true;
    for (uint32_t i = 0; i < n->nsub; i++)
        if (has_capture(n->sub[i])) return true;
    return false;
}

static void emit(emitter *e, const node *n);

static void emit_group(emitter *e, const node *n) {
    bool saved = e->fold;
    gh_buf_puts(e->b, "(?:");
    emit(e, n);
    gh_buf_putc(e->b, ')');
    e->fold = saved;
}

static void quantifier(emitter *e, const node *n) {
    if (n->op == N_STAR)
        gh_buf_putc(e->b, '*');
    else if (n->op == N_PLUS)
        gh_buf_putc(e->b, '+');
    else if (n->op == N_QUEST)
        gh_buf_putc(e->b, '?');
    else if (n->max == n->min)
        gh_buf_printf(e->b, "{%d}", n->min);
    else if (n->max < 0)
        gh_buf_printf(e->b, "{%d,}", n->min);
    else
        gh_buf_printf(e->b, "{%d,%d}", n->min, n->max);
    if (!n->greedy) gh_buf_putc(e->b, '?');
}

/* A loop Go treats differently from PCRE2: unbounded, body nullable and
 * capturing. x{n,} with n >= 2 keeps PCRE2's behaviour for its tail. */
static bool guarded_loop(emitter *e, const node *n) {
    bool unbounded =
        n->op == N_STAR || n->op == N_PLUS || (n->op == N_REPEAT && n->max < 0 && n->min <= 1);
    return unbounded && e->out->nloops < MAX_GUARDED_LOOPS && nullable(n->sub[0]) &&
           has_capture(n->sub[0]);
}

static void emit_guarded(emitter *e, const node *n) {
    rego_re2 *o = e->out;
    if (o->nloops == e->loopcap) {
        uint32_t nc = e->loopcap ? e->loopcap * 2 : 4;
        rego_re2_loop *nl = gh_realloc(o->loops, nc * sizeof *nl);
        if (!nl) {
            e->oom = true;
            return;
        }
        o->loops = nl;
        e->loopcap = nc;
    }
    uint32_t f = ++e->groups, g = ++e->groups;
    o->loops[o->nloops++] = (rego_re2_loop){f, g};
    bool saved = e->fold;
    gh_buf_puts(e->b, "()(?:()");
    emit(e, n->sub[0]);
    gh_buf_printf(e->b, "(?C%u))", (unsigned)o->nloops);
    e->fold = saved;
    quantifier(e, n);
}

static void emit(emitter *e, const node *n) {
    switch (n->op) {
    case N_EMPTY: break;
    case N_NOMATCH: gh_buf_puts(e->b, "(?!)"); break;
    case N_LIT: {
        uint32_t r = n->rune;
        if (is_surrogate(r)) { /* never occurs in decoded text */
            gh_buf_puts(e->b, "(?!)");
            break;
        }
        bool letter = (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
        if (letter || r >= 0x80) set_fold(e, n->fold);
        if (letter || (r >= '0' && r <= '9'))
            gh_buf_putc(e->b, (char)r);
        else
            gh_buf_printf(e->b, "\\x{%x}", (unsigned)r);
        break;
    }
    case N_CLASS:
        set_fold(e, n->fold);
        gh_buf_append(e->b, n->cls, n->clen);
        break;
    case N_ANY: gh_buf_putc(e->b, '.'); break; /* compiled with PCRE2_DOTALL */
    case N_ANYNL: gh_buf_puts(e->b, "\\N"); break;
    case N_BOL: gh_buf_puts(e->b, "(?m:^)"); break;
    case N_EOL: gh_buf_puts(e->b, "(?m:$)"); break;
    case N_BOT: gh_buf_puts(e->b, "\\A"); break;
    case N_EOT: gh_buf_puts(e->b, "\\z"); break;
    case N_WB: gh_buf_puts(e->b, "\\b"); break;
    case N_NWB: gh_buf_puts(e->b, "\\B"); break;
    case N_CAP: {
        bool saved = e->fold;
        e->out->capmap[n->rune] = ++e->groups;
        gh_buf_putc(e->b, '(');
        emit(e, n->sub[0]);
        gh_buf_putc(e->b, ')');
        e->fold = saved;
        break;
    }
    case N_STAR:
    case N_PLUS:
    case N_QUEST:
    case N_REPEAT:
        if (guarded_loop(e, n)) {
            emit_guarded(e, n);
            break;
        }
        if (is_atom(n->sub[0]))
            emit(e, n->sub[0]);
        else
            emit_group(e, n->sub[0]);
        quantifier(e, n);
        break;
    case N_CAT:
        for (uint32_t i = 0; i < n->nsub; i++) {
            if (n->sub[i]->op == N_ALT)
                emit_group(e, n->sub[i]);
            else
                emit(e, n->sub[i]);
        }
        break;
    case N_ALT:
        for (uint32_t i = 0; i < n->nsub; i++) {
            if (i) gh_buf_putc(e->b, '|');
            emit(e, n->sub[i]);
        }
        break;
    }
}

int rego_re2_emit(const node *root, rego_re2 *out) {
    out->capmap = gh_calloc(out->ncap + 1, sizeof *out->capmap);
    if (!out->capmap) return GH_ENOMEM;
    emitter e = {&out->pcre, false, out, 0, 0, false};
    gh_buf_reserve(&out->pcre, 64);
    emit(&e, root);
    out->ngroups = e.groups;
    if (!out->pcre.p) gh_buf_puts(&out->pcre, ""); /* the empty pattern is still a string */
    return e.oom || out->pcre.oom ? GH_ENOMEM : 0;
}
