package main

import rego.v1

deny contains msg if {
	some i, j, k
	bucket := input.resource[i].aws_s3_bucket[j][name][k]
	bucket.acl == "public-read"
	msg := sprintf("bucket %s must not be public", [name])
}

warn contains msg if {
	input.provider[0].aws[0].region == "eu-west-1"
	input.resource[0].aws_s3_bucket[0].logs[0].tags[0].team == "ops"
	msg := "blocks read as lists of objects"
}
