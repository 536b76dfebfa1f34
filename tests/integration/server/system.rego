# OPA's default decision (POST /): data.system.main.
package system

import rego.v1

main := {"allowed": data.authz.allow, "user": input.user}
