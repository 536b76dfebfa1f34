# Unit tests of lib.gatehouse.imageref: reference parsing (Docker Hub
# normalisation, ports, tags, digests) and prefix matching on path boundaries.
package lib.gatehouse.imageref_test

import rego.v1

import data.lib.gatehouse.imageref

test_parse_docker_hub_short_name if {
	r := imageref.parse("nginx")
	r.name == "docker.io/library/nginx"
	r.tag == ""
	r.digest == ""
}

test_parse_registry_with_port_tag_and_digest if {
	d := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	r := imageref.parse(concat("", ["registry.example.com:5000/team/app:1.2@", d]))
	r.domain == "registry.example.com:5000"
	r.path == "team/app"
	r.tag == "1.2"
	r.digest == d
}

test_parse_port_is_not_a_tag if {
	r := imageref.parse("localhost:5000/app")
	r.domain == "localhost:5000"
	r.tag == ""
}

test_pinned if {
	imageref.pinned("x/y:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	not imageref.pinned("x/y:1")
	not imageref.pinned("x/y@sha256:abc")
	not imageref.pinned("x/y@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")
}

test_prefix_respects_path_boundaries if {
	imageref.matches_prefix("ghcr.io/acme/app:1", "ghcr.io/acme")
	imageref.matches_prefix("ghcr.io/acme/app:1", "ghcr.io/acme/")
	not imageref.matches_prefix("ghcr.io/acme-evil/app:1", "ghcr.io/acme")
	not imageref.matches_prefix("registry.example.com.evil.io/app", "registry.example.com")
}

test_prefix_matches_normalised_docker_hub if {
	imageref.matches_prefix("alpine:3.19", "docker.io/library/alpine")
	imageref.matches_prefix("alpine:3.19", "alpine")
	not imageref.matches_prefix("alpinex:1", "docker.io/library/alpine")
}
