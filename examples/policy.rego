# A small admission-style policy over a Deployment, used by `make run`:
# every container must come from the platform registry pinned by digest,
# and the workload must name its owner team.
package examples.deploy

import rego.v1

registry := "registry.example.com/"

deny contains msg if {
	some c in input.spec.template.spec.containers
	not startswith(c.image, registry)
	msg := sprintf("container %q: image %q is not from %s", [c.name, c.image, registry])
}

deny contains msg if {
	some c in input.spec.template.spec.containers
	not contains(c.image, "@sha256:")
	msg := sprintf("container %q: image %q is not pinned by digest", [c.name, c.image])
}

deny contains "metadata.labels.owner is required" if not input.metadata.labels.owner

allow if count(deny) == 0
