package test

# Supportex by OPA
a = [  "E", "e", "P", "p", "T", "t" , "G" , "g" , "M" , "K" , "k" , "m" ]

# Not supported by OPA
b =  [ "Q", "R", "Y", "Z", "h", "da", "d", "c",
       "μ", "n",  "f", "a", "z", "y", "r", "q"
]

c = [
 "ki", "Ki", "kI", "KI",
 "mi", "Mi", "mI", "MI",
 "gi", "Gi", "gI", "GI",
 "ti", "Ti", "tI", "TI",
 "pi", "Pi", "pI", "PI",
 "ei", "Ei", "eI", "EI",
]

d = [
 "zi", "Zi", "zI", "ZI",
 "yi", "Yi", "yI", "YI",	  	  
]

results = {
  "p1" : [ units.parse(s) | s = concat("", ["1", a[_]]) ],
  "p2" : [ units.parse(s) | s = concat("", ["1", b[_]]) ],
  "p3" : [ units.parse(s) | s = concat("", ["1", c[_]]) ],
  "p4" : [ units.parse(s) | s = concat("", ["1", d[_]]) ],
  # No suffix, quoted.
  "p5" : [ units.parse("1"), units.parse("\"1\"") ]
}        
