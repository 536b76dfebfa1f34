# Unit tests of lib.gatehouse.hardening: each pod and container rule, pod vs
# container securityContext precedence, ephemeral containers.
package lib.gatehouse.hardening_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.hardening

fields(vs) := {v.details.field | some v in vs}

test_pass_hardened if {
	count(hardening.violations(fixtures.deployment, {})) == 0
	count(hardening.violations(fixtures.pod, {})) == 0
}

test_fail_everything if {
	obj := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"hostNetwork": true, "hostPID": true, "hostIPC": true,
		"volumes": [{"name": "root", "hostPath": {"path": "/"}}],
		"containers": [{"name": "c", "image": "x", "securityContext": {"privileged": true, "runAsUser": 0}}],
	}}
	fields(hardening.violations(obj, {})) == {
		"spec.hostNetwork", "spec.hostPID", "spec.hostIPC", "spec.volumes[0].hostPath",
		"spec.containers[0].securityContext.privileged",
		"spec.containers[0].securityContext.allowPrivilegeEscalation",
		"spec.containers[0].securityContext.readOnlyRootFilesystem",
		"spec.containers[0].securityContext.runAsNonRoot",
		"spec.containers[0].securityContext.runAsUser",
		"spec.containers[0].securityContext.capabilities.drop",
		"spec.containers[0].securityContext.seccompProfile.type",
	}
}

test_container_setting_overrides_pod if {
	obj := fixtures.pod_with("/spec/containers/0/securityContext/runAsNonRoot", false)
	fields(hardening.violations(obj, {})) == {"spec.containers[0].securityContext.runAsNonRoot"}
}

test_container_level_seccomp_and_non_root if {
	sc := object.union(fixtures.hardened, {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
	obj := json.patch(fixtures.pod, [
		{"op": "remove", "path": "/spec/securityContext"},
		{"op": "replace", "path": "/spec/containers/0/securityContext", "value": sc},
		{"op": "replace", "path": "/spec/initContainers/0/securityContext", "value": sc},
	])
	count(hardening.violations(obj, {})) == 0
}

test_unconfined_seccomp if {
	obj := fixtures.pod_with("/spec/containers/0/securityContext/seccompProfile", {"type": "Unconfined"})
	vs := hardening.violations(obj, {})
	count(vs) == 1
	some v in vs
	v.msg == `container "api" (spec.containers[0].securityContext.seccompProfile.type): seccomp profile "Unconfined" is not allowed (allowed: RuntimeDefault)`
	count(hardening.violations(obj, {"allowedSeccompProfiles": ["RuntimeDefault", "Unconfined"]})) == 0
}

test_drop_all_case_insensitive if {
	obj := fixtures.pod_with("/spec/containers/0/securityContext/capabilities/drop", ["all"])
	count(hardening.violations(obj, {})) == 0
	obj2 := fixtures.pod_with("/spec/containers/0/securityContext/capabilities/drop", ["NET_RAW"])
	fields(hardening.violations(obj2, {})) == {"spec.containers[0].securityContext.capabilities.drop"}
}

test_ephemeral_containers_checked if {
	obj := fixtures.pod_with("/spec/ephemeralContainers", [{"name": "dbg", "image": "busybox", "securityContext": fixtures.hardened}])
	count(hardening.violations(obj, {})) == 0
	obj2 := fixtures.pod_with("/spec/ephemeralContainers", [{"name": "dbg", "image": "busybox"}])
	fields(hardening.violations(obj2, {})) == {
		"spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation",
		"spec.ephemeralContainers[0].securityContext.readOnlyRootFilesystem",
		"spec.ephemeralContainers[0].securityContext.capabilities.drop",
	}
}

test_not_a_workload if {
	count(hardening.violations({"kind": "ConfigMap", "data": {}}, {})) == 0
}
