/* annotations.c - `# METADATA` comment blocks: finding them among a module's
 * comments, loading their YAML (val_yaml_load), checking the fields as OPA's
 * annotation parser does, attaching each block to the statement that follows
 * it (scope defaults and checks), and handing rule/document-scoped blocks to
 * the rules they describe. Also builds the value that rego.metadata.* return.
 * Called by parser.c after the statements parsed; errors are parse errors. */
#include <string.h>

#include "rego_int.h"

/* The public struct plus the scope as written (empty until attached). */
typedef struct annot_ext {
    rego_annot a;
    const char *scope_raw;
    uint32_t line;
} annot_ext;

typedef struct block {
    rp_cmt **lines; /* comment lines after the METADATA line */
    uint32_t n, cap;
    rp_cmt *head; /* the METADATA comment */
} block;

static const char *cmt_text(const rego_parser *p, const rp_cmt *c, size_t *n) {
    *n = c->end - c->off - 1;
    return p->src + c->off + 1;
}

/* A line of a METADATA block as YAML sees it: the comment text less one
 * leading space. */
static const char *block_line(const rego_parser *p, const rp_cmt *c, size_t *n) {
    const char *t = cmt_text(p, c, n);
    if (*n && t[0] == ' ') {
        t++;
        --*n;
    }
    return t;
}

static bool trimmed_prefix(const char *s, size_t n, const char *pre) {
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')) {
        s++;
        n--;
    }
    size_t pl = strlen(pre);
    return n >= pl && !memcmp(s, pre, pl);
}

static val_t *vstr(rego_parser *p, const char *s) {
    val_t *v = val_strc(p->a, s);
    if (!v) rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
    return v;
}

static bool put(rego_parser *p, val_t *obj, const char *k, val_t *v) {
    val_t *kv = vstr(p, k);
    if (!kv || !v || val_obj_put(p->a, obj, kv, v)) {
        rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
        return false;
    }
    return true;
}

/* A YAML scalar decoded into a Go string field: any scalar's text. */
static const char *scalar_text(rego_parser *p, const val_t *v, bool *ok) {
    *ok = true;
    switch (val_kind_of(v)) {
    case VAL_NULL: return "";
    case VAL_STRING: return val_str_ptr(v);
    case VAL_BOOL:
    case VAL_NUMBER: {
        const char *s = val_to_json(p->a, v, 0);
        if (!s) rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
        return s ? s : "";
    }
    default: *ok = false; return NULL;
    }
}

/* How go-yaml names a node in "cannot unmarshal ..." errors: the tag, and
 * the text of a scalar in backquotes. */
static const char *yaml_node(rego_parser *p, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_ARRAY: return "!!seq";
    case VAL_OBJECT:
    case VAL_SET: return "!!map";
    case VAL_NULL: return "!!null";
    case VAL_STRING: return gh_arena_printf(p->a, "!!str `%s`", val_str_ptr(v));
    case VAL_BOOL: return v->u.b ? "!!bool `true`" : "!!bool `false`";
    default: {
        const char *t = val_to_json(p->a, v, 0);
        return gh_arena_printf(p->a, "%s `%s`", val_is_int(v) ? "!!int" : "!!float", t ? t : "?");
    }
    }
}

/* A go-yaml type error; parse_block adds the line of the offending field. */
static const char *um_err(rego_parser *p, const val_t *v, const char *into) {
    const char *m = gh_arena_printf(p->a, "yaml: unmarshal errors:\n  cannot unmarshal %s into %s",
                                    yaml_node(p, v), into);
    return m ? m : "out of memory";
}

/* A decoded YAML value as Go's %s prints it, after OPA formats the message a
 * second time (so "%!s(int=1)" reads "%!!(MISSING)s(int=1)"). */
