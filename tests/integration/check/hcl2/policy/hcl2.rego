package main

import rego.v1

deny contains msg if {
	some name
	some rule in input.resource.aws_security_group_rule[name]
	rule.type == "ingress"
	"0.0.0.0/0" in rule.cidr_blocks
	msg := sprintf("rule %s is open to the world", [name])
}

deny contains msg if {
	some name
	some inst in input.resource.aws_instance[name]
	some dev in inst.ebs_block_device
	dev.encrypted == false
	msg := sprintf("instance %s has an unencrypted volume", [name])
}

warn contains msg if {
	some inst in input.resource.aws_instance.web
	inst.ami == "${data.aws_ami.ubuntu.id}"
	inst.instance_type == "${var.env == \"prod\" ? \"m5.large\" : \"t3.micro\"}"
	some rule in input.resource.aws_security_group_rule.ssh
	rule.description == "ssh for ${var.env}"
	msg := "expressions kept as ${...} text"
}

warn contains msg if {
	cfg := parse_config("hcl2", "resource \"a\" \"b\" {\n  x = 1\n}\n")
	cfg.resource.a.b[0].x == 1
	edn := parse_config("edn", "{:k :v}")
	edn[":k"] == ":v"
	msg := "parse_config reads hcl2 and edn"
}
