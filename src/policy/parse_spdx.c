/* parse_spdx.c - SPDX 2.x tag-value documents into the JSON shape conftest
 * gives (spdx/tools-golang's tagvalue reader, converted to its SPDX 2.3
 * Document and marshalled as JSON). Lines are "Tag: value" (values may be
 * <text>...</text> over several lines); tags open sections (PackageName,
 * FileName, SnippetSPDXID, LicenseID, Annotator) and fill fields through a
 * per-section table. Called by `gatehouse check` / `parse` (--parser spdx,
 * .spdx files). Invariants: no recursion; nothing printed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/parse_int.h"
#include "policy/policy.h"

/* How a tag's value lands in its section's object. */
typedef enum {
    F_STR,      /* string field */
    F_LIST,     /* appended to a string array */
    F_CHECKSUM, /* "ALG: value" appended to an array of {algorithm, checksumValue} */
    F_BOOL,     /* "true"/"false" (FilesAnalyzed: stored only when true) */
    F_VERIF,    /* "hash (excludes: x)" -> {packageVerificationCodeValue, ...ExcludedFiles} */
    F_EXTREF,   /* "CATEGORY type locator" appended to externalRefs */
    F_EXTREF_COMMENT,
    F_RANGE_BYTE,
    F_RANGE_LINE,
    F_IGNORE,
} fkind;

typedef struct {
    const char *tag;
    const char *key;
    fkind k;
} field;

static const field DOC_FIELDS[] = {{"SPDXVersion", "spdxVersion", F_STR},
                                   {"DataLicense", "dataLicense", F_STR},
                                   {"SPDXID", "SPDXID", F_STR},
                                   {"DocumentName", "name", F_STR},
                                   {"DocumentNamespace", "documentNamespace", F_STR},
                                   {"DocumentComment", "comment", F_STR},
                                   {NULL, NULL, F_STR}};
static const field CREATION_FIELDS[] = {{"LicenseListVersion", "licenseListVersion", F_STR},
                                        {"Creator", "creators", F_LIST},
                                        {"Created", "created", F_STR},
                                        {"CreatorComment", "comment", F_STR},
                                        {NULL, NULL, F_STR}};
static const field PKG_FIELDS[] = {{"PackageName", "name", F_STR},
                                   {"SPDXID", "SPDXID", F_STR},
                                   {"PackageVersion", "versionInfo", F_STR},
                                   {"PackageFileName", "packageFileName", F_STR},
                                   {"PackageSupplier", "supplier", F_STR},
                                   {"PackageOriginator", "originator", F_STR},
                                   {"PackageDownloadLocation", "downloadLocation", F_STR},
                                   {"FilesAnalyzed", "filesAnalyzed", F_BOOL},
                                   {"PackageVerificationCode", "packageVerificationCode", F_VERIF},
                                   {"PackageChecksum", "checksums", F_CHECKSUM},
                                   {"PackageHomePage", "homepage", F_STR},
                                   {"PackageSourceInfo", "sourceInfo", F_STR},
                                   {"PackageLicenseConcluded", "licenseConcluded", F_STR},
                                   {"PackageLicenseInfoFromFiles", "licenseInfoFromFiles", F_LIST},
                                   {"PackageLicenseDeclared", "licenseDeclared", F_STR},
                                   {"PackageLicenseComments", "licenseComments", F_STR},
                                   {"PackageCopyrightText", "copyrightText", F_STR},
                                   {"PackageSummary", "summary", F_STR},
                                   {"PackageDescription", "description", F_STR},
                                   {"PackageComment", "comment", F_STR},
                                   {"ExternalRef", "externalRefs", F_EXTREF},
                                   {"ExternalRefComment", "externalRefs", F_EXTREF_COMMENT},
                                   {"PackageAttributionText", "attributionTexts", F_LIST},
                                   {"PrimaryPackagePurpose", "primaryPackagePurpose", F_STR},
                                   {"ReleaseDate", "releaseDate", F_STR},
                                   {"BuiltDate", "builtDate", F_STR},
                                   {"ValidUntilDate", "validUntilDate", F_STR},
                                   {NULL, NULL, F_STR}};
