0package p
import rego.v1
ok if every k, v in input.o { v > k; startswith(k, "a") }
