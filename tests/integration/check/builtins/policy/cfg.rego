package main
import rego.v1

# conftest's builtins: paths are relative to this file
deny contains msg if {
	env := parse_config_file("../app.env")
	env.LOG_LEVEL == "debug"
	msg := "debug logging in app.env"
}

deny contains msg if {
	props := parse_config("properties", "a = 1\nb = ${a}2")
	props.b == "12"
	msg := sprintf("parse_config gave b=%s", [props.b])
}

deny contains msg if {
	all := parse_combined_config_files(["../app.env", "../app.properties"])
	count(all) == 2
	msg := sprintf("combined %s and %s", [all[0].path, all[1].path])
}
