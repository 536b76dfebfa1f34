package test

inc(x) = x + 1
inc(x) = x + 4

a1 = inc(5)
