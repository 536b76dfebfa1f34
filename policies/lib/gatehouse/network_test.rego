# Unit tests of lib.gatehouse.network over Gatekeeper-layout inventories:
# what counts as default-deny, split policies, exemptions.
package lib.gatehouse.network_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.network

payments := fixtures.namespace("payments", {})

test_pass_default_deny if {
	inv := fixtures.inventory([payments], [fixtures.default_deny])
	count(network.inventory_violations(inv, {})) == 0
}

test_fail_namespace_without_policy if {
	inv := fixtures.inventory([payments, fixtures.namespace("shop", {})], [fixtures.default_deny])
	vs := network.inventory_violations(inv, {})
	{[v.details.namespace, v.details.policyType] | some v in vs} == {["shop", "Ingress"], ["shop", "Egress"]}
}

test_fail_allow_all_is_not_deny if {
	np := json.patch(fixtures.default_deny, [{"op": "add", "path": "/spec/ingress", "value": [{}]}])
	vs := network.namespace_violations("payments", fixtures.inventory([payments], [np]), {})
	{v.details.policyType | some v in vs} == {"Ingress"}
}

test_fail_selector_not_empty if {
	np := json.patch(fixtures.default_deny, [{"op": "replace", "path": "/spec/podSelector", "value": {"matchLabels": {"app": "x"}}}])
	count(network.namespace_violations("payments", fixtures.inventory([payments], [np]), {})) == 2
}

test_split_ingress_and_egress_policies if {
	ing := json.patch(fixtures.default_deny, [{"op": "replace", "path": "/spec/policyTypes", "value": ["Ingress"]}])
	egr := json.patch(fixtures.default_deny, [
		{"op": "replace", "path": "/spec/policyTypes", "value": ["Egress"]},
		{"op": "replace", "path": "/metadata/name", "value": "deny-egress"},
	])
	count(network.namespace_violations("payments", fixtures.inventory([payments], [ing, egr]), {})) == 0
	vs := network.namespace_violations("payments", fixtures.inventory([payments], [ing]), {})
	{v.details.policyType | some v in vs} == {"Egress"}
	count(network.namespace_violations("payments", fixtures.inventory([payments], [ing]), {"requireEgress": false})) == 0
}

test_exempt_namespaces if {
	inv := fixtures.inventory([fixtures.namespace("kube-system", {})], [])
	count(network.inventory_violations(inv, {})) == 0
	count(network.inventory_violations(inv, {"exemptNamespaces": []})) == 2
}

test_message if {
	some v in network.namespace_violations("shop", {}, {"requireEgress": false})
	v.msg == `namespace "shop" has no default-deny NetworkPolicy for Ingress (podSelector: {}, policyTypes including Ingress, no ingress rules)`
}

test_inventory_from_objects if {
	inv := network.inventory_from_objects([payments, fixtures.default_deny, fixtures.deployment])
	inv.cluster.v1.Namespace.payments == payments
	inv.namespace.payments["networking.k8s.io/v1"].NetworkPolicy["default-deny"] == fixtures.default_deny
}
