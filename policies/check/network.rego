# conftest wrapper for lib.gatehouse.network; parameters:
# data.gatehouse.params.network. With --combine, every Namespace of the
# combined files (and of data.inventory) is checked; with one document, a
# Namespace or a workload is checked against data.inventory.
package gatehouse.check.network

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.k8s
import data.lib.gatehouse.network

_params := conftest.params("network")

deny contains msg if {
	conftest.combined
	some v in network.inventory_violations(conftest.inventory, _params)
	msg := v.msg
}

deny contains msg if {
	not conftest.combined
	conftest.has_inventory
	some o in conftest.objects
	o.obj.kind == "Namespace"
	some v in network.namespace_violations(o.obj.metadata.name, conftest.inventory, _params)
	msg := v.msg
}

deny contains msg if {
	not conftest.combined
	conftest.has_inventory
	some o in conftest.objects
	k8s.has_pod_spec(o.obj)
	ns := object.get(o.obj, ["metadata", "namespace"], "default")
	some v in network.namespace_violations(ns, conftest.inventory, _params)
	msg := sprintf("%s: %s", [k8s.describe(o.obj), v.msg])
}

warn contains msg if {
	not conftest.has_inventory
	some o in conftest.objects
	o.obj.kind == "Namespace"
	msg := sprintf("%s: no inventory, so its NetworkPolicies cannot be checked (use --combine with the NetworkPolicy files, or --data with data.inventory)", [k8s.describe(o.obj)])
}
