#!/usr/bin/env bash
# End-to-end checks of `gatehouse check` / `gatehouse parse` on conftest's
# examples (GH_SHARED/corpora/conftest), reproducing the expectations of
# conftest's acceptance.bats for `conftest test` / `conftest parse` where
# gatehouse supports the format and flags (each case names its bats test).
# Exits 77 (skipped) when the corpus is absent. Usage: check_test.sh BIN [SHARED]
set -u
bin=$1
shared=${2:-/work/shared}
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
corpus="$shared/corpora/conftest"
[ -d "$corpus/examples" ] || { echo "conftest corpus not found: skipped"; exit 77; }
cd "$corpus"
pass=0 fail=0
status=0 output="" lines=()
run() {
  output=$("$@" 2>&1)
  status=$?
  mapfile -t lines < <(printf '%s\n' "$output" | sed '/^$/d')
}
runsh() { run bash -c "$1"; }
ok() { pass=$((pass + 1)); }
check() { # name, then a condition evaluated with $status/$output/$lines
  local name=$1; shift
  if eval "$@"; then ok; else
    fail=$((fail + 1)); echo "FAIL: $name"; echo "  condition: $*"; echo "  status=$status"
    printf '%s\n' "$output" | head -15 | sed 's/^/  | /'
  fi
}
G=$bin

run $G check -p examples/kubernetes/policy examples/kubernetes/service.yaml
check "Not fail when testing a service with a warning" '[ $status -eq 0 ]'

run $G check -p examples/kubernetes/policy examples/kubernetes/service.yaml ""
check "Not fail when passed an explicit blank filename" '[ $status -eq 0 ]'

run $G check -p examples/kubernetes/policy examples/kubernetes/deployment.yaml
check "Fail when testing a deployment with root containers" '[ $status -eq 1 ]'

run $G check --fail-on-warn -p examples/kubernetes/policy examples/kubernetes/service.yaml
check "Fail when testing a service with warnings" '[ $status -eq 1 ]'

run $G check -p internal/ examples/kubernetes/deployment.yaml
check "Fail when testing with no policies path" '[ $status -eq 1 ]'

run $G check --namespace notpresent -p examples/kubernetes/policy examples/kubernetes/deployment.yaml
check "Pass when testing a blank namespace" '[ $status -eq 0 ]'

runsh "$G check -p examples/kubernetes/policy - < examples/kubernetes/service.yaml"
check "when testing a YAML document via stdin, default parser should be yaml if no parser flag is passed" '[ $status -eq 0 ]'

runsh "$G check --parser yaml -p examples/kubernetes/policy - < examples/kubernetes/service.yaml"
check "Pass when testing a YAML document via stdin" '[ $status -eq 0 ]'

run $G check examples/traefik/traefik.toml examples/kubernetes/service.yaml -p examples/kubernetes/policy
check "Test command with multiple input type" '[ $status -eq 0 ] && [[ "$output" =~ "Found service hello-kubernetes but services are not allowed" ]]'

run $G check -p examples/docker/policy examples/docker/Dockerfile --all-namespaces
check "Test command with all namespaces flag" '[ $status -eq 1 ] && [[ "$output" =~ "unallowed image found [\"openjdk:8-jdk-alpine\"]" ]] && [[ "$output" =~ "unallowed commands found [\"apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1\"]" ]]'

run $G check -p examples/docker/policy examples/docker/Dockerfile --namespace 'main'
check "Test command matches a single namespace literally" '[ $status -eq 1 ] && [[ "$output" =~ "unallowed image found" ]] && [[ ! "$output" =~ "unallowed commands found" ]]'

run $G check -p examples/docker/policy examples/docker/Dockerfile --namespace '*'
check "Test command matches every namespace with a wildcard" '[ $status -eq 1 ] && [[ "$output" =~ "unallowed image found" ]] && [[ "$output" =~ "unallowed commands found" ]]'

run $G check -p examples/docker/policy examples/docker/Dockerfile --namespace 'c*'
check "Test command matches namespaces with a wildcard prefix" '[ $status -eq 1 ] && [[ ! "$output" =~ "unallowed image found" ]] && [[ "$output" =~ "unallowed commands found" ]]'

run $G check -p examples/hcl1/policy/base.rego examples/hcl1/gke-show.json
check "Allow .rego files in the policy flag" '[ $status -eq 1 ] && [[ "$output" =~ "Terraform plan will change prohibited resources in the following namespaces: google_iam, google_container" ]]'