static void go_fmt(gh_buf *b, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_STRING: gh_buf_append(b, val_str_ptr(v), val_str_len(v)); break;
    case VAL_NULL: gh_buf_puts(b, "%!!(MISSING)s(<nil>)"); break;
    case VAL_BOOL: gh_buf_printf(b, "%%!!(MISSING)s(bool=%s)", v->u.b ? "true" : "false"); break;
    case VAL_NUMBER:
        gh_buf_printf(b, "%%!!(MISSING)s(%s=", val_is_int(v) ? "int" : "float64");
        val_json_emit(b, v, 0);
        gh_buf_putc(b, ')');
        break;
    case VAL_ARRAY:
        gh_buf_putc(b, '[');
        for (size_t i = 0; i < val_arr_len(v); i++) {
            if (i) gh_buf_putc(b, ' ');
            go_fmt(b, val_arr_at(v, i));
        }
        gh_buf_putc(b, ']');
        break;
    default: {
        /* Go prints map keys sorted */
        gh_arena tmp;
        gh_arena_init(&tmp, 0);
        uint32_t *ord = val_sorted_order(&tmp, v);
        gh_buf_puts(b, "map[");
        for (size_t i = 0; i < val_obj_len(v) && ord; i++) {
            if (i) gh_buf_putc(b, ' ');
            go_fmt(b, val_obj_key_at(v, ord[i]));
            gh_buf_putc(b, ':');
            go_fmt(b, val_obj_val_at(v, ord[i]));
        }
        gh_buf_putc(b, ']');
        gh_arena_free(&tmp);
    }
    }
}

static const char *trim(rego_parser *p, const char *s) {
    size_t n = strlen(s), i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return rp_strndup(p, s + i, n - i);
}

static const char *obj_str(const val_t *o, const char *k) {
    val_t *v = val_obj_get_str(o, k, strlen(k));
    return v && val_is_str(v) ? val_str_ptr(v) : "";
}

static const char *value_text(rego_parser *p, const val_t *v) {
    gh_buf b;
    gh_buf_init(&b);
    go_fmt(&b, v);
    const char *s = b.oom ? "?" : rp_strndup(p, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return s ? s : "?";
}

static const char *parse_related(rego_parser *p, const val_t *v, val_t **out) {
    val_t *o = val_obj_new(p->a, 2);
    if (!o) return "out of memory";
    if (val_is_str(v)) {
        if (!val_str_len(v)) return "ref URL may not be empty string";
        put(p, o, "ref", (val_t *)v);
    } else if (val_kind_of(v) == VAL_OBJECT) {
        const char *ref = trim(p, obj_str(v, "ref")), *desc = trim(p, obj_str(v, "description"));
        if (!ref || !desc) return "out of memory";
        if (!*ref) return "'ref' value required in object";
        put(p, o, "ref", vstr(p, ref));
        if (*desc) put(p, o, "description", vstr(p, desc));
    } else {
        return "invalid value type, must be string or map";
    }
    *out = o;
    return NULL;
}

static const char *parse_author(rego_parser *p, const val_t *v, val_t **out) {
    val_t *o = val_obj_new(p->a, 2);
    if (!o) return "out of memory";
    const char *name = "", *email = "";
    if (val_is_str(v)) {
        /* "Name Parts <email>": whitespace-separated words, the last one in <> is the email */
        const char *s = val_str_ptr(v);
        size_t n = val_str_len(v);
        gh_buf words;
        gh_buf_init(&words);
        const char *last = NULL;
        size_t lastn = 0, nw = 0;
        for (size_t i = 0; i < n;) {
            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                             s[i] == '\v' || s[i] == '\f'))
                i++;
            if (i >= n) break;
            size_t st = i;
            while (i < n && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                              s[i] == '\v' || s[i] == '\f'))
                i++;
            if (last) {
                if (nw++) gh_buf_putc(&words, ' ');
                gh_buf_append(&words, last, lastn);
            }
            last = s + st;
            lastn = i - st;
        }
        if (!last) {
            gh_buf_free(&words);
            return "author is an empty string";
        }
        if (lastn >= 2 && last[0] == '<' && last[lastn - 1] == '>') {
            email = rp_strndup(p, last + 1, lastn - 2);
        } else {
            if (nw++) gh_buf_putc(&words, ' ');
            gh_buf_append(&words, last, lastn);
        }
        name = rp_strndup(p, words.p ? words.p : "", words.len);
        gh_buf_free(&words);
        if (!name || !email) return "out of memory";
    } else if (val_kind_of(v) == VAL_OBJECT) {
        name = trim(p, obj_str(v, "name"));
        email = trim(p, obj_str(v, "email"));
        if (!name || !email) return "out of memory";
        if (!*name && !*email) return "'name' and/or 'email' values required in object";
    } else {
        return "invalid value type, must be string or map";
    }
    if (*name) put(p, o, "name", vstr(p, name));
    if (*email) put(p, o, "email", vstr(p, email));
    *out = o;
    return NULL;
}

