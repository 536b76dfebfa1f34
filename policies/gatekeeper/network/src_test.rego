# Tests of the Gatekeeper entry point gatehouse.gatekeeper.network: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.network_test

import rego.v1

import data.gatehouse.gatekeeper.network
import data.gatehouse.test.fixtures

payments := fixtures.namespace("payments", {})

protected := fixtures.inventory([payments], [fixtures.default_deny])

test_namespace_allowed if {
	count(network.violation) == 0 with input as {"review": {"object": payments}} with data.inventory as protected
}

test_namespace_disallowed_in_audit if {
	vs := network.violation with input as {"review": {"object": payments}}
	{v.details.policyType | some v in vs} == {"Ingress", "Egress"}
}

test_namespace_create_is_not_refused if {
	count(network.violation) == 0 with input as {"review": {"object": payments, "operation": "CREATE"}}
}

test_workload_allowed if {
	count(network.violation) == 0 with input as {"review": {"object": fixtures.deployment, "namespace": "payments"}} with data.inventory as protected
}

test_workload_disallowed if {
	vs := network.violation with input as {"review": {"object": fixtures.deployment, "namespace": "payments", "operation": "CREATE"}}
	count(vs) == 2
	every v in vs {
		startswith(v.msg, "Deployment payments/payments-api may not run here: namespace \"payments\" has no default-deny")
	}
}

test_parameters if {
	ingress_only := json.patch(fixtures.default_deny, [{"op": "replace", "path": "/spec/policyTypes", "value": ["Ingress"]}])
	inv := fixtures.inventory([payments], [ingress_only])
	count(network.violation) == 1 with input as {"review": {"object": payments}} with data.inventory as inv
	count(network.violation) == 0 with input as {"review": {"object": payments}, "parameters": {"requireEgress": false}} with data.inventory as inv
}
