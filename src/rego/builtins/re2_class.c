/* re2_class.c - character classes of RE2 patterns for re2.c's parser:
 * [...] brackets, POSIX [:name:] groups, \p{Name} Unicode tables (Go's
 * names, Unicode 15), Perl \d \s \w, rendered as PCRE2 class text. Go's
 * ASCII-only groups become explicit ranges; under (?i) negated groups first
 * exclude their fold closure as Go's appendGroup does; surrogates are
 * dropped (PCRE2 refuses them and they never occur in decoded text). */
#include <stdio.h>
#include <string.h>

#include "re2_int.h"
#include "strutil.h"

/* ---- character classes ----------------------------------------------------------- */

static int cls_put(parser *p, clsbuf *cb, const char *s, size_t n) {
    if (cb->n + n + 1 > cb->cap) {
        size_t nc = cb->cap ? cb->cap * 2 : 64;
        while (nc < cb->n + n + 1)
            nc *= 2;
        char *np = gh_arena_realloc(&p->a, cb->p, cb->cap, nc);
        if (!np) return GH_ENOMEM;
        cb->p = np;
        cb->cap = nc;
    }
    memcpy(cb->p + cb->n, s, n);
    cb->n += n;
    return 0;
}

static int cls_item(parser *p, clsbuf *cb, const char *s) {
    cb->nitems++;
    return cls_put(p, cb, s, strlen(s));
}

/* Add lo..hi, leaving out surrogates (they never occur in decoded text and
 * PCRE2 rejects them in UTF mode). */
static int cls_range(parser *p, clsbuf *cb, uint32_t lo, uint32_t hi) {
    if (lo <= 0xDFFF && hi >= 0xD800) {
        int rc = 0;
        if (lo < 0xD800) rc = cls_range(p, cb, lo, 0xD7FF);
        if (!rc && hi > 0xDFFF) rc = cls_range(p, cb, 0xE000, hi);
        return rc;
    }
    char tmp[40];
    if (lo == hi)
        snprintf(tmp, sizeof tmp, "\\x{%x}", (unsigned)lo);
    else
        snprintf(tmp, sizeof tmp, "\\x{%x}-\\x{%x}", (unsigned)lo, (unsigned)hi);
    return cls_item(p, cb, tmp);
}

typedef struct {
    uint32_t lo, hi;
} rrange;

typedef struct {
    const char *name;
    int neg;
    const rrange *r;
    int n;
} group;

static const rrange r_digit[] = {{'0', '9'}};
static const rrange r_space_perl[] = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
static const rrange r_word[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const rrange r_alnum[] = {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}};
static const rrange r_alpha[] = {{'A', 'Z'}, {'a', 'z'}};
static const rrange r_ascii[] = {{0, 0x7F}};
static const rrange r_blank[] = {{'\t', '\t'}, {' ', ' '}};
static const rrange r_cntrl[] = {{0, 0x1F}, {0x7F, 0x7F}};
static const rrange r_graph[] = {{'!', '~'}};
static const rrange r_lower[] = {{'a', 'z'}};
static const rrange r_print[] = {{' ', '~'}};
static const rrange r_punct[] = {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}};
static const rrange r_space[] = {{'\t', '\r'}, {' ', ' '}};
static const rrange r_upper[] = {{'A', 'Z'}};
static const rrange r_xdigit[] = {{'0', '9'}, {'A', 'F'}, {'a', 'f'}};

#define G(nm, ng, tab)                                                                             \
    { nm, ng, tab, (int)(sizeof tab / sizeof tab[0]) }
