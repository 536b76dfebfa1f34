# Terraform 0.11-style configuration read with --parser hcl1
provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "logs" {
  bucket = "company-logs"
  acl    = "public-read"
  tags {
    team = "ops"
  }
}

resource "aws_s3_bucket" "data" {
  bucket = "company-data"
  acl    = "private"
}
