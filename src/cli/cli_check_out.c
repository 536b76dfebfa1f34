/* cli_check_out.c - what `gatehouse check` prints: conftest's stdout report
 * (colours, exceptions, summary line), json, tap, table, github,
 * azuredevops, junit and sarif, its trace lines and print() (PRNT) lines.
 * Pure formatting into a gh_buf; cli_check.c decides where it goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct outctx {
    gh_buf *b;
    bool color;
    bool suppress_exceptions;
} outctx;

static void colored(outctx *o, const char *code, const char *s) {
    if (o->color)
        gh_buf_printf(o->b, "\x1b[%sm%s\x1b[0m", code, s);
    else
        gh_buf_puts(o->b, s);
}

void cli_check_count(const pol_check_result *r, size_t nr, cli_check_totals *t) {
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < nr; i++) {
        t->fail += r[i].nfailures;
        t->warn += r[i].nwarnings;
        t->exc += r[i].nexceptions;
        t->succ += r[i].successes;
    }
}

static void summary(gh_buf *b, const cli_check_totals *t) {
    size_t tests = t->fail + t->warn + t->exc + t->succ;
    gh_buf_printf(b, "%zu test%s, %zu passed, %zu warning%s, %zu failure%s, %zu exception%s", tests,
                  tests == 1 ? "" : "s", t->succ, t->warn, t->warn == 1 ? "" : "s", t->fail,
                  t->fail == 1 ? "" : "s", t->exc, t->exc == 1 ? "" : "s");
}

/* print() lines of one result, as conftest shows them: "PRNT   file:row: text" */
static void out_prints(outctx *o, const pol_check_result *r) {
    for (size_t q = 0; q < r->nqueries; q++)
        for (size_t k = 0; k < r->queries[q].noutputs; k++) {
            colored(o, "35", "PRNT");
            gh_buf_printf(o->b, "   %s\n", r->queries[q].outputs[k]);
        }
}

static const char *msg_query(const pol_check_msg *m) {
    const val_t *q = m->metadata ? val_obj_get_str(m->metadata, "query", 5) : NULL;
    return q && val_is_str(q) ? val_str_ptr(q) : "";
}

/* conftest's --trace report: per query "file: F | query: Q" (green when the
 * query gave no failure or warning, else red), then "TRAC   <line>" lines of
 * OPA's pretty trace. */
void cli_check_trace(gh_buf *b, const pol_check_result *r, size_t nr, bool color) {
    outctx o = {b, color, false};
    for (size_t i = 0; i < nr; i++)
        for (size_t q = 0; q < r[i].nqueries; q++) {
            const pol_check_query *qr = &r[i].queries[q];
            bool passed = true;
            for (size_t k = 0; k < r[i].nfailures; k++)
                passed &= strcmp(msg_query(&r[i].failures[k]), qr->query) != 0;
            for (size_t k = 0; k < r[i].nwarnings; k++)
                passed &= strcmp(msg_query(&r[i].warnings[k]), qr->query) != 0;
            gh_buf h;
            gh_buf_init(&h);
            gh_buf_printf(&h, "file: %s | query: %s", r[i].file, qr->query);
            colored(&o, passed ? "32" : "31", h.p ? h.p : "");
            gh_buf_putc(b, '\n');
            if (h.oom) b->oom = 1;
            gh_buf_free(&h);
            for (size_t k = 0; k < qr->ntrace; k++) {
                colored(&o, "34", "TRAC ");
                gh_buf_printf(b, "  %s\n", qr->trace[k]);
            }
        }
}

