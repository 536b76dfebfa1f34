package main
import rego.v1

deny contains "production needs at least 2 replicas" if input.replicas < 2
deny contains "two ports expected" if count(input.ports) != 2
deny contains "labels merged" if input.labels == {"team": "a", "tier": "front"}
