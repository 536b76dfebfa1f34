# RBAC: users -> roles -> grants, a typical authorization policy.
package rbac

import rego.v1

default allow := false

allow if {
	some grant in user_grants
	input.action == grant.action
	input.type == grant.type
}

user_grants contains grant if {
	some role in data.bindings[input.user]
	some grant in data.roles[role]
}

is_admin if "admin" in data.bindings[input.user]
