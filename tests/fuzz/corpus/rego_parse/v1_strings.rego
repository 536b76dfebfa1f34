0package p
t := `raw
"string"`
u := "\u00e9\n\t\"\ud83d\ude00"
n := [1, -2.5, 1e10, .5, 0.001, 1E-3]
