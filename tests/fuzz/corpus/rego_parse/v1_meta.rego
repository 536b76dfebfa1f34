0# METADATA
# title: Pkg
# scope: package
package p

# METADATA
# title: Allow
# authors: [Jane <j@x.y>]
# custom: {a: 1}
allow if true
