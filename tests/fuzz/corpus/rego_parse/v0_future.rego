1package p
import future.keywords.in
import future.keywords.if
import future.keywords.contains
p contains x if some x in input
