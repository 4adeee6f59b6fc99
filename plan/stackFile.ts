/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program: project defaults from
 * Pulumi.yaml, then Pulumi.<stack>.yaml; keys without a namespace get the project's; structured
 * values as JSON. Secure values are never decrypted: they become "[secret]" and are marked secret.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseJsonOrString } from "../facts/json";

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

/** A `-c` path: `cluster.defaultCapacity`, `services.api.routes[0].host`. */
function pathSegments(path: string, flag: string): (string | number)[] {
    const segments: (string | number)[] = [];
    const pattern = /\.([^.[\]]+)|\[(\d+)\]/gy;
    let read = 0;
    for (let match = pattern.exec(path); match !== null; match = pattern.exec(path)) {
        segments.push(match[1] ?? Number(match[2]));
        read = pattern.lastIndex;
    }
    if (read !== path.length || segments.length === 0) {
        throw new Error(`-c ${flag}: ${JSON.stringify(path)} is not a path; write key.field or key.list[0].field`);
    }
    return segments;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Objects merge key by key at every depth; lists and scalars replace; null removes the key. */
function mergeValue(base: unknown, override: unknown): unknown {
    if (!isObject(base) || !isObject(override)) return override;
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        if (value === null) delete merged[key];
        else merged[key] = mergeValue(merged[key], value);
    }
    return merged;
}

function setAt(root: unknown, segments: readonly (string | number)[], value: unknown): unknown {
    const [head, ...rest] = segments;
    const container: Record<string | number, unknown> | unknown[] =
        typeof head === "number" ? (Array.isArray(root) ? [...root] : []) : isObject(root) ? { ...root } : {};
    const next = rest.length === 0 ? mergeValue((container as Record<string | number, unknown>)[head], value) : undefined;
    if (rest.length === 0 && value === null) {
        if (Array.isArray(container)) container.splice(Number(head), 1);
        else delete (container as Record<string, unknown>)[head];
    } else {
        const child = isObject(root) || Array.isArray(root) ? (root as Record<string | number, unknown>)[head] : undefined;
        (container as Record<string | number, unknown>)[head] = rest.length === 0 ? next : setAt(child, rest, value);
    }
    return container;
}

/**
 * Applies `-c` pairs the way the stack file would read them: a value is YAML (`448`, `ec2`,
 * `{ reservation: 224, limit: 448 }`); `key.path=value` sets one field inside a structured key; an
 * object merges into the key's object (`-c 'cluster={ defaultCapacity: ec2 }'` keeps
 * `containerInsights`); `null` removes a field (`-c services.docs=null`). Keys without a namespace
 * are the project's. Returns the changed full keys with their new config text.
 */
export function applyConfigOverrides(
    config: Readonly<Record<string, string>>,
    project: string,
    pairs: readonly (readonly [string, string])[],
): Record<string, string> {
    const changed: Record<string, string> = {};
    for (const [flag, text] of pairs) {
        const qualified = /^[^.[]*:/.test(flag) ? flag : `${project}:${flag}`;
        const keyEnd = qualified.slice(qualified.indexOf(":")).search(/[.[]/);
        const key = keyEnd < 0 ? qualified : qualified.slice(0, qualified.indexOf(":") + keyEnd);
        const stored = changed[key] ?? config[key];
        const current = stored === undefined ? undefined : parseJsonOrString(stored);
        let parsed: unknown;
        try {
            parsed = YAML.parse(text);
        } catch {
            parsed = text;
        }
        let next: unknown;
        if (keyEnd < 0) {
            // A plain value stays the text given, as `pulumi config set` stores it.
            next = isObject(parsed) ? mergeValue(current, parsed) : Array.isArray(parsed) ? parsed : text;
        } else {
            next = setAt(current, pathSegments(qualified.slice(key.length), flag), parsed);
        }
        changed[key] = typeof next === "string" ? next : JSON.stringify(next);
    }
    return changed;
}
