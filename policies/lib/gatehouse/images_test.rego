# Unit tests of lib.gatehouse.images: registries, digests, tags and the
# signature hook over verified-signature facts.
package lib.gatehouse.images_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.images

checks(vs) := {v.details.check | some v in vs}

test_pass_pinned_signed_allowed if {
	count(images.violations(fixtures.deployment, fixtures.images_params, fixtures.signatures)) == 0
}

test_fail_latest_untrusted_registry_unpinned if {
	obj := fixtures.pod_with("/spec/containers/0/image", "nginx:latest")
	vs := images.violations(obj, fixtures.images_params, fixtures.signatures)
	checks(vs) == {"registry", "digest", "tag"}
	some v in vs
	v.details.check == "tag"
	v.msg == `container "api" (spec.containers[0].image): image "nginx:latest" uses the disallowed tag "latest"`
}

test_fail_untagged if {
	obj := fixtures.pod_with("/spec/containers/0/image", concat("", ["registry.example.com/payments/api@", fixtures.digest_api]))
	checks(images.violations(obj, fixtures.images_params, fixtures.signatures)) == {"tag"}
}

test_fail_no_registry_configured if {
	vs := images.violations(fixtures.pod, {}, fixtures.signatures)
	checks(vs) == {"registry"}
	some v in vs
	contains(v.msg, "none configured; set allowedRegistries")
}

test_fail_unsigned_init_container if {
	sigs := object.remove(fixtures.signatures, [fixtures.digest_migrate])
	vs := images.violations(fixtures.deployment, fixtures.images_params, sigs)
	count(vs) == 1
	some v in vs
	v.details == {"check": "signature", "container": "migrate", "field": "spec.template.spec.initContainers[0].image", "image": fixtures.image_migrate}
}

test_fail_unverified_fact if {
	sigs := json.patch(fixtures.signatures, [{"op": "replace", "path": concat("/", ["", fixtures.digest_api, "verified"]), "value": false}])
	checks(images.violations(fixtures.pod, fixtures.images_params, sigs)) == {"signature"}
}

test_fail_untrusted_signer if {
	p := object.union(fixtures.images_params, {"trustedSigners": ["spiffe://example.com/ci/other"]})
	vs := images.violations(fixtures.pod, p, fixtures.signatures)
	count(vs) == 2
	every v in vs {
		contains(v.msg, "is not a trusted signer")
	}
}

test_fail_ephemeral_container if {
	obj := fixtures.pod_with("/spec/ephemeralContainers", [{"name": "dbg", "image": "busybox"}])
	vs := images.violations(obj, fixtures.images_params, fixtures.signatures)
	{v.details.container | some v in vs} == {"dbg"}
}

test_signature_optional if {
	p := object.union(fixtures.images_params, {"requireSignature": false})
	count(images.violations(fixtures.pod, p, {})) == 0
}

test_image_signed_hook if {
	images.image_signed(fixtures.image_api, fixtures.signatures, [])
	not images.image_signed("registry.example.com/payments/api:1.4.2", fixtures.signatures, [])
	not images.image_signed(fixtures.image_api, {}, [])
}

test_missing_image if {
	obj := fixtures.pod_with("/spec/containers/0", {"name": "broken"})
	checks(images.violations(obj, fixtures.images_params, fixtures.signatures)) == {"image"}
}
