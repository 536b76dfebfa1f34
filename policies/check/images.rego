# conftest wrapper for lib.gatehouse.images; parameters:
# data.gatehouse.params.images. Signature facts: data.gatehouse.signatures
# (the verifier hook, see policies/README.md); none given means no image is
# signed.
package gatehouse.check.images

import rego.v1

import data.gatehouse.conftest
import data.lib.gatehouse.images

default signatures := {}

signatures := data.gatehouse.signatures

# image_signed(image): the hook in one place, for other policies to reuse.
image_signed(image) if {
	p := object.union(images.defaults, conftest.params("images"))
	images.image_signed(image, signatures, p.trustedSigners)
}

deny contains msg if {
	some o in conftest.objects
	some v in images.violations(o.obj, conftest.params("images"), signatures)
	msg := concat("", [conftest.where(o), v.msg])
}
