1package p
import rego.v1
p if { some x in [1]; x == 1 }
