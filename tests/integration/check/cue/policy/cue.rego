package main

import rego.v1

deny contains msg if {
	input.deploy.replicas < 2
	msg := sprintf("%s needs at least 2 replicas", [input.name])
}

deny contains msg if {
	endswith(input.deploy.image, ":latest")
	msg := "images must not be tagged latest"
}

warn contains msg if {
	input.deploy.env == "production"
	input.ports[0].port == 8443
	not input["#Internal"]
	msg := "defaults taken, definitions left out"
}
