package main

import rego.v1

deny contains msg if {
	some name
	be := input.backend[name]
	be[".port"] != "8080"
	msg := sprintf("backend %s must listen on 8080", [name])
}

warn contains msg if {
	input.backend.web[".first_byte_timeout"] == 30
	input.sub.vcl_recv["req.http.host"] == "example.org"
	msg := "durations read as integers, set statements as attributes"
}