run $G check -p examples/traefik/policy examples/traefik/traefik.toml
check "Can parse toml files" '[ $status -eq 1 ]'

run $G check -p examples/ini/policy examples/ini/grafana.ini
check "Can parse ini files" '[ $status -eq 1 ] && [[ "$output" =~ "Users should verify their e-mail address" ]]'

runsh "cat examples/ini/grafana.ini | $G check -p examples/ini/policy --parser ini -"
check "Can parse stdin with parser flag" '[ $status -eq 1 ] && [[ "$output" =~ "Users should verify their e-mail address" ]] && [[ "$output" != *"Basic auth should be enabled"* ]]'

run $G check -p examples/docker/policy examples/docker/Dockerfile
check "Can parse docker files" '[ $status -eq 1 ] && [[ "$output" =~ "unallowed image found [\"openjdk:8-jdk-alpine\"]" ]]'

runsh "printf '# syntax=docker/dockerfile:1.4\nFROM alpine\nCOPY --link /foo /bar\n' | $G parse --parser dockerfile -"
check "Can parse newly introduced keywords for docker" '[ $status -eq 0 ]'

run $G check -p examples/kubernetes/policy examples/kubernetes/service.yaml --no-color
check "Can disable color" '[ $status -eq 0 ] && [[ "$output" != *"[33m"* ]]'

run $G check -p examples/kubernetes/policy examples/kubernetes/deployment.yaml
check "Output results only once" '[ ${#lines[@]} -eq 5 ]'

run $G parse examples/docker/Dockerfile
check "Can parse inputs with 'conftest parse'" '[ $status -eq 0 ] && [[ "$output" =~ "\"Cmd\": \"from\"" ]]'

if command -v jq >/dev/null; then
  runsh "$G parse examples/kubernetes/deployment.yaml | jq '.kind'"
  check "Can parse single file with 'conftest parse'" '[ $status -eq 0 ] && [[ "$output" = "\"Deployment\"" ]]'
  runsh "$G parse examples/kubernetes/deployment.yaml examples/kubernetes/deployment+service.yaml | jq 'keys'"
  check "Can parse multiple files with 'conftest parse'" '[ $status -eq 0 ] && [ ${#lines[@]} -eq 4 ] && [[ "$output" =~ "\"examples/kubernetes/deployment+service.yaml\"" ]] && [[ "$output" =~ "\"examples/kubernetes/deployment.yaml\"" ]]'
fi

run $G check -p examples/kubernetes/policy/ -o tap examples/kubernetes/deployment.yaml
check "Can output tap format in test command" '[[ "$output" =~ "not ok" ]]'

run $G check -p examples/kubernetes/policy/ -o table examples/kubernetes/deployment.yaml
check "Can output table format in test command" '[[ "$output" =~ "failure" ]]'

run $G check -p examples/kubernetes/policy examples/kubernetes/deployment.yaml examples/kubernetes/service.yaml
check "Multi-file tests correctly fail when last file is fine" '[ $status -eq 1 ]'

run $G check -p examples/data/policy -d examples/data/exclusions examples/data/service.yaml
check "Can load data along with rego policies" '[ $status -eq 1 ] && [[ "$output" =~ "Cannot expose port" ]]'

run $G check -p examples/compose/policy examples/compose/docker-compose.yml --no-color
check "Can validate a docker-compose file that does not conform to the policy" '[ $status -eq 1 ] && [[ "$output" =~ "2 tests, 0 passed, 0 warnings, 2 failures, 0 exceptions" ]]'

run $G check -p examples/compose/policy examples/compose/docker-compose-valid.yml --no-color
check "Can validate a docker-compose file that conforms to the policy" '[ $status -eq 0 ] && [[ "$output" =~ "2 tests, 2 passed, 0 warnings, 0 failures, 0 exceptions" ]]'

run $G check -p examples/kubernetes/policy examples/kubernetes/service.yaml --no-color
check "The number of tests run is accurate" '[ $status -eq 0 ] && [ "${lines[1]}" = "5 tests, 4 passed, 1 warning, 0 failures, 0 exceptions" ]'

run $G check -p examples/exceptions/policy examples/exceptions/deployments.yaml --no-color
check "Exceptions reported correctly" '[ $status -eq 1 ] && [ "${lines[2]}" = "2 tests, 0 passed, 0 warnings, 1 failure, 1 exception" ]'
check "Exceptions output" '[ $status -eq 1 ] && [[ "${lines[1]}" =~ "EXCP - examples/exceptions/deployments.yaml - main - data.main.exception[_][_] == \"run_as_root\"" ]]'

