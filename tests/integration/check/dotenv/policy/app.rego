package main
import rego.v1

deny contains "DB_USER should not be root" if input.DB_USER == "root"
deny contains msg if {
	input.DB_URL != "postgres://root@db/shop"
	msg := sprintf("DB_URL not expanded: %s", [input.DB_URL])
}
deny contains "single quotes are raw" if input.GREETING != "hello $APP_NAME"
deny contains "escapes" if input.MULTI != "a\nb"
