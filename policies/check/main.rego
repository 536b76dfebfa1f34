# conftest's default namespace: every gatehouse check at once. Each message
# is prefixed with its policy, e.g. "[images] container ...". Policies named
# in data.gatehouse.params.disabled are skipped. Run one policy alone with
# `--namespace gatehouse.check.<policy>`.
package main

import rego.v1

import data.gatehouse.conftest

deny contains msg if {
	some name, _ in data.gatehouse.check
	not name in conftest.disabled
	some m in data.gatehouse.check[name].deny
	msg := sprintf("[%s] %s", [name, m])
}

warn contains msg if {
	some name, _ in data.gatehouse.check
	not name in conftest.disabled
	some m in data.gatehouse.check[name].warn
	msg := sprintf("[%s] %s", [name, m])
}