run $G check -p examples/kubernetes/policy/ examples/kubernetes/deployment.yaml --all-namespaces
check "all namespaces summary" '[ $status -eq 1 ] && [[ "$output" =~ "5 tests, 1 passed, 0 warnings, 4 failures, 0 exceptions" ]]'

runsh "cd examples/configfile && $G check deployment.yaml"
check "Fail due to picking up settings from configuration file" '[ $status -eq 1 ] && [[ "$output" =~ "Containers must not run as root" ]]'

DIR=examples/configfile
run $G check -c $DIR/conftest.toml -p $DIR/test $DIR/deployment.yaml
check "Fail due to picking up settings from config-file flag" '[ $status -eq 1 ] && [[ "$output" =~ "Containers must not run as root" ]]'

run $G check -p examples/exceptions/policy examples/exceptions/deployments.yaml --no-color --suppress-exceptions
check "Suppress exceptions output" '[ $status -eq 1 ] && [ "${lines[1]}" = "2 tests, 0 passed, 0 warnings, 1 failure, 1 exception" ]'

run $G check -p examples/kubernetes/policy/deny.rego examples/kubernetes/deployment.yaml --quiet
check "Should not show any output with quiet flag and all tests succeeds" '[ $status -eq 0 ] && [[ "$output" = "" ]]'

run $G check -p examples/kubernetes/policy/ examples/kubernetes/deployment.yaml --all-namespaces --quiet
check "Should show output because of failure" '[ $status -eq 1 ] && [[ "$output" =~ "5 tests, 1 passed, 0 warnings, 4 failures, 0 exceptions" ]]'

run $G check -p examples/strict-rules/policy/ examples/kubernetes/deployment.yaml --strict
check "Should fail if strict is set and there are unused variables in the policy" '[ $status -eq 1 ] && [[ "$output" =~ "rego_compile_error: assigned var b unused" ]] && [[ "$output" =~ "rego_compile_error: assigned var x unused" ]] && [[ "$output" =~ "rego_compile_error: assigned var c unused" ]] && [[ "$output" =~ "rego_compile_error: unused argument y" ]]'

# ---- beyond acceptance.bats: output formats from docs/output.md, exit codes
run $G check -p examples/kubernetes/policy/ examples/kubernetes/service.yaml --output github
check "github output (docs/output.md)" '[ "$output" = "$(printf "%s\n" "::group::Testing \"examples/kubernetes/service.yaml\" against 5 policies in namespace \"main\"" "::warning file=examples/kubernetes/service.yaml,line=1::Found service hello-kubernetes but services are not allowed" "::notice file=examples/kubernetes/service.yaml,line=1::Number of successful checks: 4" "::endgroup::" "5 tests, 4 passed, 1 warning, 0 failures, 0 exceptions")" ]'

run $G check -p examples/kubernetes/policy/ examples/kubernetes/service.yaml --output json
check "json output (docs/output.md)" '[ $status -eq 0 ] && [ "$(printf "%s" "$output" | jq -c .)" = "[{\"filename\":\"examples/kubernetes/service.yaml\",\"namespace\":\"main\",\"successes\":4,\"warnings\":[{\"msg\":\"Found service hello-kubernetes but services are not allowed\",\"metadata\":{\"query\":\"data.main.warn\"}}]}]" ]'

run $G check -p examples/kubernetes/policy/ examples/kubernetes/service.yaml --output sarif
check "sarif output equals docs/output.md byte for byte" '[ $status -eq 0 ] && [ "$output" = "$(awk '"'"'/--output sarif/{f=1;next} f&&/^```/{exit} f'"'"' docs/output.md)" ]'

run $G check -p examples/kubernetes/policy/ examples/kubernetes/deployment.yaml --output junit
check "junit output" '[ $status -eq 1 ] && [[ "$output" =~ "<testsuite tests=\"5\" failures=\"4\" time=\"0.000\" name=\"conftest\">" ]] && [[ "$output" =~ "<failure message=\"Failed\" type=\"\">Containers must not run as root in Deployment hello-kubernetes</failure>" ]]'

run $G check --fail-on-warn -p examples/kubernetes/policy examples/kubernetes/deployment.yaml
check "--fail-on-warn exits 2 on failures" '[ $status -eq 2 ]'

run $G check --no-fail -p examples/kubernetes/policy examples/kubernetes/deployment.yaml
check "--no-fail exits 0" '[ $status -eq 0 ]'

