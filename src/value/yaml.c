/* yaml.c - val_yaml_load: a YAML stream (libyaml's event parser) into
 * values, built straight into the caller's arena. Called by the loaders of
 * input/data files and by the yaml builtins. No recursion: an explicit frame
 * stack plus one stack of pending items; containers are made at their end
 * with their exact size. Aliases share the anchored value by pointer (values
 * are immutable) while a per-document budget counts the nodes they stand
 * for, so "billion laughs" fails fast. Scalars: yaml_scalar.c. */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "value/yaml_int.h"

/* A finished node on its way to its parent. */
typedef struct ynode {
    yaml_scalar_res r; /* r.v the value; r.k YR_COLL for collections */
    uint64_t count;    /* nodes it stands for, alias expansions included */
    uint32_t height;   /* collection levels below and including it */
    bool alias;        /* delivered through an alias */
} ynode;

/* An open collection. */
typedef struct yframe {
    bool is_map;
    bool have_key;  /* map: a key is on the item stack, its value pending */
    bool merge_key; /* map: the pending key is `<<` (nothing was pushed) */
    size_t base;    /* first item of this collection on the item stack */
    uint64_t count;
    uint32_t height;  /* max height of the children */
    char *anchor;     /* heap copy of its anchor name, or NULL */
    yaml_mark_t mark; /* where it starts: errors about it point here */
} yframe;

/* Anchors of the current document: open addressing on the name. */
typedef struct yanchor {
    char *name; /* NULL: empty slot */
    size_t len;
    uint64_t hash;
    bool open; /* collection still being built: aliasing it is a cycle */
    ynode node;
} yanchor;

typedef struct yload {
    gh_arena *a;
    gh_err *e;
    size_t max_depth, max_alias;
    uint64_t alias_nodes; /* this document's alias expansion so far */
    yframe *frames;
    size_t nframes, capframes;
    val_t **items;
    size_t nitems, capitems;
    yanchor *anchors;
    size_t nanchors, capanchors;
    val_t **docs;
    size_t ndocs, capdocs;
    ynode root;
    bool have_root, root_empty;
} yload;

static int err_at(yload *L, int code, yaml_mark_t m, const char *fmt, ...) GH_PRINTF(4, 5);
static int err_at(yload *L, int code, yaml_mark_t m, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(L->e, code, NULL, (int)m.line + 1, (int)m.column + 1, fmt, ap);
    va_end(ap);
    return code;
}

static int oom_at(yload *L, yaml_mark_t m) {
    return err_at(L, GH_ENOMEM, m, "out of memory building the YAML value (arena budget)");
}

/* Grow a heap array to hold at least `need` elements. */
static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elem) return GH_ENOMEM;
        nc *= 2;
    }
    void *np = gh_realloc(*p, nc * elem);
    if (!np) return GH_ENOMEM;
    *p = np;
    *cap = nc;
    return 0;
}

static int push_item(yload *L, val_t *v) {
    if (L->nitems == L->capitems &&
        grow((void **)&L->items, &L->capitems, L->nitems + 1, sizeof(val_t *)))
        return GH_ENOMEM;
    L->items[L->nitems++] = v;
    return 0;
}

/* ---- anchors ------------------------------------------------------------------ */

static yanchor *anchor_slot(yload *L, const char *name, size_t len, uint64_t h) {
    size_t mask = L->capanchors - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        yanchor *s = &L->anchors[i];
        if (!s->name || (s->hash == h && s->len == len && memcmp(s->name, name, len) == 0))
            return s;
    }
}

static yanchor *anchor_find(yload *L, const char *name) {
    if (!L->nanchors) return NULL;
    size_t len = strlen(name);
    yanchor *s = anchor_slot(L, name, len, gh_hash(name, len));
    return s->name ? s : NULL;
}

