package test

z = [
   array.slice([1, 2, 3], 0, 1),
   array.slice([1, 2, 3], 0, 2),
   array.slice([1, 2, 3], 2, 3),
   array.slice([1, 2, 3], 0, 5),
   array.slice([1, 2, 3], 5, 5),
   array.slice([1, 2, 3], -5, 5),
   array.slice([1, 2, 3], -5, 0),
   array.slice([1, 2, 3], -5, 1),
   array.slice([], -5, 1),
]        

# Undefined
r { false }
u1 = array.slice(r, 1, 2)
u2 = array.slice([1], r, 2)
u3 = array.slice([1], 1, r)
u4 = array.slice([5], 1.1, 2)
u5 = array.slice([5], 1, 2.1)        
