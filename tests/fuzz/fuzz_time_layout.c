/* fuzz_time_layout.c - libFuzzer target for the Go layout code of the time
 * builtins (src/rego/builtins/time_layout.c) and the TZif reader
 * (time_zone.c). The input up to its first newline is a layout, the rest a
 * value: time.parse_ns must answer a number or a builtin error; formatting
 * fixed instants in several zones with the layout must not fail; the
 * whole input is also parsed as a duration and as a TZif file (and that
 * zone, when accepted, is looked up at many instants). Replayed over
 * tests/fuzz/corpus/time_layout/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/time_int.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rego_builtin *find(const char *name) {
    for (const rego_builtin *b = rego_bi_time; b->name; b++)
        if (!strcmp(b->name, name)) return b;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t ln = nl ? (size_t)(nl - s) : size;
    const char *val = nl ? nl + 1 : "";
    size_t vn = nl ? size - ln - 1 : 0;

    gh_arena a;
    gh_arena_init(&a, 8u << 20);
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = &a, .err = &e};
    val_t *args[2] = {val_str(&a, s, ln), val_str(&a, val, vn)}, *out = NULL;
    if (!args[0] || !args[1]) abort();
    int rc = find("time.parse_ns")->fn(&c, args, &out);
    if (rc == RB_OK ? (!out || !val_is_int(out)) : rc != GH_EINVAL) abort();

    /* format a few instants (epoch, far past and future, a fraction) */
    static const int64_t instants[] = {0, 1700000000123456789, INT64_MIN, INT64_MAX, -1};
    static const char *const zones[] = {"UTC", "America/St_Johns", "Local"};
    for (size_t z = 0; z < 3; z++) {
        const tz_loc *loc;
        char err[256];
        if (tz_load(zones[z], strlen(zones[z]), &loc, err, sizeof err)) loc = &tz_utc;
        for (size_t i = 0; i < sizeof instants / sizeof *instants; i++) {
            gtime t = gt_from_ns(instants[i], loc), back;
            gh_buf b, m;
            gh_buf_init(&b);
            gh_buf_init(&m);
            tl_format(&b, &t, s, ln);
            if (b.oom) abort();
            /* parsing what the layout printed must not crash either */
            (void)tl_parse(s, ln, b.p ? b.p : "", b.len, &back, &m);
            gh_buf_free(&b);
            gh_buf_free(&m);
        }
    }

    gh_buf m;
    gh_buf_init(&m);
    int64_t ns;
    if (tl_parse_duration(s, size, &ns, &m) && (!m.p || strncmp(m.p, "time: ", 6))) abort();
    gh_buf_free(&m);

    tz_loc *l = NULL;
    if (tz_from_tzif("fuzz", data, size, &l) == 0) {
        for (int64_t t = -4000000000; t < 8000000000; t += 77777777) {
            tz_info in;
            tz_lookup(l, t, &in);
            if (!in.name) abort();
            int32_t off;
            (void)tz_lookup_name(l, in.name, strlen(in.name), t, &off);
            gtime g = gt_date(2000 + t / 100000000, 1, 1, 0, 0, 0, 0, l);
            (void)g;
        }
        tz_free(l);
    }
    gh_arena_free(&a);
    return 0;
}
