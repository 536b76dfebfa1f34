0package a.b

import data.x.y
import input.z as w

p := 1
q contains x if some x in [1, 2]
