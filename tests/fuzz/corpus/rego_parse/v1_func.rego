0package p
f(x, _) := y if { y := x * 2 + 1 }
f(x, y) := 0 if x < 0
g(x) if x == 1
