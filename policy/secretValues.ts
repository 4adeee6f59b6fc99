/**
 * Whether a plain environment value looks like a credential, whatever its name (control ECS.8).
 * The patterns are those secret scanners agree on (GitHub secret scanning, gitleaks,
 * detect-secrets): a URL carrying a password, an AWS access key id, a PEM private key, and a long
 * token random enough to be a key. Hex strings are left alone: commit SHAs and content hashes are
 * ordinary configuration. Pure, so the policy pack loads it from its own directory.
 */

/** `scheme://user:password@host`: the userinfo of RFC 3986 with a non-empty password. */
const urlWithPassword = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;
/** IAM access key ids: AKIA (long-term), ASIA (temporary), and the other documented prefixes, 20 characters. */
const awsAccessKeyId = /\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/;
/** PEM private keys of every kind (RSA, EC, OPENSSH, ENCRYPTED, plain PKCS#8). */
const privateKeyBlock = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/;
/** A token of base64/base64url characters: the unit the entropy is measured on. */
const tokenPattern = /[A-Za-z0-9+/=_-]{32,}/g;
/** Bits per character above which a 32+ character token is taken for random (detect-secrets uses 4.5 for base64). */
export const tokenEntropyThreshold = 4.2;

/** Shannon entropy of a string's characters, in bits per character. */
export function shannonEntropy(text: string): number {
    const counts = new Map<string, number>();
    for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
    let bits = 0;
    for (const count of counts.values()) {
        const p = count / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/** A random key: long, of mixed letter case and digits, not hex, with high entropy. */
function isRandomToken(token: string): boolean {
    if (/^[0-9a-fA-F]+$/.test(token)) return false;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(token)).length;
    return classes === 3 && shannonEntropy(token) >= tokenEntropyThreshold;
}

/** What the value looks like when it looks like a credential ("a URL with a password"), else undefined. Never the value. */
export function secretLikeValue(value: string): string | undefined {
    if (urlWithPassword.test(value)) return "a URL with a password";
    if (awsAccessKeyId.test(value)) return "an AWS access key id";
    if (privateKeyBlock.test(value)) return "a private key";
    if ((value.match(tokenPattern) ?? []).some(isRandomToken)) return "a long random token";
    return undefined;
}
