# Required labels: every object names its owning team, its application and
# its data classification (from a fixed vocabulary). Called by the conftest
# wrapper (gatehouse.check.labels) and the Gatekeeper template
# (gatekeeper/labels). Pure: parameters come in as an argument.
package lib.gatehouse.labels

import rego.v1

import data.lib.gatehouse.k8s

defaults := {
	"ownerKey": "owner",
	"requiredLabels": ["app.kubernetes.io/name"],
	"classificationKey": "data-classification",
	"classificationValues": ["public", "internal", "confidential", "restricted"],
	# Kinds to check; empty: every kind (Gatekeeper's match usually narrows it).
	"kinds": [],
}

# violations(obj, params) is the set of {"msg", "details"} for obj.
violations(obj, params) := (_owner(obj, p) | _required(obj, p)) | _classification(obj, p) if {
	p := k8s.with_defaults(defaults, params)
	_applies(obj, p.kinds)
} else := set()

_applies(_, kinds) if count(kinds) == 0

_applies(obj, kinds) if obj.kind in kinds

_missing(labels, key) if not labels[key]

_missing(labels, key) if labels[key] == ""

_owner(obj, p) := {v |
	_missing(k8s.labels(obj), p.ownerKey)
	v := {
		"msg": sprintf("%s: missing label %q naming the owning team", [k8s.describe(obj), p.ownerKey]),
		"details": {"field": "metadata.labels", "label": p.ownerKey},
	}
}

_required(obj, p) := {v |
	labels := k8s.labels(obj)
	some key in p.requiredLabels
	_missing(labels, key)
	v := {
		"msg": sprintf("%s: missing required label %q", [k8s.describe(obj), key]),
		"details": {"field": "metadata.labels", "label": key},
	}
}

_classification(obj, p) := {v |
	_missing(k8s.labels(obj), p.classificationKey)
	v := {
		"msg": sprintf("%s: missing data classification label %q (one of %s)", [k8s.describe(obj), p.classificationKey, concat(", ", p.classificationValues)]),
		"details": {"field": "metadata.labels", "label": p.classificationKey},
	}
} | {v |
	value := k8s.labels(obj)[p.classificationKey]
	value != ""
	not value in p.classificationValues
	v := {
		"msg": sprintf("%s: label %q has value %q; allowed: %s", [k8s.describe(obj), p.classificationKey, value, concat(", ", p.classificationValues)]),
		"details": {"field": "metadata.labels", "label": p.classificationKey, "value": value},
	}
}