static const field FILE_FIELDS[] = {{"FileName", "fileName", F_STR},
                                    {"SPDXID", "SPDXID", F_STR},
                                    {"FileType", "fileTypes", F_LIST},
                                    {"FileChecksum", "checksums", F_CHECKSUM},
                                    {"LicenseConcluded", "licenseConcluded", F_STR},
                                    {"LicenseInfoInFile", "licenseInfoInFiles", F_LIST},
                                    {"LicenseComments", "licenseComments", F_STR},
                                    {"FileCopyrightText", "copyrightText", F_STR},
                                    {"FileComment", "comment", F_STR},
                                    {"FileNotice", "noticeText", F_STR},
                                    {"FileContributor", "fileContributors", F_LIST},
                                    {"FileAttributionText", "attributionTexts", F_LIST},
                                    {"FileDependency", "fileDependencies", F_LIST},
                                    {"ArtifactOfProjectName", NULL, F_IGNORE},
                                    {"ArtifactOfProjectHomePage", NULL, F_IGNORE},
                                    {"ArtifactOfProjectURI", NULL, F_IGNORE},
                                    {NULL, NULL, F_STR}};
static const field SNIPPET_FIELDS[] = {{"SnippetSPDXID", "SPDXID", F_STR},
                                       {"SnippetFromFileSPDXID", "snippetFromFile", F_STR},
                                       {"SnippetByteRange", "ranges", F_RANGE_BYTE},
                                       {"SnippetLineRange", "ranges", F_RANGE_LINE},
                                       {"SnippetLicenseConcluded", "licenseConcluded", F_STR},
                                       {"LicenseInfoInSnippet", "licenseInfoInSnippets", F_LIST},
                                       {"SnippetLicenseComments", "licenseComments", F_STR},
                                       {"SnippetCopyrightText", "copyrightText", F_STR},
                                       {"SnippetComment", "comment", F_STR},
                                       {"SnippetName", "name", F_STR},
                                       {"SnippetAttributionText", "attributionTexts", F_LIST},
                                       {NULL, NULL, F_STR}};
static const field LICENSE_FIELDS[] = {
    {"LicenseID", "licenseId", F_STR},    {"ExtractedText", "extractedText", F_STR},
    {"LicenseName", "name", F_STR},       {"LicenseCrossReference", "seeAlsos", F_LIST},
    {"LicenseComment", "comment", F_STR}, {NULL, NULL, F_STR}};
static const field ANNOT_FIELDS[] = {
    {"Annotator", "annotator", F_STR},           {"AnnotationDate", "annotationDate", F_STR},
    {"AnnotationType", "annotationType", F_STR}, {"SPDXREF", NULL, F_IGNORE},
    {"AnnotationComment", "comment", F_STR},     {NULL, NULL, F_STR}};
static const field REVIEW_FIELDS[] = {{"Reviewer", NULL, F_IGNORE},
                                      {"ReviewDate", NULL, F_IGNORE},
                                      {"ReviewComment", NULL, F_IGNORE},
                                      {NULL, NULL, F_STR}};

typedef enum { S_DOC, S_PKG, S_FILE, S_SNIPPET, S_LICENSE, S_ANNOT, S_REVIEW, S_REL } section;

typedef struct {
    gh_arena *a;
    const char *file;
    gh_err *e;
    int line;
    val_t *doc, *creation, *pkgs, *files, *licenses, *rels, *annots, *snippets;
    val_t *cur;     /* object of the open section */
    val_t *cur_pkg; /* the package files attach to */
    section sec;
    val_t *last_rel;
} sp;

static int oom(sp *S) { return gh_err_set(S->e, GH_ENOMEM, S->file, S->line, 1, "out of memory"); }

static val_t *K(sp *S, const char *k) { return val_strc(S->a, k); }

static int put(sp *S, val_t *obj, const char *k, val_t *v) {
    val_t *key = K(S, k);
    if (!key || !v || val_obj_put(S->a, obj, key, v)) return oom(S);
    return 0;
}

static val_t *get_arr(sp *S, val_t *obj, const char *k) {
    val_t *key = K(S, k);
    if (!key) return NULL;
    val_t *arr = val_obj_get(obj, key);
    if (arr && val_kind_of(arr) == VAL_ARRAY) return arr;
    arr = val_arr_new(S->a, 2);
    if (!arr || val_obj_put(S->a, obj, key, arr)) return NULL;
    return arr;
}

static int append(sp *S, val_t *obj, const char *k, val_t *v) {
    val_t *arr = get_arr(S, obj, k);
    if (!arr || !v || val_arr_push(S->a, arr, v)) return oom(S);
    return 0;
}

static val_t *str(sp *S, const char *s, size_t n) {
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return val_str(S->a, s, n);
}

