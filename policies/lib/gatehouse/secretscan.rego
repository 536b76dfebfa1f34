# Plaintext secret detection over strings, shared by the secrets (Kubernetes)
# and dockerfile libraries: known credential formats, secret-looking names
# with literal values, `password = ...` assignments in free text, and a
# Shannon-entropy test for random-looking tokens. Rego has no log(), so log2
# is computed from its series (see log2); see policies/README.md for the
# thresholds. Pure functions; parameters are passed in.
package lib.gatehouse.secretscan

import rego.v1

# Scanning parameters (every library that scans merges these into its own).
defaults := {
	# Extra credential formats: {"name": {"regex": "...", "what": "a Foo key"}}.
	"extraPatterns": {},
	# Regexes for known-harmless values; a value (or, for the entropy test,
	# a token) matching one is not reported.
	"allowPatterns": [],
	"entropy": true,
	"minTokenLength": 20,
	# A token is random-looking when its entropy is at least this fraction of
	# log2(min(length, 64)) (the most its length allows over a base64 alphabet)...
	"minEntropyRatio": 0.8,
	# ...and the character class (lower, upper, digit, other) changes between
	# at least this fraction of neighbouring characters.
	"minClassTransitionRatio": 0.4,
}

# Known credential formats: name -> {"regex", "what"}.
patterns := {
	"aws-access-key-id": {"regex": `\b(AKIA|ASIA)[0-9A-Z]{16}\b`, "what": "an AWS access key id"},
	"private-key": {"regex": `-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`, "what": "a private key"},
	"github-token": {"regex": `\bgh[pousr]_[A-Za-z0-9]{36,255}\b`, "what": "a GitHub token"},
	"github-fine-grained-token": {"regex": `\bgithub_pat_[A-Za-z0-9_]{22,255}`, "what": "a GitHub fine-grained token"},
	"slack-token": {"regex": `\bxox[abprs]-[A-Za-z0-9-]{10,}`, "what": "a Slack token"},
	"google-api-key": {"regex": `\bAIza[0-9A-Za-z_-]{35}`, "what": "a Google API key"},
	"stripe-live-key": {"regex": `\b[rs]k_live_[0-9A-Za-z]{24,}`, "what": "a Stripe live key"},
	"jwt": {"regex": `\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, "what": "a JSON Web Token"},
}

# ---- names and literal values ----

# secret_name(name) holds for variable or key names that say they hold a
# secret (DB_PASSWORD, apiKey, client-secret, GITHUB_TOKEN), except names
# that hold where a secret is rather than the secret (PASSWORD_FILE,
# TOKEN_URL, SECRET_NAME...).
secret_name(name) if {
	is_string(name)
	n := _snake(name)
	regex.match(`(^|[_.-])(password|passwd|pwd|secret|token|apikey|api_key|api-key|private_key|private-key|credential|credentials|access_key)($|[_.-])`, n)
	not regex.match(`[_.-](file|path|dir|name|ref|url|uri|endpoint|host|port|user|username|ttl|timeout|expiry|length|type|mode|enabled|id|version)$`, n)
}

# camelCase and acronym boundaries become "_", then lower case: DBPassword
# -> db_password, apiKey -> api_key.
_snake(name) := lower(regex.replace(regex.replace(name, `([a-z0-9])([A-Z])`, "${1}_${2}"), `([A-Z])([A-Z][a-z])`, "${1}_${2}"))

# Values that are not secrets even under a secret-looking name.
placeholders := {"true", "false", "null", "none", "yes", "no", "required", "optional", "enabled", "disabled"}

# literal(value) holds for a non-empty string that is not a reference to
# another variable ($(VAR), ${VAR}, $VAR), a <placeholder> or a keyword.
literal(value) if {
	is_string(value)
	v := trim_space(value)
	v != ""
	not regex.match(`^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^>]*>)$`, v)
	not lower(v) in placeholders
}

# ---- scanning ----

# scan(value, p) is the set of findings {"rule", "what"} in one string:
# known formats; when there are none, high-entropy tokens (the entropy test
# is a fallback, so a private key is one finding, not one per line).
scan(value, p) := hits if {
	hits := pattern_hits(value, p)
	count(hits) > 0
} else := entropy_hits(value, p)

# scan_text(value, p) adds `password: ...`-style assignments, for free text
# such as configuration files and annotations.
scan_text(value, p) := scan(value, p) | assignment_hits(value, p)

_all_patterns(p) := object.union(patterns, p.extraPatterns) if is_object(p.extraPatterns)

else := patterns

_allowed(s, allow) if {
	some re in allow
	regex.match(re, s)
}

pattern_hits(value, p) := {f |
	is_string(value)
	not _allowed(value, p.allowPatterns)
	some name, pat in _all_patterns(p)
	regex.match(pat.regex, value)
	f := {"rule": name, "what": pat.what}
}

# Keyword directly followed by = or : and a literal value of 4+ characters.
_assignment_re := `(?i)(password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key)["']?[ \t]*[:=][ \t]*["']?([^\s"'$<{}%,;]{4,})`

assignment_hits(value, p) := {f |
	is_string(value)
	not _allowed(value, p.allowPatterns)
	some m in regex.find_all_string_submatch_n(_assignment_re, value, -1)
	literal(m[2])
	f := {"rule": "assignment", "what": sprintf("a literal %s assignment", [lower(m[1])])}
}

entropy_hits(value, p) := {f |
	is_string(value)
	p.entropy == true
	tokens := sort(high_entropy_tokens(value, p))
	count(tokens) > 0
	f := {"rule": "high-entropy", "what": sprintf("%d high-entropy string(s), e.g. %s", [count(tokens), redact(tokens[0])])}
}

# Public key material is random-looking by nature: drop PEM certificates,
# public keys, CRLs and CSRs, and SSH public keys before looking for tokens.
_public_re := `(?s)-----BEGIN (CERTIFICATE|X509 CRL|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST|[A-Z0-9 ]*PUBLIC KEY)-----.*?-----END [A-Z0-9 ]+-----|(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp[0-9]+|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+`

# high_entropy_tokens(value, p) is the set of random-looking base64-alphabet
# tokens of value.
high_entropy_tokens(value, p) := {t |
	text := regex.replace(value, _public_re, " ")
	some t in regex.find_n(sprintf(`[A-Za-z0-9+/=_-]{%d,}`, [p.minTokenLength]), text, -1)
	random_looking(t, p)
}

# random_looking(t, p): upper case, lower case and digits all present (so
# hex digests, UUIDs and lower-case identifiers never qualify), entropy close
# to the maximum for its length, and frequent class changes (which tells
# random strings from CamelCase words of the same entropy).
random_looking(t, p) if {
	regex.match(`[a-z]`, t)
	regex.match(`[A-Z]`, t)
	regex.match(`[0-9]`, t)
	not _allowed(t, p.allowPatterns)
	s := substring(t, 0, 256)
	n := count(s)
	entropy(s) >= p.minEntropyRatio * log2_table[min([n, 64])]
	class_transition_ratio(s) >= p.minClassTransitionRatio
}

# redact(t) shows enough of a token to find it, never the secret: "AbC1...(40 chars)".
redact(t) := sprintf("%s...(%d chars)", [substring(t, 0, 4), count(t)])

# ---- entropy ----

# entropy(s) is the Shannon entropy of s in bits per character (s at most
# 256 characters, the size of log2_table):
#   H = log2(n) - (1/n) * sum over distinct characters c of n_c * log2(n_c).
# Counting sorts the characters and measures runs: O(n log n).
entropy(s) := h if {
	chars := sort(split(s, ""))
	n := count(chars)
	n > 0
	starts := [i | some i in numbers.range(0, n - 1); _run_start(chars, i)]
	runs := [c | some j, st in starts; c := _run_end(starts, j, n) - st]
	h := log2_table[n] - (sum([x | some c in runs; x := c * log2_table[c]]) / n)
}

_run_start(_, 0)

_run_start(chars, i) if {
	i > 0
	chars[i] != chars[i - 1]
}

_run_end(starts, j, n) := starts[j + 1] if j + 1 < count(starts)

else := n

# class_transition_ratio(s) is the fraction of neighbouring characters of s
# whose classes (lower, upper, digit, other) differ.
class_transition_ratio(s) := r if {
	classes := split(_classes(s), "")
	n := count(classes)
	n > 1
	changes := count([i | some i in numbers.range(1, n - 1); classes[i] != classes[i - 1]])
	r := changes / (n - 1)
}

_classes(s) := regex.replace(regex.replace(regex.replace(regex.replace(s, `[a-z]`, "l"), `[A-Z]`, "u"), `[0-9]`, "d"), `[^lud]`, "s")

# log2_table[i] is log2(i) for i in 1..256 (index 0 holds 0), computed once
# per query.
log2_table := [l | some i in numbers.range(0, 256); l := _log2_or_zero(i)]

_log2_or_zero(0) := 0

_log2_or_zero(i) := log2(i) if i > 0

_ln2 := 0.6931471805599453

# log2(x) for 1 <= x < 2^62. Rego has no logarithm builtin, so: write
# x = m * 2^e with 1 <= m < 2 (e counted with bit shifts), then
# ln(m) = 2 * atanh(y) = 2 * (y + y^3/3 + y^5/5 + ...), y = (m-1)/(m+1) <= 1/3.
# Seven terms leave an error below 2 * (1/3)^15 / 15, about 1e-8.
log2(x) := e + (_ln_mantissa(x / bits.lsh(1, e)) / _ln2) if {
	x >= 1
	e := count([k | some k in numbers.range(1, 61); bits.lsh(1, k) <= x])
}

_ln_mantissa(m) := 2 * sum([t | some k in [1, 3, 5, 7, 9, 11, 13]; t := _pow(y, k) / k]) if {
	y := (m - 1) / (m + 1)
}

_pow(y, k) := product([y | some _ in numbers.range(1, k)])
