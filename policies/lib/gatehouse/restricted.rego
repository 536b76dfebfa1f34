# Restricted data placement: a workload classified `restricted` (label on
# the object or on its pod template) may run only in a namespace labelled to
# accept restricted data. Namespace objects come in as an argument
# (name -> Namespace, e.g. Gatekeeper's inventory cluster["v1"]["Namespace"]);
# an unknown namespace fails closed. Pure: called by
# gatehouse.check.restricted and gatekeeper/restricted.
package lib.gatehouse.restricted

import rego.v1

import data.lib.gatehouse.k8s

defaults := {
	"classificationKey": "data-classification",
	"restrictedValue": "restricted",
	"namespaceLabel": "gatehouse.dev/allow-restricted",
	"namespaceLabelValue": "true",
}

# violations(obj, ns, namespaces, params) is the set of {"msg", "details"}
# for obj, which is to run in namespace ns ("" when unknown).
violations(obj, ns, namespaces, params) := {v |
	p := k8s.with_defaults(defaults, params)
	restricted(obj, p)
	some text in _problem(ns, namespaces, p)
	v := {
		"msg": sprintf("%s: classified %q=%q but %s", [k8s.describe(obj), p.classificationKey, p.restrictedValue, text]),
		"details": {"namespace": ns, "label": p.namespaceLabel},
	}
}

# restricted(obj, p) holds when obj or its pods carry the restricted class.
restricted(obj, p) if {
	obj.kind != "Namespace"
	k8s.labels(obj)[p.classificationKey] == p.restrictedValue
}

restricted(obj, p) if k8s.as_object(object.get(k8s.pod_meta(obj), "labels", {}))[p.classificationKey] == p.restrictedValue

_problem("", _, _) := {"it names no namespace (set metadata.namespace)"}

_problem(ns, namespaces, _) := {sprintf("namespace %q is unknown (not in the inventory), so it cannot be shown to accept restricted data", [ns])} if {
	ns != ""
	not k8s.as_object(namespaces)[ns]
}

_problem(ns, namespaces, p) := {sprintf("namespace %q is not labelled %s=%q", [ns, p.namespaceLabel, p.namespaceLabelValue])} if {
	ns != ""
	ns_obj := k8s.as_object(namespaces)[ns]
	not k8s.labels(ns_obj)[p.namespaceLabel] == p.namespaceLabelValue
}
