/**
 * The local stack's secrets. On AWS every secret reaches its container from SSM Parameter Store or
 * Secrets Manager; here there is no account to read them from, so their values live in one file on
 * this machine, `secrets.env` beside compose.yaml, which is never committed:
 *
 * - a `generate` secret gets a value of its length on the first run, kept afterwards;
 * - a `fromConfig` secret is read from it by its config key (one value for every service that
 *   names the key, as the stack file holds one), an `existing` one by its parameter name or ARN;
 *   a value it lacks is asked for on a terminal, else the command stops and says which line to add.
 *
 * Compose reads each service's own values from `secrets/<service>.env` (written from that file), so
 * a container gets its own secrets and compose.yaml holds none.
 */
import { randomInt } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ResolvedFleet, ResolvedSecret } from "../model/fleet";
import { LocalError } from "./stack";

/** The file of values, beside compose.yaml. */
export const secretsFileName = "secrets.env";
/** The folder of each service's env file, beside compose.yaml. */
export const serviceSecretsDir = "secrets";

/** One secret variable of one service, and where its local value is kept. */
export interface SecretSlot {
    readonly service: string;
    readonly variable: string;
    /** Its key in secrets.env. */
    readonly key: string;
    /** A `generate` secret's length: made here when the file lacks it. */
    readonly generate?: number;
    /** The source as the catalog writes it, for messages. */
    readonly source: string;
    /** Where its real value is, for a secret that is asked for. */
    readonly whereFrom?: string;
}

function slot(service: string, secret: ResolvedSecret, stack: string): SecretSlot {
    const base = { service, variable: secret.name };
    switch (secret.source) {
        case "generate":
            return { ...base, key: `${service}.${secret.name}`, generate: secret.length, source: `generate (length ${secret.length})` };
        case "config":
            return {
                ...base,
                key: secret.configKey,
                source: `fromConfig ${secret.configKey}`,
                whereFrom: `pulumi config get ${secret.configKey} -s ${stack}`,
            };
        case "existing":
            return {
                ...base,
                key: secret.parameter,
                source: `existing ${secret.parameter}`,
                whereFrom: `aws ssm get-parameter --with-decryption --name ${secret.parameter} --query Parameter.Value --output text`,
            };
        case "secretsManager":
            return {
                ...base,
                key: secret.key ? `${secret.secretArn}#${secret.key}` : secret.secretArn,
                source: `existing ${secret.secretArn}${secret.key ? ` key ${secret.key}` : ""}`,
                whereFrom:
                    `aws secretsmanager get-secret-value --secret-id ${secret.secretArn} --query SecretString --output text` +
                    (secret.key ? ` (its JSON key ${secret.key})` : ""),
            };
    }
}

/** Every secret of the stack's services, in service then variable order. */
export function secretSlots(fleet: ResolvedFleet): SecretSlot[] {
    return fleet.services.flatMap((service) => service.secrets.map((secret) => slot(service.name, secret, fleet.stack)));
}

/** secrets.env's lines: `KEY=value`, the value as it is to the end of the line; `#` comments and blank lines skipped. */
export function parseSecretsFile(text: string): Map<string, string> {
    const values = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
        if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
        const at = line.indexOf("=");
        if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1));
    }
    return values;
}

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** A value as the stack generates one (infra/task.ts: a random password of letters and digits). */
export function generateValue(length: number): string {
    return Array.from({ length }, () => alphanumeric[randomInt(alphanumeric.length)]).join("");
}

/**
 * What an env file cannot carry alike in Compose v1 (python-dotenv expands `${...}` even inside
 * single quotes) and v2 (single quotes are literal): every other character is written inside
 * single quotes and read back as it is.
 */
function unsafe(value: string): string | undefined {
    if (value.includes("'")) return "a single quote";
    if (value.includes("\\")) return "a backslash";
    if (value.includes("${")) return "${";
    if (/[\r\n]/.test(value)) return "a line break";
    return undefined;
}

const who = (slots: readonly SecretSlot[]) => slots.map((s) => `service "${s.service}" secret ${s.variable}`).join(", ");

/** Asks for one value on a terminal; undefined when nothing was typed. */
export type Ask = (prompt: string) => Promise<string | undefined>;

export interface SettledSecrets {
    /** Every key's value: those the stack uses, then those the file kept for other stacks. */
    readonly values: ReadonlyMap<string, string>;
    readonly slots: readonly SecretSlot[];
}

/**
 * The value of every secret of the fleet: from the file's `existing` values, generated, or asked
 * for (`ask`, on a terminal). Throws one LocalError naming every secret still without a value, and
 * each value Compose would read differently.
 */
