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
	# At most this many candidate tokens per value (the first to pass the
	# cheaper tests) get the entropy test, bounding the work on huge values.
	"maxEntropyTokens": 50,
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
# known credential formats, and random-looking tokens that match none of them.
scan(value, p) := pattern_hits(value, p) | entropy_hits(value, p)

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

# Key material is random-looking by nature: drop PEM blocks (certificates,
# CRLs, CSRs, public keys; private keys are reported by their own pattern)
# and SSH public keys before looking for tokens.
_key_material_re := `(?s)-----BEGIN (CERTIFICATE|X509 CRL|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST|[A-Z0-9 ]*(PUBLIC|PRIVATE) KEY( BLOCK)?)-----.*?-----END [A-Z0-9 ]+-----|(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp[0-9]+|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+`

# high_entropy_tokens(value, p) is the set of random-looking base64-alphabet
# tokens of value that no known pattern explains. Cheaper tests (character
# classes and their transitions, allow list, known formats) pick at most
# p.maxEntropyTokens candidates in text order; only those get the entropy test.
high_entropy_tokens(value, p) := {t |
	text := regex.replace(value, _key_material_re, " ")
	tokens := regex.find_n(sprintf(`[A-Za-z0-9+/=_-]{%d,}`, [p.minTokenLength]), text, -1)
	candidates := [c |
		some c in tokens
		_mixed_classes(c)
		class_transition_ratio(substring(c, 0, 256)) >= p.minClassTransitionRatio
		not _allowed(c, p.allowPatterns)
		not _known(c, p)
	]
	some t in array.slice(candidates, 0, p.maxEntropyTokens)
	random_looking(t, p)
}

_mixed_classes(t) if {
	regex.match(`[a-z]`, t)
	regex.match(`[A-Z]`, t)
	regex.match(`[0-9]`, t)
}

_known(t, p) if {
	some _, pat in _all_patterns(p)
	regex.match(pat.regex, t)
}

