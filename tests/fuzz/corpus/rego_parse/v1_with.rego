0package p
e if not input.bad with input as {"bad": false} with data.x.y as 1 with count as mock