export async function settleSecrets(
    fleet: ResolvedFleet,
    existing: ReadonlyMap<string, string>,
    file: string,
    ask?: Ask,
): Promise<SettledSecrets> {
    const slots = secretSlots(fleet);
    const byKey = new Map<string, SecretSlot[]>();
    for (const s of slots) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
    const values = new Map<string, string>();
    const missing: string[] = [];
    for (const [key, users] of byKey) {
        const first = users[0];
        let value = existing.get(key) || undefined;
        if (value === undefined && first.generate !== undefined) value = generateValue(first.generate);
        if (value === undefined && ask) value = (await ask(`${who(users)} (${first.source}): value, kept in ${file}: `)) || undefined;
        if (value === undefined) {
            missing.push(
                `  - ${who(users)} (${first.source}) has no local value: add the line ${key}=<value> to ${file}` +
                    `${first.whereFrom ? ` (its value on AWS: ${first.whereFrom})` : ""}, ` +
                    "or run the command in a terminal to be asked for it",
            );
            continue;
        }
        const problem = unsafe(value);
        if (problem) {
            missing.push(
                `  - ${who(users)} (${first.source}): the local value of ${key} in ${file} has ${problem}, which Compose v1 and v2 ` +
                    `read differently from an env file; use a local value without quotes, backslashes, \${ or line breaks`,
            );
            continue;
        }
        values.set(key, value);
    }
    if (missing.length > 0)
        throw new LocalError(
            [`${missing.length} secret(s) without a local value Compose can read; nothing was written:`, ...missing].join("\n"),
        );
    for (const [key, value] of existing) if (!values.has(key)) values.set(key, value);
    return { values, slots };
}

/** secrets.env's text: each value the stack uses under a comment naming who reads it, then the values kept for other stacks. */
export function secretsFileText(settled: SettledSecrets): string {
    const byKey = new Map<string, SecretSlot[]>();
    for (const s of settled.slots) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
    const lines = [
        "# The local stack's secret values (npm run local): one KEY=value a line, the value as it is to the end of the line.",
        "# It stays on this machine: never commit it. A generate secret is made on the first run; delete its line for a new one.",
    ];
    for (const [key, users] of byKey) lines.push("", `# ${who(users)}: ${users[0].source}`, `${key}=${settled.values.get(key)}`);
    const others = [...settled.values].filter(([key]) => !byKey.has(key));
    if (others.length > 0) lines.push("", "# Not read by this stack's services: kept for another.", ...others.map(([k, v]) => `${k}=${v}`));
    return `${lines.join("\n")}\n`;
}

/** Each service's env file (`VAR='value'`), by service name. */
export function serviceSecretFiles(settled: SettledSecrets): Map<string, string> {
    const files = new Map<string, string[]>();
    for (const s of settled.slots) {
        const lines = files.get(s.service) ?? [
            `# ${s.service}'s secrets for the local stack, from ../${secretsFileName}: npm run local rewrites it.`,
        ];
        lines.push(`${s.variable}='${settled.values.get(s.key)}'`);
        files.set(s.service, lines);
    }
    return new Map([...files].map(([service, lines]) => [service, `${lines.join("\n")}\n`]));
}

/** Reads secrets.env in `dir`, if there is one. */
export function readSecretsFile(dir: string): Map<string, string> {
    const file = path.join(dir, secretsFileName);
    return fs.existsSync(file) ? parseSecretsFile(fs.readFileSync(file, "utf8")) : new Map();
}

/** Writes secrets.env and the services' env files (readable by this user alone), and removes those of services gone. */
export function writeSecrets(dir: string, settled: SettledSecrets): Map<string, string> {
    fs.mkdirSync(dir, { recursive: true });
    // Kept out of any repository `dir` is in, whatever the caller's ignore files say.
    fs.writeFileSync(path.join(dir, ".gitignore"), `${secretsFileName}\n${serviceSecretsDir}/\n`);
    const secretsFile = path.join(dir, secretsFileName);
    fs.writeFileSync(secretsFile, secretsFileText(settled), { mode: 0o600 });
    fs.chmodSync(secretsFile, 0o600);
    const folder = path.join(dir, serviceSecretsDir);
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const files = serviceSecretFiles(settled);
    for (const name of fs.readdirSync(folder)) {
        if (name.endsWith(".env") && !files.has(name.slice(0, -".env".length))) fs.rmSync(path.join(folder, name));
    }
    const relative = new Map<string, string>();
    for (const [service, text] of files) {
        const file = path.join(folder, `${service}.env`);
        fs.writeFileSync(file, text, { mode: 0o600 });
        fs.chmodSync(file, 0o600);
        relative.set(service, `${serviceSecretsDir}/${service}.env`);
    }
    return relative;
}
