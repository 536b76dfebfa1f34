# Shared test fixtures for the policy pack's *_test.rego files: a Deployment
# that passes every gatehouse policy, and helpers to bend it. Test-only (the
# _test suffix keeps it out of Gatekeeper templates).
package gatehouse.test.fixtures

import rego.v1

digest_api := "sha256:682a1c47a1d34030b53d929d93f628b8e80e292b915f8c0e8d8fb51b3b7be968"

digest_migrate := "sha256:3bc801a33ea83df414e1aeb962a52412835be99db28668ec25de73fdd4733804"

image_api := concat("", ["registry.example.com/payments/api:1.4.2@", digest_api])

image_migrate := concat("", ["registry.example.com/payments/migrate:1.4.2@", digest_migrate])

labels := {
	"owner": "team-payments",
	"app.kubernetes.io/name": "payments-api",
	"data-classification": "confidential",
}

hardened := {
	"allowPrivilegeEscalation": false,
	"readOnlyRootFilesystem": true,
	"capabilities": {"drop": ["ALL"]},
}

resources := {
	"requests": {"cpu": "100m", "memory": "128Mi"},
	"limits": {"cpu": "500m", "memory": "256Mi"},
}

api_container := {
	"name": "api",
	"image": image_api,
	"env": [
		{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "payments-db", "key": "password"}}},
		{"name": "LOG_LEVEL", "value": "info"},
	],
	"resources": resources,
	"securityContext": hardened,
}

migrate_container := {
	"name": "migrate",
	"image": image_migrate,
	"resources": resources,
	"securityContext": hardened,
}

pod_spec := {
	"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
	"initContainers": [migrate_container],
	"containers": [api_container],
}

deployment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "payments-api", "namespace": "payments", "labels": labels},
	"spec": {
		"selector": {"matchLabels": {"app.kubernetes.io/name": "payments-api"}},
		"template": {"metadata": {"labels": labels}, "spec": pod_spec},
	},
}

pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "payments-api-0", "namespace": "payments", "labels": labels},
	"spec": pod_spec,
}

# deployment_with(path, value): the Deployment with one field replaced.
deployment_with(path, value) := json.patch(deployment, [{"op": "add", "path": path, "value": value}])

# pod_with(path, value): the Pod with one field replaced.
pod_with(path, value) := json.patch(pod, [{"op": "add", "path": path, "value": value}])

# Verified-signature facts for both images.
signatures := {
	digest_api: {"verified": true, "signer": "spiffe://example.com/ci/release"},
	digest_migrate: {"verified": true, "signer": "spiffe://example.com/ci/release"},
}

images_params := {"allowedRegistries": ["registry.example.com/"]}

namespace(name, labels) := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {"name": name, "labels": labels},
}

default_deny := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "default-deny", "namespace": "payments"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}

# inventory(namespaces, policies): Gatekeeper's data.inventory layout.
inventory(namespaces, policies) := {
	"cluster": {"v1": {"Namespace": {ns.metadata.name: ns | some ns in namespaces}}},
	"namespace": {n: {"networking.k8s.io/v1": {"NetworkPolicy": {p.metadata.name: p |
		some p in policies
		p.metadata.namespace == n
	}}} |
		some q in policies
		n := q.metadata.namespace
	},
}

# A Dockerfile as conftest parses it.
dockerfile := [
	{"Cmd": "from", "Flags": [], "Value": ["golang:1.22", "AS", "build"], "Stage": 0, "SubCmd": "", "JSON": false},
	{"Cmd": "run", "Flags": [], "Value": ["go build -o /out/app ./cmd/app"], "Stage": 0, "SubCmd": "", "JSON": false},
	{"Cmd": "from", "Flags": [], "Value": ["gcr.io/distroless/static-debian12:nonroot"], "Stage": 1, "SubCmd": "", "JSON": false},
	{"Cmd": "copy", "Flags": ["--from=build"], "Value": ["/out/app", "/app"], "Stage": 1, "SubCmd": "", "JSON": false},
	{"Cmd": "env", "Flags": [], "Value": ["LOG_LEVEL", "info", "PASSWORD_FILE", "/run/secrets/db"], "Stage": 1, "SubCmd": "", "JSON": false},
	{"Cmd": "user", "Flags": [], "Value": ["65532:65532"], "Stage": 1, "SubCmd": "", "JSON": false},
	{"Cmd": "entrypoint", "Flags": [], "Value": ["/app"], "Stage": 1, "SubCmd": "", "JSON": true},
]

# instr(cmd, values, stage): one parsed instruction.
instr(cmd, values, stage) := {"Cmd": cmd, "Flags": [], "Value": values, "Stage": stage, "SubCmd": "", "JSON": false}
