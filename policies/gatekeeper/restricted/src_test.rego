# Tests of the Gatekeeper entry point gatehouse.gatekeeper.restricted: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.restricted_test

import rego.v1

import data.gatehouse.gatekeeper.restricted
import data.gatehouse.test.fixtures

obj := fixtures.deployment_with("/metadata/labels/data-classification", "restricted")

labelled := fixtures.namespace("payments", {"gatehouse.dev/allow-restricted": "true"})

test_allowed_from_inventory if {
	count(restricted.violation) == 0 with input as {"review": {"object": obj, "namespace": "payments"}}
		with data.inventory as fixtures.inventory([labelled], [])
}

test_allowed_from_namespace_object if {
	count(restricted.violation) == 0 with input as {"review": {"object": obj, "namespace": "payments", "namespaceObject": labelled}}
}

test_disallowed_unlabelled if {
	vs := restricted.violation with input as {"review": {"object": obj, "namespace": "payments"}}
		with data.inventory as fixtures.inventory([fixtures.namespace("payments", {})], [])
	[v.details | some v in vs] == [{"namespace": "payments", "label": "gatehouse.dev/allow-restricted"}]
}

test_disallowed_unknown if {
	count(restricted.violation) == 1 with input as {"review": {"object": obj}}
}
