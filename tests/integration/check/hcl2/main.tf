variable "env" {
  default = "prod"
}

resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  from_port   = 22
  cidr_blocks = ["0.0.0.0/0"]
  description = "ssh for ${var.env}"
}

resource "aws_instance" "web" {
  ami           = data.aws_ami.ubuntu.id
  instance_type = var.env == "prod" ? "m5.large" : "t3.micro"
  tags = {
    Name = "web"
  }
  ebs_block_device {
    encrypted = false
  }
}
