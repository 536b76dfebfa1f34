/* yaml_doc.c - yaml.unmarshal and yaml.is_valid as OPA runs them: go-yaml
 * (through sigs.k8s.io/yaml) reads only the first document of a stream and
 * then converts it to JSON. We find the first document's end with libyaml's
 * event parser, which also yields go-yaml's syntax error messages ("yaml:
 * line 1: did not find expected ',' or ']'"), reject what the JSON step
 * rejects (.inf/.nan values), and hand that slice to val_yaml_load. */
#include <string.h>
#include <yaml.h>

#include "rego/builtins/encoding_int.h"
#include "rego/builtins/strutil.h"

static bool in_list(const char *s, size_t n, const char *const *list) {
    for (; *list; list++)
        if (strlen(*list) == n && !memcmp(*list, s, n)) return true;
    return false;
}

typedef struct yanchor_rec {
    char *name;
    bool coll;
} yanchor_rec;

typedef struct yscan {
    size_t end;     /* end of the first document in the text */
    bool empty;     /* the stream has no document */
    rb_sb *msg;     /* go-yaml's message on failure */
    bool nonfinite; /* refuse .inf/.nan values (yaml.unmarshal) */
} yscan;

/* go-yaml's parser.fail(): "yaml: line N: problem". */
static void go_yaml_fail(const yaml_parser_t *p, rb_sb *msg) {
    size_t line = 0;
    if (p->error != YAML_READER_ERROR) {
        if (p->problem_mark.line != 0) {
            line = p->problem_mark.line;
            if (p->error == YAML_SCANNER_ERROR) line++;
        } else if (p->context_mark.line != 0) {
            line = p->context_mark.line;
        }
    }
    rb_sb_puts(msg, "yaml: ");
    if (line) rb_sb_printf(msg, "line %zu: ", line);
    rb_sb_puts(msg, p->problem ? p->problem : "unknown problem parsing YAML content");
}

static bool nonfinite_text(const char *s, size_t n, const char **what) {
    static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nan_[] = {".nan", ".NaN", ".NAN", NULL};
    if (in_list(s, n, inf))
        *what = "+Inf";
    else if (in_list(s, n, ninf))
        *what = "-Inf";
    else if (in_list(s, n, nan_))
        *what = "NaN";
    else
        return false;
    return true;
}

/* libyaml marks count characters, not bytes (a BOM is not counted). */
static size_t char_to_byte(const char *p, size_t n, size_t index) {
    size_t i = 0;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) i = 3;
    while (index && i < n) {
        int w;
        rb_u8_decode(p + i, n - i, &w);
        i += (size_t)w;
        index--;
    }
    return i;
}

/* Walk the events of the first document. Returns 0 (sc->end / sc->empty
 * set), 1 with sc->msg filled, GH_ENOMEM. */
