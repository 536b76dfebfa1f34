/* parse_xml.c - XML inputs for `gatehouse check` in the shape conftest
 * gives them (clbanning/mxj's map of a document): see pol_parse_xml in
 * policy.h. libxml2 builds the tree (no network, no DTD loading, no entity
 * substitution, so no entity expansion attacks); the walk below turns it
 * into values with an explicit depth check. Called by cli_input.c. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <string.h>

#include "policy/policy.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void) { xmlInitParser(); }

typedef struct xwalk {
    gh_arena *a;
    const char *file;
    gh_err *e;
} xwalk;

static int oom(xwalk *w) { return gh_err_set(w->e, GH_ENOMEM, w->file, 0, 0, "out of memory"); }

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\b'; }

/* mxj trims whitespace around text */
static val_t *trimmed_str(gh_arena *a, const char *s, size_t n) {
    while (n && is_ws(*s))
        s++, n--;
    while (n && is_ws(s[n - 1]))
        n--;
    return val_str(a, s, n);
}

/* Add `v` under `key`: a second value with the same key turns it into an
 * array (in document order). */
static int put_multi(xwalk *w, val_t *obj, const char *key, val_t *v) {
    val_t *k = val_strc(w->a, key);
    if (!k) return oom(w);
    val_t *cur = val_obj_get(obj, k);
    if (!cur) return val_obj_put(w->a, obj, k, v) ? oom(w) : 0;
    /* element values are strings or objects: an array here is one we made */
    if (val_kind_of(cur) == VAL_ARRAY) return val_arr_push(w->a, cur, v) ? oom(w) : 0;
    val_t *arr = val_arr_new(w->a, 4);
    if (!arr || val_arr_push(w->a, arr, cur) || val_arr_push(w->a, arr, v)) return oom(w);
    return val_obj_put(w->a, obj, k, arr) ? oom(w) : 0;
}

static int elem_value(xwalk *w, xmlNode *el, uint32_t depth, val_t **out) {
    if (depth > GH_MAX_DEPTH)
        return gh_err_set(w->e, GH_ELIMIT, w->file, (int)xmlGetLineNo(el), 0,
                          "XML nesting deeper than %d", GH_MAX_DEPTH);
    gh_buf text;
    gh_buf_init(&text);
    bool has_attr = el->properties != NULL || el->nsDef != NULL, has_kids = false;
    for (xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) has_kids = true;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            gh_buf_puts(&text, (const char *)c->content);
    }
    if (text.oom) {
        gh_buf_free(&text);
        return oom(w);
    }
    val_t *t = trimmed_str(w->a, text.p ? text.p : "", text.len);
    gh_buf_free(&text);
    if (!t) return oom(w);
    if (!has_attr && !has_kids) {
        *out = t;
        return 0;
    }
    val_t *obj = val_obj_new(w->a, 4);
    if (!obj) return oom(w);
    /* Go's decoder reports namespace declarations as attributes:
     * xmlns="u" as "-xmlns", xmlns:p="u" as "-p" */
    for (xmlNs *ns = el->nsDef; ns; ns = ns->next) {
        char *key = ns->prefix ? gh_arena_printf(w->a, "-%s", (const char *)ns->prefix)
                               : gh_arena_printf(w->a, "-xmlns");
        val_t *vs = val_strc(w->a, ns->href ? (const char *)ns->href : "");
        if (!key || !vs) return oom(w);
        int rc = put_multi(w, obj, key, vs);
        if (rc) return rc;
    }
    for (xmlAttr *at = el->properties; at; at = at->next) {
        xmlChar *v = xmlNodeListGetString(el->doc, at->children, 1);
        char *key = gh_arena_printf(w->a, "-%s", (const char *)at->name);
        val_t *vs = val_strc(w->a, v ? (const char *)v : "");
        xmlFree(v);
        if (!key || !vs) return oom(w);
        int rc = put_multi(w, obj, key, vs);
        if (rc) return rc;
    }
    for (xmlNode *c = el->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        val_t *cv;
        int rc = elem_value(w, c, depth + 1, &cv);
        if (rc) return rc;
        if ((rc = put_multi(w, obj, (const char *)c->name, cv))) return rc;
    }
    if (val_str_len(t)) {
        int rc = put_multi(w, obj, "#text", t);
        if (rc) return rc;
    }
    *out = obj;
    return 0;
}

int pol_parse_xml(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e) {
    if (!file) file = "<xml>";
    if (n > GH_MAX_DOC_BYTES || n > (size_t)INT32_MAX)
        return gh_err_set(e, GH_ELIMIT, file, 0, 0, "document too large");
    pthread_once(&xml_once, xml_init);
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    if (!ctx) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, text, (int)n, file, NULL, opts);
    int rc = 0;
    if (!doc || !ctx->wellFormed) {
        const xmlError *er = xmlCtxtGetLastError(ctx);
        char msg[256] = "malformed XML";
        int line = 0, col = 0;
        if (er && er->message) {
            size_t l = strlen(er->message);
            while (l && (er->message[l - 1] == '\n' || er->message[l - 1] == ' '))
                l--;
            if (l >= sizeof msg) l = sizeof msg - 1;
            memcpy(msg, er->message, l);
            msg[l] = '\0';
            line = er->line;
            col = er->int2;
        }
        rc = gh_err_set(e, GH_EPARSE, file, line, col, "xml: %s", msg);
    } else {
        xmlNode *root = xmlDocGetRootElement(doc);
        val_t *obj = val_obj_new(a, 1), *v = NULL;
        xwalk w = {a, file, e};
        if (!obj) {
            rc = oom(&w);
        } else if (!root) {
            *out = obj;
        } else if (!(rc = elem_value(&w, root, 1, &v))) {
            val_t *k = val_strc(a, (const char *)root->name);
            if (!k || val_obj_put(a, obj, k, v))
                rc = oom(&w);
            else
                *out = obj;
        }
    }
    if (doc) xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctx);
    return rc;
}
