/* rego_lit.h - test helper: parse a Rego literal term (JSON plus sets
 * `{1, 2}` / `set()`, non-string object keys and trailing commas) into a
 * value, and split a builtin call line `name(arg, ...)` into its name and
 * argument values. Used by the builtin family tests and their differential
 * checks; header-only so each test executable stays one file. */
#ifndef GH_TEST_REGO_LIT_H
#define GH_TEST_REGO_LIT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value/value.h"

typedef struct {
    const char *p, *end;
    gh_arena *a;
    bool bad;
} rl_in;

static void rl_ws(rl_in *in) {
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
        in->p++;
}

static val_t *rl_term(rl_in *in);

static int rl_hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void rl_put_utf8(char *o, size_t *k, unsigned u) {
    if (u < 0x80) {
        o[(*k)++] = (char)u;
    } else if (u < 0x800) {
        o[(*k)++] = (char)(0xC0 | (u >> 6));
        o[(*k)++] = (char)(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        o[(*k)++] = (char)(0xE0 | (u >> 12));
        o[(*k)++] = (char)(0x80 | ((u >> 6) & 0x3F));
        o[(*k)++] = (char)(0x80 | (u & 0x3F));
    } else {
        o[(*k)++] = (char)(0xF0 | (u >> 18));
        o[(*k)++] = (char)(0x80 | ((u >> 12) & 0x3F));
        o[(*k)++] = (char)(0x80 | ((u >> 6) & 0x3F));
        o[(*k)++] = (char)(0x80 | (u & 0x3F));
    }
}

static val_t *rl_string(rl_in *in) {
    in->p++; /* opening quote */
    char *o = gh_arena_alloc(in->a, (size_t)(in->end - in->p) + 1);
    size_t k = 0;
    while (in->p < in->end && *in->p != '"') {
        char c = *in->p++;
        if (c != '\\') {
            o[k++] = c;
            continue;
        }
        if (in->p >= in->end) break;
        c = *in->p++;
        switch (c) {
        case 'n': o[k++] = '\n'; break;
        case 't': o[k++] = '\t'; break;
        case 'r': o[k++] = '\r'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'u': {
            unsigned u = 0;
            for (int i = 0; i < 4 && in->p < in->end; i++) u = u * 16 + (unsigned)rl_hex(*in->p++);
            if (u >= 0xD800 && u < 0xDC00 && in->p + 6 <= in->end && in->p[0] == '\\' &&
                in->p[1] == 'u') {
                unsigned lo = 0;
                in->p += 2;
                for (int i = 0; i < 4; i++) lo = lo * 16 + (unsigned)rl_hex(*in->p++);
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            rl_put_utf8(o, &k, u);
            break;
        }
        default: o[k++] = c; break;
        }
    }
    if (in->p >= in->end) {
        in->bad = true;
        return NULL;
    }
    in->p++;
    return val_str(in->a, o, k);
}

static val_t *rl_term(rl_in *in) {
    rl_ws(in);
    if (in->p >= in->end) {
        in->bad = true;
        return NULL;
    }
    char c = *in->p;
    if (c == '"') return rl_string(in);
    if (c == '[') {
        in->p++;
        val_t *arr = val_arr_new(in->a, 4);
        for (;;) {
            rl_ws(in);
            if (in->p < in->end && *in->p == ']') {
                in->p++;
                return arr;
            }
            val_t *t = rl_term(in);
            if (!t) return NULL;
            val_arr_push(in->a, arr, t);
            rl_ws(in);
            if (in->p < in->end && *in->p == ',') in->p++;
        }
    }
    if (c == '{') {
        in->p++;
        val_t *obj = NULL, *set = NULL;
        for (;;) {
            rl_ws(in);
            if (in->p < in->end && *in->p == '}') {
                in->p++;
                return set ? set : obj ? obj : val_obj_new(in->a, 0);
            }
            val_t *k = rl_term(in);
            if (!k) return NULL;
            rl_ws(in);
            if (in->p < in->end && *in->p == ':') {
                in->p++;
                val_t *v = rl_term(in);
                if (!v) return NULL;
                if (!obj) obj = val_obj_new(in->a, 4);
                val_obj_put(in->a, obj, k, v);
            } else {
                if (!set) set = val_set_new(in->a, 4);
                val_set_add(in->a, set, k, NULL);
            }
            rl_ws(in);
            if (in->p < in->end && *in->p == ',') in->p++;
        }
    }
    if (in->end - in->p >= 5 && !strncmp(in->p, "set()", 5)) {
        in->p += 5;
        return val_set_new(in->a, 0);
    }
    if (in->end - in->p >= 4 && !strncmp(in->p, "null", 4)) {
        in->p += 4;
        return VAL_NULLV;
    }
    if (in->end - in->p >= 4 && !strncmp(in->p, "true", 4)) {
        in->p += 4;
        return VAL_TRUE;
    }
    if (in->end - in->p >= 5 && !strncmp(in->p, "false", 5)) {
        in->p += 5;
        return VAL_FALSE;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = in->p;
        in->p++;
        while (in->p < in->end && (strchr("0123456789.eE+-", *in->p))) in->p++;
        gh_err e = {0};
        val_t *v = val_num_parse(in->a, s, (size_t)(in->p - s), &e);
        if (!v) in->bad = true;
        return v;
    }
    in->bad = true;
    return NULL;
}

/* Parse `name(a1, a2, ...)`; fills name (NUL-terminated copy) and args.
 * Returns the argument count or -1 when the line is not such a call. */
static int rl_call(gh_arena *a, const char *line, char *name, size_t namecap, val_t **args,
                   int maxargs) {
    const char *lp = strchr(line, '(');
    if (!lp || (size_t)(lp - line) >= namecap) return -1;
    memcpy(name, line, (size_t)(lp - line));
    name[lp - line] = '\0';
    const char *end = line + strlen(line);
    while (end > lp && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r')) end--;
    if (end <= lp || end[-1] != ')') return -1;
    rl_in in = {lp + 1, end - 1, a, false};
    int n = 0;
    for (;;) {
        rl_ws(&in);
        if (in.p >= in.end) break;
        if (n >= maxargs) return -1;
        args[n] = rl_term(&in);
        if (!args[n] || in.bad) return -1;
        n++;
        rl_ws(&in);
        if (in.p < in.end && *in.p == ',') in.p++;
        else if (in.p < in.end) return -1;
    }
    return n;
}

#endif
