#!/usr/bin/env bash
# What `make run` runs once the build is done. The decision server does not
# exist yet, so this shows the input side: a bundled Kubernetes manifest
# parsed into the JSON document policies receive as `input`.
set -euo pipefail
build=${1:-build}
bin="$build/gatehouse"
"$bin" --version
echo "\$ gatehouse parse examples/deployment.yaml"
"$bin" parse examples/deployment.yaml
