# Tests of the Gatekeeper entry point gatehouse.gatekeeper.secrets: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.secrets_test

import rego.v1

import data.gatehouse.gatekeeper.secrets
import data.gatehouse.test.fixtures

test_allowed if {
	count(secrets.violation) == 0 with input as {"review": {"object": fixtures.deployment}}
}

test_disallowed if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}, "data": {"key": "AKIAIOSFODNN7EXAMPLE"}}
	vs := secrets.violation with input as {"review": {"object": cm}}
	[v.msg | some v in vs] == [`ConfigMap ns/c (data["key"]): contains an AWS access key id; use a Secret`]
}

test_parameters if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"key": "AKIAIOSFODNN7EXAMPLE"}}
	count(secrets.violation) == 0 with input as {"review": {"object": cm}, "parameters": {"allowPatterns": ["EXAMPLE$"]}}
}