# random_looking(t, p): upper case, lower case and digits all present (so
# hex digests, UUIDs and lower-case identifiers never qualify), entropy close
# to the maximum for its length, and frequent class changes (which tells
# random strings from CamelCase words of the same entropy).
random_looking(t, p) if {
	_mixed_classes(t)
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
# n_c comes from indexof_n, so the work is builtin calls per distinct
# character rather than Rego steps per character.
entropy(s) := h if {
	n := count(s)
	n > 0
	distinct := {c | some c in split(s, "")}
	h := log2_table[n] - (sum([x | some c in distinct; k := count(indexof_n(s, c)); x := k * log2_table[k]]) / n)
}

# class_transition_ratio(s) is the fraction of neighbouring characters of s
# whose classes (lower, upper, digit, other) differ: with s mapped to class
# letters, one less than the number of same-class runs, over n - 1.
class_transition_ratio(s) := r if {
	n := count(s)
	n > 1
	runs := count(regex.find_n(`l+|u+|d+|s+`, _classes(s), -1))
	r := (runs - 1) / (n - 1)
}

_classes(s) := regex.replace(regex.replace(regex.replace(regex.replace(s, `[a-z]`, "l"), `[A-Z]`, "u"), `[0-9]`, "d"), `[^lud]`, "s")

# log2_table[i] is log2(i) rounded to 1e-9, for i in 1..256 (index 0 holds
# 0): a constant, because computing it per query through log2() below costs
# far more than the entropy it serves. secretscan_test.rego checks every
# entry against log2().
log2_table := [
	0, 0, 1, 1.584962501, 2, 2.321928095, 2.584962501, 2.807354922,
	3, 3.169925001, 3.321928095, 3.459431619, 3.584962501, 3.700439718, 3.807354922, 3.906890596,
	4, 4.087462841, 4.169925001, 4.247927513, 4.321928095, 4.392317423, 4.459431619, 4.523561956,
	4.584962501, 4.64385619, 4.700439718, 4.754887502, 4.807354922, 4.857980995, 4.906890596, 4.95419631,
	5, 5.044394119, 5.087462841, 5.129283017, 5.169925001, 5.209453366, 5.247927513, 5.285402219,
	5.321928095, 5.357552005, 5.392317423, 5.426264755, 5.459431619, 5.491853096, 5.523561956, 5.554588852,
	5.584962501, 5.614709844, 5.64385619, 5.672425342, 5.700439718, 5.727920455, 5.754887502, 5.781359714,
	5.807354922, 5.832890014, 5.857980995, 5.882643049, 5.906890596, 5.930737338, 5.95419631, 5.977279923,
	6, 6.022367813, 6.044394119, 6.06608919, 6.087462841, 6.108524457, 6.129283017, 6.14974712,
	6.169925001, 6.189824559, 6.209453366, 6.22881869, 6.247927513, 6.266786541, 6.285402219, 6.303780748,
	6.321928095, 6.339850003, 6.357552005, 6.375039431, 6.392317423, 6.409390936, 6.426264755, 6.442943496,
	6.459431619, 6.475733431, 6.491853096, 6.50779464, 6.523561956, 6.539158811, 6.554588852, 6.569855608,
	6.584962501, 6.599912842, 6.614709844, 6.62935662, 6.64385619, 6.658211483, 6.672425342, 6.686500527,
	6.700439718, 6.714245518, 6.727920455, 6.741466986, 6.754887502, 6.768184325, 6.781359714, 6.794415866,
	6.807354922, 6.820178962, 6.832890014, 6.845490051, 6.857980995, 6.87036472, 6.882643049, 6.894817763,
	6.906890596, 6.918863237, 6.930737338, 6.942514505, 6.95419631, 6.965784285, 6.977279923, 6.988684687,
	7, 7.011227255, 7.022367813, 7.033423002, 7.044394119, 7.055282436, 7.06608919, 7.076815597,
	7.087462841, 7.098032083, 7.108524457, 7.118941073, 7.129283017, 7.139551352, 7.14974712, 7.159871337,
	7.169925001, 7.17990909, 7.189824559, 7.199672345, 7.209453366, 7.21916852, 7.22881869, 7.238404739,
	7.247927513, 7.257387843, 7.266786541, 7.276124405, 7.285402219, 7.294620749, 7.303780748, 7.312882955,
	7.321928095, 7.330916878, 7.339850003, 7.348728154, 7.357552005, 7.366322214, 7.375039431, 7.383704292,
	7.392317423, 7.400879436, 7.409390936, 7.417852515, 7.426264755, 7.434628228, 7.442943496, 7.451211112,
	7.459431619, 7.46760555, 7.475733431, 7.483815777, 7.491853096, 7.499845887, 7.50779464, 7.515699838,
	7.523561956, 7.531381461, 7.539158811, 7.54689446, 7.554588852, 7.562242424, 7.569855608, 7.577428828,
	7.584962501, 7.592457037, 7.599912842, 7.607330314, 7.614709844, 7.622051819, 7.62935662, 7.636624621,
	7.64385619, 7.651051691, 7.658211483, 7.665335917, 7.672425342, 7.6794801, 7.686500527, 7.693486957,
	7.700439718, 7.707359132, 7.714245518, 7.721099189, 7.727920455, 7.73470962, 7.741466986, 7.74819285,
	7.754887502, 7.761551232, 7.768184325, 7.77478706, 7.781359714, 7.787902559, 7.794415866, 7.8008999,
	7.807354922, 7.813781191, 7.820178962, 7.826548487, 7.832890014, 7.839203788, 7.845490051, 7.851749041,
	7.857980995, 7.864186145, 7.87036472, 7.876516947, 7.882643049, 7.888743249, 7.894817763, 7.900866808,
	7.906890596, 7.912889336, 7.918863237, 7.924812504, 7.930737338, 7.936637939, 7.942514505, 7.948367232,
	7.95419631, 7.960001932, 7.965784285, 7.971543554, 7.977279923, 7.982993575, 7.988684687, 7.994353437,
	8,
]

_ln2 := 0.6931471805599453

# log2(x) for 1 <= x < 2^62. Rego has no logarithm builtin, so: write
# x = m * 2^e with 1 <= m < 2 (e counted with bit shifts), then
# ln(m) = 2 * atanh(y) = 2 * (y + y^3/3 + y^5/5 + ...), y = (m-1)/(m+1) <= 1/3.
# Nine terms leave an error below 2 * (1/3)^19 / 19 / ln 2, about 1.3e-10.
log2(x) := e + (_ln_mantissa(x / bits.lsh(1, e)) / _ln2) if {
	x >= 1
	e := count([k | some k in numbers.range(1, 61); bits.lsh(1, k) <= x])
}

_ln_mantissa(m) := 2 * sum([t | some k in [1, 3, 5, 7, 9, 11, 13, 15, 17]; t := _pow(y, k) / k]) if {
	y := (m - 1) / (m + 1)
}

_pow(y, k) := product([y | some _ in numbers.range(1, k)])