static const group perl_groups[] = {
    G("\\d", 0, r_digit),      G("\\D", 1, r_digit), G("\\s", 0, r_space_perl),
    G("\\S", 1, r_space_perl), G("\\w", 0, r_word),  G("\\W", 1, r_word),
};
static const group posix_groups[] = {
    G("[:alnum:]", 0, r_alnum),    G("[:^alnum:]", 1, r_alnum), G("[:alpha:]", 0, r_alpha),
    G("[:^alpha:]", 1, r_alpha),   G("[:ascii:]", 0, r_ascii),  G("[:^ascii:]", 1, r_ascii),
    G("[:blank:]", 0, r_blank),    G("[:^blank:]", 1, r_blank), G("[:cntrl:]", 0, r_cntrl),
    G("[:^cntrl:]", 1, r_cntrl),   G("[:digit:]", 0, r_digit),  G("[:^digit:]", 1, r_digit),
    G("[:graph:]", 0, r_graph),    G("[:^graph:]", 1, r_graph), G("[:lower:]", 0, r_lower),
    G("[:^lower:]", 1, r_lower),   G("[:print:]", 0, r_print),  G("[:^print:]", 1, r_print),
    G("[:punct:]", 0, r_punct),    G("[:^punct:]", 1, r_punct), G("[:space:]", 0, r_space),
    G("[:^space:]", 1, r_space),   G("[:upper:]", 0, r_upper),  G("[:^upper:]", 1, r_upper),
    G("[:word:]", 0, r_word),      G("[:^word:]", 1, r_word),   G("[:xdigit:]", 0, r_xdigit),
    G("[:^xdigit:]", 1, r_xdigit),
};
#undef G

/* Complement of a sorted, disjoint range list over 0..0x10FFFF. */
static int cls_complement(parser *p, clsbuf *cb, const rrange *r, int n) {
    uint32_t next = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].lo > next) {
            int rc = cls_range(p, cb, next, r[i].lo - 1);
            if (rc) return rc;
        }
        next = r[i].hi + 1;
    }
    return next <= 0x10FFFF ? cls_range(p, cb, next, 0x10FFFF) : 0;
}

/* An ASCII group. Positive groups are written as-is (PCRE2's caseless
 * matching closes them under case folding as Go does); negated groups under
 * (?i) exclude the fold closure first (ASCII case mates, U+017F for s and
 * U+212A for k), as Go's appendGroup does. */
static int cls_group(parser *p, clsbuf *cb, const group *g, bool fold) {
    if (!g->neg) {
        for (int i = 0; i < g->n; i++) {
            int rc = cls_range(p, cb, g->r[i].lo, g->r[i].hi);
            if (rc) return rc;
        }
        return 0;
    }
    bool in[128] = {false};
    for (int i = 0; i < g->n; i++)
        for (uint32_t c = g->r[i].lo; c <= g->r[i].hi; c++)
            in[c] = true;
    bool long_s = false, kelvin = false;
    if (fold) {
        for (int c = 'a'; c <= 'z'; c++)
            if (in[c] || in[c - 32]) in[c] = in[c - 32] = true;
        long_s = in['s'];
        kelvin = in['k'];
    }
    rrange rs[72];
    int n = 0;
    for (uint32_t c = 0; c < 128; c++) {
        if (!in[c]) continue;
        if (n && rs[n - 1].hi + 1 == c)
            rs[n - 1].hi = c;
        else
            rs[n++] = (rrange){c, c};
    }
    if (long_s) rs[n++] = (rrange){0x17F, 0x17F};
    if (kelvin) rs[n++] = (rrange){0x212A, 0x212A};
    return cls_complement(p, cb, rs, n);
}

/* Unicode general categories and scripts as Go's unicode package (Unicode
 * 15.0) names them: exact, case-sensitive names, as Go requires. */
static const char *const categories[] = {
    "C",  "Cc", "Cf", "Co", "Cs", "L",  "Ll", "Lm", "Lo", "Lt", "Lu", "M",
    "Mc", "Me", "Mn", "N",  "Nd", "Nl", "No", "P",  "Pc", "Pd", "Pe", "Pf",
    "Pi", "Po", "Ps", "S",  "Sc", "Sk", "Sm", "So", "Z",  "Zl", "Zp", "Zs",
};
static const char *const scripts[] = {
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro_Minoan",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag_Mundari",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Old_Uyghur",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Toto",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
};
/* Scripts new in Unicode 15, unknown to PCRE2 10.42's tables. */
static const rrange r_kawi[] = {{0x11F00, 0x11F10}, {0x11F12, 0x11F3A}, {0x11F3E, 0x11F59}};
static const rrange r_nag_mundari[] = {{0x1E4D0, 0x1E4F9}};

static bool name_in(const char *const *tab, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strlen(tab[i]) == len && memcmp(tab[i], s, len) == 0) return true;
    return false;
}

