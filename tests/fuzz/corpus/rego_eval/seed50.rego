package test
x = [k |
  [1, 2, 3][[1, 2, 3][k]]
]
