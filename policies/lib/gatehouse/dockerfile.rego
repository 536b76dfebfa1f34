# Dockerfile rules over conftest's parse of a Dockerfile (an array of
# {"Cmd", "Flags", "Value", "Stage", "SubCmd", "JSON"[, "Original"]}, Cmd in
# lower case): the runtime base image is an approved minimal image, the final
# stage sets a USER that is not root, and no secret sits in ENV/ARG (nor a
# known credential format in any instruction). Pure: called by
# gatehouse.check.dockerfile.
package lib.gatehouse.dockerfile

import rego.v1

import data.lib.gatehouse.imageref
import data.lib.gatehouse.secretscan

defaults := object.union(secretscan.defaults, {
	# Image prefixes (matched like images.allowedRegistries) the runtime
	# stage may start FROM; "scratch" allows empty images.
	"approvedBaseImages": [
		"scratch",
		"gcr.io/distroless/",
		"cgr.dev/chainguard/",
		"docker.io/library/alpine",
		"registry.access.redhat.com/ubi9/ubi-micro",
		"registry.access.redhat.com/ubi9/ubi-minimal",
	],
	# false: only the final (runtime) stage's base is checked, so builder
	# stages may use full toolchain images.
	"checkAllStages": false,
	"forbiddenUsers": ["root", "0"],
})

# is_dockerfile(doc) holds for conftest's Dockerfile shape.
is_dockerfile(doc) if {
	is_array(doc)
	count(doc) > 0
	every ins in doc {
		is_string(ins.Cmd)
	}
}

# violations(instrs, params) / warnings(instrs, params): sets of {"msg", "details"}.
violations(instrs, params) := (_base(instrs, p) | _user(instrs, p)) | _secrets(instrs, p) if {
	p := object.union(defaults, _obj(params))
}

warnings(instrs, params) := _base_unresolved(instrs, p) | _arg_without_default(instrs) if {
	p := object.union(defaults, _obj(params))
}

_obj(x) := x if is_object(x)

else := {}

_values(ins) := [v | some v in ins.Value; is_string(v)] if is_array(ins.Value)

else := []

# "FROM img" as it appears in messages (no secrets are possible there).
_label(i, ins) := sprintf("%s (instruction %d)", [ins.Original, i + 1]) if is_string(ins.Original)

else := sprintf("%s (instruction %d)", [concat(" ", array.concat([upper(ins.Cmd)], _values(ins))), i + 1])

# ---- stages and base images ----

_froms(instrs) := [{"i": i, "ins": ins, "image": _values(ins)[0]} |
	some i, ins in instrs
	ins.Cmd == "from"
]

# Stage names declared by FROM ... AS name (case-insensitive).
_aliases(instrs) := {lower(vals[2]): _resolve(vals[0], instrs) |
	some ins in instrs
	ins.Cmd == "from"
	vals := _values(ins)
	count(vals) >= 3
	lower(vals[1]) == "as"
}

# Defaults of ARGs declared before the first FROM (the only ones FROM can use).
_global_args(instrs) := {name: value |
	first := min([f.i | some f in _froms(instrs)])
	some i, ins in instrs
	i < first
	ins.Cmd == "arg"
	some word in _values(ins)
	contains(word, "=")
	name := substring(word, 0, indexof(word, "="))
	value := substring(word, indexof(word, "=") + 1, -1)
}

_resolve(image, instrs) := strings.replace_n(pairs, image) if {
	contains(image, "$")
	args := _global_args(instrs)
	pairs := object.union(
		{sprintf("${%s}", [k]): v | some k, v in args},
		{sprintf("$%s", [k]): v | some k, v in args},
	)
} else := image

# A stage alias resolves to its own base (followed four levels).
_deref(image, aliases) := aliases[lower(image)] if lower(image) in object.keys(aliases)

else := image

_runtime_base(instrs) := _deref(_deref(_deref(_deref(img, aliases), aliases), aliases), aliases) if {
	froms := _froms(instrs)
	count(froms) > 0
	aliases := _aliases(instrs)
	img := _resolve(froms[count(froms) - 1].image, instrs)
}

# The FROM instructions whose base must be approved: every stage, or the
# final one (with aliases followed to the real image).
_checked_bases(instrs, p) := {{"i": f.i, "ins": f.ins, "image": img} |
	aliases := _aliases(instrs)
	some f in _froms(instrs)
	img := _resolve(f.image, instrs)
	not lower(img) in object.keys(aliases)
} if {
	p.checkAllStages == true
}

