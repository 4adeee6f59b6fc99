/**
 * The bad situations ops meets are product paths: each becomes one line naming what is missing
 * and how to fix it, never a stack trace.
 */

/** A problem ops explains in one line; the CLI prints the message and exits 2. */
export class OpsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OpsError";
    }
}

const policyHint = "the read-only policy ops needs is in docs/ops.md, section The read-only policy";

/** One line for an error the AWS SDK (or the network under it) threw while calling `action`. */
export function describeAwsError(error: unknown, action: string, endpoint: string): string {
    const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const name = e?.name ?? "";
    const message = (e?.message ?? String(error)).split("\n")[0];
    if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
        return (
            `no AWS credentials found for ${action}: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), ` +
            `or run where a role is available; ${policyHint}`
        );
    }
    if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
        return `AWS denied ${action}: ${message}; grant it to this identity (${policyHint})`;
    }
    if (/UnrecognizedClient|InvalidClientTokenId|InvalidSignature|SignatureDoesNotMatch/i.test(name)) {
        return `AWS rejected the credentials for ${action} (${name}): check AWS_PROFILE or the access keys`;
    }
    if (/ExpiredToken/i.test(name)) return `the AWS session expired during ${action}: log in again (aws sso login, or new keys)`;
    const code = e?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || name === "TimeoutError") {
        return `cannot reach AWS at ${endpoint} for ${action} (${code ?? name}): check the network, the region, or AWS_ENDPOINT_URL`;
    }
    return `${action} failed: ${name ? `${name}: ` : ""}${message}`;
}
