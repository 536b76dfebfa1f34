# Unit tests of lib.gatehouse.restricted: restricted objects in labelled,
# unlabelled, unknown and unnamed namespaces.
package lib.gatehouse.restricted_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.restricted

vault := fixtures.namespace("vault", {"gatehouse.dev/allow-restricted": "true"})

payments := fixtures.namespace("payments", {"owner": "team-payments"})

namespaces := {"vault": vault, "payments": payments}

restricted_deployment(ns) := json.patch(fixtures.deployment, [
	{"op": "replace", "path": "/metadata/namespace", "value": ns},
	{"op": "replace", "path": "/spec/template/metadata/labels/data-classification", "value": "restricted"},
])

test_pass_restricted_in_labelled_namespace if {
	count(restricted.violations(restricted_deployment("vault"), "vault", namespaces, {})) == 0
}

test_pass_unrestricted_anywhere if {
	count(restricted.violations(fixtures.deployment, "payments", namespaces, {})) == 0
}

test_fail_restricted_in_ordinary_namespace if {
	vs := restricted.violations(restricted_deployment("payments"), "payments", namespaces, {})
	count(vs) == 1
	some v in vs
	v.msg == `Deployment payments/payments-api: classified "data-classification"="restricted" but namespace "payments" is not labelled gatehouse.dev/allow-restricted="true"`
}

test_fail_unknown_namespace if {
	some v in restricted.violations(restricted_deployment("elsewhere"), "elsewhere", namespaces, {})
	contains(v.msg, `namespace "elsewhere" is unknown`)
}

test_fail_no_namespace if {
	some v in restricted.violations(restricted_deployment("x"), "", namespaces, {})
	contains(v.msg, "names no namespace")
}

test_label_value_must_match if {
	ns := {"vault": fixtures.namespace("vault", {"gatehouse.dev/allow-restricted": "false"})}
	count(restricted.violations(restricted_deployment("vault"), "vault", ns, {})) == 1
}

test_object_label_counts if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "keys", "namespace": "payments", "labels": {"data-classification": "restricted"}}}
	count(restricted.violations(cm, "payments", namespaces, {})) == 1
}

test_custom_parameters if {
	obj := json.patch(fixtures.deployment, [{"op": "replace", "path": "/metadata/labels/data-classification", "value": "secret"}])
	p := {"restrictedValue": "secret", "namespaceLabel": "tier", "namespaceLabelValue": "vault"}
	ns := {"payments": fixtures.namespace("payments", {"tier": "vault"})}
	count(restricted.violations(obj, "payments", ns, p)) == 0
	count(restricted.violations(obj, "payments", namespaces, p)) == 1
}