/* "ALG: value" -> {algorithm, checksumValue}; NULL with e set on error. */
static val_t *make_checksum(sp *S, const char *v, size_t n) {
    const char *c = memchr(v, ':', n);
    if (!c) {
        gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                   "spdx: checksum must be \"ALGORITHM: value\"");
        return NULL;
    }
    val_t *o = val_obj_new(S->a, 2);
    if (!o || put(S, o, "algorithm", str(S, v, (size_t)(c - v))) ||
        put(S, o, "checksumValue", str(S, c + 1, n - (size_t)(c - v) - 1))) {
        oom(S);
        return NULL;
    }
    return o;
}

static int checksum(sp *S, val_t *obj, const char *k, const char *v, size_t n) {
    val_t *o = make_checksum(S, v, n);
    return o ? append(S, obj, k, o) : S->e->code;
}

static int range(sp *S, val_t *obj, const char *v, size_t n, bool bytes) {
    char buf[64];
    if (n >= sizeof buf) return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1, "spdx: bad range");
    memcpy(buf, v, n);
    buf[n] = 0;
    char *end;
    long long a = strtoll(buf, &end, 10);
    if (*end != ':')
        return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                          "spdx: range must be \"start:end\"");
    long long b = strtoll(end + 1, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                          "spdx: range must be \"start:end\"");
    val_t *from = val_obj_get(obj, K(S, "snippetFromFile"));
    val_t *r = val_obj_new(S->a, 2);
    if (!r) return oom(S);
    const char *names[2] = {"startPointer", "endPointer"};
    long long vals[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        val_t *p = val_obj_new(S->a, 2);
        if (!p || put(S, p, bytes ? "offset" : "lineNumber", val_int(S->a, vals[i])) ||
            put(S, p, "reference", from ? from : val_strc(S->a, "")) || put(S, r, names[i], p))
            return oom(S);
    }
    return append(S, obj, "ranges", r);
}

static int apply(sp *S, const field *tab, const char *tag, size_t tn, const char *v, size_t vn) {
    for (const field *f = tab; f->tag; f++) {
        if (strlen(f->tag) != tn || memcmp(f->tag, tag, tn)) continue;
        switch (f->k) {
        case F_STR: return put(S, S->cur, f->key, str(S, v, vn));
        case F_LIST: return append(S, S->cur, f->key, str(S, v, vn));
        case F_CHECKSUM: return checksum(S, S->cur, f->key, v, vn);
        case F_BOOL: {
            val_t *t = str(S, v, vn);
            if (!t) return oom(S);
            return put(S, S->cur, f->key,
                       val_bool(val_str_len(t) == 4 && !strncasecmp(val_str_ptr(t), "true", 4)));
        }
        case F_VERIF: {
            const char *p = memchr(v, '(', vn);
            val_t *o = val_obj_new(S->a, 2);
            if (!o ||
                put(S, o, "packageVerificationCodeValue", str(S, v, p ? (size_t)(p - v) : vn)))
                return oom(S);
            if (p) {
                const char *q = p + 1, *z = v + vn;
                while (z > q && (isspace((unsigned char)z[-1]) || z[-1] == ')'))
                    z--;
                if ((size_t)(z - q) >= 9 && !strncmp(q, "excludes:", 9)) q += 9;
                val_t *arr = val_arr_new(S->a, 1);
                if (!arr || val_arr_push(S->a, arr, str(S, q, (size_t)(z - q))) ||
                    put(S, o, "packageVerificationCodeExcludedFiles", arr))
                    return oom(S);
            }
            return put(S, S->cur, f->key, o);
        }
        case F_EXTREF: {
            val_t *o = val_obj_new(S->a, 4);
            const char *p = v, *z = v + vn;
            const char *names[3] = {"referenceCategory", "referenceType", "referenceLocator"};
            for (int i = 0; i < 3; i++) {
                while (p < z && isspace((unsigned char)*p))
                    p++;
                const char *w = p;
                if (i < 2)
                    while (p < z && !isspace((unsigned char)*p))
                        p++;
                else
                    p = z;
                if (w == p)
                    return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                                      "spdx: ExternalRef must be \"CATEGORY type locator\"");
                if (!o || put(S, o, names[i], str(S, w, (size_t)(p - w)))) return oom(S);
            }
            return append(S, S->cur, f->key, o);
        }
        case F_EXTREF_COMMENT: {
            val_t *arr = get_arr(S, S->cur, f->key);
            if (!arr) return oom(S);
            if (!val_arr_len(arr))
                return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                                  "spdx: ExternalRefComment without an ExternalRef");
            return put(S, val_arr_at(arr, val_arr_len(arr) - 1), "comment", str(S, v, vn));
        }
        case F_RANGE_BYTE:
        case F_RANGE_LINE: return range(S, S->cur, v, vn, f->k == F_RANGE_BYTE);
        case F_IGNORE: return 0;
        }
    }
    return 1; /* not in this table */
}

