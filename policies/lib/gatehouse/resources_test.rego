# Unit tests of lib.gatehouse.resources: requests and limits per container
# kind, the ephemeral-container switch, configurable resource lists.
package lib.gatehouse.resources_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.resources

test_pass_all_set if {
	count(resources.violations(fixtures.deployment, {})) == 0
}

test_fail_missing_limits_and_requests if {
	obj := fixtures.pod_with("/spec/containers/0/resources", {"requests": {"cpu": "100m"}})
	vs := resources.violations(obj, {})
	{v.details.field | some v in vs} == {
		"spec.containers[0].resources.requests.memory",
		"spec.containers[0].resources.limits.cpu",
		"spec.containers[0].resources.limits.memory",
	}
	some v in vs
	v.msg == `container "api" (spec.containers[0].resources.limits.cpu): no cpu limit set`
}

test_fail_init_container_without_resources if {
	obj := fixtures.pod_with("/spec/initContainers/0/resources", null)
	count(resources.violations(obj, {})) == 4
}

test_ephemeral_only_on_request if {
	obj := fixtures.pod_with("/spec/ephemeralContainers", [{"name": "dbg", "image": "busybox"}])
	count(resources.violations(obj, {})) == 0
	count(resources.violations(obj, {"includeEphemeral": true})) == 4
}

test_configurable_lists if {
	obj := fixtures.pod_with("/spec/containers/0/resources", {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}})
	count(resources.violations(obj, {"limits": ["memory"]})) == 0
	count(resources.violations(obj, {})) == 1
}
