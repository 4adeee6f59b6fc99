/**
 * Secrets Manager secrets a catalog entry names: a secret injected into the container
 * (`secrets.<NAME>: { existing: "<ARN>", key? }`) and a private registry's credentials
 * (`credentials: "<ARN>"`). Pure: what fleet accepts, why not, and the `valueFrom` ECS reads.
 *
 * Only complete ARNs are accepted, the name followed by the `-` and six characters Secrets
 * Manager appends to it. The execution role may then read exactly that secret: a partial ARN
 * would need `<arn>-??????` in IAM, a wildcard the policy pack's FLEET.secret-scope refuses and
 * that matches whichever secret takes the name next (a secret deleted and created again gets a
 * new suffix). ECS documents the full ARN for `valueFrom`, and Secrets Manager documents partial
 * ARNs as ambiguous ("Finding a secret from a partial ARN"). A name that itself ends in a hyphen
 * and six letters or digits reads as complete; the program reads the secret's versions by that
 * ARN at preview, so such a mistake stops the preview with Secrets Manager's "not found".
 */
import { secretArnParts } from "./awsNames";
import type { ProblemCode } from "./problemCodes";

/** The `{ code, problem, fix }` of a value that is not what a field takes. */
export interface Mistake {
    readonly code: ProblemCode;
    readonly problem: string;
    readonly fix: string;
}

/** The problem of a value that is no Secrets Manager ARN at all. */
export const notSecretArn = "is not a Secrets Manager secret ARN";

/** How to ask Secrets Manager for a secret's full ARN. */
const describeSecret = (name: string, region?: string) =>
    `aws secretsmanager describe-secret --secret-id ${name}${region ? ` --region ${region}` : ""} --query ARN`;

/** The form of a full ARN, as a fix writes it. */
const fullArnForm = "arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>";

/**
 * Why `value` is not the complete ARN of a Secrets Manager secret, or undefined when it is.
 * `field` is the catalog field that takes it (`existing`, `credentials`): the fix writes it, and
 * with `takesKey` moves a JSON key written after the ARN (`<arn>:<json-key>::`) to `key`.
 */
export function secretArnMistake(value: string, field: string, takesKey: boolean): Mistake | undefined {
    const parts = secretArnParts(value);
    if (!parts) {
        return {
            code: "secrets/not-a-secret-arn",
            problem: notSecretArn,
            fix: `give the secret's full ARN, ${fullArnForm} (${describeSecret("<name>")})`,
        };
    }
    if (parts.fields) {
        const { key, versionStage, versionId } = parts.fields;
        const split = takesKey && key !== "" ? `, key: "${key}"` : "";
        const pinned = versionStage !== "" || versionId !== "" ? " (fleet injects the secret's current version, AWSCURRENT)" : "";
        return {
            code: "secrets/secret-arn-with-value-from-fields",
            problem: "ends with the :<json-key>:<version-stage>:<version-id> fields of an ECS valueFrom, which fleet writes itself",
            fix: `write ${field}: "${parts.arn}"${split}${pinned}`,
        };
    }
    if (!parts.complete) {
        return {
            code: "secrets/partial-secret-arn",
            problem:
                "is a partial ARN: it lacks the - and six characters Secrets Manager appends to the secret's name, " +
                "so no IAM statement could name exactly this secret",
            fix: `give the full ARN, which ${describeSecret(parts.name, parts.region)} prints`,
        };
    }
    return undefined;
}

/** A JSON key ECS can select: not empty, no `:` (which separates the fields of `valueFrom`), no control characters. */
export const jsonKeyPattern = /^[^:\u0000-\u001f\u007f]+$/;

/**
 * What ECS reads for a Secrets Manager secret (`secrets[].valueFrom`): the whole secret's ARN, or
 * `<arn>:<json-key>::` for one top-level key of its JSON, with the version fields left empty so
 * ECS injects the current version (AWSCURRENT). ECS developer guide, "Pass Secrets Manager secrets
 * through Amazon ECS environment variables".
 */
export function secretsManagerValueFrom(secret: { readonly secretArn: string; readonly key?: string }): string {
    return secret.key === undefined ? secret.secretArn : `${secret.secretArn}:${secret.key}::`;
}
