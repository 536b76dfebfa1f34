/* parse_cyclonedx.c - CycloneDX SBOMs as conftest reads them: a JSON BOM
 * is its JSON object unchanged; an XML BOM (read with libxml2, no network,
 * no entity expansion) is mapped to the CycloneDX JSON shape: attributes and
 * child elements become fields, the schema's wrapper elements
 * (<components><component/>...) become arrays (empty wrappers are left
 * out, as Go's encoder omits them), and the few elements whose JSON form
 * differs (hash, property, license choices, dependency, text with
 * attributes) get their JSON form. Called by `gatehouse check` / `parse`. */
#include <ctype.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/limits.h"
#include "policy/policy.h"

/* wrapper element -> the child element it repeats */
static const char *const WRAPPERS[][2] = {
    {"components", "component"},
    {"services", "service"},
    {"externalReferences", "reference"},
    {"dependencies", "dependency"},
    {"compositions", "composition"},
    {"properties", "property"},
    {"vulnerabilities", "vulnerability"},
    {"tools", "tool"},
    {"hashes", "hash"},
    {"authors", "author"},
    {"annotations", "annotation"},
    {"patches", "patch"},
    {"commits", "commit"},
    {"endpoints", "endpoint"},
    {"assemblies", "assembly"},
    {"ratings", "rating"},
    {"advisories", "advisory"},
    {"affects", "target"},
    {"versions", "version"},
    {"references", "reference"},
    {"cwes", "cwe"},
    {"subjects", "subject"},
    {"lifecycles", "lifecycle"},
    {"occurrences", "occurrence"},
    {"identity", "identity"},
    {"callstack", "frames"},
    {"frames", "frame"},
    {"copyright", "text"},
    {"data", "classification"},
    {"individuals", "individual"},
    {"organizations", "organization"},
    {"timestamps", "timestamp"},
};

typedef struct {
    gh_arena *a;
    const char *file;
    gh_err *e;
    int rc;
    int depth;
} cx;

static int oom(cx *C) {
    if (!C->rc) C->rc = gh_err_set(C->e, GH_ENOMEM, C->file, 0, 0, "out of memory");
    return C->rc;
}

static const char *wrapped(const xmlNode *n) {
    const char *name = (const char *)n->name;
    for (size_t i = 0; i < sizeof WRAPPERS / sizeof WRAPPERS[0]; i++)
        if (!strcmp(name, WRAPPERS[i][0])) {
            /* <tools> holds <tool> (1.4) or <components>/<services> (1.5+) */
            for (const xmlNode *c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, WRAPPERS[i][1]))
                    return NULL;
            return WRAPPERS[i][1];
        }
    return NULL;
}

static bool has_elements(const xmlNode *n) {
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return true;
    return false;
}

static val_t *text_of(cx *C, const xmlNode *n) {
    xmlChar *t = xmlNodeGetContent(n);
    const char *s = t ? (const char *)t : "";
    size_t len = strlen(s);
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    val_t *v = val_str(C->a, s, len);
    if (t) xmlFree(t);
    if (!v) oom(C);
    return v;
}

/* "content-type" -> "contentType"; "bom-ref" stays */
static val_t *attr_key(cx *C, const char *name) {
    if (!strcmp(name, "bom-ref") || !strchr(name, '-')) return val_strc(C->a, name);
    char buf[128];
    size_t j = 0;
    for (size_t i = 0; name[i] && j + 1 < sizeof buf; i++) {
        if (name[i] == '-' && name[i + 1]) {
            buf[j++] = (char)toupper((unsigned char)name[++i]);
        } else {
            buf[j++] = name[i];
        }
    }
    buf[j] = 0;
    return val_strc(C->a, buf);
}

static int put(cx *C, val_t *obj, val_t *k, val_t *v) {
    if (!k || !v || val_obj_put(C->a, obj, k, v)) return oom(C);
    return 0;
}

static val_t *convert(cx *C, const xmlNode *n);

/* Add child `v` named `name` to obj; a repeated name becomes an array
 * (`made` remembers the arrays made that way, by name). */
