/* floatdigits.c - the shortest decimal digits of a double that read back
 * as the same double (what Go's strconv 'g'/'e' with precision -1 prints),
 * for the Go-compatible float formatters of YAML, JSON Schema, EDN and the
 * bench report. Pure; uses the C locale's printf/strtod as the rest of
 * gatehouse does (it never calls setlocale). */
#include <stdio.h>
#include <stdlib.h>

#include "base/base.h"

int gh_float_digits(double d, char digs[GH_FLOAT_DIGITS], int *exp10) {
    char t[40];
    if (d == 0) {
        digs[0] = '0';
        digs[1] = '\0';
        *exp10 = 0;
        return 1;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*e", prec - 1, d);
        if (strtod(t, NULL) == d) break;
    }
    /* t = "[-]d[.ddd]e[+-]xx" */
    const char *p = t + (*t == '-');
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && nd < GH_FLOAT_DIGITS - 1) digs[nd++] = *p;
    *exp10 = atoi(p + 1);
    while (nd > 1 && digs[nd - 1] == '0')
        nd--;
    digs[nd] = '\0';
    return nd;
}
