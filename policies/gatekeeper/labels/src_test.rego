# Tests of the Gatekeeper entry point gatehouse.gatekeeper.labels: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.labels_test

import rego.v1

import data.gatehouse.gatekeeper.labels
import data.gatehouse.test.fixtures

review(obj) := {"kind": {"group": "apps", "version": "v1", "kind": obj.kind}, "object": obj, "namespace": "payments"}

test_allowed if {
	count(labels.violation) == 0 with input as {"review": review(fixtures.deployment), "parameters": {}}
}

test_disallowed if {
	obj := fixtures.deployment_with("/metadata/labels", {"data-classification": "secret"})
	vs := labels.violation with input as {"review": review(obj)}
	{v.details.label | some v in vs} == {"owner", "app.kubernetes.io/name", "data-classification"}
}

test_parameters if {
	obj := fixtures.deployment_with("/metadata/labels/team", "t")
	count(labels.violation) == 1 with input as {"review": review(obj), "parameters": {"requiredLabels": ["app.kubernetes.io/name", "team", "tier"]}}
}

test_delete_review_has_no_object if {
	count(labels.violation) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}
