package main

import rego.v1

deny contains msg if {
	input[":env"] == ":production"
	input[":log"] != ":error"
	msg := "production must log errors only"
}

warn contains msg if {
	input[":app"][":port"] == "8443"
	input[":app"][":features"] == "map[:audit:true :export:true]"
	input[":app"][":admins"][1] == "bo"
	input[":app"][":started"] == "2024-03-01 08:00:00 +0000 UTC"
	msg := "scalars read as Go text"
}
