package test

x = bits.xor(1, "str")