static int add_field(cx *C, val_t *obj, val_t *made, const char *name, val_t *v) {
    val_t *k = val_strc(C->a, name);
    if (!k || !v) return oom(C);
    val_t *old = val_obj_get(obj, k);
    if (!old) return put(C, obj, k, v);
    val_t *arr = val_obj_get(made, k);
    if (!arr) {
        arr = val_arr_new(C->a, 4);
        if (!arr || val_arr_push(C->a, arr, old) || put(C, made, k, arr) || put(C, obj, k, arr))
            return oom(C);
    }
    return val_arr_push(C->a, arr, v) ? oom(C) : 0;
}

static val_t *convert_wrapper(cx *C, const xmlNode *n, const char *item) {
    val_t *arr = val_arr_new(C->a, 4);
    if (!arr) return oom(C), NULL;
    bool licenses = !strcmp((const char *)n->name, "licenses");
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (!licenses && strcmp((const char *)c->name, item)) continue;
        val_t *x = convert(C, c);
        if (!x) return NULL;
        if (licenses) { /* [{"license": {...}} | {"expression": "..."}] */
            val_t *w = val_obj_new(C->a, 1);
            if (!w || put(C, w, val_strc(C->a, (const char *)c->name), x)) return NULL;
            x = w;
        }
        if (val_arr_push(C->a, arr, x)) return oom(C), NULL;
    }
    return arr;
}

static val_t *convert(cx *C, const xmlNode *n) {
    if (++C->depth > GH_MAX_DEPTH) {
        if (!C->rc)
            C->rc = gh_err_set(C->e, GH_ELIMIT, C->file, (int)xmlGetLineNo(n), 0,
                               "cyclonedx: nesting deeper than %d", GH_MAX_DEPTH);
        return NULL;
    }
    const char *name = (const char *)n->name;
    val_t *r = NULL;
    if (!strcmp(name, "dependency")) {
        /* <dependency ref="a"><dependency ref="b"/></dependency> */
        r = val_obj_new(C->a, 2);
        xmlChar *ref = xmlGetProp(n, (const xmlChar *)"ref");
        if (!r || put(C, r, val_strc(C->a, "ref"), val_strc(C->a, ref ? (const char *)ref : "")))
            r = NULL;
        if (ref) xmlFree(ref);
        val_t *deps = r ? val_arr_new(C->a, 4) : NULL;
        for (const xmlNode *c = n->children; deps && c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "dependency"))
                continue;
            xmlChar *cr = xmlGetProp(c, (const xmlChar *)"ref");
            val_t *s = val_strc(C->a, cr ? (const char *)cr : "");
            if (cr) xmlFree(cr);
            if (!s || val_arr_push(C->a, deps, s)) deps = NULL;
        }
        if (!deps) return oom(C), NULL;
        if (val_arr_len(deps) && put(C, r, val_strc(C->a, "dependsOn"), deps)) return NULL;
        C->depth--;
        return r;
    }
    const char *item = wrapped(n);
    if (item || !strcmp(name, "licenses")) {
        r = convert_wrapper(C, n, item);
        C->depth--;
        return r;
    }
    bool attrs = false;
    for (const xmlAttr *at = n->properties; at; at = at->next)
        if (!at->ns || !at->ns->prefix) attrs = true;
    if (!has_elements(n) && !attrs) {
        r = text_of(C, n);
        C->depth--;
        return r;
    }
    r = val_obj_new(C->a, 8);
    if (!r) return oom(C), NULL;
    for (const xmlAttr *at = n->properties; at; at = at->next) {
        if (at->ns && at->ns->prefix) continue; /* xsi:..., xml:... */
        xmlChar *v = xmlNodeListGetString(n->doc, at->children, 1);
        val_t *x = val_strc(C->a, v ? (const char *)v : "");
        if (v) xmlFree(v);
        if (put(C, r, attr_key(C, (const char *)at->name), x)) return NULL;
    }
    if (!has_elements(n)) {
        /* text with attributes: hash, property, text/attachment content */
        const char *tk = !strcmp(name, "property") ? "value" : "content";
        if (put(C, r, val_strc(C->a, tk), text_of(C, n))) return NULL;
        C->depth--;
        return r;
    }
    val_t *made = val_obj_new(C->a, 2);
    if (!made) return oom(C), NULL;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const char *cn = (const char *)c->name;
        if ((wrapped(c) || !strcmp(cn, "licenses")) && !has_elements(c)) continue; /* empty list */
        val_t *x = convert(C, c);
        if (!x || add_field(C, r, made, cn, x)) return NULL;
    }
    C->depth--;
    return r;
}

