package main

import rego.v1

deny contains msg if {
	some pkg in input.packages
	startswith(pkg.licenseConcluded, "GPL")
	msg := sprintf("package %s is GPL licensed", [pkg.name])
}

warn contains msg if {
	input.spdxVersion == "SPDX-2.3"
	input.creationInfo.creators[0] == "Tool: gatehouse-tests"
	input.relationships[0].relationshipType == "DESCRIBES"
	msg := "SPDX 2.2 read in the 2.3 JSON shape"
}