/* A ref as OPA's Ref.toArray: strings stay, anything else becomes its text. */
static val_t *ref_array(rego_parser *p, const rego_term *ref) {
    val_t *arr = val_arr_new(p->a, ref->u.list.n);
    if (!arr) return NULL;
    for (uint32_t i = 0; i < ref->u.list.n; i++) {
        const rego_term *e = ref->u.list.items[i];
        val_t *s;
        if (e->kind == REGO_T_SCALAR && val_is_str(e->u.value)) {
            s = e->u.value;
        } else {
            gh_buf b;
            gh_buf_init(&b);
            rego_term_print(&b, e);
            s = b.oom ? NULL : val_str(p->a, b.p ? b.p : "", b.len);
            gh_buf_free(&b);
        }
        if (!s || val_arr_push(p->a, arr, s)) return NULL;
    }
    return arr;
}

static const char *parse_schema(rego_parser *p, const val_t *item, val_t **out) {
    if (val_kind_of(item) != VAL_OBJECT || !val_obj_len(item)) return "invalid schema declaration";
    const val_t *k = val_obj_key_at(item, 0), *v = val_obj_val_at(item, 0);
    if (!val_is_str(k)) return "invalid document reference";
    rego_term *path = NULL;
    gh_err e;
    rego_parse_opts o = {.version = REGO_V1};
    if (rego_parse_term(p->a, val_str_ptr(k), val_str_len(k), &o, &path, &e) ||
        path->kind != REGO_T_REF)
        return "invalid document reference";
    val_t *so = val_obj_new(p->a, 3);
    if (!so) return "out of memory";
    put(p, so, "path", ref_array(p, path));
    if (val_is_str(v)) {
        rego_term *sr = NULL;
        bool ok = !rego_parse_term(p->a, val_str_ptr(v), val_str_len(v), &o, &sr, &e);
        if (ok && sr->kind == REGO_T_VAR)
            ok = !strcmp(sr->u.var.name, "schema");
        else if (ok && sr->kind == REGO_T_REF)
            ok = sr->u.list.items[0]->kind == REGO_T_VAR &&
                 !strcmp(sr->u.list.items[0]->u.var.name, "schema");
        else
            ok = false;
        if (!ok) return "invalid schema reference";
        if (sr->kind == REGO_T_VAR) {
            val_t *a = val_arr_new(p->a, 1);
            if (!a || val_arr_push(p->a, a, vstr(p, "schema"))) return "out of memory";
            put(p, so, "schema", a);
        } else {
            put(p, so, "schema", ref_array(p, sr));
        }
    } else if (val_kind_of(v) == VAL_OBJECT) {
        put(p, so, "definition", (val_t *)v);
    } else {
        return gh_arena_printf(p->a, "invalid schema declaration for path \"%s\"", val_str_ptr(k));
    }
    *out = so;
    return NULL;
}

typedef const char *(*item_fn)(rego_parser *p, const val_t *v, val_t **out);

