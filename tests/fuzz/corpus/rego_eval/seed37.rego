package test

x = [
   min([-1, 3, 2]),
   min({1, 2, -1}),
]

r {false}
u1 = min(r)
u2 = min([])
u3 = min(set())