static void out_stdout(outctx *o, const pol_check_result *r, size_t nr) {
    gh_buf *b = o->b;
    for (size_t i = 0; i < nr; i++) {
        const char *file = r[i].file;
        gh_buf pre;
        gh_buf_init(&pre);
        if (!strcmp(file, "-"))
            gh_buf_puts(&pre, "-");
        else
            gh_buf_printf(&pre, "- %s", file);
        gh_buf_printf(&pre, " - %s -", r[i].ns);
        size_t total = r[i].successes + r[i].nfailures + r[i].nwarnings + r[i].nexceptions;
        out_prints(o, &r[i]);
        if (!total) {
            colored(o, "37", "?");
            gh_buf_printf(b, " %s no policies found\n", pre.p ? pre.p : "");
        }
        for (size_t k = 0; k < r[i].nwarnings; k++) {
            colored(o, "33", "WARN");
            gh_buf_printf(b, " %s %s\n", pre.p ? pre.p : "", r[i].warnings[k].msg);
        }
        for (size_t k = 0; k < r[i].nfailures; k++) {
            colored(o, "31", "FAIL");
            gh_buf_printf(b, " %s %s\n", pre.p ? pre.p : "", r[i].failures[k].msg);
        }
        for (size_t k = 0; !o->suppress_exceptions && k < r[i].nexceptions; k++) {
            colored(o, "36", "EXCP");
            gh_buf_printf(b, " %s %s\n", pre.p ? pre.p : "", r[i].exceptions[k].msg);
        }
        if (pre.oom) b->oom = 1;
        gh_buf_free(&pre);
    }
    cli_check_totals t;
    cli_check_count(r, nr, &t);
    gh_buf sb;
    gh_buf_init(&sb);
    summary(&sb, &t);
    gh_buf_putc(b, '\n');
    colored(o, t.fail ? "31" : t.warn ? "33" : t.exc ? "36" : "32", sb.p ? sb.p : "");
    gh_buf_putc(b, '\n');
    if (sb.oom) b->oom = 1;
    gh_buf_free(&sb);
}

static void json_msgs(gh_buf *b, const char *key, const pol_check_msg *m, size_t n) {
    if (!n) return;
    gh_buf_printf(b, ",\n\t\t\"%s\": [\n", key);
    for (size_t i = 0; i < n; i++) {
        gh_buf_puts(b, "\t\t\t{\n\t\t\t\t\"msg\": ");
        cli_json_str(b, m[i].msg, strlen(m[i].msg));
        if (m[i].metadata && val_obj_len(m[i].metadata)) {
            gh_buf_puts(b, ",\n\t\t\t\t\"metadata\": ");
            val_json_emit_indent(b, m[i].metadata,
                                 VAL_JSON_PRETTY | VAL_JSON_TABS | VAL_JSON_SORTED, 4);
        }
        gh_buf_printf(b, "\n\t\t\t}%s\n", i + 1 < n ? "," : "");
    }
    gh_buf_puts(b, "\t\t]");
}

static void out_json(gh_buf *b, const pol_check_result *r, size_t nr) {
    if (!nr) {
        gh_buf_puts(b, "null\n");
        return;
    }
    gh_buf_puts(b, "[\n");
    for (size_t i = 0; i < nr; i++) {
        const char *f = strcmp(r[i].file, "-") ? r[i].file : "";
        gh_buf_puts(b, "\t{\n\t\t\"filename\": ");
        cli_json_str(b, f, strlen(f));
        gh_buf_puts(b, ",\n\t\t\"namespace\": ");
        cli_json_str(b, r[i].ns, strlen(r[i].ns));
        gh_buf_printf(b, ",\n\t\t\"successes\": %zu", r[i].successes);
        json_msgs(b, "warnings", r[i].warnings, r[i].nwarnings);
        json_msgs(b, "failures", r[i].failures, r[i].nfailures);
        json_msgs(b, "exceptions", r[i].exceptions, r[i].nexceptions);
        gh_buf_printf(b, "\n\t}%s\n", i + 1 < nr ? "," : "");
    }
    gh_buf_puts(b, "]\n");
}