static const char *parse_list(rego_parser *p, const val_t *v, item_fn fn, const char *what,
                              const char *into, val_t **out) {
    if (val_kind_of(v) == VAL_NULL) return NULL;
    if (val_kind_of(v) != VAL_ARRAY) return um_err(p, v, into);
    val_t *arr = val_arr_new(p->a, val_arr_len(v));
    if (!arr) return "out of memory";
    for (size_t i = 0; i < val_arr_len(v); i++) {
        val_t *x = NULL;
        const char *err = fn(p, val_arr_at(v, i), &x);
        if (err) {
            if (!what) return err;
            return gh_arena_printf(p->a, "invalid %s definition %s: %s", what,
                                   value_text(p, val_arr_at(v, i)), err);
        }
        if (!x || val_arr_push(p->a, arr, x)) return "out of memory";
    }
    if (val_arr_len(arr)) *out = arr;
    return NULL;
}

static const char *org_item(rego_parser *p, const val_t *v, val_t **out) {
    bool ok;
    const char *s = scalar_text(p, v, &ok);
    if (!ok) return um_err(p, v, "string");
    *out = vstr(p, s);
    return NULL;
}

static const char *string_field(rego_parser *p, const val_t *doc, const char *k, const char **out) {
    val_t *v = val_obj_get_str(doc, k, strlen(k));
    *out = NULL;
    if (!v) return NULL;
    bool ok;
    const char *s = scalar_text(p, v, &ok);
    if (!ok) return um_err(p, v, "string");
    *out = *s ? s : NULL;
    return NULL;
}

/* Fill an annotation from the block's YAML document; *field names the
 * top-level key being read when an error occurs. */
static const char *load_fields(rego_parser *p, annot_ext *x, const val_t *doc, const char **field) {
    rego_annot *a = &x->a;
    const char *err, *s;
    val_t *v;
    if ((err = string_field(p, doc, *field = "scope", &s))) return err;
    x->scope_raw = s ? s : "";
    if ((err = string_field(p, doc, *field = "title", &a->title))) return err;
    if ((err = string_field(p, doc, *field = "description", &a->description))) return err;
    if ((v = val_obj_get_str(doc, *field = "entrypoint", 10)) && val_kind_of(v) != VAL_NULL) {
        if (val_kind_of(v) != VAL_BOOL) return um_err(p, v, "bool");
        a->entrypoint = v->u.b;
    }
    if ((v = val_obj_get_str(doc, *field = "organizations", 13)) &&
        (err = parse_list(p, v, org_item, NULL, "[]string", &a->organizations)))
        return err;
    if ((v = val_obj_get_str(doc, *field = "related_resources", 17)) &&
        (err = parse_list(p, v, parse_related, "related-resource", "[]interface {}",
                          &a->related_resources)))
        return err;
    if ((v = val_obj_get_str(doc, *field = "schemas", 7)) &&
        (err = parse_list(p, v, parse_schema, NULL, "[]map[string]interface {}", &a->schemas)))
        return err;
    if ((v = val_obj_get_str(doc, *field = "authors", 7)) &&
        (err = parse_list(p, v, parse_author, "author", "[]interface {}", &a->authors)))
        return err;
    if ((v = val_obj_get_str(doc, *field = "custom", 6)) && val_kind_of(v) != VAL_NULL) {
        if (val_kind_of(v) != VAL_OBJECT) return um_err(p, v, "map[string]interface {}");
        if (val_obj_len(v)) a->custom = v;
    }
    if ((v = val_obj_get_str(doc, *field = "compile", 7)) && val_kind_of(v) == VAL_OBJECT)
        a->compile = v;
    *field = NULL;
    return NULL;
}

