# bench/server: an admission-sized decision for the reference OPA and for
# gatehouse's data API (OPA has no /v1/admit): the usual Pod checks over an
# AdmissionReview input (privileged, host namespaces, image registry,
# resource limits, latest tag), returning the denial messages.
package admission

import rego.v1

containers contains c if some c in input.request.object.spec.containers

containers contains c if some c in input.request.object.spec.initContainers

deny contains msg if {
	some c in containers
	c.securityContext.privileged
	msg := sprintf("container %s is privileged", [c.name])
}

deny contains msg if {
	input.request.object.spec.hostNetwork
	msg := "host network is not allowed"
}

deny contains msg if {
	some c in containers
	not startswith(c.image, "registry.example.com/")
	msg := sprintf("container %s image %s is not from the allowed registry", [c.name, c.image])
}

deny contains msg if {
	some c in containers
	not c.resources.limits.memory
	msg := sprintf("container %s has no memory limit", [c.name])
}

deny contains msg if {
	some c in containers
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses the latest tag", [c.name])
}

allowed := count(deny) == 0