run $G check -p examples/kubernetes/policy examples/hcl2/terraform.tf
check "hcl2 input: parsed by extension (.tf)" '[ $status -eq 0 ] && [[ "$output" =~ "5 tests, 5 passed" ]]'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'package main\ndeny[msg] { input.kind == "Deployment"; msg := "v0 deny" }\n' >"$tmp/p.rego"
run $G check --rego-version v0 -p "$tmp" examples/kubernetes/deployment.yaml --no-color
check "--rego-version v0 policies" '[ $status -eq 1 ] && [ "${lines[0]}" = "FAIL - examples/kubernetes/deployment.yaml - main - v0 deny" ]'
run $G check -p "$tmp" examples/kubernetes/deployment.yaml
check "v0 policy without --rego-version: parse error" '[ $status -eq 1 ] && [[ "$output" =~ "rego_parse_error" ]]'

# ---- --trace, print(), azuredevops, parse_config*, xml/jsonnet/properties/dotenv ----
own="$(cd "$OLDPWD" && cd "$(dirname "$0")" && pwd)/check" # our own fixtures (tests/integration/check/)

run $G check -p examples/kubernetes/policy examples/kubernetes/service.yaml --trace
check "Test command has trace flag" '[ $status -eq 0 ] && [[ "$output" =~ "data.kubernetes.is_service" ]]'
run $G check -p examples/kubernetes/policy examples/kubernetes/service.yaml --trace --no-color
check "--trace: OPA pretty trace per query" '[[ "$output" =~ "file: examples/kubernetes/service.yaml | query: data.main.deny" ]] && [[ "$output" =~ "TRAC   Enter data.main.deny = _" ]] && [[ "$output" =~ "TRAC   | Eval data.main.deny = _" ]] && [[ "$output" =~ "TRAC   | | Index data.kubernetes.is_service (matched 1 rule, early exit)" ]]'
runsh "$G check -p examples/kubernetes/policy examples/kubernetes/service.yaml --trace -o json 2>/dev/null"
check "--trace with json: stdout stays json" '[ $status -eq 0 ] && [ "$(printf "%s" "$output" | jq -r ".[0].successes")" = 4 ]'
runsh "$G check -p examples/kubernetes/policy examples/kubernetes/service.yaml --trace -o json 2>&1 >/dev/null"
check "--trace with json: trace on stderr" '[[ "$output" =~ "TRAC   | Eval data.main.deny = _" ]]'

run $G check -p examples/report/policy_print/labels.rego examples/kubernetes/deployment.yaml --no-color
check "Supports print() output" '[ $status -eq 1 ] && [ "${lines[0]}" = "PRNT   examples/report/policy_print/labels.rego:14: hello-kubernetes" ]'
run $G check -p "$own/print/policy.rego" "$own/print/input.json" --no-color
check "print(): PRNT line before the failure" '[ $status -eq 1 ] && [[ "${lines[0]}" =~ ^"PRNT   ".*"/print/policy.rego:5: checking bad"$ ]] && [[ "${lines[1]}" =~ "FAIL - " ]]'

run $G check -o azuredevops -p examples/kubernetes/policy examples/kubernetes/deployment.yaml
check "azuredevops output (docs/options.md)" '[ $status -eq 1 ] && [ "$output" = "$(awk '"'"'/conftest test -o azuredevops/{f=1;next} f&&/^```/{exit} f'"'"' docs/options.md)" ]'

run $G check -p examples/xml/policy examples/xml/pom.xml
check "Can parse xml files" '[ $status -eq 1 ] && [[ "$output" =~ "--- maven-plugin must have the version: 3.6.1" ]]'
run $G check -p examples/jsonnet/policy examples/jsonnet/arith.jsonnet
check "Can parse jsonnet files" '[ $status -eq 1 ] && [[ "$output" =~ "Concat array should be less than 3" ]]'
run $G check -p examples/properties/policy/ examples/properties/sample.properties
check "Can parse properties files" '[ $status -eq 0 ]'
run $G check -p examples/dotenv/policy/ examples/dotenv/sample.env
check "Can parse .env files" '[ $status -eq 0 ]'
runsh "$G check -p examples/dotenv/policy/ --parser dotenv - < examples/dotenv/sample.env"
check "dotenv from stdin with --parser" '[ $status -eq 0 ]'

