3x = data.test; y := {k: v | v := x[k]}
