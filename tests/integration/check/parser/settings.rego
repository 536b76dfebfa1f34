package main
import rego.v1

# gatehouse's own fixture: passes only when settings.tf is read as HCL (a
# number attribute at the top), so forcing another parser (--parser ini)
# makes the policy fail.
node_count_is_number if is_number(input.node_count)

deny contains "node_count must be a number: was the file read as HCL?" if {
	not node_count_is_number
}