else := {{"i": last.i, "ins": last.ins, "image": _runtime_base(instrs)} |
	froms := _froms(instrs)
	last := froms[count(froms) - 1]
}

_base(instrs, p) := {v |
	some b in _checked_bases(instrs, p)
	not contains(b.image, "$")
	not imageref.matches_any(b.image, p.approvedBaseImages)
	v := {
		"msg": sprintf("%s: base image %q is not an approved minimal image (approved: %s)", [_label(b.i, b.ins), b.image, concat(", ", p.approvedBaseImages)]),
		"details": {"instruction": b.i + 1, "image": b.image},
	}
}

_base_unresolved(instrs, p) := {v |
	some b in _checked_bases(instrs, p)
	contains(b.image, "$")
	v := {
		"msg": sprintf("%s: base image %q depends on a build argument without a default, so it cannot be checked", [_label(b.i, b.ins), b.image]),
		"details": {"instruction": b.i + 1, "image": b.image},
	}
}

# ---- USER ----

_final_stage(instrs) := max([s | some ins in instrs; s := ins.Stage; is_number(s)])

_users(instrs) := [{"i": i, "ins": ins, "user": _values(ins)[0]} |
	final := _final_stage(instrs)
	some i, ins in instrs
	ins.Stage == final
	ins.Cmd == "user"
	count(_values(ins)) > 0
]

_user(instrs, p) := {v |
	count(_froms(instrs)) > 0
	count(_users(instrs)) == 0
	v := {
		"msg": "final stage sets no USER, so the container runs as root; add USER <non-root uid>",
		"details": {"stage": _final_stage(instrs)},
	}
} if {
	count(_users(instrs)) == 0
}

else := {v |
	users := _users(instrs)
	last := users[count(users) - 1]
	name := split(last.user, ":")[0]
	name in p.forbiddenUsers
	v := {
		"msg": sprintf("%s: the final stage runs as %q; use a non-root user", [_label(last.i, last.ins), name]),
		"details": {"instruction": last.i + 1, "user": name},
	}
}

# ---- secrets ----

# ENV/ARG as (name, value) pairs: ENV values come as [k1, v1, k2, v2...],
# ARG values as ["NAME=default", "NAME"...] (value null without default).
_vars(instrs) := {{"i": i, "cmd": "ENV", "name": vals[k], "value": vals[k + 1]} |
	some i, ins in instrs
	ins.Cmd == "env"
	vals := _values(ins)
	some k in numbers.range(0, count(vals) - 2)
	k % 2 == 0
} | {{"i": i, "cmd": "ARG", "name": name, "value": value} |
	some i, ins in instrs
	ins.Cmd == "arg"
	some word in _values(ins)
	name := _before_eq(word)
	value := _after_eq(word)
}

_before_eq(w) := substring(w, 0, indexof(w, "=")) if contains(w, "=")

else := w

_after_eq(w) := substring(w, indexof(w, "=") + 1, -1) if contains(w, "=")

else := null

_secrets(instrs, p) := ({v |
	some var in _vars(instrs)
	secretscan.secret_name(var.name)
	secretscan.literal(var.value)
	v := _secret_v(var, "has a literal value although its name says it holds a secret; it is stored in the image; use RUN --mount=type=secret")
} | {v |
	some var in _vars(instrs)
	not _named_secret(var)
	some f in secretscan.scan(var.value, p)
	v := _secret_v(var, sprintf("value contains %s; it is stored in the image", [f.what]))
}) | {v |
	some i, ins in instrs
	not ins.Cmd in {"env", "arg", "comment"}
	some f in secretscan.pattern_hits(concat(" ", _values(ins)), p)
	v := {
		"msg": sprintf("%s instruction %d: contains %s", [upper(ins.Cmd), i + 1, f.what]),
		"details": {"instruction": i + 1},
	}
}

_named_secret(var) if {
	secretscan.secret_name(var.name)
	secretscan.literal(var.value)
}

# Secret values are never echoed: messages name the variable only.
_secret_v(var, text) := {
	"msg": sprintf("%s %s (instruction %d): %s", [var.cmd, var.name, var.i + 1, text]),
	"details": {"instruction": var.i + 1, "variable": var.name},
}

_arg_without_default(instrs) := {v |
	some var in _vars(instrs)
	var.cmd == "ARG"
	var.value == null
	secretscan.secret_name(var.name)
	v := {
		"msg": sprintf("ARG %s (instruction %d): build arguments are recorded in the image history; pass secrets with RUN --mount=type=secret", [var.name, var.i + 1]),
		"details": {"instruction": var.i + 1, "variable": var.name},
	}
}
