# Container image references: parse `[domain/]path[:tag][@digest]` the way
# the Docker reference grammar does (Docker Hub short names normalise to
# docker.io/library/...), and match references against configured prefixes
# on path-segment boundaries. Used by the images and dockerfile libraries.
package lib.gatehouse.imageref

import rego.v1

# parse(ref) is {"domain", "path", "name", "tag", "digest", "normalized"}:
# name is domain/path without tag or digest; tag and digest are "" when absent.
parse(ref) := {
	"domain": domain,
	"path": path,
	"name": name,
	"tag": tag,
	"digest": digest,
	"normalized": concat("", [name, _tag_suffix(tag), _digest_suffix(digest)]),
} if {
	is_string(ref)
	name_tag := _before(ref, "@")
	digest := _after(ref, "@")
	comps := split(name_tag, "/")
	last := comps[count(comps) - 1]
	tag := _after(last, ":")
	bare := array.concat(array.slice(comps, 0, count(comps) - 1), [_before(last, ":")])
	domain := _domain(bare)
	path := concat("/", _path(bare))
	name := concat("/", [domain, path])
}

# A first component names a registry when it has a dot or a port, or is
# localhost; otherwise the reference lives on Docker Hub.
_is_domain(c) if contains(c, ".")

_is_domain(c) if contains(c, ":")

_is_domain("localhost")

_domain(comps) := comps[0] if {
	count(comps) > 1
	_is_domain(comps[0])
} else := "docker.io"

_rest(comps) := array.slice(comps, 1, count(comps)) if {
	count(comps) > 1
	_is_domain(comps[0])
} else := comps

# Docker Hub's official images live under library/.
_path(comps) := array.concat(["library"], rest) if {
	_domain(comps) == "docker.io"
	rest := _rest(comps)
	count(rest) == 1
} else := _rest(comps)

_before(s, sep) := substring(s, 0, indexof(s, sep)) if contains(s, sep)

else := s

_after(s, sep) := substring(s, indexof(s, sep) + 1, -1) if contains(s, sep)

else := ""

_tag_suffix("") := ""

_tag_suffix(tag) := concat("", [":", tag]) if tag != ""

_digest_suffix("") := ""

_digest_suffix(digest) := concat("", ["@", digest]) if digest != ""

# pinned(ref) holds when ref carries a sha256 digest (64 lowercase hex).
pinned(ref) if regex.match(`^sha256:[a-f0-9]{64}$`, parse(ref).digest)

# matches_prefix(ref, prefix) holds when ref, as written or normalised,
# equals prefix or continues it at a boundary: prefix ends with "/", or the
# next character of ref is "/", ":" or "@". So "ghcr.io/acme" admits
# "ghcr.io/acme/app" but not "ghcr.io/acme-evil/app".
matches_prefix(ref, prefix) if {
	some s in {ref, parse(ref).normalized}
	_continues(s, prefix)
}

_continues(s, prefix) if s == prefix

_continues(s, prefix) if {
	endswith(prefix, "/")
	startswith(s, prefix)
}

_continues(s, prefix) if {
	prefix != ""
	startswith(s, prefix)
	substring(s, count(prefix), 1) in {"/", ":", "@"}
}

# matches_any(ref, prefixes) holds when ref matches one of prefixes.
matches_any(ref, prefixes) if {
	some prefix in prefixes
	matches_prefix(ref, prefix)
}
