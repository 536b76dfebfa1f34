package main
import rego.v1

deny contains "passwords must not be stored in properties" if input["db.password"]
deny contains msg if {
	input["db.url"] != "jdbc:postgresql://db.internal:5432/app"
	msg := sprintf("url not expanded: %s", [input["db.url"]])
}
deny contains "continuation" if input.motd != "first line second line"
deny contains "escapes" if input.path != `C:\temp\app`
