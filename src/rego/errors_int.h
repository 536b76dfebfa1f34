/* errors_int.h - filling a rego_errors list inside the engine: shared by
 * the parser (rego_int.h) and the compiler (engine_int.h). */
#ifndef GH_REGO_ERRORS_INT_H
#define GH_REGO_ERRORS_INT_H

#include "rego.h"

/* Error lists of the parser and compile stages (errors.c). rc_elist_add copies every
 * string (details: JSON text; detail_text: lines), 0 or GH_ENOMEM (the list
 * is marked oom); a list holds at most a thousand entries: when full it
 * keeps its first hundred by location (rc_elist_sort order) and goes on. rc_elist_sort orders by file, row, col, message (stable).
 * rc_elist_finish ends a stage: nothing to do when l is empty; else caps it
 * at REGO_MAX_ERRORS plus OPA's limit marker, sets e to the summary, moves
 * the entries to sink (or frees them) and returns the first one's status. */
int rc_elist_add(rego_errors *l, int status, const char *kind, const char *file, int row, int col,
                 const char *msg, const char *details, const char *detail_text);
int rc_elist_add_gh(rego_errors *l, const gh_err *x);
void rc_elist_sort(rego_errors *l);
int rc_elist_finish(rego_errors *l, gh_err *e, rego_errors *sink);
/* Move every entry of l to the end of sink (l is left empty). */
void rc_elist_append(rego_errors *sink, rego_errors *l);

#endif
