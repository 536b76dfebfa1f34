package msgraph.user.allow

import rego.v1

__target__ := "target.tests.msgraph"

default allow := false

allow if {
  input["@odata.type"] == "#microsoft.graph.user"
  input.accountEnabled == true
  input.userType == "Member"
}
