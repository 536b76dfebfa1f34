# Unit tests of lib.gatehouse.dockerfile over conftest-shaped instruction
# arrays: base images (aliases, ARGs), USER in the final stage, ENV/ARG secrets.
package lib.gatehouse.dockerfile_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.dockerfile

msgs(vs) := {v.msg | some v in vs}

test_pass_distroless_nonroot if {
	count(dockerfile.violations(fixtures.dockerfile, {})) == 0
	count(dockerfile.warnings(fixtures.dockerfile, {})) == 0
}

test_is_dockerfile if {
	dockerfile.is_dockerfile(fixtures.dockerfile)
	not dockerfile.is_dockerfile([{"kind": "Pod"}])
	not dockerfile.is_dockerfile({"Cmd": "from"})
}

test_fail_unapproved_base_and_no_user if {
	df := [
		fixtures.instr("from", ["openjdk:8-jdk-alpine"], 0),
		fixtures.instr("run", ["apk add curl"], 0),
	]
	msgs(dockerfile.violations(df, {})) == {
		`FROM openjdk:8-jdk-alpine (instruction 1): base image "openjdk:8-jdk-alpine" is not an approved minimal image (approved: scratch, gcr.io/distroless/, cgr.dev/chainguard/, docker.io/library/alpine, registry.access.redhat.com/ubi9/ubi-micro, registry.access.redhat.com/ubi9/ubi-minimal)`,
		"final stage sets no USER, so the container runs as root; add USER <non-root uid>",
	}
}

test_fail_root_user_in_final_stage if {
	df := [
		fixtures.instr("from", ["alpine:3.19", "AS", "base"], 0),
		fixtures.instr("user", ["app"], 0),
		fixtures.instr("from", ["base"], 1),
		fixtures.instr("user", ["root:root"], 1),
	]
	vs := dockerfile.violations(df, {})
	count(vs) == 1
	some v in vs
	v.details == {"instruction": 4, "user": "root"}
}

test_uid_zero_is_root if {
	df := [fixtures.instr("from", ["scratch"], 0), fixtures.instr("user", ["0"], 0)]
	count(dockerfile.violations(df, {})) == 1
}

test_builder_stage_may_be_full_image if {
	# the runtime stage resolves through the alias chain to its real base
	df := [
		fixtures.instr("from", ["golang:1.22", "AS", "build"], 0),
		fixtures.instr("from", ["build", "AS", "test"], 1),
		fixtures.instr("from", ["test"], 2),
		fixtures.instr("user", ["65532"], 2),
	]
	vs := dockerfile.violations(df, {})
	count(vs) == 1
	some v in vs
	v.details.image == "golang:1.22"
	count(dockerfile.violations(fixtures.dockerfile, {"checkAllStages": true})) == 1
}

test_base_from_global_arg if {
	df := [
		fixtures.instr("arg", ["BASE=cgr.dev/chainguard/static:latest"], 0),
		fixtures.instr("from", ["${BASE}"], 0),
		fixtures.instr("user", ["nonroot"], 0),
	]
	count(dockerfile.violations(df, {})) == 0
	unresolved := [fixtures.instr("arg", ["BASE"], 0), fixtures.instr("from", ["$BASE"], 0), fixtures.instr("user", ["app"], 0)]
	count(dockerfile.violations(unresolved, {})) == 0
	count(dockerfile.warnings(unresolved, {})) == 1
}

test_fail_secret_env_and_arg if {
	df := array.concat(fixtures.dockerfile, [
		fixtures.instr("env", ["DB_PASSWORD", "hunter2", "MODE", "prod"], 1),
		fixtures.instr("arg", ["NPM_TOKEN=npm_abcdef123456"], 1),
		fixtures.instr("env", ["SEED", "q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2"], 1),
	])
	vs := dockerfile.violations(df, {})
	{v.details.variable | some v in vs} == {"DB_PASSWORD", "NPM_TOKEN", "SEED"}
	every v in vs {
		not contains(v.msg, "hunter2")
		not contains(v.msg, "npm_abcdef123456")
	}
}

test_fail_token_in_run if {
	df := array.concat(fixtures.dockerfile, [fixtures.instr("run", ["curl -H 'Authorization: token ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3poR2d2' https://api.github.com"], 1)])
	msgs(dockerfile.violations(df, {})) == {"RUN instruction 8: contains a GitHub token"}
}

test_warn_secret_arg_without_default if {
	df := array.concat(fixtures.dockerfile, [fixtures.instr("arg", ["GITHUB_TOKEN"], 1)])
	count(dockerfile.violations(df, {})) == 0
	msgs(dockerfile.warnings(df, {})) == {"ARG GITHUB_TOKEN (instruction 8): build arguments are recorded in the image history; pass secrets with RUN --mount=type=secret"}
}

test_secrets_in_comments_ignored if {
	df := array.concat(fixtures.dockerfile, [fixtures.instr("comment", ["# AKIAIOSFODNN7EXAMPLE"], 1)])
	count(dockerfile.violations(df, {})) == 0
}

test_original_used_in_messages if {
	df := [object.union(fixtures.instr("from", ["ubuntu:22.04"], 0), {"Original": "FROM ubuntu:22.04"}), fixtures.instr("user", ["app"], 0)]
	some v in dockerfile.violations(df, {"approvedBaseImages": ["scratch"]})
	startswith(v.msg, "FROM ubuntu:22.04 (instruction 1): ")
}
