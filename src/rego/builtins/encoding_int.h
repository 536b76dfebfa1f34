/* encoding_int.h - helpers shared by the encoding and json builtin families
 * (encoding.c, json.c, jsonschema*.c); private to src/rego/builtins/.
 *   gojson.c   JSON text read exactly as Go's encoding/json reads it (OPA's
 *              json.unmarshal, json.is_valid, the schema loaders): Go's
 *              syntax error messages, invalid UTF-8 and lone surrogate
 *              escapes turned into U+FFFD, "1 null" accepted as OPA does.
 *   yaml_go.c  yaml.marshal output byte for byte as sigs.k8s.io/yaml (go-yaml
 *              v2) writes it;
 *   yaml_doc.c the first-document rules of yaml.unmarshal and yaml.is_valid
 *              with go-yaml's error messages. */
#ifndef GH_REGO_ENCODING_INT_H
#define GH_REGO_ENCODING_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "rego/builtins/builtins.h"

/* ---- gojson.c ----------------------------------------------------------------- */

/* Go's json.Valid: exactly one JSON value, optionally surrounded by
 * whitespace. Bytes >= 0x80 inside strings are accepted unchecked, as Go. */
bool rb_gojson_valid(const char *p, size_t n);

/* OPA's util.UnmarshalJSON: decode the first value of p[0..n) and reject
 * what follows it the way OPA does. On success *out is the value (built in
 * c->a). Errors are GH_EINVAL with Go's message in c->err ("unexpected EOF",
 * "invalid character 'x' looking for beginning of value", ...). */
int rb_gojson_unmarshal(rego_bctx *c, const char *p, size_t n, val_t **out);

/* Decode the first JSON value of p[0..n) as a json.Decoder does (text after
 * it is ignored). Callers have checked the text with rb_gojson_valid. */
int rb_gojson_decode(rego_bctx *c, const char *p, size_t n, val_t **out);

/* Go's json.Indent applied to compact JSON src, with OPA's habit of also
 * prefixing the first line: the result of json.marshal_with_options. */
int rb_json_indent(rego_bctx *c, const char *src, size_t n, const char *prefix, size_t pn,
                   const char *indent, size_t in, val_t **out);

/* ---- yaml_go.c, yaml_doc.c ------------------------------------------------------- */

/* yaml.marshal: v as sigs.k8s.io/yaml's JSONToYAML(json.Marshal(v)) prints it. */
int rb_yaml_marshal(rego_bctx *c, const val_t *v, val_t **out);
/* yaml.unmarshal: the first document of the stream (null when it is empty). */
int rb_yaml_unmarshal(rego_bctx *c, const char *p, size_t n, val_t **out);
/* yaml.is_valid: go-yaml's Unmarshal of the first document would succeed. */
bool rb_yaml_valid(const char *p, size_t n);

#endif