/* The 1-based YAML line where top-level key `field` starts (0: unknown). */
static uint32_t field_line(const rego_parser *p, const block *b, const char *field) {
    size_t fl = strlen(field);
    for (uint32_t i = 0; i < b->n; i++) {
        size_t n;
        const char *t = block_line(p, b->lines[i], &n);
        if (n > fl && !memcmp(t, field, fl) && t[fl] == ':') return i + 1;
    }
    return 0;
}

/* Report err for the block; go-yaml type errors get "line N: " and the
 * location of that line, as OPA does. */
static void block_error(rego_parser *p, const block *b, const char *err, uint32_t line) {
    static const char um[] = "yaml: unmarshal errors:\n  ";
    const rp_cmt *at = b->head;
    if (line && line <= b->n) at = b->lines[line - 1];
    if (!strncmp(err, um, sizeof um - 1)) {
        if (!line) line = 1;
        rp_errorf(p, at->line, at->col, "%sline %u: %s", um, line, err + sizeof um - 1);
    } else {
        rp_errorf(p, b->head->line, b->head->col, "%s", err);
    }
}

static bool parse_block(rego_parser *p, const block *b, annot_ext **out) {
    const rp_cmt *h = b->head;
    gh_buf buf;
    gh_buf_init(&buf);
    for (uint32_t i = 0; i < b->n; i++) {
        size_t n;
        const char *t = block_line(p, b->lines[i], &n);
        gh_buf_append(&buf, t, n);
        gh_buf_putc(&buf, '\n');
    }
    if (buf.oom) {
        gh_buf_free(&buf);
        rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
        return false;
    }
    bool blank = true;
    for (size_t i = 0; i < buf.len; i++)
        if (!(buf.p[i] == ' ' || buf.p[i] == '\t' || buf.p[i] == '\n' || buf.p[i] == '\r'))
            blank = false;
    if (blank) {
        gh_buf_free(&buf);
        rp_errorf(p, h->line, h->col, "expected METADATA block, found whitespace");
        return false;
    }
    annot_ext *x = rp_alloc(p, sizeof *x);
    char *yaml = x ? rp_strndup(p, buf.p, buf.len) : NULL;
    val_t **docs = NULL;
    size_t nd = 0;
    gh_err e;
    gh_err_clear(&e);
    int rc = yaml ? val_yaml_load(p->a, buf.p, buf.len, NULL, &docs, &nd, &e) : GH_ENOMEM;
    gh_buf_free(&buf);
    if (!yaml) return false;
    if (rc == GH_ENOMEM) {
        rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
        return false;
    }
    if (rc) {
        uint32_t l = h->line, c = h->col;
        if (e.line > 0 && (uint32_t)e.line <= b->n) {
            l = b->lines[e.line - 1]->line;
            c = b->lines[e.line - 1]->col;
        }
        char *ctx = strstr(e.msg, " (while "); /* libyaml context go-yaml leaves out */
        if (ctx) *ctx = '\0';
        if (e.line > 0)
            rp_errorf(p, l, c, "yaml: line %d: %s", e.line, e.msg);
        else
            rp_errorf(p, l, c, "yaml: %s", e.msg);
        return false;
    }
    x->a.loc =
        (rego_loc){p->file, h->line, h->col, h->off, b->n ? b->lines[b->n - 1]->end : h->end};
    x->a.yaml = yaml;
    x->line = h->line;
    x->scope_raw = "";
    const val_t *doc = nd ? docs[0] : NULL;
    if (doc && val_kind_of(doc) != VAL_NULL) {
        if (val_kind_of(doc) != VAL_OBJECT) {
            block_error(p, b, um_err(p, doc, "ast.rawAnnotation"), 1);
            return false;
        }
        const char *field = NULL;
        const char *err = load_fields(p, x, doc, &field);
        if (err) {
            block_error(p, b, err, field ? field_line(p, b, field) : 0);
            return false;
        }
    }
    *out = x;
    return !p->fatal;
}