run $G check --no-color -p "$own/xml/policy" "$own/xml/server.xml"
check "xml: attributes, namespaces, repeated elements, CDATA" '[ $status -eq 1 ] && [[ "$output" =~ "FAIL - ".*" - main - TLS must be enabled" ]] && [[ "$output" =~ "admin listener exposed on port 8080" ]] && [[ "$output" =~ "WARN - ".*" - main - hello world" ]] && [[ "$output" =~ "3 tests, 0 passed, 1 warning, 2 failures" ]]'
run $G check --no-color -p "$own/jsonnet/policy" "$own/jsonnet/app.jsonnet"
check "jsonnet: relative import, evaluation" '[ $status -eq 1 ] && [[ "$output" =~ "production needs at least 2 replicas" ]] && [[ "$output" =~ "labels merged" ]] && [[ "$output" =~ "3 tests, 1 passed, 0 warnings, 2 failures" ]]'
run $G check --no-color -p "$own/properties/policy" "$own/properties/app.properties"
check "properties: expansion, continuation, escapes" '[ $status -eq 1 ] && [[ "$output" =~ "passwords must not be stored in properties" ]] && [[ "$output" =~ "4 tests, 3 passed, 0 warnings, 1 failure" ]]'
run $G check --no-color -p "$own/dotenv/policy" "$own/dotenv/app.env"
check "dotenv: export, comments, quotes, expansion" '[ $status -eq 1 ] && [[ "$output" =~ "DB_USER should not be root" ]] && [[ "$output" =~ "4 tests, 3 passed, 0 warnings, 1 failure" ]]'
run $G check --no-color -p "$own/builtins/policy" "$own/builtins/input.json"
check "parse_config, parse_config_file, parse_combined_config_files" '[ $status -eq 1 ] && [[ "$output" =~ "debug logging in app.env" ]] && [[ "$output" =~ "parse_config gave b=12" ]] && [[ "$output" =~ "combined ".*"/builtins/app.env and ".*"/builtins/app.properties" ]]'
run $G capabilities
check "capabilities: host builtins only where registered" '[ $status -eq 0 ] && ! [[ "$output" =~ "parse_config" ]]'

# ---- hocon, edn, vcl, hcl1, hcl2, spdx, cyclonedx (acceptance.bats cases) ----
run $G check -p examples/hocon/policy examples/hocon/hocon.conf --parser hocon
check "Can parse hocon files" '[ $status -eq 1 ] && [[ "$output" =~ "Play http server port should be 9000" ]]'
run $G check -p examples/edn/policy examples/edn/sample_config.edn
check "Can parse edn files" '[ $status -eq 1 ]'
run $G check -p examples/vcl/policy examples/vcl/varnish.vcl
check "Can parse vcl files" '[ $status -eq 1 ] && [[ "$output" =~ "default backend port should be 8080" ]]'
run $G check -p examples/hcl1/policy/gke.rego examples/hcl1/gke.tf
check "Can parse hcl1 files" '[ $status -eq 0 ]'
run $G check --namespace main.gke -p examples/hcl1/policy/ examples/hcl1/gke.tf --no-color
check "Test command works with nested namespaces" '[ $status -eq 1 ] && [ "${lines[1]}" = "1 test, 0 passed, 0 warnings, 1 failure, 0 exceptions" ]'
run $G check -p examples/hcl1/policy/gke_combine.rego examples/hcl1/gke.tf --combine --parser hcl1 --all-namespaces
check "Can combine configs and reference by file" '[ $status -eq 0 ]'
run $G check -p examples/hcl2/policy examples/hcl2/terraform.tf
check "Can parse hcl files" '[ $status -eq 1 ] && [[ "$output" =~ "ALB \`my-alb-listener\` is using HTTP rather than HTTPS" ]]'
run $G parse --parser spdx examples/spdx/sbom.spdx
check "Can parse SPDX file" '[ $status -eq 0 ]'
run $G check -p examples/spdx/policy examples/spdx/sbom.spdx
check "Can validate SPDX file" '[ $status -eq 0 ] && [[ "$output" =~ "1 test, 1 passed, 0 warnings, 0 failures, 0 exceptions" ]]'
run $G check --policy ./examples/cyclonedx/policy/ ./examples/cyclonedx/cyclonedx.json --parser cyclonedx
check "Can test cyclonedx against policy" '[ $status -eq 0 ]'
run $G parse --parser cyclonedx ./examples/cyclonedx/cyclonedx.json
check "Can parse cyclonedx JSON file" '[ $status -eq 0 ]'
run $G parse --parser cyclonedx ./examples/cyclonedx/cyclonedx.xml
check "Can parse cyclonedx XML file" '[ $status -eq 0 ] && [[ "$output" =~ "sha256:d7ec60cf8390612b360c857688b383068b580d9a6ab78417c9493170ad3f1616" ]]'
run $G check --policy ./examples/cyclonedx/policy/ ./examples/cyclonedx/cyclonedx.xml --parser cyclonedx
check "cyclonedx XML against the same policy" '[ $status -eq 0 ]'
run $G check -p examples/cue/policy examples/cue/deployment.cue
check "Can parse cue files" '[ $status -eq 1 ] && [[ "$output" =~ "The image port should be 8080 in deployment.cue. you have : 8081" ]]'
run $G check --no-color -p "$own/cue/policy" "$own/cue/service.cue"
check "cue: chained labels, unified fields, defaults, definitions left out" '[ $status -eq 1 ] && [[ "$output" =~ "ledger needs at least 2 replicas" ]] && [[ "$output" =~ "images must not be tagged latest" ]] && [[ "$output" =~ "defaults taken, definitions left out" ]]'
printf 'a: string\n' > "${TMPDIR:-/tmp}/gh_check_cue_$$.cue"
run $G parse "${TMPDIR:-/tmp}/gh_check_cue_$$.cue"
rm -f "${TMPDIR:-/tmp}/gh_check_cue_$$.cue"
check "cue: a non-concrete value is a located error" '[ $status -ne 0 ] && [[ "$output" =~ ":1:4: cue:" ]] && [[ "$output" =~ "not concrete" ]]'
run $G check -p examples/jenkins/policy --parser groovy examples/jenkins/Jenkinsfile
check "groovy: a clear error naming the missing parser" '[ $status -ne 0 ] && [[ "$output" =~ "parser groovy is not available" ]]'

