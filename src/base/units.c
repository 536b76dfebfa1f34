/* units.c - parsing human-written quantities: Go-style durations and byte
 * sizes, and the monotonic clock durations are measured on. Callers: the
 * CLI's --timeout/--benchtime flags, the server's configuration, timers.
 * No allocation. Invariant: a result is only written when the whole string
 * parsed and fits. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

int gh_parse_duration(const char *s, int64_t *ns) {
    static const struct {
        const char *name;
        double mult;
    } units[] = {{"ns", 1},   {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3},
                 {"ms", 1e6}, {"s", 1e9},  {"m", 6e10}, {"h", 3.6e12}};
    if (!s) return -1;
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (!strcmp(s, "0")) {
        *ns = 0;
        return 0;
    }
    if (!*s) return -1;
    double total = 0;
    while (*s) {
        const char *start = s;
        double v = 0, scale = 1;
        bool digits = false;
        while (*s >= '0' && *s <= '9')
            v = v * 10 + (*s++ - '0'), digits = true;
        if (*s == '.') {
            s++;
            while (*s >= '0' && *s <= '9') {
                scale /= 10;
                v += (*s++ - '0') * scale;
                digits = true;
            }
        }
        if (!digits || s == start) return -1;
        size_t best = 0;
        double mult = 0;
        for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
            size_t ul = strlen(units[i].name);
            if (!strncmp(s, units[i].name, ul) && ul > best) best = ul, mult = units[i].mult;
        }
        if (!best) return -1;
        s += best;
        total += v * mult;
        if (total > 9.2e18) return -1;
    }
    *ns = (int64_t)llround(neg ? -total : total);
    return 0;
}

int gh_parse_size(const char *s, size_t *out) {
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {
        {"", 1},
        {"B", 1},
        {"K", 1ull << 10},
        {"KiB", 1ull << 10},
        {"Ki", 1ull << 10},
        {"KB", 1000},
        {"M", 1ull << 20},
        {"MiB", 1ull << 20},
        {"Mi", 1ull << 20},
        {"MB", 1000000},
        {"G", 1ull << 30},
        {"GiB", 1ull << 30},
        {"Gi", 1ull << 30},
        {"GB", 1000000000},
    };
    if (!s || *s < '0' || *s > '9') return -1;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s++ - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    while (*s == ' ')
        s++;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (strcmp(s, units[i].name)) continue;
        if (v > SIZE_MAX / units[i].mult) return -1;
        *out = (size_t)(v * units[i].mult);
        return 0;
    }
    return -1;
}

int64_t gh_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
