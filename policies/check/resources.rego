# conftest wrapper for lib.gatehouse.resources; parameters: data.gatehouse.params.resources.
package gatehouse.check.resources

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.resources

deny contains msg if {
	some o in conftest.objects
	some v in resources.violations(o.obj, conftest.params("resources"))
	msg := concat("", [conftest.where(o), v.msg])
}