run $G check --no-color -p "$own/hocon/policy" "$own/hocon/service.conf" --parser hocon
check "hocon: optional substitution, concatenation, merged objects" '[ $status -eq 1 ] && [[ "$output" =~ "TLS must be enabled for service billing" ]] && [[ "$output" =~ "timeout and db url read as conftest reads them" ]] && [[ "$output" =~ "3 tests, 1 passed, 1 warning, 1 failure" ]]'
run $G check --no-color -p "$own/edn/policy" "$own/edn/app.edn"
check "edn: keywords, sets and #inst as Go text" '[ $status -eq 1 ] && [[ "$output" =~ "production must log errors only" ]] && [[ "$output" =~ "scalars read as Go text" ]]'
run $G check --no-color -p "$own/vcl/policy" "$own/vcl/site.vcl"
check "vcl: backends by name, sub attributes" '[ $status -eq 1 ] && [[ "$output" =~ "backend web must listen on 8080" ]] && [[ "$output" =~ "durations read as integers" ]] && [[ "$output" =~ "2 tests, 0 passed, 1 warning, 1 failure" ]]'
run $G check --no-color -p "$own/hcl1/policy" "$own/hcl1/legacy.hcl" --parser hcl1
check "hcl1: blocks as lists of objects" '[ $status -eq 1 ] && [[ "$output" =~ "bucket logs must not be public" ]] && [[ "$output" =~ "blocks read as lists of objects" ]]'
run $G check --no-color -p "$own/hcl2/policy" "$own/hcl2/main.tf"
check "hcl2: labels, nested blocks, expressions as text" '[ $status -eq 1 ] && [[ "$output" =~ "rule ssh is open to the world" ]] && [[ "$output" =~ "instance web has an unencrypted volume" ]] && [[ "$output" =~ "expressions kept as" ]] && [[ "$output" =~ "parse_config reads hcl2 and edn" ]]'
run $G check --no-color -p "$own/spdx/policy" "$own/spdx/app.spdx"
check "spdx: packages, relationships, 2.2 -> 2.3" '[ $status -eq 1 ] && [[ "$output" =~ "package ledger is GPL licensed" ]] && [[ "$output" =~ "SPDX 2.2 read in the 2.3 JSON shape" ]] && [[ "$output" =~ "2 tests, 0 passed, 1 warning, 1 failure" ]]'
run $G check --no-color -p "$own/cyclonedx/policy" "$own/cyclonedx/sbom.xml" "$own/cyclonedx/sbom.json" --parser cyclonedx
check "cyclonedx: XML and JSON BOMs give one shape" '[ $status -eq 1 ] && [ "$(printf "%s\n" "$output" | grep -c "left-pad uses license WTFPL")" -eq 2 ] && [ "$(printf "%s\n" "$output" | grep -c "bom 1.4 read")" -eq 2 ]'
runsh "$G parse --parser hcl2 - < '$own/hcl2/main.tf'"
check "hcl2 from stdin with --parser" '[ $status -eq 0 ] && [[ "$output" =~ "aws_security_group_rule" ]]'
run $G parse --parser hocon "$own/edn/app.edn"
check "a parse error names file:line:col" '[ $status -ne 0 ] && [[ "$output" =~ "app.edn:".*"hocon" ]]'