static val_t *open_obj(sp *S, val_t *list) {
    val_t *o = val_obj_new(S->a, 8);
    if (!o || val_arr_push(S->a, list, o)) return NULL;
    return o;
}

static int relationship(sp *S, const char *v, size_t vn) {
    const char *w[3];
    size_t wn[3];
    const char *p = v, *z = v + vn;
    for (int i = 0; i < 3; i++) {
        while (p < z && isspace((unsigned char)*p))
            p++;
        w[i] = p;
        while (p < z && !isspace((unsigned char)*p))
            p++;
        wn[i] = (size_t)(p - w[i]);
        if (!wn[i])
            return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                              "spdx: Relationship must be \"ELEMENT TYPE ELEMENT\"");
    }
    while (p < z && isspace((unsigned char)*p))
        p++;
    if (p < z)
        return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                          "spdx: Relationship has extra words");
    val_t *o = open_obj(S, S->rels);
    if (!o || put(S, o, "spdxElementId", val_str(S->a, w[0], wn[0])) ||
        put(S, o, "relationshipType", val_str(S->a, w[1], wn[1])) ||
        put(S, o, "relatedSpdxElement", val_str(S->a, w[2], wn[2])))
        return oom(S);
    S->last_rel = o;
    return 0;
}

static int pair(sp *S, const char *tag, size_t tn, const char *v, size_t vn) {
#define IS(t) (tn == sizeof(t) - 1 && !memcmp(tag, t, tn))
    int rc;
    /* tags that open a section */
    if (IS("PackageName")) {
        if (!(S->cur = S->cur_pkg = open_obj(S, S->pkgs))) return oom(S);
        S->sec = S_PKG;
    } else if (IS("FileName")) {
        val_t *list = S->files;
        if (S->cur_pkg) list = get_arr(S, S->cur_pkg, "files");
        if (!list || !(S->cur = open_obj(S, list))) return oom(S);
        S->sec = S_FILE;
    } else if (IS("SnippetSPDXID")) {
        if (!(S->cur = open_obj(S, S->snippets))) return oom(S);
        S->sec = S_SNIPPET;
    } else if (IS("LicenseID")) {
        if (!(S->cur = open_obj(S, S->licenses))) return oom(S);
        S->sec = S_LICENSE;
    } else if (IS("Annotator")) {
        if (!(S->cur = open_obj(S, S->annots))) return oom(S);
        S->sec = S_ANNOT;
    } else if (IS("Reviewer")) {
        S->sec = S_REVIEW;
    } else if (IS("Relationship")) {
        return relationship(S, v, vn);
    } else if (IS("RelationshipComment")) {
        if (!S->last_rel)
            return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1,
                              "spdx: RelationshipComment without a Relationship");
        return put(S, S->last_rel, "comment", str(S, v, vn));
    }
    if (S->sec == S_DOC) {
        if (IS("ExternalDocumentRef")) {
            /* DocumentRef-id uri ALG: hash */
            const char *p = v, *z = v + vn, *w[2];
            size_t wn[2];
            for (int i = 0; i < 2; i++) {
                while (p < z && isspace((unsigned char)*p))
                    p++;
                w[i] = p;
                while (p < z && !isspace((unsigned char)*p))
                    p++;
                wn[i] = (size_t)(p - w[i]);
            }
            if (!wn[0] || !wn[1] || p >= z)
                return gh_err_set(
                    S->e, GH_EPARSE, S->file, S->line, 1,
                    "spdx: ExternalDocumentRef must be \"DocumentRef-id uri ALG: hash\"");
            val_t *refs = get_arr(S, S->doc, "externalDocumentRefs");
            val_t *o = refs ? open_obj(S, refs) : NULL;
            size_t skip = wn[0] > 12 && !memcmp(w[0], "DocumentRef-", 12) ? 12 : 0;
            if (!o || put(S, o, "externalDocumentId", val_str(S->a, w[0] + skip, wn[0] - skip)) ||
                put(S, o, "spdxDocument", val_str(S->a, w[1], wn[1])))
                return oom(S);
            val_t *cs = make_checksum(S, p, (size_t)(z - p));
            return cs ? put(S, o, "checksum", cs) : S->e->code;
        }
        S->cur = S->doc;
        if ((rc = apply(S, DOC_FIELDS, tag, tn, v, vn)) <= 0) return rc;
        S->cur = S->creation;
        if ((rc = apply(S, CREATION_FIELDS, tag, tn, v, vn)) <= 0) return rc;
    } else {
        const field *tab = S->sec == S_PKG       ? PKG_FIELDS
                           : S->sec == S_FILE    ? FILE_FIELDS
                           : S->sec == S_SNIPPET ? SNIPPET_FIELDS
                           : S->sec == S_LICENSE ? LICENSE_FIELDS
                           : S->sec == S_ANNOT   ? ANNOT_FIELDS
                                                 : REVIEW_FIELDS;
        if ((rc = apply(S, tab, tag, tn, v, vn)) <= 0) return rc;
    }
    static const char *const secname[] = {
        "document creation info", "package",    "file",   "snippet",
        "other license",          "annotation", "review", "relationship"};
    return gh_err_set(S->e, GH_EPARSE, S->file, S->line, 1, "spdx: unknown tag %.*s in %s section",
                      (int)tn, tag, secname[S->sec]);
