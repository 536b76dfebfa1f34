package main
import rego.v1

deny contains msg if {
	print("checking", input.name)
	input.name == "bad"
	msg := "bad name"
}
