# Container resources: every container (and init container; ephemeral
# containers on request, see `includeEphemeral`) declares the configured CPU
# and memory requests and limits. Pure: called by gatehouse.check.resources
# (conftest) and gatekeeper/resources.
package lib.gatehouse.resources

import rego.v1

import data.lib.gatehouse.k8s

defaults := {
	"requests": ["cpu", "memory"],
	"limits": ["cpu", "memory"],
	# The API server rejects resources on ephemeral containers (kubectl
	# debug), so requiring them would block every debug session.
	"includeEphemeral": false,
}

# violations(obj, params) is the set of {"msg", "details"} for obj.
violations(obj, params) := {v |
	p := k8s.with_defaults(defaults, params)
	some entry in k8s.containers(obj)
	_checked(entry, p)
	some kind in ["requests", "limits"]
	some resource in p[kind]
	_missing(entry.container, kind, resource)
	field := sprintf("%s.resources.%s.%s", [entry.path, kind, resource])
	v := {
		"msg": sprintf("%s (%s): no %s %s set", [k8s.container_label(entry), field, resource, trim_suffix(kind, "s")]),
		"details": {"container": entry.name, "field": field},
	}
}

_checked(entry, _) if entry.field != "ephemeralContainers"

_checked(entry, p) if {
	entry.field == "ephemeralContainers"
	p.includeEphemeral == true
}

_missing(c, kind, resource) if {
	value := object.get(c, ["resources", kind, resource], "")
	_empty(value)
}

_empty(value) if value == ""

_empty(value) if value == null
