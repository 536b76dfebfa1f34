# Unit tests of lib.gatehouse.k8s: pod spec location per kind, container
# enumeration with field paths, tolerance of malformed manifests.
package lib.gatehouse.k8s_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.k8s

test_pod_spec_paths if {
	k8s.pod_spec_path(fixtures.pod) == "spec"
	k8s.pod_spec_path(fixtures.deployment) == "spec.template.spec"
	k8s.pod_spec_path({"kind": "CronJob"}) == "spec.jobTemplate.spec.template.spec"
	k8s.pod_spec_path({"kind": "PodTemplate"}) == "template.spec"
}

test_no_pod_spec_for_other_kinds if {
	not k8s.pod_spec({"kind": "ConfigMap", "data": {}})
	not k8s.has_pod_spec({"kind": "Deployment", "spec": {}})
	count(k8s.containers({"kind": "Service", "spec": {}})) == 0
}

test_containers_all_three_lists if {
	obj := fixtures.pod_with("/spec/ephemeralContainers", [{"name": "dbg", "image": "busybox"}])
	paths := {c.path | some c in k8s.containers(obj)}
	paths == {"spec.containers[0]", "spec.initContainers[0]", "spec.ephemeralContainers[0]"}
}

test_cronjob_containers if {
	cj := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}}}}
	{c.path | some c in k8s.containers(cj)} == {"spec.jobTemplate.spec.template.spec.containers[0]"}
}

test_container_label if {
	k8s.container_label({"field": "initContainers", "name": "migrate"}) == `initContainer "migrate"`
}

test_malformed_fields_are_empty if {
	k8s.labels({"metadata": {"labels": null}}) == {}
	count(k8s.containers({"kind": "Pod", "spec": {"containers": null}})) == 0
	k8s.with_defaults({"a": 1}, null) == {"a": 1}
	k8s.with_defaults({"a": 1, "b": 2}, {"b": 3}) == {"a": 1, "b": 3}
}

test_describe if {
	k8s.describe(fixtures.deployment) == "Deployment payments/payments-api"
	k8s.describe({"kind": "Namespace", "metadata": {"name": "x"}}) == "Namespace x"
}
