package webhook

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// noPrefixHint ends every refusal of a whsec_ secret.
const noPrefixHint = "; Standard Webhooks libraries decode what follows whsec_ as base64 " +
	"(to use the text itself as the key, leave out the whsec_ prefix)"

// CheckSecret reports why secret cannot be a webhookSecret, or nil.
//
//   - It must have a character other than whitespace, and no whitespace at
//     either end: a receiver that reads it from a file or an environment
//     variable would likely hold other bytes.
//   - "whsec_" must be followed by a key in canonical, padded standard
//     base64 (what base64-encoding the key gives back), at least one byte.
//     That is the only spelling every Standard Webhooks library decodes to
//     the same key: npm standardwebhooks accepts unpadded text and ignores
//     padding bits and a dangling character, Python's ignores characters
//     outside the alphabet, Go's ignores line breaks, and each would then
//     fail every signature ogmint sends.
//
// Any other secret is used as its UTF-8 bytes (StandardKey).
func CheckSecret(secret string) error {
	switch {
	case !utf8.ValidString(secret):
		return fmt.Errorf("not valid UTF-8")
	case strings.TrimSpace(secret) == "":
		return fmt.Errorf("must not be empty or only whitespace")
	case strings.TrimSpace(secret) != secret:
		return fmt.Errorf("must not start or end with whitespace")
	}
	rest, ok := strings.CutPrefix(secret, standardSecretPrefix)
	if !ok {
		return nil
	}
	if err := checkBase64Key(rest); err != nil {
		return fmt.Errorf("%v%s", err, noPrefixHint)
	}
	return nil
}

// checkBase64Key explains why s is not a canonical, padded standard base64
// encoding of a non-empty key, or returns nil.
func checkBase64Key(s string) error {
	if s == "" {
		return fmt.Errorf("whsec_ must be followed by the base64 key")
	}
	for i, r := range s {
		if !isBase64Char(r) && r != '=' {
			return fmt.Errorf("after whsec_, %q at offset %d is not a base64 character (A-Z a-z 0-9 + / and = padding)", r, i)
		}
	}
	if len(s)%4 != 0 {
		return fmt.Errorf("after whsec_, the base64 key must be padded with = to a multiple of 4 characters (it has %d)", len(s))
	}
	key, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(key) != s {
		return fmt.Errorf("after whsec_, the base64 key is not canonical: misplaced = or non-zero padding bits")
	}
	return nil
}

func isBase64Char(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/'
}
