package main
import rego.v1

deny contains "TLS must be enabled" if input.server.tls["-enabled"] != "true"

deny contains msg if {
	some l in input.server.listener
	l.name == "admin"
	msg := sprintf("admin listener exposed on port %s", [input.server["-port"]])
}

warn contains input.server.motd if input.server.motd != ""
