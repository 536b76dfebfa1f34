# Test policy shared by the server integration tests (gatehouse and OPA).
package authz

import rego.v1

default allow := false

allow if input.user == "alice"

allow if "admin" in input.roles

# undefined unless the input has a number n
double := input.n * 2

roles contains r if some r in input.roles

greeting := sprintf("hello %s", [input.user]) if input.user

kinds := {"string": is_string(input.v), "number": is_number(input.v), "bool": is_boolean(input.v), "array": is_array(input.v), "object": is_object(input.v), "null": is_null(input.v)}

limit := data.config.limit

# two different values: an eval_conflict_error (500) when input.xs has two
conflict := x if some x in input.xs

# a builtin error: undefined normally, a 500 with ?strict-builtin-errors
num := to_number(input.s)