static void out_tap(gh_buf *b, const pol_check_result *r, size_t nr) {
    for (size_t i = 0; i < nr; i++) {
        size_t n = r[i].nfailures + r[i].nwarnings + r[i].nexceptions + r[i].successes;
        if (!n) continue;
        gh_buf ind;
        gh_buf_init(&ind);
        if (!strcmp(r[i].file, "-"))
            gh_buf_printf(&ind, " - %s - ", r[i].ns);
        else
            gh_buf_printf(&ind, " - %s - %s - ", r[i].file, r[i].ns);
        const char *in = ind.p ? ind.p : "";
        size_t k = 0;
        gh_buf_printf(b, "1..%zu\n", n);
        for (size_t j = 0; j < r[i].nfailures; j++)
            gh_buf_printf(b, "not ok %zu%s%s\n", ++k, in, r[i].failures[j].msg);
        if (r[i].nwarnings) gh_buf_puts(b, "# warnings\n");
        for (size_t j = 0; j < r[i].nwarnings; j++)
            gh_buf_printf(b, "not ok %zu%s%s\n", ++k, in, r[i].warnings[j].msg);
        if (r[i].nexceptions) gh_buf_puts(b, "# exceptions\n");
        for (size_t j = 0; j < r[i].nexceptions; j++)
            gh_buf_printf(b, "ok %zu%s%s\n", ++k, in, r[i].exceptions[j].msg);
        if (r[i].successes) gh_buf_puts(b, "# successes\n");
        for (size_t j = 0; j < r[i].successes; j++)
            gh_buf_printf(b, "ok %zu%sSUCCESS\n", ++k, in);
        if (ind.oom) b->oom = 1;
        gh_buf_free(&ind);
    }
}

static int out_table(gh_buf *b, const pol_check_result *r, size_t nr) {
    cli_strv cells = {0};
    int rc = 0;
    for (size_t i = 0; i < nr && !rc; i++) {
        const char *f = r[i].file, *ns = r[i].ns;
#define ROW(kind, msg)                                                                             \
    do {                                                                                           \
        if (cli_strv_push(&cells, kind) || cli_strv_push(&cells, f) ||                             \
            cli_strv_push(&cells, ns) || cli_strv_push(&cells, msg))                               \
            rc = -1;                                                                               \
    } while (0)
        for (size_t j = 0; j < r[i].successes; j++)
            ROW("success", "SUCCESS");
        for (size_t j = 0; j < r[i].nwarnings; j++)
            ROW("warning", r[i].warnings[j].msg);
        for (size_t j = 0; j < r[i].nfailures; j++)
            ROW("failure", r[i].failures[j].msg);
        for (size_t j = 0; j < r[i].nexceptions; j++)
            ROW("exception", r[i].exceptions[j].msg);
#undef ROW
    }
    static const char *const hdr[] = {"RESULT", "FILE", "NAMESPACE", "MESSAGE"};
    if (!rc && cells.n) cli_table(b, hdr, 4, cells.v, cells.n / 4);
    gh_free(cells.v);
    return rc;
}

/* A CI system's log annotations, one group per result: conftest's github
 * and azuredevops outputs differ only in these lines. printf formats: head
 * (file, policy count, namespace), error/warning/exception (file,
 * message), success (file, count). */
typedef struct ci_dialect {
    const char *head, *group, *error, *warning, *exception, *success, *end;
} ci_dialect;

/* GitHub Actions workflow commands (conftest's github output). */
static const ci_dialect GITHUB = {
    "::group::Testing \"%s\" against %zu policies in namespace \"%s\"\n",
    NULL,
    "::error file=%s,line=1::%s\n",
    "::warning file=%s,line=1::%s\n",
    "::notice file=%s,line=1::%s\n",
    "::notice file=%s,line=1::Number of successful checks: %zu\n",
    "::endgroup::\n",
};

/* Azure Pipelines logging commands (conftest's azuredevops output). */
static const ci_dialect AZURE = {
    "##[section]Testing '%s' against %zu policies in namespace '%s'\n",
    "##[group]See conftest results\n",
    "##vso[task.logissue type=error] file=%s --> %s\n",
    "##vso[task.logissue type=warning] file=%s --> %s\n",
    "##vso[task.logissue type=warning] file=%s --> %s\n",
    "success file=%s %zu\n",
    "##[endgroup]\n",
};