static void silent(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static int parse_xml_bom(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e) {
    if (n > (size_t)INT32_MAX)
        return gh_err_set(e, GH_ELIMIT, file, 0, 0, "cyclonedx: document too large");
    xmlSetGenericErrorFunc(NULL, silent);
    xmlDocPtr doc = xmlReadMemory(text, (int)n, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *xe = xmlGetLastError();
        const char *m = xe && xe->message ? xe->message : "malformed XML";
        size_t ml = strlen(m);
        while (ml && isspace((unsigned char)m[ml - 1]))
            ml--;
        return gh_err_set(e, GH_EPARSE, file, xe ? xe->line : 0, xe ? xe->int2 : 0,
                          "cyclonedx: not JSON, and not XML: %.*s", (int)ml, m);
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    if (!root || strcmp((const char *)root->name, "bom")) {
        rc = gh_err_set(e, GH_EPARSE, file, root ? (int)xmlGetLineNo(root) : 1, 1,
                        "cyclonedx: the XML root element must be <bom>");
        xmlFreeDoc(doc);
        return rc;
    }
    cx C = {.a = a, .file = file, .e = e};
    val_t *bom = convert(&C, root);
    if (bom && val_kind_of(bom) != VAL_OBJECT) { /* <bom/> without attributes or children */
        bom = val_obj_new(a, 4);
        if (!bom) oom(&C);
    }
    if (bom) {
        /* bomFormat, specVersion (from the namespace), version as a number */
        const char *ns = root->ns && root->ns->href ? (const char *)root->ns->href : "";
        const char *sv = strrchr(ns, '/');
        val_t *vk = val_strc(a, "version"), *ver = vk ? val_obj_get(bom, vk) : NULL;
        if (put(&C, bom, val_strc(a, "bomFormat"), val_strc(a, "CycloneDX")) ||
            put(&C, bom, val_strc(a, "specVersion"), val_strc(a, sv ? sv + 1 : "")))
            bom = NULL;
        if (bom && ver && val_kind_of(ver) == VAL_STRING) {
            val_t *num = val_num_parse(a, val_str_ptr(ver), val_str_len(ver), NULL);
            if (num && put(&C, bom, vk, num)) bom = NULL;
        } else if (bom && !ver && put(&C, bom, vk, val_int(a, 0))) {
            bom = NULL;
        }
    }
    xmlFreeDoc(doc);
    if (!bom) return C.rc ? C.rc : gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    *out = bom;
    return 0;
}

static int parse_cyclonedx_doc(gh_arena *a, const char *text, size_t n, const char *file,
                               val_t **out, gh_err *e) {
    gh_err ignored;
    val_t *v = NULL;
    int jrc = val_json_parse(a, text, n, NULL, &v, &ignored);
    if (jrc == GH_ENOMEM || a->oom) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    if (jrc == 0) {
        if (val_kind_of(v) != VAL_OBJECT)
            return gh_err_set(e, GH_EPARSE, file, 1, 1, "cyclonedx: a JSON BOM must be an object");
        *out = v;
        return 0;
    }
    return parse_xml_bom(a, text, n, file, out, e);
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_cyclonedx(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                        gh_err *e) {
    int rc = parse_cyclonedx_doc(a, text, n, file, out, e);
    if (rc && rc != GH_ENOMEM && a->oom) rc = gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    return rc;
}
