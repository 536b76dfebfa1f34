1package p

p { true }
q[x] { x := input.y[_] }
r[k] = v { k := "a"; v := 1 }
f(x) = y { y := x }