/* Define (or redefine: the latest definition wins) an anchor. */
static int anchor_set(yload *L, const char *name, bool open, const ynode *node) {
    size_t len = strlen(name);
    uint64_t h = gh_hash(name, len);
    if ((L->nanchors + 1) * 2 > L->capanchors) {
        size_t nc = L->capanchors ? L->capanchors * 2 : 64;
        yanchor *old = L->anchors, *na = gh_calloc(nc, sizeof(*na));
        if (!na) return GH_ENOMEM;
        size_t oc = L->capanchors;
        L->anchors = na;
        L->capanchors = nc;
        for (size_t i = 0; i < oc; i++)
            if (old[i].name) *anchor_slot(L, old[i].name, old[i].len, old[i].hash) = old[i];
        gh_free(old);
    }
    yanchor *s = anchor_slot(L, name, len, h);
    if (!s->name) {
        if (!(s->name = gh_malloc(len + 1))) return GH_ENOMEM;
        memcpy(s->name, name, len + 1);
        s->len = len;
        s->hash = h;
        L->nanchors++;
    }
    s->open = open;
    if (node) s->node = *node;
    return 0;
}

static void anchors_clear(yload *L) {
    for (size_t i = 0; i < L->capanchors; i++)
        gh_free(L->anchors[i].name);
    if (L->capanchors) memset(L->anchors, 0, L->capanchors * sizeof(*L->anchors));
    L->nanchors = 0;
}

/* ---- building ------------------------------------------------------------------ */

/* Merge key `<<`: push the entries of one mapping (go-yaml v2 order: merged
 * entries overwrite keys written before `<<`, later keys overwrite them). */
static int merge_entries(yload *L, const val_t *obj) {
    for (size_t i = 0; i < val_obj_len(obj); i++)
        if (push_item(L, val_obj_key_at(obj, i)) || push_item(L, val_obj_val_at(obj, i)))
            return GH_ENOMEM;
    return 0;
}

static int merge_value(yload *L, const ynode *n, yaml_mark_t m) {
    const val_t *v = n->r.v;
    if (v && val_kind_of(v) == VAL_OBJECT) {
        if (merge_entries(L, v)) return oom_at(L, m);
        return 0;
    }
    /* an inline sequence of mappings; earlier ones take precedence, so
     * push them last (go-yaml walks the list backwards) */
    if (v && val_kind_of(v) == VAL_ARRAY && !n->alias) {
        size_t k = val_arr_len(v);
        for (size_t i = 0; i < k; i++)
            if (val_kind_of(val_arr_at(v, i)) != VAL_OBJECT) goto bad;
        while (k--)
            if (merge_entries(L, val_arr_at(v, k))) return oom_at(L, m);
        return 0;
    }
bad:
    return err_at(L, GH_EPARSE, m, "map merge requires map or sequence of maps as the value");
}

/* Hand a finished node to the open collection (or make it the root). */
static int deliver(yload *L, const ynode *n, yaml_mark_t m) {
    if (!L->nframes) {
        if (!n->r.v) goto nonfinite;
        L->root = *n;
        L->have_root = true;
        return 0;
    }
    yframe *f = &L->frames[L->nframes - 1];
    f->count += n->count;
    if (n->height > f->height) f->height = n->height;
    if (!f->is_map) {
        if (!n->r.v) goto nonfinite;
        return push_item(L, n->r.v) ? oom_at(L, m) : 0;
    }
    if (!f->have_key) {
        f->have_key = true;
        if (n->r.merge && !n->alias) {
            f->merge_key = true;
            return 0;
        }
        val_t *key;
        char msg[160];
        int rc = yaml_key_string(L->a, &n->r, &key, msg, sizeof(msg));
        if (rc == GH_ENOMEM) return oom_at(L, m);
        if (rc) return err_at(L, rc, m, "%s", msg);
        return push_item(L, key) ? oom_at(L, m) : 0;
    }
    f->have_key = false;
    if (f->merge_key) {
        f->merge_key = false;
        return merge_value(L, n, m);
    }
    if (!n->r.v) goto nonfinite;
    return push_item(L, n->r.v) ? oom_at(L, m) : 0;
nonfinite:
    return err_at(L, GH_EPARSE, m, "%s cannot be represented in JSON",
                  n->r.d != n->r.d ? ".nan"
                  : n->r.d > 0     ? ".inf"
                                   : "-.inf");
}

