0package p
c := [x | x := input.a[_]; x > 1]
s := {x | some x in input.s}
o := {k: v | some k, v in input.o}