static void out_ci(gh_buf *b, const pol_check_result *r, size_t nr, const ci_dialect *d) {
    for (size_t i = 0; i < nr; i++) {
        size_t n = r[i].nfailures + r[i].nwarnings + r[i].nexceptions + r[i].successes;
        const char *f = r[i].file;
        gh_buf_printf(b, d->head, f, n, r[i].ns);
        if (d->group) gh_buf_puts(b, d->group);
        for (size_t j = 0; j < r[i].nfailures; j++)
            gh_buf_printf(b, d->error, f, r[i].failures[j].msg);
        for (size_t j = 0; j < r[i].nwarnings; j++)
            gh_buf_printf(b, d->warning, f, r[i].warnings[j].msg);
        for (size_t j = 0; j < r[i].nexceptions; j++)
            gh_buf_printf(b, d->exception, f, r[i].exceptions[j].msg);
        if (r[i].successes) gh_buf_printf(b, d->success, f, r[i].successes);
        gh_buf_puts(b, d->end);
    }
    cli_check_totals t;
    cli_check_count(r, nr, &t);
    summary(b, &t);
    gh_buf_putc(b, '\n');
}

/* Go's encoding/xml escaping, for text and attribute values. */
static void xml_esc(gh_buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '"': gh_buf_puts(b, "&#34;"); break;
        case '\'': gh_buf_puts(b, "&#39;"); break;
        case '&': gh_buf_puts(b, "&amp;"); break;
        case '<': gh_buf_puts(b, "&lt;"); break;
        case '>': gh_buf_puts(b, "&gt;"); break;
        case '\t': gh_buf_puts(b, "&#x9;"); break;
        case '\n': gh_buf_puts(b, "&#xA;"); break;
        case '\r': gh_buf_puts(b, "&#xD;"); break;
        default: gh_buf_putc(b, *s);
        }
    }
}

static void junit_case(gh_buf *b, const pol_check_result *r, const char *msg, bool failed) {
    gh_buf_puts(b, "\t\t<testcase classname=\"conftest\" name=\"");
    xml_esc(b, strcmp(r->file, "-") ? r->file : "-");
    gh_buf_puts(b, " - ");
    xml_esc(b, r->ns);
    if (msg && *msg) { /* the test name carries the first line of the message */
        gh_buf_puts(b, " - ");
        const char *nl = strchr(msg, '\n');
        char *first = nl ? strndup(msg, (size_t)(nl - msg)) : NULL;
        xml_esc(b, first ? first : msg);
        free(first);
    }
    gh_buf_puts(b, "\" time=\"0.000\">");
    if (failed) {
        gh_buf_puts(b, "\n\t\t\t<failure message=\"Failed\" type=\"\">");
        xml_esc(b, msg);
        gh_buf_puts(b, "</failure>\n\t\t");
    }
    gh_buf_puts(b, "</testcase>\n");
}

/* go-junit-report's layout, as conftest prints it (without the go.version
 * property, which names conftest's Go runtime). */
static void out_junit(gh_buf *b, const pol_check_result *r, size_t nr) {
    size_t tests = 0, failures = 0;
    for (size_t i = 0; i < nr; i++) {
        tests += r[i].nwarnings + r[i].nfailures + r[i].successes;
        failures += r[i].nwarnings + r[i].nfailures;
    }
    gh_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    gh_buf_printf(b,
                  "\t<testsuite tests=\"%zu\" failures=\"%zu\" time=\"0.000\" name=\"conftest\">\n",
                  tests, failures);
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < r[i].nwarnings; j++)
            junit_case(b, &r[i], r[i].warnings[j].msg, true);
        for (size_t j = 0; j < r[i].nfailures; j++)
            junit_case(b, &r[i], r[i].failures[j].msg, true);
        for (size_t j = 0; j < r[i].successes; j++)
            junit_case(b, &r[i], NULL, false);
    }
    gh_buf_puts(b, "\t</testsuite>\n</testsuites>\n");
}

