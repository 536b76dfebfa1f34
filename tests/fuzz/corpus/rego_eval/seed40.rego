package test
x = [ceil(9.1), ceil(-9.1), ceil(9), ceil(-9)]
# Undefined
y { false }
z = ceil(y)
