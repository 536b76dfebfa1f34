# Tests of the Gatekeeper entry point gatehouse.gatekeeper.resources: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.resources_test

import rego.v1

import data.gatehouse.gatekeeper.resources
import data.gatehouse.test.fixtures

test_allowed if {
	count(resources.violation) == 0 with input as {"review": {"object": fixtures.pod}, "parameters": {}}
}

test_disallowed if {
	obj := fixtures.pod_with("/spec/containers/0/resources/limits", {})
	vs := resources.violation with input as {"review": {"object": obj}}
	{v.details.field | some v in vs} == {"spec.containers[0].resources.limits.cpu", "spec.containers[0].resources.limits.memory"}
}

test_parameters if {
	obj := fixtures.pod_with("/spec/containers/0/resources/limits", {"memory": "1Gi"})
	count(resources.violation) == 0 with input as {"review": {"object": obj}, "parameters": {"limits": ["memory"]}}
}