bool rp_annotations_parse(rego_parser *p, rego_annot ***out, uint32_t *nout) {
    *out = NULL;
    *nout = 0;
    uint32_t n = p->s.ncmts;
    if (!n) return true;
    rp_cmt **cs = rp_alloc(p, n * sizeof *cs);
    if (!cs) return false;
    uint32_t i = n;
    for (rp_cmt *c = p->s.cmts; c && i; c = c->prev)
        cs[--i] = c;
    rp_vec res = {0};
    block cur = {0};
    bool in = false, ok = true;
    for (i = 0; i <= n && !p->fatal; i++) {
        if (in && i < n && cs[i]->line == cs[i - 1]->line + 1 && cs[i]->col == 1) {
            if (cur.n == cur.cap) {
                uint32_t nc = cur.cap ? cur.cap * 2 : 8;
                rp_cmt **nl =
                    gh_arena_realloc(p->a, cur.lines, cur.cap * sizeof *nl, nc * sizeof *nl);
                if (!nl) {
                    rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
                    return false;
                }
                cur.lines = nl;
                cur.cap = nc;
            }
            cur.lines[cur.n++] = cs[i];
            continue;
        }
        if (in) {
            annot_ext *x = NULL;
            if (parse_block(p, &cur, &x))
                rp_vec_push(p, &res, x);
            else
                ok = false;
            in = false;
        }
        if (i == n) break;
        size_t tn;
        const char *t = cmt_text(p, cs[i], &tn);
        if (trimmed_prefix(t, tn, "METADATA")) {
            cur = (block){0};
            cur.head = cs[i];
            in = true;
        }
    }
    if (!ok || p->fatal) return false;
    *out = (rego_annot **)res.items;
    *nout = res.n;
    return true;
}

/* ---- attachment ------------------------------------------------------------------ */

static bool term_eq(const rego_term *a, const rego_term *b) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case REGO_T_SCALAR: return val_equal(a->u.value, b->u.value);
    case REGO_T_VAR: return !strcmp(a->u.var.name, b->u.var.name);
    case REGO_T_REF:
    case REGO_T_ARRAY:
    case REGO_T_SET:
    case REGO_T_CALL:
        if (a->u.list.n != b->u.list.n) return false;
        for (uint32_t i = 0; i < a->u.list.n; i++)
            if (!term_eq(a->u.list.items[i], b->u.list.items[i])) return false;
        return true;
    case REGO_T_OBJECT:
        if (a->u.obj.n != b->u.obj.n) return false;
        for (uint32_t i = 0; i < a->u.obj.n; i++)
            if (!term_eq(a->u.obj.keys[i], b->u.obj.keys[i]) ||
                !term_eq(a->u.obj.vals[i], b->u.obj.vals[i]))
                return false;
        return true;
    default: return a == b;
    }
}

static bool same_ground_prefix(const rego_rule *x, const rego_rule *y) {
    uint32_t nx = rego_ref_ground_prefix(x->ref), ny = rego_ref_ground_prefix(y->ref);
    if (nx != ny) return false;
    for (uint32_t i = 0; i < nx; i++)
        if (!term_eq(x->ref->u.list.items[i], y->ref->u.list.items[i])) return false;
    return true;
}

static const char *node_name(int kind) {
    return kind == 0 ? "package" : kind == 1 ? "import" : "rule";
}

