0package p
x if {
	a := (1 + 2) * 3 - 4 / 2 % 1
	b := {1} | {2} & {3}
	1 in [1] in {true}
	k, v in input.x
	a != b; a <= b; a >= b
}