/* SARIF 2.1.0 as docs/output.md shows it: one rule per namespace/kind
 * (deny, warn, allow for exceptions, success, skip), results with levels
 * error/warning/note/none, two-space indentation. */
typedef struct sarif_rule {
    const char *ns, *kind;
    const val_t *props; /* metadata of the first result, or NULL */
    const char *desc;   /* success/skip: the description property */
} sarif_rule;

static const char *sarif_desc(const char *kind) {
    if (!strcmp(kind, "success")) return "Policy was satisfied successfully";
    if (!strcmp(kind, "skip")) return "Policy check was skipped";
    if (!strcmp(kind, "allow")) return "Policy exception";
    if (!strcmp(kind, "warn")) return "Policy warning";
    return "Policy violation";
}

static int out_sarif(gh_buf *b, const pol_check_result *r, size_t nr) {
    sarif_rule *rules = NULL;
    size_t nrules = 0, cap = 0;
    gh_buf res;
    gh_buf_init(&res);
    int rc = 0;
    size_t nres = 0;
    for (size_t i = 0; i < nr && !rc; i++) {
        for (int pass = 0; pass < 4 && !rc; pass++) {
            const pol_check_msg *m = pass == 0   ? r[i].failures
                                     : pass == 1 ? r[i].warnings
                                                 : r[i].exceptions;
            size_t n = pass == 0   ? r[i].nfailures
                       : pass == 1 ? r[i].nwarnings
                       : pass == 2 ? r[i].nexceptions
                                   : 0;
            const char *kind = pass == 0 ? "deny" : pass == 1 ? "warn" : "allow";
            const char *level = pass == 0 ? "error" : pass == 1 ? "warning" : "note";
            const char *only = NULL;
            if (pass == 3) {
                if (r[i].nfailures || r[i].nwarnings || r[i].nexceptions) continue;
                kind = r[i].successes ? "success" : "skip";
                level = "none";
                only = sarif_desc(kind);
                n = 1;
            }
            for (size_t j = 0; j < n; j++) {
                size_t idx = nrules;
                for (size_t k = 0; k < nrules; k++)
                    if (!strcmp(rules[k].ns, r[i].ns) && !strcmp(rules[k].kind, kind)) idx = k;
                if (idx == nrules) {
                    if (nrules == cap) {
                        size_t nc = cap ? cap * 2 : 8;
                        sarif_rule *v = gh_realloc(rules, nc * sizeof *v);
                        if (!v) {
                            rc = -1;
                            break;
                        }
                        rules = v, cap = nc;
                    }
                    rules[nrules++] =
                        (sarif_rule){r[i].ns, kind, only ? NULL : m[j].metadata, only};
                }
                const char *msg = only ? only : m[j].msg;
                gh_buf_printf(&res, "%s        {\n          \"ruleId\": ", nres ? ",\n" : "");
                gh_buf sid;
                gh_buf_init(&sid);
                gh_buf_printf(&sid, "%s/%s", r[i].ns, kind);
                cli_json_str(&res, sid.p ? sid.p : "", sid.len);
                gh_buf_free(&sid);
                gh_buf_printf(&res,
                              ",\n          \"ruleIndex\": %zu,\n          \"level\": \"%s\",\n",
                              idx, level);
                gh_buf_puts(&res, "          \"message\": {\n            \"text\": ");
                cli_json_str(&res, msg, strlen(msg));
                gh_buf_puts(&res, "\n          },\n          \"locations\": [\n            {\n"
                                  "              \"physicalLocation\": {\n"
                                  "                \"artifactLocation\": {\n"
                                  "                  \"uri\": ");
                cli_json_str(&res, r[i].file, strlen(r[i].file));
                gh_buf_puts(
                    &res,
                    "\n                }\n              }\n            }\n          ]\n        }");
                nres++;
            }
        }
    }
    cli_check_totals t;
    cli_check_count(r, nr, &t);
    gh_buf_puts(b, "{\n  \"version\": \"2.1.0\",\n  \"$schema\": "
                   "\"https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/"
                   "sarif-schema-2.1.0.json\",\n  \"runs\": [\n    {\n      \"tool\": {\n"
                   "        \"driver\": {\n          \"informationUri\": "
                   "\"https://github.com/open-policy-agent/conftest\",\n"
                   "          \"name\": \"conftest\"");
    if (nrules) gh_buf_puts(b, ",\n          \"rules\": [\n");
    for (size_t k = 0; k < nrules; k++) {
        gh_buf_puts(b, "            {\n              \"id\": ");
        gh_buf sid;
        gh_buf_init(&sid);
        gh_buf_printf(&sid, "%s/%s", rules[k].ns, rules[k].kind);
        cli_json_str(b, sid.p ? sid.p : "", sid.len);
        gh_buf_free(&sid);
        gh_buf_puts(b, ",\n              \"shortDescription\": {\n                \"text\": ");
        const char *d = sarif_desc(rules[k].kind);
        cli_json_str(b, d, strlen(d));
        gh_buf_puts(b, "\n              }");
        if (rules[k].desc) {
            gh_buf_puts(b, ",\n              \"properties\": {\n                \"description\": ");
            cli_json_str(b, rules[k].desc, strlen(rules[k].desc));
            gh_buf_puts(b, "\n              }");
        } else if (rules[k].props && val_obj_len(rules[k].props)) {
            gh_buf_puts(b, ",\n              \"properties\": ");
            val_json_emit_indent(b, rules[k].props, VAL_JSON_PRETTY | VAL_JSON_SORTED, 7);
        }
        gh_buf_printf(b, "\n            }%s\n", k + 1 < nrules ? "," : "");
    }
    if (nrules) gh_buf_puts(b, "          ]");
    const char *desc = t.fail   ? "Policy violations found"
                       : t.warn ? "Policy warnings found"
                       : t.exc  ? "Policy exceptions found"
                                : "No policy violations found";
    gh_buf_printf(b,
                  "\n        }\n      },\n      \"invocations\": [\n        {\n"
                  "          \"executionSuccessful\": true,\n          \"exitCode\": %d,\n"
                  "          \"exitCodeDescription\": \"%s\"\n        }\n      ],\n"
                  "      \"results\": [\n",
                  t.fail ? 1 : 0, desc);
    gh_buf_append(b, res.p ? res.p : "", res.len);
    gh_buf_puts(b, "\n      ]\n    }\n  ]\n}\n");
    if (res.oom) b->oom = 1;
    gh_buf_free(&res);
    gh_free(rules);
    return rc;
}

void cli_check_prints(gh_buf *b, const pol_check_result *r, size_t nr) {
    outctx o = {b, false, false};
    for (size_t i = 0; i < nr; i++)
        out_prints(&o, &r[i]);
}

int cli_check_report(gh_buf *b, const char *output, const pol_check_result *r, size_t nr,
                     bool color, bool suppress_exceptions) {
    if (!strcmp(output, "json"))
        out_json(b, r, nr);
    else if (!strcmp(output, "tap"))
        out_tap(b, r, nr);
    else if (!strcmp(output, "table"))
        return out_table(b, r, nr);
    else if (!strcmp(output, "github"))
        out_ci(b, r, nr, &GITHUB);
    else if (!strcmp(output, "azuredevops"))
        out_ci(b, r, nr, &AZURE);
    else if (!strcmp(output, "junit"))
        out_junit(b, r, nr);
    else if (!strcmp(output, "sarif"))
        return out_sarif(b, r, nr);
    else {
        outctx o = {b, color, suppress_exceptions};
        out_stdout(&o, r, nr);
    }
    return 0;
}
