# Image provenance for every container of a workload: the image comes from
# an allowed registry, is pinned by sha256 digest, carries a tag that is not
# disallowed (latest), and has a verified signature. Signature facts are data
# supplied by a verifier (see policies/README.md, "signature hook"); this
# library only reads them through image_signed(). Pure: called by
# gatehouse.check.images (conftest) and gatekeeper/images.
package lib.gatehouse.images

import rego.v1

import data.lib.gatehouse.imageref
import data.lib.gatehouse.k8s

defaults := {
	# Image prefixes (registry host or host/path) images must start with.
	# Empty: no registry is allowed, so every image is reported until configured.
	"allowedRegistries": [],
	"disallowedTags": ["latest"],
	"requireDigest": true,
	"requireTag": true,
	"requireSignature": true,
	# When non-empty, a signature counts only if its signer is listed.
	"trustedSigners": [],
}

# violations(obj, params, signatures) is the set of {"msg", "details"} for
# obj's containers. signatures is the verified-signature facts document:
# {"sha256:<hex>": {"verified": true, "signer": "...", ...}}.
violations(obj, params, signatures) := {v |
	p := k8s.with_defaults(defaults, params)
	some entry in k8s.containers(obj)
	some v in _container(entry, p, k8s.as_object(signatures))
}

# image_signed(image, signatures, trusted) holds when image is pinned by
# digest and the facts record a verified signature of that digest by a
# trusted signer (any signer when trusted is empty).
image_signed(image, signatures, trusted) if {
	digest := imageref.parse(image).digest
	digest != ""
	fact := signatures[digest]
	fact.verified == true
	_trusted(fact, trusted)
}

_trusted(_, trusted) if count(trusted) == 0

_trusted(fact, trusted) if fact.signer in trusted

_container(entry, p, sigs) := (((_registry(entry, p) | _digest(entry, p)) | _tag(entry, p)) | _signature(entry, p, sigs)) | _no_image(entry)

_image(entry) := entry.container.image if is_string(entry.container.image)

_v(entry, check, text) := {
	"msg": sprintf("%s (%s.image): %s", [k8s.container_label(entry), entry.path, text]),
	"details": {"container": entry.name, "field": concat("", [entry.path, ".image"]), "image": object.get(entry.container, "image", ""), "check": check},
}

_no_image(entry) := {v |
	not _image(entry)
	v := _v(entry, "image", "no image set")
}

_registry(entry, p) := {v |
	image := _image(entry)
	not imageref.matches_any(image, p.allowedRegistries)
	v := _v(entry, "registry", sprintf("image %q is not from an allowed registry (allowed: %s)", [image, _list(p.allowedRegistries)]))
}

_list(xs) := concat(", ", xs) if count(xs) > 0

else := "none configured; set allowedRegistries"

_digest(entry, p) := {v |
	p.requireDigest
	image := _image(entry)
	not imageref.pinned(image)
	v := _v(entry, "digest", sprintf("image %q is not pinned by digest (@sha256:<64 hex>)", [image]))
}

_tag(entry, p) := {v |
	image := _image(entry)
	tag := imageref.parse(image).tag
	tag in p.disallowedTags
	v := _v(entry, "tag", sprintf("image %q uses the disallowed tag %q", [image, tag]))
} | {v |
	p.requireTag
	image := _image(entry)
	imageref.parse(image).tag == ""
	v := _v(entry, "tag", sprintf("image %q has no tag (name a version, e.g. app:1.4.2@sha256:...)", [image]))
}

_signature(entry, p, sigs) := {v |
	p.requireSignature
	image := _image(entry)
	not image_signed(image, sigs, p.trustedSigners)
	not _reported_as_unpinned(image, p)
	v := _v(entry, "signature", _unsigned_reason(image, sigs))
}

# Without a digest nothing can be signed; the digest check already says so.
_reported_as_unpinned(image, p) if {
	p.requireDigest
	imageref.parse(image).digest == ""
}

_unsigned_reason(image, sigs) := sprintf("image %q has no digest, so its signature cannot be verified", [image]) if {
	imageref.parse(image).digest == ""
} else := sprintf("image %q is signed by %q, who is not a trusted signer", [image, fact.signer]) if {
	fact := sigs[imageref.parse(image).digest]
	fact.verified == true
} else := sprintf("image %q has no verified signature", [image])
