# Default-deny networking: every namespace holds a NetworkPolicy that selects
# all its pods (podSelector {}) and lists Ingress (and, by default, Egress)
# in policyTypes with no rules for that direction. Works over an inventory in
# Gatekeeper's layout (cluster["v1"]["Namespace"][name],
# namespace[ns]["networking.k8s.io/v1"]["NetworkPolicy"][name]), passed in
# as an argument. Pure: called by gatehouse.check.network and gatekeeper/network.
package lib.gatehouse.network

import rego.v1

import data.lib.gatehouse.k8s

defaults := {
	"requireEgress": true,
	"exemptNamespaces": ["kube-system", "kube-public", "kube-node-lease"],
}

# inventory_violations(inventory, params): one {"msg", "details"} per
# namespace of the inventory that lacks a default-deny policy.
inventory_violations(inventory, params) := {v |
	some ns, _ in k8s.as_object(object.get(inventory, ["cluster", "v1", "Namespace"], {}))
	some v in namespace_violations(ns, inventory, params)
}

# namespace_violations(ns, inventory, params) is empty when namespace ns is
# exempt or has default-deny policies for every required direction.
namespace_violations(ns, inventory, params) := {v |
	p := k8s.with_defaults(defaults, params)
	not ns in p.exemptNamespaces
	policies := k8s.as_object(object.get(inventory, ["namespace", ns, "networking.k8s.io/v1", "NetworkPolicy"], {}))
	some direction in _directions(p)
	not _denied(policies, direction)
	v := {
		"msg": sprintf("namespace %q has no default-deny NetworkPolicy for %s (podSelector: {}, policyTypes including %s, no %s rules)", [ns, direction, direction, lower(direction)]),
		"details": {"namespace": ns, "policyType": direction},
	}
}

_directions(p) := ["Ingress", "Egress"] if p.requireEgress == true

else := ["Ingress"]

_denied(policies, direction) if {
	some _, np in policies
	default_deny(np, direction)
}

# default_deny(np, direction) holds when NetworkPolicy np selects every pod
# of its namespace and allows nothing in direction ("Ingress" or "Egress").
default_deny(np, direction) if {
	spec := k8s.as_object(np.spec)
	_selects_all(object.get(spec, "podSelector", {}))
	direction in k8s.as_array(object.get(spec, "policyTypes", []))
	count(k8s.as_array(object.get(spec, lower(direction), []))) == 0
}

# An empty label selector (missing, null or {}) selects all pods.
_selects_all(sel) if sel == null

_selects_all(sel) if {
	is_object(sel)
	count(k8s.as_object(object.get(sel, "matchLabels", {}))) == 0
	count(k8s.as_array(object.get(sel, "matchExpressions", []))) == 0
}

# inventory_from_objects(objs) builds the inventory layout from a list of
# manifests (Namespaces and NetworkPolicies; other kinds are ignored), e.g.
# the documents of `conftest test --combine`.
inventory_from_objects(objs) := {
	"cluster": {"v1": {"Namespace": {name: obj |
		some obj in objs
		obj.kind == "Namespace"
		name := obj.metadata.name
	}}},
	"namespace": {ns: {"networking.k8s.io/v1": {"NetworkPolicy": {name: obj |
		some obj in objs
		obj.kind == "NetworkPolicy"
		object.get(obj, ["metadata", "namespace"], "default") == ns
		name := obj.metadata.name
	}}} |
		some o in objs
		o.kind == "NetworkPolicy"
		ns := object.get(o, ["metadata", "namespace"], "default")
	},
}
