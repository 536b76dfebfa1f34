# conftest wrapper for lib.gatehouse.hardening; parameters: data.gatehouse.params.hardening.
package gatehouse.check.hardening

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.hardening

deny contains msg if {
	some o in conftest.objects
	some v in hardening.violations(o.obj, conftest.params("hardening"))
	msg := concat("", [conftest.where(o), v.msg])
}
