0package p
x := f(1)[0].a["b c"]
y := [1, 2][0]
z := {"a": 1}.a
w := input.in.not.package
