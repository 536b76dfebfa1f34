# Unit tests of lib.gatehouse.labels: owner, required and classification
# labels, configurable keys and kinds.
package lib.gatehouse.labels_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.labels

test_pass_fully_labelled if {
	count(labels.violations(fixtures.deployment, {})) == 0
}

test_fail_missing_everything if {
	vs := labels.violations({"kind": "Deployment", "metadata": {"name": "x", "namespace": "ns"}}, {})
	{v.details.label | some v in vs} == {"owner", "app.kubernetes.io/name", "data-classification"}
	some v in vs
	v.msg == `Deployment ns/x: missing label "owner" naming the owning team`
}

test_fail_bad_classification_value if {
	obj := fixtures.deployment_with("/metadata/labels/data-classification", "secret")
	vs := labels.violations(obj, {})
	count(vs) == 1
	some v in vs
	contains(v.msg, `label "data-classification" has value "secret"`)
}

test_fail_empty_owner if {
	obj := fixtures.deployment_with("/metadata/labels/owner", "")
	[v | some v in labels.violations(obj, {})][0].details.label == "owner"
}

test_configurable_owner_key if {
	obj := fixtures.deployment_with("/metadata/labels/team", "payments")
	count(labels.violations(obj, {"ownerKey": "team"})) == 0
	count(labels.violations(fixtures.namespace("x", {"owner": "a", "app.kubernetes.io/name": "b", "data-classification": "public"}), {"ownerKey": "team"})) == 1
}

test_kinds_filter if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "c"}}
	count(labels.violations(cm, {"kinds": ["Deployment"]})) == 0
	count(labels.violations(cm, {})) == 3
}
