# Unit tests of lib.gatehouse.secrets: env values, ConfigMap data and
# annotations; messages never echo the secret.
package lib.gatehouse.secrets_test

import rego.v1

import data.gatehouse.test.fixtures
import data.lib.gatehouse.secrets

test_pass_env_from_secret if {
	count(secrets.violations(fixtures.deployment, {})) == 0
}

test_fail_literal_password_env if {
	obj := fixtures.pod_with("/spec/containers/0/env/0", {"name": "DB_PASSWORD", "value": "hunter2"})
	vs := secrets.violations(obj, {})
	count(vs) == 1
	some v in vs
	v.msg == `container "api" (spec.containers[0].env[0], variable "DB_PASSWORD"): has a literal value although its name says it holds a secret; use valueFrom.secretKeyRef`
	not contains(v.msg, "hunter2")
}

test_fail_token_in_init_container_env if {
	obj := fixtures.pod_with("/spec/initContainers/0/env", [{"name": "CONFIG", "value": "url=https://x?t=ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3poR2d2"}])
	vs := secrets.violations(obj, {})
	count(vs) == 1
	some v in vs
	v.details == {"container": "migrate", "field": "spec.initContainers[0].env[0]", "variable": "CONFIG"}
	contains(v.msg, "a GitHub token")
}

test_fail_configmap if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "ns"}, "data": {
		"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
		"app.ini": "[db]\npassword = s3cr3t-Hunter2\n",
		"api_token": "abc123",
		"LOG_LEVEL": "debug",
	}}
	vs := secrets.violations(cm, {})
	{v.details.key | some v in vs} == {"AWS_ACCESS_KEY_ID", "app.ini", "api_token"}
}

test_pass_harmless_configmap if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {
		"PASSWORD_FILE": "/run/secrets/db",
		"app.yaml": "database:\n  password: ${DB_PASSWORD}\ntracing:\n  serviceName: PaymentsApiServiceV2\n",
	}}
	count(secrets.violations(cm, {})) == 0
}

test_fail_annotation_and_template_annotation if {
	obj := json.patch(fixtures.deployment, [
		{"op": "add", "path": "/metadata/annotations", "value": {"ci/seed": "q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2"}},
		{"op": "add", "path": "/spec/template/metadata/annotations", "value": {"slack": "xoxb-123456789012-abcdefABCDEF"}},
	])
	vs := secrets.violations(obj, {})
	{v.details.field | some v in vs} == {`metadata.annotations["ci/seed"]`, `spec.template.metadata.annotations["slack"]`}
}

test_ignored_annotation if {
	obj := fixtures.deployment_with("/metadata/annotations", {"kubectl.kubernetes.io/last-applied-configuration": `{"env":[{"name":"X","value":"AKIAIOSFODNN7EXAMPLE"}]}`})
	count(secrets.violations(obj, {})) == 0
	count(secrets.violations(obj, {"ignoreAnnotations": []})) == 1
}

test_secret_objects_are_skipped if {
	s := {"kind": "Secret", "metadata": {"name": "s", "annotations": {"k": "AKIAIOSFODNN7EXAMPLE"}}, "stringData": {"password": "hunter2"}}
	count(secrets.violations(s, {})) == 0
}
