# conftest's default namespace: every gatehouse check at once (every package
# under gatehouse.check, so a site can add its own). Each message is prefixed
# with its policy, e.g. "[images] container ...". Policies named in
# data.gatehouse.params.disabled are skipped. Run one policy alone with
# `--namespace gatehouse.check.<policy>`.
package main

import rego.v1

import data.gatehouse.conftest

deny contains msg if {
	some name
	some m in data.gatehouse.check[name].deny
	not name in conftest.disabled
	msg := sprintf("[%s] %s", [name, m])
}

warn contains msg if {
	some name
	some m in data.gatehouse.check[name].warn
	not name in conftest.disabled
	msg := sprintf("[%s] %s", [name, m])
}
