0package p
p if {