# ---- capabilities, builtin errors, symlinks, combine, --parser, ignore files ----
run $G check examples/kubernetes/deployment.yaml -p examples/kubernetes/policy/ -p examples/capabilities/malicious.rego --capabilities examples/capabilities/capabilities.json
check "Should fail if an opa function is not defined given capabilities file" '[ $status -eq 1 ] && [[ "$output" =~ "undefined function opa.runtime" ]] && [[ "$output" =~ "undefined function http.send" ]]'
run $G check -p examples/kubernetes/policy/ examples/kubernetes/deployment.yaml --capabilities examples/capabilities/capabilities.json --no-color
check "--capabilities: policies within the capabilities run as usual" '[ $status -eq 1 ] && [[ "$output" =~ "5 tests, 1 passed, 0 warnings, 4 failures" ]]'
printf '{"builtins": [{"name": "count"}]}' >"$tmp/caps.json"
run $G check -p examples/kubernetes/policy/ examples/kubernetes/deployment.yaml --capabilities "$tmp/caps.json"
check "--capabilities: a builtin left out of the file is undefined" '[ $status -eq 1 ] && [[ "$output" =~ "rego_type_error: undefined function" ]]'
printf '{"builtins": 1}' >"$tmp/badcaps.json"
run $G check -p examples/kubernetes/policy/ examples/kubernetes/deployment.yaml --capabilities "$tmp/badcaps.json"
check "--capabilities: a malformed file is an error naming it" '[ $status -eq 1 ] && [[ "$output" =~ "badcaps.json" ]] && [[ "$output" =~ "builtins" ]]'

run $G check --show-builtin-errors -p examples/builtin-errors/invalid-dns.rego examples/kubernetes/deployment.yaml
check "Should fail evaluation if a builtin function returns error" '[ $status -eq 1 ] && [[ "$output" =~ "built-in error" ]]'
run $G check -p examples/builtin-errors/invalid-dns.rego examples/kubernetes/deployment.yaml
check "builtin errors are undefined without --show-builtin-errors" '[ $status -eq 0 ] && [[ "$output" =~ "1 test, 1 passed" ]]'

link="$tmp/linked"
ln -s "$corpus/examples/hcl2" "$link"
run $G check -p examples/hcl2/policy "$link"
check "Can parse files from a symlinked directory" '[ $status -eq 1 ] && [[ "$output" =~ "10 tests, 3 passed, 0 warnings, 7 failures, 0 exceptions" ]]'
ln -s "$corpus/examples/hcl2/policy" "$tmp/linkedpolicy"
run $G check -p "$tmp/linkedpolicy" examples/hcl2/terraform.tf
check "symlinked policy directory" '[ $status -eq 1 ] && [[ "$output" =~ "ALB \`my-alb-listener\` is using HTTP rather than HTTPS" ]]'
mkdir -p "$tmp/loop" && ln -s "$tmp/loop" "$tmp/loop/again"
run $G check -p examples/kubernetes/policy "$tmp/loop"
check "a symbolic link cycle ends (the kernel's ELOOP or the depth limit)" '[ $status -ne 0 ] && [[ "$output" =~ "Error: " ]]'

run $G check -p examples/combine/policy examples/combine/team.yaml examples/combine/user1.yaml examples/combine/user2.yaml --combine
check "Can combine yaml files" '[ $status -eq 1 ] && [[ "$output" =~ "2 tests, 1 passed, 0 warnings, 1 failure" ]]'
run $G check -p examples/combine/policy examples/combine/team.yaml examples/combine/users.yaml --combine
check "Combining multi-document yaml file has same result" '[ $status -eq 1 ] && [[ "$output" =~ "2 tests, 1 passed, 0 warnings, 1 failure" ]]'

# conftest's examples/terraform is not in the corpus: our own fixture passes as
# HCL and fails the policy when --parser ini forces another reading.
run $G check --no-color -p "$own/parser/settings.rego" "$own/parser/settings.tf"
check "--parser: the same file passes when read by its own parser" '[ $status -eq 0 ] && [[ "$output" =~ "1 test, 1 passed" ]]'
run $G check --no-color -p "$own/parser/settings.rego" "$own/parser/settings.tf" --parser ini
check "Using --parser should force the chosen parser and fail the rego policy" '[ $status -eq 1 ] && [[ "$output" =~ "node_count must be a number: was the file read as HCL?" ]]'