static int on_scalar(yload *L, const yaml_event_t *ev) {
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    ynode n = {.count = 1};
    char msg[200];
    int rc = yaml_scalar_resolve(L->a, tag, s, len, ev->data.scalar.plain_implicit, &n.r, msg,
                                 sizeof(msg));
    if (rc == GH_ENOMEM) return oom_at(L, ev->start_mark);
    if (rc) return err_at(L, rc, ev->start_mark, "%s", msg);
    if (!L->nframes)
        L->root_empty = len == 0 && !tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (ev->data.scalar.anchor && anchor_set(L, (const char *)ev->data.scalar.anchor, false, &n))
        return oom_at(L, ev->start_mark);
    return deliver(L, &n, ev->start_mark);
}

static int on_alias(yload *L, const yaml_event_t *ev) {
    const char *name = (const char *)ev->data.alias.anchor;
    yanchor *an = anchor_find(L, name);
    if (!an) return err_at(L, GH_EPARSE, ev->start_mark, "unknown anchor '%s' referenced", name);
    if (an->open)
        return err_at(L, GH_EPARSE, ev->start_mark, "anchor '%s' value contains itself", name);
    L->alias_nodes += an->node.count;
    if (L->alias_nodes > L->max_alias)
        return err_at(L, GH_ELIMIT, ev->start_mark,
                      "alias *%s: aliases expand to more than %zu nodes in this document "
                      "(billion-laughs guard)",
                      name, L->max_alias);
    if (L->nframes + an->node.height > L->max_depth)
        return err_at(L, GH_ELIMIT, ev->start_mark,
                      "alias *%s: nesting deeper than %zu levels once expanded", name,
                      L->max_depth);
    ynode n = an->node;
    n.alias = true;
    if (!L->nframes) L->root_empty = false;
    return deliver(L, &n, ev->start_mark);
}

static int on_start(yload *L, const yaml_event_t *ev, bool is_map) {
    const char *anchor = is_map ? (const char *)ev->data.mapping_start.anchor
                                : (const char *)ev->data.sequence_start.anchor;
    if (L->nframes + 1 > L->max_depth)
        return err_at(L, GH_ELIMIT, ev->start_mark, "nesting deeper than %zu levels", L->max_depth);
    if (L->nframes) {
        yframe *p = &L->frames[L->nframes - 1];
        if (p->is_map && !p->have_key)
            return err_at(L, GH_EPARSE, ev->start_mark,
                          "invalid map key: a %s cannot be a JSON object key",
                          is_map ? "mapping" : "sequence");
    } else {
        L->root_empty = false;
    }
    if (grow((void **)&L->frames, &L->capframes, L->nframes + 1, sizeof(yframe)))
        return oom_at(L, ev->start_mark);
    yframe *f = &L->frames[L->nframes];
    memset(f, 0, sizeof(*f));
    f->is_map = is_map;
    f->base = L->nitems;
    f->mark = ev->start_mark;
    L->nframes++;
    if (anchor) {
        size_t len = strlen(anchor);
        if (!(f->anchor = gh_malloc(len + 1)) || anchor_set(L, anchor, true, NULL))
            return oom_at(L, ev->start_mark);
        memcpy(f->anchor, anchor, len + 1);
    }
    return 0;
}

static int on_end(yload *L) {
    yframe *f = &L->frames[L->nframes - 1];
    yaml_mark_t m = f->mark;
    size_t k = L->nitems - f->base;
    val_t **it = k ? L->items + f->base : NULL;
    ynode n = {.count = f->count + 1, .height = f->height + 1};
    n.r.k = YR_COLL;
    if (f->is_map) {
        if (!(n.r.v = val_obj_new(L->a, k / 2))) return oom_at(L, m);
        for (size_t i = 0; i + 1 < k; i += 2)
            if (val_obj_put(L->a, n.r.v, it[i], it[i + 1])) return oom_at(L, m);
    } else {
        if (!(n.r.v = val_arr_new(L->a, k))) return oom_at(L, m);
        for (size_t i = 0; i < k; i++)
            if (val_arr_push(L->a, n.r.v, it[i])) return oom_at(L, m);
    }
    L->nitems = f->base;
    char *anchor = f->anchor;
    f->anchor = NULL;
    L->nframes--;
    if (anchor) {
        int rc = anchor_set(L, anchor, false, &n);
        gh_free(anchor);
        if (rc) return oom_at(L, m);
    }
    return deliver(L, &n, m);
}

