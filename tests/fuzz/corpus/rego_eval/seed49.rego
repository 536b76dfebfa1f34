package test

x1 = y {
  y = [ [a, b] | a = [1, 2, 3, 4][b] ]
}
x2 = y {
  y = [ [a, b] | a = {1, 2, 3, 4}[b] ]
}
x3 = y {
  y = [ [a, b] | a = {"p":"q", "r": "s"}[b] ]
}
