# What the conftest-style wrappers (gatehouse.check.*) evaluate: the
# Kubernetes objects and Dockerfiles in `input` (one document, a `kind: List`,
# or `conftest test --combine`'s [{"path", "contents"}] array), the inventory
# (data.inventory merged with the Namespaces and NetworkPolicies of a combined
# input) and each policy's parameters from data.gatehouse.params.<policy>.
package gatehouse.conftest

import rego.v1

import data.lib.gatehouse.dockerfile
import data.lib.gatehouse.network

# combined holds for `conftest test --combine` input.
combined if {
	is_array(input)
	count(input) > 0
	every d in input {
		is_object(d)
		is_string(d.path)
		"contents" in object.keys(d)
	}
}

_docs contains {"path": "", "doc": input} if not combined

_docs contains {"path": d.path, "doc": d.contents} if {
	combined
	some d in input
}

# A document holding several (a multi-document file in combined mode).
_multi(doc) if {
	is_array(doc)
	not dockerfile.is_dockerfile(doc)
}

_flat contains d if {
	some d in _docs
	not _multi(d.doc)
}

_flat contains {"path": d.path, "doc": e} if {
	some d in _docs
	_multi(d.doc)
	some e in d.doc
}

_k8s(x) if {
	is_object(x)
	is_string(x.kind)
	is_string(x.apiVersion)
}

# objects: the Kubernetes objects to check, each {"path", "obj"}.
objects contains {"path": d.path, "obj": d.doc} if {
	some d in _flat
	_k8s(d.doc)
	d.doc.kind != "List"
}

objects contains {"path": d.path, "obj": item} if {
	some d in _flat
	_k8s(d.doc)
	d.doc.kind == "List"
	some item in d.doc.items
	_k8s(item)
}

# dockerfiles: the Dockerfiles to check, each {"path", "instrs"}.
dockerfiles contains {"path": d.path, "instrs": d.doc} if {
	some d in _flat
	dockerfile.is_dockerfile(d.doc)
}

# where(o) prefixes messages with the file in combined mode.
where(o) := "" if o.path == ""

else := concat("", [o.path, ": "])

# has_inventory holds when an inventory is known: data.inventory was given
# or the input is combined.
has_inventory if data.inventory

has_inventory if combined

default _data_inventory := {}

_data_inventory := data.inventory

inventory := object.union(_data_inventory, network.inventory_from_objects([o.obj | some o in objects])) if combined

else := _data_inventory

# params(name) is data.gatehouse.params[name], or {} (library defaults apply).
params(name) := p if {
	p := data.gatehouse.params[name]
	is_object(p)
} else := {}

# Policies listed in data.gatehouse.params.disabled are skipped by `main`.
default disabled := []

disabled := data.gatehouse.params.disabled
