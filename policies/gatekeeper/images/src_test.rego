# Tests of the Gatekeeper entry point gatehouse.gatekeeper.images: inputs
# shaped like Gatekeeper's (input.review, input.parameters, data.inventory).
package gatehouse.gatekeeper.images_test

import rego.v1

import data.gatehouse.gatekeeper.images
import data.gatehouse.test.fixtures

signature_object(digest, signer) := {
	"apiVersion": "gatehouse.dev/v1alpha1",
	"kind": "VerifiedImageSignature",
	"metadata": {"name": replace(digest, ":", "-")},
	"spec": {"digest": digest, "verified": true, "signer": signer},
}

inventory := {"cluster": {"gatehouse.dev/v1alpha1": {"VerifiedImageSignature": {
	replace(fixtures.digest_api, ":", "-"): signature_object(fixtures.digest_api, "ci"),
	replace(fixtures.digest_migrate, ":", "-"): signature_object(fixtures.digest_migrate, "ci"),
}}}}

gk_input(obj) := {"review": {"object": obj}, "parameters": fixtures.images_params}

test_allowed_with_synced_signatures if {
	count(images.violation) == 0 with input as gk_input(fixtures.deployment) with data.inventory as inventory
}

test_signature_facts_from_inventory if {
	release := "spiffe://example.com/ci/release"
	inv := {"cluster": {"gatehouse.dev/v1alpha1": {"VerifiedImageSignature": {
		replace(fixtures.digest_api, ":", "-"): signature_object(fixtures.digest_api, release),
		replace(fixtures.digest_migrate, ":", "-"): signature_object(fixtures.digest_migrate, release),
	}}}}
	sigs := images.signatures with data.inventory as inv
	object.keys(sigs) == object.keys(fixtures.signatures)
	sigs[fixtures.digest_api].signer == release
	sigs[fixtures.digest_api].verified == true
}

test_disallowed_without_inventory if {
	vs := images.violation with input as gk_input(fixtures.deployment)
	count(vs) == 2
	every v in vs {
		v.details.check == "signature"
	}
}

test_mismatched_fact_is_ignored if {
	bad := {"cluster": {"gatehouse.dev/v1alpha1": {"VerifiedImageSignature": {replace(fixtures.digest_api, ":", "-"): signature_object(fixtures.digest_migrate, "ci")}}}}
	count(images.signatures) == 0 with data.inventory as bad
}

test_disallowed_latest if {
	obj := fixtures.pod_with("/spec/containers/0/image", "nginx:latest")
	vs := images.violation with input as gk_input(obj) with data.inventory as inventory
	{v.details.check | some v in vs} == {"registry", "digest", "tag"}
}
