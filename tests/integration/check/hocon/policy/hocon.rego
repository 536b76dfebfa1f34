package main

import rego.v1

deny contains msg if {
	input.service.tls.enabled == false
	msg := "TLS must be enabled for service billing"
}

deny contains msg if {
	input.service.http.port != 8080
	msg := "http port must stay 8080"
}

warn contains msg if {
	input.service.http.timeout == "\"30 seconds\""
	input.service.db.url == "jdbc:postgresql://db/billing"
	msg := "timeout and db url read as conftest reads them"
}
