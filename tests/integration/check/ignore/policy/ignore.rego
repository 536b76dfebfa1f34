package main
import rego.v1

# gatehouse's own fixture for the ignore parser: a .gitignore/.dockerignore
# file is an array of {Kind, Value, Original} entries, and (as conftest does
# with every array document) each entry is tested as its own input.

deny contains "ignoring everything hides the build context" if {
	input.Kind == "Path"
	input.Value == "*"
}

warn contains sprintf("re-included: %s", [input.Value]) if input.Kind == "NegatedPath"

warn contains sprintf("comment %q from %q", [input.Value, input.Original]) if input.Kind == "Comment"

warn contains sprintf("trimmed %q from %q", [input.Value, input.Original]) if {
	input.Kind == "Path"
	input.Value != input.Original
}
