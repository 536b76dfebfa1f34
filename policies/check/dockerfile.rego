# conftest wrapper for lib.gatehouse.dockerfile (input parsed by conftest's
# Dockerfile parser); parameters: data.gatehouse.params.dockerfile.
package gatehouse.check.dockerfile

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.dockerfile

deny contains msg if {
	some d in conftest.dockerfiles
	some v in dockerfile.violations(d.instrs, conftest.params("dockerfile"))
	msg := concat("", [conftest.where(d), v.msg])
}

warn contains msg if {
	some d in conftest.dockerfiles
	some v in dockerfile.warnings(d.instrs, conftest.params("dockerfile"))
	msg := concat("", [conftest.where(d), v.msg])
}