#undef IS
}

static int parse_spdx_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                          gh_err *e) {
    sp S = {.a = a, .file = file, .e = e};
    S.doc = val_obj_new(a, 16);
    S.creation = val_obj_new(a, 4);
    S.pkgs = val_arr_new(a, 4);
    S.files = val_arr_new(a, 4);
    S.licenses = val_arr_new(a, 2);
    S.rels = val_arr_new(a, 4);
    S.annots = val_arr_new(a, 2);
    S.snippets = val_arr_new(a, 2);
    if (!S.doc || !S.creation || !S.pkgs || !S.files || !S.licenses || !S.rels || !S.annots ||
        !S.snippets)
        return oom(&S);
    size_t pos = 0;
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) pos = 3;
    int line = 0, rc;
    while (pos < n) {
        line++;
        S.line = line;
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', n - pos);
        const char *end = nl ? nl : text + n;
        pos = (size_t)(end - text) + (nl ? 1 : 0);
        const char *ls = s, *le = end;
        while (ls < le && isspace((unsigned char)*ls))
            ls++;
        while (le > ls && isspace((unsigned char)le[-1]))
            le--;
        if (ls == le || *ls == '#') continue;
        const char *colon = memchr(ls, ':', (size_t)(le - ls));
        if (!colon)
            return gh_err_set(e, GH_EPARSE, file, line, 1,
                              "spdx: expected \"Tag: value\", got \"%.*s\"",
                              (int)(le - ls > 60 ? 60 : le - ls), ls);
        const char *tag = ls;
        size_t tn = (size_t)(colon - ls);
        while (tn && isspace((unsigned char)tag[tn - 1]))
            tn--;
        const char *v = colon + 1;
        while (v < le && isspace((unsigned char)*v))
            v++;
        size_t vn = (size_t)(le - v);
        int start_line = line;
        if (vn >= 6 && !memcmp(v, "<text>", 6)) {
            /* the value runs to </text>, possibly on a later line */
            const char *body = v + 6;
            const char *close = NULL;
            for (const char *q = body; q + 7 <= text + n; q++)
                if (!memcmp(q, "</text>", 7)) {
                    close = q;
                    break;
                }
            if (!close)
                return gh_err_set(e, GH_EPARSE, file, line, 1, "spdx: <text> without </text>");
            for (const char *q = v; q < close; q++)
                if (*q == '\n') line++;
            v = body;
            vn = (size_t)(close - body);
            const char *after = memchr(close, '\n', (size_t)(text + n - close));
            pos = after ? (size_t)(after - text) + 1 : n;
        }
        S.line = start_line;
        if ((rc = pair(&S, tag, tn, v, vn))) return rc;
    }
    /* SPDX 2.1/2.2 documents are converted to 2.3 */
    val_t *ver = val_obj_get(S.doc, K(&S, "spdxVersion"));
    if (!ver) return gh_err_set(e, GH_EPARSE, file, 1, 1, "spdx: no SPDXVersion tag");
    if (val_kind_of(ver) == VAL_STRING) {
        const char *vs = val_str_ptr(ver);
        if (!strcmp(vs, "SPDX-2.1") || !strcmp(vs, "SPDX-2.2")) {
            if (put(&S, S.doc, "spdxVersion", val_strc(a, "SPDX-2.3"))) return oom(&S);
        } else if (strcmp(vs, "SPDX-2.3") != 0) {
            return gh_err_set(e, GH_EPARSE, file, 1, 1, "spdx: unsupported SPDX version %s", vs);
        }
    }
    static const char *const must[] = {"dataLicense", "SPDXID", "name", "documentNamespace"};
    for (size_t i = 0; i < 4; i++)
        if (!val_obj_get(S.doc, K(&S, must[i])) && put(&S, S.doc, must[i], val_strc(a, "")))
            return oom(&S);
    /* creationInfo: creators and created are always present */
    if (!val_obj_get(S.creation, K(&S, "creators")) && put(&S, S.creation, "creators", VAL_NULLV))
        return oom(&S);
    if (!val_obj_get(S.creation, K(&S, "created")) &&
        put(&S, S.creation, "created", val_strc(a, "")))
        return oom(&S);
    if (put(&S, S.doc, "creationInfo", S.creation)) return oom(&S);
    /* required-but-empty fields of packages and files, as Go's encoder writes them */
    val_t *pkgs = val_arr_new(a, val_arr_len(S.pkgs));
    if (!pkgs) return oom(&S);
    for (size_t i = 0; i < val_arr_len(S.pkgs); i++) {
        val_t *p = val_arr_at(S.pkgs, i);
        /* filesAnalyzed defaults to true; false is left out (omitempty) */
        val_t *fak = K(&S, "filesAnalyzed");
        val_t *fa = fak ? val_obj_get(p, fak) : NULL;
        if (!fak) return oom(&S);
        if (!fa) {
            if (put(&S, p, "filesAnalyzed", val_bool(true))) return oom(&S);
        } else if (fa == val_bool(false)) {
            val_t *np = val_obj_new(a, val_obj_len(p));
            for (size_t j = 0; np && j < val_obj_len(p); j++)
                if (!val_equal(val_obj_key_at(p, j), fak) &&
                    val_obj_put(a, np, val_obj_key_at(p, j), val_obj_val_at(p, j)))
                    np = NULL;
            if (!np) return oom(&S);
            p = np;
        }
        if (val_arr_push(a, pkgs, p)) return oom(&S);
        if (!val_obj_get(p, K(&S, "SPDXID")) && put(&S, p, "SPDXID", val_strc(a, "")))
            return oom(&S);
        if (!val_obj_get(p, K(&S, "downloadLocation")) &&
            put(&S, p, "downloadLocation", val_strc(a, "")))
            return oom(&S);
        if (!val_obj_get(p, K(&S, "copyrightText")) && put(&S, p, "copyrightText", val_strc(a, "")))
            return oom(&S);
        val_t *fl = val_obj_get(p, K(&S, "files"));
        for (size_t j = 0; fl && j < val_arr_len(fl); j++) {
            val_t *f = val_arr_at(fl, j);
            if (!val_obj_get(f, K(&S, "checksums")) && put(&S, f, "checksums", VAL_NULLV))
                return oom(&S);
            if (!val_obj_get(f, K(&S, "copyrightText")) &&
                put(&S, f, "copyrightText", val_strc(a, "")))
                return oom(&S);
        }
    }
    for (size_t j = 0; j < val_arr_len(S.files); j++) {
        val_t *f = val_arr_at(S.files, j);
        if (!val_obj_get(f, K(&S, "checksums")) && put(&S, f, "checksums", VAL_NULLV))
            return oom(&S);
        if (!val_obj_get(f, K(&S, "copyrightText")) && put(&S, f, "copyrightText", val_strc(a, "")))
            return oom(&S);
    }
    struct {
        const char *k;
        val_t *v;
    } lists[] = {{"packages", pkgs},
                 {"files", S.files},
                 {"hasExtractedLicensingInfos", S.licenses},
                 {"relationships", S.rels},
                 {"annotations", S.annots},
                 {"snippets", S.snippets}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (val_arr_len(lists[i].v) && put(&S, S.doc, lists[i].k, lists[i].v)) return oom(&S);
    *out = S.doc;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_spdx(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e) {
    return pol_budget_rc(a, parse_spdx_doc(a, text, n, file, out, e), file, e);
}