/* Append a Unicode table (Go's unicodeTable name) with sign > 0 or negated. */
static int cls_unicode(parser *p, clsbuf *cb, const char *name, size_t len, int sign, bool fold) {
    char tmp[64];
    if (len == 3 && memcmp(name, "Any", 3) == 0)
        return sign > 0 ? cls_range(p, cb, 0, 0x10FFFF) : 0;
    if (name_in(categories, sizeof categories / sizeof *categories, name, len)) {
        if (len == 1 && name[0] == 'C') {
            /* Go's C is Cc|Cf|Co|Cs; PCRE2's also has Cn (unassigned) */
            static const char *const pos[] = {"\\p{Cc}", "\\p{Cf}", "\\p{Co}", "\\p{Cs}"};
            static const char *const neg[] = {"\\p{L}", "\\p{M}", "\\p{N}", "\\p{P}",
                                              "\\p{S}", "\\p{Z}", "\\p{Cn}"};
            const char *const *v = sign > 0 ? pos : neg;
            size_t nv = sign > 0 ? 4 : 7;
            for (size_t i = 0; i < nv; i++) {
                int rc = cls_item(p, cb, v[i]);
                if (rc) return rc;
            }
            return 0;
        }
        /* Under (?i) Go adds each letter's case mates to Lu/Ll/Lt; PCRE2's
         * caseless matching leaves \p alone, so use the cased-letter class. */
        if (fold && len == 2 && name[0] == 'L' &&
            (name[1] == 'u' || name[1] == 'l' || name[1] == 't'))
            snprintf(tmp, sizeof tmp, "\\%c{L&}", sign > 0 ? 'p' : 'P');
        else
            snprintf(tmp, sizeof tmp, "\\%c{%.*s}", sign > 0 ? 'p' : 'P', (int)len, name);
        return cls_item(p, cb, tmp);
    }
    if (name_in(scripts, sizeof scripts / sizeof *scripts, name, len)) {
        const rrange *r = NULL;
        int n = 0;
        if (len == 4 && memcmp(name, "Kawi", 4) == 0) {
            r = r_kawi;
            n = 3;
        } else if (len == 11 && memcmp(name, "Nag_Mundari", 11) == 0) {
            r = r_nag_mundari;
            n = 1;
        }
        if (r) {
            if (sign < 0) return cls_complement(p, cb, r, n);
            for (int i = 0; i < n; i++) {
                int rc = cls_range(p, cb, r[i].lo, r[i].hi);
                if (rc) return rc;
            }
            return 0;
        }
        /* sc: = the Script property, as Go (PCRE2's bare name means Script_Extensions) */
        snprintf(tmp, sizeof tmp, "\\%c{sc:%.*s}", sign > 0 ? 'p' : 'P', (int)len, name);
        return cls_item(p, cb, tmp);
    }
    return 1; /* unknown */
}

/* Go's parseUnicodeClass at *tp: 0 when not a \p/\P escape, 1 when one was
 * consumed into cb, negative on error. */
static int unicode_class(parser *p, const char **tp, clsbuf *cb) {
    const char *s = *tp, *end = p->end;
    if (end - s < 2 || s[0] != '\\' || (s[1] != 'p' && s[1] != 'P')) return 0;
    int sign = s[1] == 'P' ? -1 : 1;
    const char *t = s + 2, *seq_end, *name;
    size_t namelen;
    uint32_t c;
    int w, rc;
    if ((rc = re2_next_rune(p, t, &c, &w))) return rc;
    t += w;
    if (c != '{') {
        seq_end = t;
        name = s + 2;
        namelen = (size_t)(t - name);
    } else {
        const char *close = memchr(s, '}', (size_t)(end - s));
        if (!close) {
            if ((rc = re2_check_utf8(p, s, (size_t)(end - s)))) return rc;
            return re2_perr(p, "invalid character class range", s, (size_t)(end - s));
        }
        seq_end = close + 1;
        name = s + 3;
        namelen = (size_t)(close - name);
        if ((rc = re2_check_utf8(p, name, namelen))) return rc;
    }
    if (namelen > 0 && name[0] == '^') {
        sign = -sign;
        name++;
        namelen--;
    }
    rc = cls_unicode(p, cb, name, namelen, sign, (p->flags & F_FOLD) != 0);
    if (rc < 0) return rc;
    if (rc > 0) return re2_perr(p, "invalid character class range", s, (size_t)(seq_end - s));
    *tp = seq_end;
    return 1;
}

static const group *perl_group_at(const char *t, const char *end) {
    if (end - t < 2 || t[0] != '\\') return NULL;
    for (size_t i = 0; i < sizeof perl_groups / sizeof *perl_groups; i++)
        if (perl_groups[i].name[1] == t[1]) return &perl_groups[i];
    return NULL;
}

