# Pod hardening (close to the Kubernetes "restricted" Pod Security Standard):
# no host namespaces or hostPath volumes; every container runs as non-root
# with a read-only root filesystem, no privilege escalation, no privileged
# mode, all capabilities dropped and a seccomp profile (pod or container
# level). Pure: called by gatehouse.check.hardening and gatekeeper/hardening.
package lib.gatehouse.hardening

import rego.v1

import data.lib.gatehouse.k8s

defaults := {"allowedSeccompProfiles": ["RuntimeDefault"]}

# violations(obj, params) is the set of {"msg", "details"} for obj.
violations(obj, params) := _pod(obj, spec, path) | _containers(obj, spec, p) if {
	p := k8s.with_defaults(defaults, params)
	spec := k8s.pod_spec(obj)
	path := k8s.pod_spec_path(obj)
} else := set()

_pod(obj, spec, path) := {v |
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	spec[field] == true
	v := {
		"msg": sprintf("%s (%s.%s): shares the host's namespace; set it to false", [k8s.describe(obj), path, field]),
		"details": {"field": sprintf("%s.%s", [path, field])},
	}
} | {v |
	some i, volume in k8s.as_array(spec.volumes)
	volume.hostPath
	field := sprintf("%s.volumes[%d].hostPath", [path, i])
	v := {
		"msg": sprintf("%s (%s): volume %q mounts a host path", [k8s.describe(obj), field, object.get(volume, "name", "")]),
		"details": {"field": field, "volume": object.get(volume, "name", "")},
	}
}

_containers(obj, spec, p) := {v |
	pod_sc := k8s.as_object(object.get(spec, "securityContext", {}))
	some entry in k8s.containers(obj)
	sc := k8s.as_object(object.get(entry.container, "securityContext", {}))
	some finding in _findings(sc, pod_sc, p)
	field := sprintf("%s.securityContext.%s", [entry.path, finding.field])
	v := {
		"msg": sprintf("%s (%s): %s", [k8s.container_label(entry), field, finding.text]),
		"details": {"container": entry.name, "field": field},
	}
}

# _eff(sc, pod_sc, key) is the container's setting, else the pod's, else null.
_eff(sc, pod_sc, key) := sc[key] if {
	sc[key] != null
} else := object.get(pod_sc, key, null)

_findings(sc, pod_sc, p) := ((((({f |
	sc.privileged == true
	f := {"field": "privileged", "text": "runs privileged; remove privileged: true"}
} | {f |
	not sc.allowPrivilegeEscalation == false
	f := {"field": "allowPrivilegeEscalation", "text": "must set allowPrivilegeEscalation: false"}
}) | {f |
	not sc.readOnlyRootFilesystem == true
	f := {"field": "readOnlyRootFilesystem", "text": "must set readOnlyRootFilesystem: true"}
}) | {f |
	not _eff(sc, pod_sc, "runAsNonRoot") == true
	f := {"field": "runAsNonRoot", "text": "must set runAsNonRoot: true (container or pod securityContext)"}
}) | {f |
	_eff(sc, pod_sc, "runAsUser") == 0
	f := {"field": "runAsUser", "text": "runs as UID 0 (root)"}
}) | {f |
	not _drops_all(sc)
	f := {"field": "capabilities.drop", "text": "must drop all capabilities (capabilities.drop: [ALL])"}
}) | {f |
	profile := object.get(k8s.as_object(_eff(sc, pod_sc, "seccompProfile")), "type", "")
	not profile in p.allowedSeccompProfiles
	f := {"field": "seccompProfile.type", "text": _seccomp_text(profile, p.allowedSeccompProfiles)}
}

_seccomp_text("", allowed) := sprintf("no seccomp profile set (container or pod securityContext; allowed: %s)", [concat(", ", allowed)])

_seccomp_text(profile, allowed) := sprintf("seccomp profile %q is not allowed (allowed: %s)", [profile, concat(", ", allowed)]) if profile != ""

_drops_all(sc) if {
	some cap in k8s.as_array(object.get(sc, ["capabilities", "drop"], []))
	upper(cap) == "ALL"
}