bool rp_annotations_attach(rego_parser *p, rego_module *m, const rp_stmt *st, uint32_t nst) {
    if (!m->nannots) return true;
    const rp_stmt **node = rp_alloc(p, m->nannots * sizeof *node);
    if (!node) return false;
    for (uint32_t i = 0; i < m->nannots; i++) {
        annot_ext *x = (annot_ext *)m->annots[i];
        const rp_stmt *nd = NULL;
        for (uint32_t j = 0; j < nst; j++) {
            if (st[j].line > x->line) {
                nd = &st[j];
                break;
            }
        }
        node[i] = nd;
        const char *scope = x->scope_raw;
        if (!*scope && nd)
            scope = nd->kind == 2   ? (x->a.entrypoint ? "document" : "rule")
                    : nd->kind == 0 ? "package"
                                    : "import";
        uint32_t l = x->a.loc.line, c = x->a.loc.col;
        const char *have = nd ? gh_arena_printf(p->a, " (have %s)", node_name(nd->kind)) : "";
        if (!strcmp(scope, "rule") || !strcmp(scope, "document")) {
            x->a.scope = !strcmp(scope, "rule") ? REGO_SCOPE_RULE : REGO_SCOPE_DOCUMENT;
            if (!nd || nd->kind != 2)
                rp_errorf(p, l, c, "annotation scope '%s' must be applied to rule%s", scope, have);
        } else if (!strcmp(scope, "package") || !strcmp(scope, "subpackages")) {
            x->a.scope = !strcmp(scope, "package") ? REGO_SCOPE_PACKAGE : REGO_SCOPE_SUBPACKAGES;
            if (!nd || nd->kind != 0)
                rp_errorf(p, l, c, "annotation scope '%s' must be applied to package%s", scope,
                          have);
        } else {
            rp_errorf(p, l, c,
                      "invalid annotation scope '%s'. Use one of 'rule', 'document', 'package', or "
                      "'subpackages'",
                      scope);
        }
        if (x->a.entrypoint && x->a.scope != REGO_SCOPE_DOCUMENT &&
            x->a.scope != REGO_SCOPE_PACKAGE)
            rp_errorf(p, l, c,
                      "annotation entrypoint applied to non-document or package scope '%s'", scope);
        x->a.rule = nd && nd->kind == 2 ? nd->node : NULL;
    }
    if (p->s.nerrs || p->fatal) return false;

    /* OPA's attachRuleAnnotations: document-scoped blocks go to every rule of
     * the same path; a rule-scoped block to the first later rule of its path. */
    bool *used = rp_alloc(p, m->nannots * sizeof *used);
    if (!used) return false;
    for (uint32_t r = 0; r < m->nrules; r++) {
        rego_rule *rule = m->rules[r];
        rp_vec v = {0};
        int64_t take = -1;
        for (uint32_t i = 0; i < m->nannots; i++) {
            rego_annot *a = m->annots[i];
            if (used[i] || !a->rule || !same_ground_prefix(rule, a->rule)) continue;
            if (a->scope == REGO_SCOPE_DOCUMENT) {
                rp_vec_push(p, &v, a);
            } else if (a->scope == REGO_SCOPE_RULE && rule->loc.line > a->loc.line) {
                take = i;
                rp_vec_push(p, &v, a);
            }
        }
        if (take >= 0) used[take] = true;
        rule->annots = (rego_annot **)v.items;
        rule->nannots = v.n;
    }
    return !p->fatal;
}

/* ---- rego.metadata.* values -------------------------------------------------------- */

val_t *rego_annot_to_value(gh_arena *a, const rego_annot *an) {
    val_t *o = val_obj_new(a, 10);
    if (!o) return NULL;
#define PUT(k, v)                                                                                  \
    do {                                                                                           \
        val_t *kk = val_strc(a, k), *vv = (v);                                                     \
        if (!kk || !vv || val_obj_put(a, o, kk, vv)) return NULL;                                  \
    } while (0)
    PUT("scope", val_strc(a, rego_annot_scope_name((rego_annot_scope)an->scope)));
    if (an->title) PUT("title", val_strc(a, an->title));
    if (an->entrypoint) PUT("entrypoint", VAL_TRUE);
    if (an->description) PUT("description", val_strc(a, an->description));
    if (an->organizations) PUT("organizations", an->organizations);
    if (an->related_resources) PUT("related_resources", an->related_resources);
    if (an->authors) PUT("authors", an->authors);
    if (an->schemas) PUT("schemas", an->schemas);
    if (an->custom) PUT("custom", an->custom);
#undef PUT
    return o;
}
