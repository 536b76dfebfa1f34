package test

a := time.now_ns() > 1257894000000000000
