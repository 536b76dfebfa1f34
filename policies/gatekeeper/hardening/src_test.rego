# Tests of the Gatekeeper entry point gatehouse.gatekeeper.hardening: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.hardening_test

import rego.v1

import data.gatehouse.gatekeeper.hardening
import data.gatehouse.test.fixtures

test_allowed if {
	count(hardening.violation) == 0 with input as {"review": {"object": fixtures.deployment}}
}

test_disallowed if {
	obj := fixtures.pod_with("/spec/hostPID", true)
	vs := hardening.violation with input as {"review": {"object": obj}}
	[v.msg | some v in vs] == [`Pod payments/payments-api-0 (spec.hostPID): shares the host's namespace; set it to false`]
}
