0package p
x := 1 if { false } else := 2 if { input.a } else := 3
