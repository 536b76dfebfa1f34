/* time_int.h - internals shared by the time builtins (time.c), IANA zones
 * (time_zone.c) and Go layouts (time_layout.c); used by tests and fuzzers.
 * Instants are Unix seconds plus nanoseconds, as Go's time.Time without
 * monotonic reading; calendar conversions use Go's "absolute" calendar with
 * the same wrapping 64-bit integers, so results match Go even for absurd
 * inputs (which OPA then range-checks). */
#ifndef GH_REGO_TIME_INT_H
#define GH_REGO_TIME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* Wrapping int64 arithmetic, as Go's int (no undefined behaviour). */
static inline int64_t gt_wadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t gt_wsub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }

/* ---- time zones (time_zone.c) ------------------------------------------- */

typedef struct tz_zone {
    int32_t off; /* seconds east of UTC */
    bool dst;
    const char *name; /* abbreviation, e.g. "EST" or "+03" */
} tz_zone;

typedef struct tz_trans {
    int64_t when; /* Unix seconds at which zones[idx] starts */
    uint8_t idx;
} tz_trans;

/* A loaded location. Immutable once built; locations returned by tz_load
 * live for the whole process (a process-wide cache owns them). */
typedef struct tz_loc {
    const char *name;
    const tz_zone *zones;
    size_t nzones; /* 0 for UTC: every lookup gives "UTC", 0 */
    const tz_trans *tx;
    size_t ntx;
    const char *extend;      /* POSIX TZ rule for times after the last transition, or "" */
    const char *ext_name[2]; /* its standard and daylight zone names (NUL-terminated copies) */
} tz_loc;

/* What is in effect at an instant: the zone and the interval [start, end)
 * of Unix seconds during which it stays in effect (as Go's lookup). */
typedef struct tz_info {
    const char *name;
    int32_t off;
    int64_t start, end;
    bool dst;
} tz_info;

extern const tz_loc tz_utc;

/* Go's time.LoadLocation: "" and "UTC" give tz_utc, "Local" the process's
 * local zone (TZ / /etc/localtime as Go reads them), anything else a TZif
 * file under $ZONEINFO or the system zoneinfo directories. On failure
 * returns GH_ENOTFOUND/GH_EINVAL/GH_ENOMEM with Go's message in err
 * ("unknown time zone X", "time: invalid location name", "malformed time
 * zone information", "is a directory", ...). Thread-safe; successful loads
 * are cached for the life of the process. */
int tz_load(const char *name, size_t n, const tz_loc **out, char *err, size_t errsz);

/* Go's time.Local. Never NULL. */
const tz_loc *tz_local(void);

/* Parse TZif data (RFC 8536, versions 1-3) into a heap location that the
 * caller releases with tz_free. GH_EPARSE ("malformed time zone
 * information") for bad data, GH_ENOMEM. `name` is copied. */
int tz_from_tzif(const char *name, const uint8_t *p, size_t n, tz_loc **out);
void tz_free(tz_loc *l);

/* Go's Location.lookup / lookupName. */
void tz_lookup(const tz_loc *l, int64_t sec, tz_info *out);
bool tz_lookup_name(const tz_loc *l, const char *name, size_t n, int64_t unix, int32_t *off);

/* ---- civil time (time.c) --------------------------------------------------- */

typedef struct gtime {
    int64_t sec;  /* Unix seconds */
    int32_t nsec; /* [0, 1e9) */
    const tz_loc *loc;
} gtime;

typedef struct gcivil {
    int64_t year;
    int month, day, yday; /* month 1-12, day 1-31, yday 1-366 */
    int hour, min, sec;
    int wday; /* 0 = Sunday */
} gcivil;

/* The zone in effect at t, and t's wall clock fields in its location. */
void gt_civil(const gtime *t, gcivil *c, tz_info *zone);
/* Go's time.Date: normalises every field (month 13 -> January next year,
 * ...) and resolves the local wall time in loc as Go does. */
gtime gt_date(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min, int64_t sec,
              int64_t nsec, const tz_loc *loc);
bool gt_is_leap(int64_t year);
/* Go's absolute-calendar helpers: abs = Unix seconds + GT_UNIX_TO_ABS
 * (wrapping), days_since_epoch(year) = days from the absolute epoch to the
 * start of year. */
#define GT_UNIX_TO_ABS INT64_C(9223372028715321600)
#define GT_UNIX_TO_INTERNAL INT64_C(62135596800)
uint64_t gt_days_since_epoch(int64_t year);
void gt_abs_date(uint64_t abs, int64_t *year, int *month, int *day, int *yday, bool full);
int gt_days_in(int month, int64_t year);
/* true when t.UnixNano() fits int64 (OPA's "time outside of valid range"). */
bool gt_ns_ok(const gtime *t);
int64_t gt_unix_nano(const gtime *t);
gtime gt_from_ns(int64_t ns, const tz_loc *loc);

/* ---- layouts (time_layout.c) ------------------------------------------------ */

/* Append t formatted with a Go reference layout (Time.Format). */
void tl_format(gh_buf *b, const gtime *t, const char *layout, size_t n);
/* Go's weekday names, Sunday first (time.Weekday.String). */
extern const char *const tl_long_days[7];
/* Go's time.Parse(layout, value) (default location UTC, zone abbreviations
 * resolved against tz_local()). Returns 0 and *out, or GH_EINVAL with Go's
 * message appended to msg (e.g. `parsing time "x" as "2006": cannot parse
 * "x" as "2006"`). */
int tl_parse(const char *layout, size_t ln, const char *value, size_t vn, gtime *out, gh_buf *msg);
/* Go time package's quote(): "..." with non-ASCII and control bytes as \xNN. */
void tl_quote(gh_buf *b, const char *s, size_t n);
/* Go's time.ParseDuration; 0 and *ns, or GH_EINVAL with Go's message. */
int tl_parse_duration(const char *s, size_t n, int64_t *ns, gh_buf *msg);

#endif
