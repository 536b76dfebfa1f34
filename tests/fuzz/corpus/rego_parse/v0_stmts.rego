1package p
p.a.b
q[1]
f(1)
default d = 1
x = 1
