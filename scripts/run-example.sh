#!/usr/bin/env bash
# What `make run` runs once the build is done. Until the decision server
# exists, it shows the decision point on a bundled example: a Kubernetes
# Deployment parsed into the `input` document, then a Rego policy evaluated
# against it exactly as `opa eval` would.
set -euo pipefail
build=${1:-build}
bin="$build/gatehouse"
"$bin" --version
echo
echo "\$ gatehouse parse examples/deployment.yaml"
"$bin" parse examples/deployment.yaml
echo
echo "\$ gatehouse eval -d examples/policy.rego -i examples/deployment.yaml -f pretty 'data.examples.deploy'"
"$bin" eval -d examples/policy.rego -i examples/deployment.yaml -f pretty 'data.examples.deploy'
