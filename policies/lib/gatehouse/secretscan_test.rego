# Unit tests of lib.gatehouse.secretscan: the log2 series and table, entropy,
# class transitions, known formats, names, assignments and the entropy test's
# false-positive guards.
package lib.gatehouse.secretscan_test

import rego.v1

import data.lib.gatehouse.secretscan

p := secretscan.defaults

approx(a, b) if abs(a - b) < 0.000001

rules(value) := {f.rule | some f in secretscan.scan_text(value, p)}

test_log2_series if {
	approx(secretscan.log2(1), 0)
	approx(secretscan.log2(2), 1)
	approx(secretscan.log2(3), 1.584962500721156)
	approx(secretscan.log2(10), 3.321928094887362)
	approx(secretscan.log2(255), 7.994353436858858)
	approx(secretscan.log2_table[64], 6)
}

test_log2_table_matches_series if {
	secretscan.log2_table[0] == 0
	count(secretscan.log2_table) == 257
	every i in numbers.range(1, 256) {
		abs(secretscan.log2_table[i] - secretscan.log2(i)) < 0.000000002
	}
}

test_entropy if {
	approx(secretscan.entropy("aaaa"), 0)
	approx(secretscan.entropy("abab"), 1)
	approx(secretscan.entropy("abcd"), 2)

	# matches -sum p log2 p computed independently for this string
	approx(secretscan.entropy("MyApplicationConfiguration2024"), 4.056564758401962)
}

test_class_transitions if {
	secretscan.class_transition_ratio("aB1") == 1
	secretscan.class_transition_ratio("abcDEF") == 0.2
}

test_known_formats if {
	rules("key AKIAIOSFODNN7EXAMPLE here") == {"aws-access-key-id"}
	rules("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----") == {"private-key"}
	rules("-----BEGIN OPENSSH PRIVATE KEY-----") == {"private-key"}
	rules("ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3poR2d2") == {"github-token"}
	rules("xoxb-123456789012-abcdefABCDEF") == {"slack-token"}
	rules("xoxp-123456789012-abcdefABCDEF") == {"slack-token"}
}

test_known_format_suppresses_entropy if {
	v := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----"
	rules(v) == {"private-key"}
}

test_known_format_and_entropy_together if {
	rules("aws = AKIAIOSFODNN7EXAMPLE\nseed: q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2") == {"aws-access-key-id", "high-entropy"}

	# a token that is a known format is not counted again as high-entropy
	rules("ghp_q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2abcd") == {"github-token"}
}

test_entropy_candidates_are_bounded if {
	random := "q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2"

	# repetitive tokens pass the cheap tests but not the entropy test
	value := concat(" ", ["Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ab1", "Cd2Cd2Cd2Cd2Cd2Cd2Cd2Cd2", random])
	count(secretscan.high_entropy_tokens(value, p)) == 1
	count(secretscan.high_entropy_tokens(value, object.union(p, {"maxEntropyTokens": 2}))) == 0
}

test_high_entropy if {
	rules("seed=q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2") == {"high-entropy"}
	rules("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == {"high-entropy"}
}

test_not_random_looking if {
	# CamelCase words, hex digests, UUIDs, paths, short strings
	rules("PaymentsApiServiceConfiguration2024") == set()
	rules("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") == set()
	rules("123e4567-e89b-12d3-a456-426614174000") == set()
	rules("/usr/local/lib/python3.11/site-packages") == set()
	rules("Ab1Cd2Ef3") == set()
}

test_public_keys_are_not_secrets if {
	cert := "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\nRTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD\n-----END CERTIFICATE-----\n"
	rules(cert) == set()
	rules("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2 ops@example.com") == set()
}

test_assignments if {
	rules("[db]\npassword = s3cr3t-Hunter2\n") == {"assignment"}
	rules(`{"api_key": "abcd1234"}`) == {"assignment"}
	rules("password: ${DB_PASSWORD}") == set()
	rules("password: true") == set()
	rules("token_endpoint: https://idp.example.com/token") == set()
	rules("secretName: payments-db") == set()
}

test_secret_names if {
	secretscan.secret_name("DB_PASSWORD")
	secretscan.secret_name("apiKey")
	secretscan.secret_name("DBPassword")
	secretscan.secret_name("client-secret")
	secretscan.secret_name("GITHUB_TOKEN")
	secretscan.secret_name("AWS_SECRET_ACCESS_KEY")
	not secretscan.secret_name("PASSWORD_FILE")
	not secretscan.secret_name("TOKEN_URL")
	not secretscan.secret_name("secretName")
	not secretscan.secret_name("LOG_LEVEL")
	not secretscan.secret_name("TOKENIZER_MODEL")
	not secretscan.secret_name("AWS_ACCESS_KEY_ID")
}

test_literal if {
	secretscan.literal("hunter2")
	not secretscan.literal("")
	not secretscan.literal("$(DB_PASSWORD)")
	not secretscan.literal("${DB_PASSWORD}")
	not secretscan.literal("<changeme>")
	not secretscan.literal("false")
	not secretscan.literal(null)
}

test_allow_and_extra_patterns if {
	q := object.union(p, {"allowPatterns": ["EXAMPLE"], "extraPatterns": {"acme": {"regex": `acme_[0-9]{8}`, "what": "an ACME key"}}})
	{f.rule | some f in secretscan.scan("AKIAIOSFODNN7EXAMPLE", q)} == set()
	{f.what | some f in secretscan.scan("k=acme_12345678", q)} == {"an ACME key"}
}

test_entropy_can_be_disabled if {
	count(secretscan.scan("q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2", object.union(p, {"entropy": false}))) == 0
}

test_redact_never_shows_the_secret if {
	secretscan.redact("q7Xk2Lp9Vw4Zr8Tn3Jb6Hy1Fd5Gs0Mc2") == "q7Xk...(32 chars)"
}
