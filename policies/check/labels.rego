# conftest wrapper for lib.gatehouse.labels; parameters: data.gatehouse.params.labels.
package gatehouse.check.labels

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.labels

deny contains msg if {
	some o in conftest.objects
	some v in labels.violations(o.obj, conftest.params("labels"))
	msg := concat("", [conftest.where(o), v.msg])
}
