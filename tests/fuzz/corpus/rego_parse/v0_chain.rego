1package p
p { 1 } { 2 }
q = 1 { false } else = 2 { true } else = 3
