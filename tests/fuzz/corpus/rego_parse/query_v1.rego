2x := 1; y = [1,2]
not z with input as {1, 2}
some k, v in x
every a in b { a }