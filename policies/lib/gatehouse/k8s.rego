# Kubernetes object helpers shared by every gatehouse policy library: where an
# object keeps its pod spec, its containers (with the field path of each, for
# messages), its labels, and parameter defaults. Pure functions of their
# arguments: no reference to `data` or `input`, so Gatekeeper can embed the
# module as a ConstraintTemplate lib (its package must start with `lib.`).
package lib.gatehouse.k8s

import rego.v1

# Kinds whose pod template sits at spec.template.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# The three container lists of a pod spec, in the order messages use.
container_fields := ["containers", "initContainers", "ephemeralContainers"]

# template_path(obj) is the path (array of keys) to the object holding obj's
# pod `metadata` and `spec`: [] for a Pod, ["spec", "template"] for a
# Deployment...; undefined when obj runs no pods.
template_path(obj) := [] if obj.kind == "Pod"

template_path(obj) := ["template"] if obj.kind == "PodTemplate"

template_path(obj) := ["spec", "template"] if obj.kind in template_kinds

template_path(obj) := ["spec", "jobTemplate", "spec", "template"] if obj.kind == "CronJob"

# pod_spec_path(obj) is the dotted path of obj's pod spec, for messages.
pod_spec_path(obj) := concat(".", array.concat(template_path(obj), ["spec"]))

# pod_spec(obj) is obj's pod spec object; undefined when obj has none.
pod_spec(obj) := spec if {
	spec := object.get(obj, array.concat(template_path(obj), ["spec"]), null)
	is_object(spec)
}

# pod_meta(obj) is the metadata of obj's pods (the Pod's own, a workload's
# template's); {} when absent.
pod_meta(obj) := as_object(object.get(obj, array.concat(template_path(obj), ["metadata"]), {}))

# has_pod_spec(obj) holds when obj runs pods.
has_pod_spec(obj) if pod_spec(obj)

# containers(obj) is the set of obj's containers, each as
# {"field": "containers"|"initContainers"|"ephemeralContainers", "index": i,
#  "name": name, "path": "spec.template.spec.containers[0]", "container": c}.
containers(obj) := {entry |
	spec := pod_spec(obj)
	prefix := pod_spec_path(obj)
	some field in container_fields
	some i, c in as_array(object.get(spec, field, []))
	entry := {
		"field": field,
		"index": i,
		"name": object.get(c, "name", sprintf("#%d", [i])),
		"path": sprintf("%s.%s[%d]", [prefix, field, i]),
		"container": as_object(c),
	}
}

# container_label(entry) names a container for messages: `container "web"`,
# `initContainer "migrate"`, `ephemeralContainer "debugger"`.
container_label(entry) := sprintf("%s %q", [trim_suffix(entry.field, "s"), entry.name])

# labels(obj) is obj's metadata.labels ({} when absent or malformed).
labels(obj) := as_object(object.get(obj, ["metadata", "labels"], {}))

# annotations(obj) is obj's metadata.annotations ({} when absent or malformed).
annotations(obj) := as_object(object.get(obj, ["metadata", "annotations"], {}))

# describe(obj) names an object for messages: `Deployment shop/web`.
describe(obj) := sprintf("%s %s/%s", [object.get(obj, "kind", "object"), ns, name]) if {
	ns := object.get(obj, ["metadata", "namespace"], "")
	ns != ""
	name := object.get(obj, ["metadata", "name"], "<unnamed>")
} else := sprintf("%s %s", [object.get(obj, "kind", "object"), object.get(obj, ["metadata", "name"], "<unnamed>")])

# with_defaults(defaults, given) is defaults overridden key by key by given;
# a missing or non-object given (null parameters) yields defaults.
with_defaults(defaults, given) := object.union(defaults, given) if is_object(given)

else := defaults

# as_object / as_array turn null or a wrong type (a malformed manifest) into
# the empty value so a policy reports what it can instead of failing.
as_object(x) := x if is_object(x)

else := {}

as_array(x) := x if is_array(x)

else := []
