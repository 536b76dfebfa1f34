0package p
p { true }