static node *class_node(parser *p, clsbuf *cb, bool neg) {
    if (cb->nitems == 0) return re2_mk(p, neg ? N_ANY : N_NOMATCH);
    node *nd = re2_mk(p, N_CLASS);
    if (!nd) return NULL;
    char *txt = gh_arena_alloc(&p->a, cb->n + 3);
    if (!txt) return NULL;
    size_t k = 0;
    txt[k++] = '[';
    if (neg) txt[k++] = '^';
    memcpy(txt + k, cb->p, cb->n);
    k += cb->n;
    txt[k++] = ']';
    nd->cls = txt;
    nd->clen = (uint32_t)k;
    nd->fold = (p->flags & F_FOLD) != 0;
    return nd;
}

/* Go's parseClass: s points at '['. */
int re2_parse_class(parser *p, const char **tp) {
    const char *s = *tp, *t = s + 1, *end = p->end;
    clsbuf cb = {0};
    bool neg = false, fold = (p->flags & F_FOLD) != 0;
    int rc;
    if (t < end && *t == '^') {
        neg = true;
        t++;
    }
    bool first = true;
    while (t >= end || *t != ']' || first) {
        first = false;
        if (end - t > 2 && t[0] == '[' && t[1] == ':') {
            const char *colon = NULL;
            for (const char *q = t + 2; q + 1 < end; q++)
                if (q[0] == ':' && q[1] == ']') {
                    colon = q;
                    break;
                }
            if (colon) {
                size_t nl = (size_t)(colon + 2 - t);
                const group *g = NULL;
                for (size_t i = 0; i < sizeof posix_groups / sizeof *posix_groups; i++)
                    if (strlen(posix_groups[i].name) == nl && !memcmp(posix_groups[i].name, t, nl))
                        g = &posix_groups[i];
                if (!g) return re2_perr(p, "invalid character class range", t, nl);
                if ((rc = cls_group(p, &cb, g, fold))) return rc;
                t = colon + 2;
                continue;
            }
        }
        rc = unicode_class(p, &t, &cb);
        if (rc < 0) return rc;
        if (rc > 0) continue;
        const group *g = perl_group_at(t, end);
        if (g) {
            if ((rc = cls_group(p, &cb, g, fold))) return rc;
            t += 2;
            continue;
        }
        const char *rng = t;
        uint32_t lo, hi;
        if (t >= end) return re2_perr(p, "missing closing ]", s, (size_t)(end - s));
        if (*t == '\\') {
            if ((rc = re2_parse_escape(p, &t, &lo))) return rc;
        } else {
            int w;
            if ((rc = re2_next_rune(p, t, &lo, &w))) return rc;
            t += w;
        }
        hi = lo;
        if (end - t >= 2 && t[0] == '-' && t[1] != ']') {
            t++;
            if (t >= end) return re2_perr(p, "missing closing ]", s, (size_t)(end - s));
            if (*t == '\\') {
                if ((rc = re2_parse_escape(p, &t, &hi))) return rc;
            } else {
                int w;
                if ((rc = re2_next_rune(p, t, &hi, &w))) return rc;
                t += w;
            }
            if (hi < lo)
                return re2_perr(p, "invalid character class range", rng, (size_t)(t - rng));
        }
        if ((rc = cls_range(p, &cb, lo, hi))) return rc;
    }
    t++;
    *tp = t;
    return re2_push(p, class_node(p, &cb, neg));
}

/* \p{..}, \P{..}, \d, \D, \s, \S, \w, \W outside brackets: a one-item class. */
int re2_escape_class(parser *p, const char **tp) {
    const char *t = *tp, *end = p->end;
    clsbuf cb = {0};
    if (end - t >= 2 && (t[1] == 'p' || t[1] == 'P')) {
        int rc = unicode_class(p, tp, &cb);
        if (rc <= 0) return rc;
        rc = re2_push(p, class_node(p, &cb, false));
        return rc ? rc : 1;
    }
    const group *g = perl_group_at(t, end);
    if (!g) return 0;
    int rc = cls_group(p, &cb, g, (p->flags & F_FOLD) != 0);
    if (!rc) rc = re2_push(p, class_node(p, &cb, false));
    *tp = t + 2;
    return rc ? rc : 1;
}
