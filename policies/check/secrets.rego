# conftest wrapper for lib.gatehouse.secrets; parameters: data.gatehouse.params.secrets.
package gatehouse.check.secrets

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.secrets

deny contains msg if {
	some o in conftest.objects
	some v in secrets.violations(o.obj, conftest.params("secrets"))
	msg := concat("", [conftest.where(o), v.msg])
}
