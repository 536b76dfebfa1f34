0package p
a.b[c].d := 1 if c := "x"
obj[k] := v if { some k, v in input.m }
v.w contains 3
