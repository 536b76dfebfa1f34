0package p

default allow := false

allow if {
	input.user == "alice"
	not deny
}

deny contains msg if {
	some i
	input.items[i].bad
	msg := sprintf("item %d", [i])
}
