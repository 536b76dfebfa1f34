/* limits.h - every resource bound gatehouse enforces, in one place.
 * Each limit is checked where data enters (parser, loader, request), before
 * anything is allocated for it. Callers may lower them per call; raising one
 * above these defaults needs a reason written next to it. */
#ifndef GH_LIMITS_H
#define GH_LIMITS_H

/* Nesting depth of JSON/YAML documents. Deep nesting is how hostile inputs
 * exhaust the C stack of recursive parsers and emitters; real Kubernetes
 * manifests and policy data stay far below 100 levels. */
#define GH_MAX_DEPTH 512

/* Largest single document a parser accepts by default (bytes). Bigger data
 * belongs in bundles loaded from disk with an explicit limit. */
#define GH_MAX_DOC_BYTES (256u * 1024u * 1024u)

/* Largest number literal in characters. Exact decimals are kept as text, so
 * an enormous literal would cost memory and quadratic comparison time. */
#define GH_MAX_NUMBER_CHARS 4096

/* YAML alias expansion budget: the number of nodes that aliases may produce
 * in total, per document. Stops "billion laughs" style inputs. */
#define GH_MAX_YAML_ALIAS_NODES 100000

/* Most addresses net.cidr_expand produces (a /16 of IPv4, a /112 of IPv6).
 * OPA has no bound and would spin for hours on a /0; a policy needing more
 * than this should test membership with net.cidr_contains instead. */
#define GH_MAX_CIDR_EXPAND 65536

/* Units of work one GraphQL query validation may spend (selections walked,
 * field pairs compared). gqlparser's overlapping-fields check, which OPA
 * runs, is exponential on crafted queries; past this budget (about a second)
 * validation reports an error instead of stalling the evaluation. */
#define GH_MAX_GRAPHQL_WORK (1u << 26)

/* Bundle archives (.tar.gz): the most bytes their tar stream may hold after
 * decompression (and the most compressed bytes read), and the most entries.
 * Declared entry sizes are checked against the budget before any of it is
 * inflated, so a gzip bomb stops at its first oversized header. Each
 * module or data entry is also bound by GH_MAX_DOC_BYTES. */
#define GH_MAX_BUNDLE_BYTES (512u * 1024u * 1024u)
#define GH_MAX_BUNDLE_ENTRIES 100000u

/* Default chunk size of an arena. */
#define GH_ARENA_CHUNK (64u * 1024u)

#endif
