# No plaintext secrets in Kubernetes objects: container env values (all
# container kinds), ConfigMap data and annotations (the object's and its pod
# template's). Secret objects are skipped: they are where secrets belong.
# Pure: called by gatehouse.check.secrets and gatekeeper/secrets. The
# detection itself lives in lib.gatehouse.secretscan.
package lib.gatehouse.secrets

import rego.v1

import data.lib.gatehouse.k8s
import data.lib.gatehouse.secretscan

# Scanning defaults plus the annotations never scanned: kubectl's copy of
# the whole object would repeat every finding.
defaults := object.union(
	secretscan.defaults,
	{"ignoreAnnotations": ["kubectl.kubernetes.io/last-applied-configuration"]},
)

# violations(obj, params) is the set of {"msg", "details"} for obj.
violations(obj, _) := set() if obj.kind == "Secret"

violations(obj, params) := (_env(obj, p) | _configmap(obj, p)) | _annotations(obj, p) if {
	obj.kind != "Secret"
	p := k8s.with_defaults(defaults, params)
}

_env(obj, p) := {v |
	some entry in k8s.containers(obj)
	some i, e in k8s.as_array(object.get(entry.container, "env", []))
	some what in _env_findings(e, p)
	field := sprintf("%s.env[%d]", [entry.path, i])
	v := {
		"msg": sprintf("%s (%s, variable %q): %s", [k8s.container_label(entry), field, object.get(e, "name", ""), what]),
		"details": {"container": entry.name, "field": field, "variable": object.get(e, "name", "")},
	}
}

# A secret-named variable with a literal value is one finding; otherwise
# the value is scanned.
_env_findings(e, p) := {"has a literal value although its name says it holds a secret; use valueFrom.secretKeyRef"} if {
	secretscan.secret_name(e.name)
	secretscan.literal(e.value)
} else := {w |
	some f in secretscan.scan(e.value, p)
	w := sprintf("value contains %s; move it to a Secret and use valueFrom.secretKeyRef", [f.what])
}

_configmap(obj, p) := {v |
	obj.kind == "ConfigMap"
	some key, value in k8s.as_object(object.get(obj, "data", {}))
	some what in _data_findings(key, value, p)
	field := sprintf("data[%q]", [key])
	v := {
		"msg": sprintf("%s (%s): %s", [k8s.describe(obj), field, what]),
		"details": {"field": field, "key": key},
	}
}

_data_findings(key, value, p) := {"has a literal value although its key says it holds a secret; use a Secret"} if {
	secretscan.secret_name(key)
	secretscan.literal(value)
} else := {w |
	some f in secretscan.scan_text(value, p)
	w := sprintf("contains %s; use a Secret", [f.what])
}

_annotations(obj, p) := {v |
	some where in _annotation_sources(obj)
	some key, value in where.annotations
	not key in p.ignoreAnnotations
	some f in secretscan.scan_text(value, p)
	field := sprintf("%s[%q]", [where.path, key])
	v := {
		"msg": sprintf("%s (%s): annotation contains %s; annotations are readable by anyone who can read the object", [k8s.describe(obj), field, f.what]),
		"details": {"field": field, "annotation": key},
	}
}

_annotation_sources(obj) := {{"path": "metadata.annotations", "annotations": k8s.annotations(obj)}} | {s |
	obj.kind != "Pod"
	path := k8s.template_path(obj)
	s := {
		"path": concat(".", array.concat(path, ["metadata", "annotations"])),
		"annotations": k8s.as_object(object.get(k8s.pod_meta(obj), "annotations", {})),
	}
}
