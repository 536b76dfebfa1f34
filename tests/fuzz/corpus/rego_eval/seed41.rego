package test
r1 = numbers.range(1, 5)
r2 = numbers.range(5, 1)
r3 = numbers.range(-1, -5)
r4 = numbers.range(-5, -1)

# Single item range
r5 = numbers.range(8, 8)

y { false }
r8 = numbers.range(y, 10)
r9 = numbers.range(10, y)
