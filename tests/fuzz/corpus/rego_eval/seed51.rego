package test

import rego.v1

principal := input.principal
action := input.action

p[principal][action] := 1 if {
  some a in []					    
}

q[principal][action] contains 1 if {
  some a in []					    
}
