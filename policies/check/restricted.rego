# conftest wrapper for lib.gatehouse.restricted; parameters:
# data.gatehouse.params.restricted. Namespaces come from data.inventory and,
# with --combine, from the combined files.
package gatehouse.check.restricted

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.restricted

_namespaces := object.get(conftest.inventory, ["cluster", "v1", "Namespace"], {})

deny contains msg if {
	some o in conftest.objects
	ns := object.get(o.obj, ["metadata", "namespace"], "")
	some v in restricted.violations(o.obj, ns, _namespaces, conftest.params("restricted"))
	msg := concat("", [conftest.where(o), v.msg])
}
