# Kubernetes admission: image registries, privileged containers, labels.
package k8s

import rego.v1

allowed_registries := {"registry.example.com", "gcr.io/company"}

containers contains c if some c in input.request.object.spec.containers
containers contains c if some c in input.request.object.spec.initContainers

deny contains msg if {
	some c in containers
	not registry_ok(c.image)
	msg := sprintf("container %s uses image %s from a registry that is not allowed", [c.name, c.image])
}

deny contains msg if {
	some c in containers
	c.securityContext.privileged
	msg := sprintf("container %s must not be privileged", [c.name])
}

deny contains msg if {
	some label in ["app", "owner", "team"]
	not input.request.object.metadata.labels[label]
	msg := sprintf("missing label %s", [label])
}

registry_ok(image) if {
	some r in allowed_registries
	startswith(image, concat("", [r, "/"]))
}

allow if count(deny) == 0