static int on_document_end(yload *L, yaml_mark_t m) {
    if (L->have_root && !L->root_empty) {
        if (grow((void **)&L->docs, &L->capdocs, L->ndocs + 1, sizeof(val_t *)))
            return oom_at(L, m);
        L->docs[L->ndocs++] = L->root.r.v;
    }
    L->have_root = false;
    return 0;
}

/* libyaml's own error: problem text at its (0-based) mark, plus context. */
static int parser_error(yload *L, const yaml_parser_t *p, const char *in, size_t n) {
    if (p->error == YAML_MEMORY_ERROR)
        return gh_err_set(L->e, GH_ENOMEM, NULL, 0, 0, "libyaml: out of memory");
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        /* marks are not set for reader errors: locate the byte offset */
        size_t off = p->problem_offset < n ? p->problem_offset : n;
        int line = 1, col = 1;
        for (size_t i = 0; i < off; i++) {
            if (in[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)in[i] & 0xC0) != 0x80)
                col++;
        }
        if (p->problem_value != -1)
            return gh_err_set(L->e, GH_EPARSE, NULL, line, col, "%s: #%X", problem,
                              (unsigned)p->problem_value);
        return gh_err_set(L->e, GH_EPARSE, NULL, line, col, "%s", problem);
    }
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->context)
        return gh_err_set(L->e, GH_EPARSE, NULL, line, col, "%s (%s started at %d:%d)", problem,
                          p->context, (int)p->context_mark.line + 1,
                          (int)p->context_mark.column + 1);
    return gh_err_set(L->e, GH_EPARSE, NULL, line, col, "%s", problem);
}

static void yload_free(yload *L) {
    for (size_t i = 0; i < L->nframes; i++)
        gh_free(L->frames[i].anchor);
    anchors_clear(L);
    gh_free(L->anchors);
    gh_free(L->frames);
    gh_free(L->items);
    gh_free(L->docs);
}

int val_yaml_load(gh_arena *a, const char *p, size_t n, const val_yaml_opts *o, val_t ***docs,
                  size_t *ndocs, gh_err *e) {
    *docs = NULL;
    *ndocs = 0;
    if (!a || (!p && n))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "val_yaml_load: bad arguments");
    if (n > GH_MAX_DOC_BYTES)
        return gh_err_set(e, GH_ELIMIT, NULL, 0, 0,
                          "YAML text of %zu bytes exceeds the limit of %u bytes", n,
                          GH_MAX_DOC_BYTES);
    yload L = {.a = a, .e = e};
    L.max_depth = o && o->max_depth ? o->max_depth : GH_MAX_DEPTH;
    L.max_alias = o && o->max_alias_nodes ? o->max_alias_nodes : GH_MAX_YAML_ALIAS_NODES;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "libyaml: out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)(p ? p : ""), n);
    int rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(&L, &parser, p, n);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            anchors_clear(&L); /* anchors do not cross documents */
            L.alias_nodes = 0;
            L.have_root = false;
            L.root_empty = false;
            break;
        case YAML_DOCUMENT_END_EVENT: rc = on_document_end(&L, ev.start_mark); break;
        case YAML_SCALAR_EVENT: rc = on_scalar(&L, &ev); break;
        case YAML_ALIAS_EVENT: rc = on_alias(&L, &ev); break;
        case YAML_SEQUENCE_START_EVENT: rc = on_start(&L, &ev, false); break;
        case YAML_MAPPING_START_EVENT: rc = on_start(&L, &ev, true); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: rc = on_end(&L); break;
        case YAML_STREAM_END_EVENT: done = true; break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (rc == 0 && L.ndocs) {
        val_t **out = gh_arena_alloc(a, L.ndocs * sizeof(val_t *));
        if (!out) {
            rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0,
                            "out of memory building the YAML value (arena budget)");
        } else {
            memcpy(out, L.docs, L.ndocs * sizeof(val_t *));
            *docs = out;
            *ndocs = L.ndocs;
        }
    }
    yload_free(&L);
    return rc;
}
