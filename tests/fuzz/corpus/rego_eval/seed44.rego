package test

test1 := sprintf("User %s from %s has access", ["alice", "engineering"])
test2 := sprintf("A %s B %s C", ["X", "Y"])
test3 := sprintf("No spaces%s%s", ["A", "B"])
test4 := sprintf("Single %s", ["word"])
test5 := sprintf("Start %s end", ["middle"])
