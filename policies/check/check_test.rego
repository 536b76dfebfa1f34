# Tests of the conftest-style wrappers (gatehouse.check.* and main): input
# shapes (one object, a List, --combine, Dockerfiles), parameters from
# data.gatehouse.params, signatures from data.gatehouse.signatures and the
# inventory from data.inventory.
package gatehouse.check_test

import rego.v1

import data.gatehouse.test.fixtures

good_params := {"images": fixtures.images_params}

inventory := fixtures.inventory([fixtures.namespace("payments", {})], [fixtures.default_deny])

test_good_deployment_passes_every_policy if {
	count(data.main.deny) == 0 with input as fixtures.deployment
		with data.gatehouse.params as good_params
		with data.gatehouse.signatures as fixtures.signatures
		with data.inventory as inventory
	count(data.main.warn) == 0 with input as fixtures.deployment
		with data.gatehouse.params as good_params
		with data.gatehouse.signatures as fixtures.signatures
		with data.inventory as inventory
}

test_bad_pod_fails_each_policy if {
	bad := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bad", "namespace": "shop", "labels": {"data-classification": "restricted"}}, "spec": {
		"hostNetwork": true,
		"containers": [{"name": "app", "image": "nginx:latest", "env": [{"name": "DB_PASSWORD", "value": "hunter2"}]}],
	}}
	denies := data.main.deny with input as bad
		with data.gatehouse.params as good_params
		with data.inventory as inventory
	{substring(m, 0, indexof(m, "]") + 1) | some m in denies} == {"[labels]", "[images]", "[resources]", "[hardening]", "[secrets]", "[network]", "[restricted]"}
}

test_signatures_come_from_data if {
	denies := data.gatehouse.check.images.deny with input as fixtures.deployment with data.gatehouse.params as good_params
	count(denies) == 2
	count(data.gatehouse.check.images.deny) == 0 with input as fixtures.deployment
		with data.gatehouse.params as good_params
		with data.gatehouse.signatures as fixtures.signatures
}

test_image_signed_hook if {
	data.gatehouse.check.images.image_signed(fixtures.image_api) with data.gatehouse.signatures as fixtures.signatures
	not data.gatehouse.check.images.image_signed(fixtures.image_api)
}

test_params_override_defaults if {
	obj := fixtures.deployment_with("/metadata/labels", {"team": "a", "app.kubernetes.io/name": "b", "data-classification": "public"})
	count(data.gatehouse.check.labels.deny) == 1 with input as obj
	count(data.gatehouse.check.labels.deny) == 0 with input as obj with data.gatehouse.params.labels as {"ownerKey": "team"}
}

test_disabled_policies_are_skipped if {
	denies := data.main.deny with input as fixtures.deployment
		with data.gatehouse.params as {"images": fixtures.images_params, "disabled": ["images"]}
	count(denies) == 0
}

test_list_input if {
	list := {"apiVersion": "v1", "kind": "List", "items": [fixtures.deployment, fixtures.pod_with("/spec/containers/0/resources", {})]}
	denies := data.gatehouse.check.resources.deny with input as list
	count(denies) == 4
}

test_combined_input_builds_inventory if {
	files := [
		{"path": "ns.yaml", "contents": fixtures.namespace("payments", {})},
		{"path": "shop.yaml", "contents": fixtures.namespace("shop", {})},
		{"path": "netpol.yaml", "contents": fixtures.default_deny},
		{"path": "deploy.yaml", "contents": fixtures.deployment_with("/spec/template/spec/containers/0/resources", {})},
	]
	network := data.gatehouse.check.network.deny with input as files
	network == {
		`namespace "shop" has no default-deny NetworkPolicy for Ingress (podSelector: {}, policyTypes including Ingress, no ingress rules)`,
		`namespace "shop" has no default-deny NetworkPolicy for Egress (podSelector: {}, policyTypes including Egress, no egress rules)`,
	}
	resources := data.gatehouse.check.resources.deny with input as files
	count(resources) == 4
	every m in resources {
		startswith(m, "deploy.yaml: ")
	}
}

test_combined_restricted_uses_combined_namespaces if {
	restricted := fixtures.deployment_with("/metadata/labels/data-classification", "restricted")
	ok := [
		{"path": "ns.yaml", "contents": fixtures.namespace("payments", {"gatehouse.dev/allow-restricted": "true"})},
		{"path": "d.yaml", "contents": restricted},
	]
	count(data.gatehouse.check.restricted.deny) == 0 with input as ok
	count(data.gatehouse.check.restricted.deny) == 1 with input as [{"path": "d.yaml", "contents": restricted}]
}

test_network_single_namespace_needs_inventory if {
	ns := fixtures.namespace("payments", {})
	count(data.gatehouse.check.network.deny) == 0 with input as ns
	count(data.gatehouse.check.network.warn) == 1 with input as ns
	count(data.gatehouse.check.network.deny) == 0 with input as ns with data.inventory as inventory
	count(data.gatehouse.check.network.deny) == 2 with input as ns with data.inventory as fixtures.inventory([ns], [])
}

test_network_workload_in_unprotected_namespace if {
	inv := fixtures.inventory([fixtures.namespace("payments", {})], [])
	denies := data.gatehouse.check.network.deny with input as fixtures.deployment with data.inventory as inv
	count(denies) == 2
	every m in denies {
		startswith(m, "Deployment payments/payments-api: namespace \"payments\" has no default-deny")
	}
}

test_dockerfile_input if {
	count(data.main.deny) == 0 with input as fixtures.dockerfile
	bad := [fixtures.instr("from", ["ubuntu:22.04"], 0), fixtures.instr("env", ["API_KEY", "abcd1234"], 0)]
	denies := data.main.deny with input as bad
	count(denies) == 3
	every m in denies {
		startswith(m, "[dockerfile] ")
	}
}

test_dockerfile_params if {
	bad := [fixtures.instr("from", ["ubuntu:22.04"], 0), fixtures.instr("user", ["app"], 0)]
	count(data.gatehouse.check.dockerfile.deny) == 1 with input as bad
	count(data.gatehouse.check.dockerfile.deny) == 0 with input as bad
		with data.gatehouse.params.dockerfile as {"approvedBaseImages": ["docker.io/library/ubuntu"]}
}

test_non_kubernetes_input_is_ignored if {
	count(data.main.deny) == 0 with input as {"foo": "bar"}
	count(data.main.deny) == 0 with input as [1, 2, 3]
}