# conftest's ignore examples without their dotfile inputs (not in the corpus):
# its policies on our own .dockerignore/.gitignore. Each entry of the array is
# tested as its own document, as conftest does with every array.
run $G check -p examples/ignore/dockerignore/policy "$own/ignore/.dockerignore"
check "Can parse .dockerignore files" '[ $status -eq 1 ] && [[ "$output" =~ ".git directories should be ignored" ]]'
run $G check -p examples/ignore/gitignore/policy "$own/ignore/.gitignore"
check "Can parse .gitignore files" '[ $status -eq 1 ] && [[ "$output" =~ "id_rsa files should be ignored" ]]'
run $G check --no-color -p "$own/ignore/policy" "$own/ignore/.dockerignore"
check "ignore: entries with Kind, Value and Original" '[ $status -eq 1 ] && [[ "$output" =~ "WARN - ".*"/.dockerignore - main - comment \"build context\" from \"# build context\"" ]] && [[ "$output" =~ "re-included: node_modules/keep.txt" ]] && [[ "$output" =~ "trimmed \"*.log\" from \"  *.log  \"" ]] && [[ "$output" =~ "ignoring everything hides the build context" ]] && [[ "$output" =~ "32 tests, 28 passed, 3 warnings, 1 failure" ]]'
if command -v jq >/dev/null; then
  runsh "$G parse '$own/ignore/.gitignore' | jq -c ."
  check "ignore: parse prints conftest's entries" '[ $status -eq 0 ] && [ "$output" = "[{\"Kind\":\"Comment\",\"Original\":\"# keys\",\"Value\":\"keys\"},{\"Kind\":\"Path\",\"Original\":\"id_rsa\",\"Value\":\"id_rsa\"},{\"Kind\":\"Path\",\"Original\":\"*.pem\",\"Value\":\"*.pem\"},{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"}]" ]'
  runsh "$G parse --parser ignore - < '$own/ignore/.gitignore' | jq -r '.[1].Value'"
  check "ignore from stdin with --parser" '[ $status -eq 0 ] && [ "$output" = "id_rsa" ]'
fi

# ---- audit: every acceptance.bats case that runs `conftest test` or
# `conftest parse` is checked above under its exact name, or listed in
# check_bats_skips.txt with a reason. The command of a case is the first
# `conftest [-c FILE] <cmd>` its body runs.
script="$(cd "$OLDPWD" && cd "$(dirname "$0")" && pwd)"
skips="$script/check_bats_skips.txt"
checked=$(sed -n 's/^ *check "\(.*\)" '"'"'.*$/\1/p' "$script/check_test.sh")
bats_cases=$(awk '
  /^@test "/ { name = $0; sub(/^@test "/, "", name); sub(/" \{$/, "", name); cmd = ""; next }
  name != "" && cmd == "" && match($0, /conftest( -c [^ ]+)? [a-z-]+/) {
    w = substr($0, RSTART, RLENGTH); n = split(w, f, " "); cmd = f[n]
    print cmd "\t" name
  }
  /^}/ { name = "" }' "$corpus/acceptance.bats")
nchecked=0 nskipped=0 nmissing=0
while IFS=$'\t' read -r cmd name; do
  [ "$cmd" = test ] || [ "$cmd" = parse ] || continue
  if printf '%s\n' "$checked" | grep -qxF -- "$name"; then
    nchecked=$((nchecked + 1))
  elif sed -n 's/ | .*//p' "$skips" | grep -qxF -- "$name"; then
    nskipped=$((nskipped + 1))
  else
    nmissing=$((nmissing + 1)); echo "FAIL: bats case not checked nor in check_bats_skips.txt: $name"
  fi
done <<<"$bats_cases"
# every skip names a real bats case and gives a reason
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  sname=${line%% | *}
  if [ "$sname" = "$line" ] || [ -z "${line#* | }" ] || ! printf '%s\n' "$bats_cases" | cut -f2 | grep -qxF -- "$sname"; then
    nmissing=$((nmissing + 1)); echo "FAIL: check_bats_skips.txt: not '<exact bats name> | reason' of a bats case: $line"
  fi
done <"$skips"
echo "check_test: bats test/parse cases: $nchecked checked, $nskipped listed as skipped, $nmissing missing"
if [ "$nmissing" -eq 0 ]; then ok; else fail=$((fail + 1)); fi

echo "check_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
