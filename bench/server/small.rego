# bench/server: the one-line policy (a decision on the input).
package bench

import rego.v1

allow if input.user == "alice"
