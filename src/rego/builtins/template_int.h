/* template_int.h - the parse tree shared by template.c (parser) and
 * template_exec.c (executor) of strings.render_template. Private. */
#ifndef GH_REGO_TEMPLATE_INT_H
#define GH_REGO_TEMPLATE_INT_H

#include "rego/builtins/builtins.h"

/* Nesting limit for control structures and parenthesised pipelines. */
#define TPL_MAX_DEPTH 100
/* Upper bound on executed actions, so hostile templates stay cheap. */
#define TPL_MAX_STEPS 1000000

/* ---- Go values --------------------------------------------------------------------- */

enum { GV_NIL, GV_BOOL, GV_STR, GV_JNUM, GV_INT, GV_FLOAT, GV_MAP, GV_SLICE };

typedef struct gv {
    int k;
    bool b;
    int64_t i;
    double f;
    const char *s;
    size_t n;
    const val_t *v; /* GV_MAP (object), GV_SLICE (array or set) */
} gv;

static inline gv gv_of(const val_t *v) {
    gv g = {0};
    switch (val_kind_of(v)) {
    case VAL_NULL: g.k = GV_NIL; break;
    case VAL_BOOL: g.k = GV_BOOL; g.b = v->u.b; break;
    case VAL_STRING: g.k = GV_STR; g.s = val_str_ptr(v); g.n = val_str_len(v); break;
    case VAL_NUMBER: /* json.Number: its text (s == NULL: the decimal of i) */
        g.k = GV_JNUM;
        if (val_is_int(v)) {
            g.i = v->u.i;
        } else {
            g.s = v->u.dec->text;
            g.n = v->u.dec->text_len;
        }
        break;
    case VAL_OBJECT: g.k = GV_MAP; break;
    default: g.k = GV_SLICE; break;
    }
    g.v = v;
    return g;
}

/* ---- parse tree ---------------------------------------------------------------------- */

enum { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE };
enum { O_FIELD, O_VAR, O_DOT, O_STR, O_NUM, O_BOOL, O_NIL, O_IDENT, O_PIPE };

typedef struct pipe pipe;

typedef struct operand {
    int k;
    size_t pos;       /* byte offset in the template */
    const char *text; /* source spelling (identifier, literal, variable name) */
    size_t tn;
    char **fields;    /* field chain after the operand (O_FIELD: the chain itself) */
    size_t nfields;
    pipe *sub;        /* O_PIPE */
    gv lit;           /* O_STR, O_NUM, O_BOOL */
} operand;

typedef struct cmd {
    operand *args;
    size_t nargs;
    size_t pos;
} cmd;

struct pipe {
    size_t pos;
    char *decl[2];
    size_t ndecl;
    bool assign; /* '=' rather than ':=' */
    cmd *cmds;
    size_t ncmds;
};

typedef struct node node;
typedef struct nlist {
    node **v;
    size_t n, cap;
} nlist;

struct node {
    int k;
    size_t pos;
    const char *text; /* N_TEXT */
    size_t tn;
    pipe *p;
    nlist list, elist;
};

/* Parse src into a node list (errors recorded in c, returns NULL). */
nlist *rb_tpl_parse(rego_bctx *c, const char *src, size_t n);
/* Execute the parsed template with data (an object) into a string. */
int rb_tpl_exec(rego_bctx *c, const char *src, const nlist *root, const val_t *data, val_t **out);
/* 1-based line of byte offset pos. */
int rb_tpl_line(const char *src, size_t pos);

#endif
