/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program: project defaults from
 * Pulumi.yaml, then Pulumi.<stack>.yaml; keys without a namespace get the project's; structured
 * values as JSON. Secure values are never decrypted: they become "[secret]" and are marked secret.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    /** Full key (`fleet:network`) → value as the runtime sees it (JSON for structured values). */
    readonly config: Record<string, string>;
    /**
     * The values the program receives: `config`, except that a top-level secure value becomes a
     * placeholder carrying a fingerprint of its ciphertext (`[secret a1b2c3d4e5f6]`). It is still
     * marked secret and never shown, but re-setting a secret changes what resources receive, as
     * a real deploy would (a new SSM parameter version, so its readers roll).
     */
    readonly runtimeConfig: Record<string, string>;
    readonly secretKeys: string[];
    readonly region: string;
}

export const secretPlaceholder = "[secret]";

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/** Structured values keep their shape; a nested secure value is masked but marks the whole key secret. */
function render(value: unknown): { text: string; secret: boolean } {
    if (isSecure(value)) return { text: secretPlaceholder, secret: true };
    if (typeof value === "string") return { text: value, secret: false };
    let secret = false;
    const masked = JSON.parse(JSON.stringify(value), (_key, v) => {
        if (isSecure(v)) {
            secret = true;
            return secretPlaceholder;
        }
        return v;
    });
    return { text: JSON.stringify(masked), secret };
}

/** A short, non-reversible fingerprint of a secure value's ciphertext (already public in the stack file). */
function fingerprint(ciphertext: unknown): string {
    return createHash("sha256").update(String(ciphertext)).digest("hex").slice(0, 12);
}

export function readStackConfig(root: string, stack: string): StackConfig {
    const projectFile = path.join(root, "Pulumi.yaml");
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const stacks = fs.readdirSync(root).flatMap((f) => (/^Pulumi\.(.+)\.yaml$/.exec(f) ?? []).slice(1));
        throw new Error(`no stack file Pulumi.${stack}.yaml (stacks here: ${stacks.join(", ") || "none"})`);
    }
    const projectDoc = YAML.parse(fs.readFileSync(projectFile, "utf8")) ?? {};
    const project = String(projectDoc.name);
    const qualify = (key: string) => (key.includes(":") ? key : `${project}:${key}`);

    const config: Record<string, string> = {};
    const runtimeConfig: Record<string, string> = {};
    const secretKeys = new Set<string>();
    // Project-level defaults: `key: { default: value }` or `key: { value: value }` or a plain value.
    for (const [key, declaration] of Object.entries<unknown>(projectDoc.config ?? {})) {
        const decl = declaration as Record<string, unknown> | undefined;
        const value =
            decl && typeof decl === "object" && !Array.isArray(decl) && ("default" in decl || "value" in decl)
                ? (decl.value ?? decl.default)
                : declaration;
        if (value === undefined) continue;
        config[qualify(key)] = render(value).text;
        runtimeConfig[qualify(key)] = config[qualify(key)];
    }
    const stackDoc = YAML.parse(fs.readFileSync(stackFile, "utf8")) ?? {};
    for (const [key, value] of Object.entries<unknown>(stackDoc.config ?? {})) {
        const rendered = render(value);
        config[qualify(key)] = rendered.text;
        runtimeConfig[qualify(key)] = isSecure(value) ? `[secret ${fingerprint((value as { secure: unknown }).secure)}]` : rendered.text;
        if (rendered.secret) secretKeys.add(qualify(key));
        else secretKeys.delete(qualify(key));
    }
    const region = config["aws:region"];
    if (!region) throw new Error(`Pulumi.${stack}.yaml sets no aws:region`);
    return { project, stack, config, runtimeConfig, secretKeys: [...secretKeys].sort(), region };
}
