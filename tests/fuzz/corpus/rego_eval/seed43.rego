package test

v1 = contains("Hello, world", ", ")
v2 = contains("Hello world", "") # empty substring
v3 = contains("", ",") # empty string
v4 = contains("", "") # empty substring and string