static int first_doc(gh_arena *a, const char *p, size_t n, yscan *sc) {
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps)) return GH_ENOMEM;
    yaml_parser_set_input_string(&ps, (const unsigned char *)p, n);
    /* anchors of the document, and the open containers: for mappings,
     * whether the next node is a key */
    yanchor_rec *anchors = NULL;
    size_t nanch = 0, capanch = 0;
    bool *stack = NULL; /* true = mapping expecting a key */
    bool *ismap = NULL;
    size_t depth = 0, cap = 0;
    int rc = 0;
    sc->empty = true;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev)) {
            if (ps.error == YAML_MEMORY_ERROR)
                rc = GH_ENOMEM;
            else {
                go_yaml_fail(&ps, sc->msg);
                rc = 1;
            }
            break;
        }
        yaml_event_type_t t = ev.type;
        bool node = t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
                    t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT;
        bool is_key = false;
        if (node && depth && ismap[depth - 1]) {
            is_key = stack[depth - 1];
            stack[depth - 1] = !stack[depth - 1];
        }
        const char *anchor = NULL;
        bool coll = t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT;
        if (t == YAML_SCALAR_EVENT)
            anchor = (const char *)ev.data.scalar.anchor;
        else if (t == YAML_SEQUENCE_START_EVENT)
            anchor = (const char *)ev.data.sequence_start.anchor;
        else if (t == YAML_MAPPING_START_EVENT)
            anchor = (const char *)ev.data.mapping_start.anchor;
        if (anchor) {
            if (nanch == capanch) {
                size_t nc = capanch ? capanch * 2 : 8;
                yanchor_rec *na =
                    gh_arena_realloc(a, anchors, capanch * sizeof *na, nc * sizeof *na);
                if (!na)
                    rc = GH_ENOMEM;
                else {
                    anchors = na;
                    capanch = nc;
                }
            }
            if (!rc) {
                anchors[nanch].name = gh_arena_strndup(a, anchor, strlen(anchor));
                anchors[nanch].coll = coll;
                if (!anchors[nanch++].name) rc = GH_ENOMEM;
            }
        }
        if (!rc && t == YAML_ALIAS_EVENT) {
            const char *name = (const char *)ev.data.alias.anchor;
            ptrdiff_t found = -1;
            for (size_t i = nanch; i-- > 0;)
                if (!strcmp(anchors[i].name, name)) {
                    found = (ptrdiff_t)i;
                    break;
                }
            if (found < 0) {
                rb_sb_printf(sc->msg, "yaml: unknown anchor '%s' referenced", name);
                rc = 1;
            }
        }
        if (!rc && t == YAML_SCALAR_EVENT && !is_key && sc->nonfinite) {
            const char *tag = (const char *)ev.data.scalar.tag, *what;
            bool floaty =
                ev.data.scalar.plain_implicit || (tag && !strcmp(tag, "tag:yaml.org,2002:float"));
            if (floaty &&
                nonfinite_text((const char *)ev.data.scalar.value, ev.data.scalar.length, &what)) {
                rb_sb_printf(sc->msg, "json: unsupported value: %s", what);
                rc = 1;
            }
        }
        if (!rc && coll) {
            if (depth == cap) {
                size_t nc = cap ? cap * 2 : 16;
                bool *ns = gh_arena_realloc(a, stack, cap, nc);
                bool *nm = ns ? gh_arena_realloc(a, ismap, cap, nc) : NULL;
                if (!ns || !nm)
                    rc = GH_ENOMEM;
                else {
                    stack = ns;
                    ismap = nm;
                    cap = nc;
                }
            }
            if (!rc) {
                ismap[depth] = t == YAML_MAPPING_START_EVENT;
                stack[depth++] = true;
            }
        }
        if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            if (depth) depth--;
        }
        if (t == YAML_DOCUMENT_START_EVENT) sc->empty = false;
        size_t end_index = ev.end_mark.index;
        yaml_event_delete(&ev);
        if (rc) break;
        if (t == YAML_DOCUMENT_END_EVENT) {
            sc->end = char_to_byte(p, n, end_index);
            break;
        }
        if (t == YAML_STREAM_END_EVENT) {
            sc->end = n;
            break;
        }
    }
    yaml_parser_delete(&ps);
    return rc;
}

/* sigs.k8s.io/yaml's Unmarshal goes through JSON too, so validity is
 * exactly "yaml.unmarshal would succeed" (.inf, null keys fail). */
bool rb_yaml_valid(const char *p, size_t n) {
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    val_t *out;
    bool ok = rb_yaml_unmarshal(&c, p, n, &out) == RB_OK;
    gh_arena_free(&a);
    return ok;
}

int rb_yaml_unmarshal(rego_bctx *c, const char *p, size_t n, val_t **out) {
    rb_sb msg;
    rb_sb_init(&msg, c->a, 64);
    yscan sc = {.msg = &msg, .nonfinite = true};
    int rc = first_doc(c->a, p, n, &sc);
    if (rc == GH_ENOMEM || msg.oom) return rb_oom(c);
    if (rc) return rb_err(c, "%.*s", (int)msg.len, msg.p);
    if (sc.empty) {
        *out = VAL_NULLV;
        return RB_OK;
    }
    val_t **docs = NULL;
    size_t ndocs = 0;
    gh_err e;
    gh_err_clear(&e);
    rc = val_yaml_load(c->a, p, sc.end, NULL, &docs, &ndocs, &e);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc) return rb_err(c, "yaml: %s", e.msg);
    *out = ndocs ? docs[0] : VAL_NULLV;
    return RB_OK;
}
