package main

import rego.v1

allowed := {"MIT", "Apache-2.0"}

deny contains msg if {
	some c in input.components
	some l in c.licenses
	not allowed[l.license.id]
	msg := sprintf("%s uses license %s", [c.name, l.license.id])
}

warn contains msg if {
	input.metadata.component.name == "ledger"
	input.version == 3
	input.components[0].hashes[0].content == "aa"
	msg := sprintf("bom %s read", [input.specVersion])
}
