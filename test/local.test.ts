/**
 * The local stack (`npm run local`): compose.yaml is the task definitions' containers under the
 * services' own names, with an HAProxy router; haproxy.cfg is the plan's listener rules in order;
 * secrets come from a file that stays on the machine; a real Compose (`docker-compose config`) and
 * a real HAProxy (`haproxy -c`) accept both, skipped with the reason where they are not installed.
 * (Routing itself is held to the plan's model by test/localParity.test.ts.)
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as YAML from "yaml";
import { main, writeLocalStack } from "../local/cli";
import { installHint } from "../local/compose-runner";
import { composeFile, ComposeFile, composeYaml } from "../local/compose";
import { globPattern, haproxyConfig, localHost, notFoundResponse, statusPattern } from "../local/haproxy";
import { parseSecretsFile, secretSlots } from "../local/secrets";
import { loadCatalog, LocalError, resolveLocalFleet } from "../local/stack";
import { Catalog } from "../model/catalog";
import { ResolvedFleet } from "../model/fleet";
import { resolveFleet } from "../model/resolve";
import { fixtureCatalog, projectRoot } from "./support/fixtures";
import { fleetInput } from "./support/fleetInput";
import { localFixtureRoot, localStack, noDockerCompose, noHaproxy, tempDir } from "./support/local";

const catalogModule = fixtureCatalog("catalogLocal.ts");
const secretsFor = (dir: string, lines: string) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "secrets.env"), lines);
};
/** The values the fixture fleet asks for (its fromConfig and existing secrets). */
const fixtureSecrets = "localPassword=pw $1\n/shared/third-party/token=token\n";

const shippedStacks = fs
    .readdirSync(projectRoot)
    .flatMap((f) => (/^Pulumi\.(.+)\.yaml$/.exec(f) ?? []).slice(1))
    .sort();

/** Writes the local stack of the shipped catalog on `stack` into a new folder, every secret given a value. */
async function shippedLocalStack(stack: string): Promise<string> {
    const catalog = path.join(projectRoot, "services", "index.ts");
    const fleet = resolveLocalFleet(projectRoot, stack, loadCatalog(catalog));
    const out = tempDir(`local-${stack}`);
    secretsFor(
        out,
        secretSlots(fleet)
            .map((s) => `${s.key}=value`)
            .join("\n"),
    );
    await writeLocalStack({ root: projectRoot, stack, catalog, outDir: out, port: 8080 });
    return out;
}

describe("compose.yaml", () => {
    let root: string;
    let fleet: ResolvedFleet;
    let compose: ComposeFile;
    before(() => {
        root = localFixtureRoot();
        fleet = resolveLocalFleet(root, localStack, loadCatalog(catalogModule));
        const secretFiles = new Map(["api", "report", "web"].map((s) => [s, `secrets/${s}.env`]));
        compose = composeFile(fleet, { root, outDir: path.join(root, ".fleet", "local"), port: 8081, secretFiles });
    });

    it("has one compose service per service of the stack, under its own name, then the router and the volumes' helper", () => {
        assert.deepEqual(Object.keys(compose.services), [
            "api",
            "cache",
            "report",
            "rpc",
            "stream",
            "web",
            "fleet.router",
            "fleet.volumes",
        ]);
    });

    it("runs each service's container as its task definition describes it, with its secrets from its own env file", () => {
        assert.deepEqual(compose.services.api, {
            build: { context: "../../apps/api", dockerfile: "Dockerfile", args: { NODE_VERSION: "22" } },
            // The connects variables, as Service Connect's names: the compose service names.
            environment: { CACHE_ADDR: "cache:6379", GREETING: "costs $$5", STREAM_URL: "http://stream:8443" },
            env_file: ["secrets/api.env"],
            mem_reservation: "256m",
            mem_limit: "512m",
            cpus: 0.5,
            read_only: true,
            tmpfs: ["/tmp:rw,nosuid,nodev,mode=1777,size=128m"],
            user: "1000:1000",
            cap_drop: ["ALL"],
            security_opt: ["no-new-privileges:true"],
            init: true,
            stop_grace_period: "60s",
            depends_on: {
                cache: { condition: "service_healthy" },
                stream: { condition: "service_started" },
                "fleet.volumes": { condition: "service_completed_successfully" },
            },
            volumes: ["/cache", "efs.shared.api:/var/lib/api"],
            restart: "unless-stopped",
        });
        assert.deepEqual(compose.services.cache.healthcheck, {
            test: ["CMD", "redis-cli", "ping"],
            interval: "15s",
            timeout: "5s",
            retries: 3,
            start_period: "30s",
        });
    });

    it("pulls a cached upstream image from its upstream, and any other image as the task names it", () => {
        const images = Object.fromEntries(["cache", "report", "rpc", "stream", "web"].map((s) => [s, compose.services[s].image]));
        assert.deepEqual(images, {
            cache: "redis:7.4",
            report: "registry.example.net/tools/report:1.0",
            rpc: "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/rpc:2.0.1",
            stream: "ghcr.io/acme/stream:0.9.0",
            web: "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
        });
    });

    it("runs a job only when asked (its profile), keeps a $ of the catalog literal, and lets a server bind its privileged port", () => {
        const report = compose.services.report;
        assert.deepEqual([report.profiles, report.restart, report.command], [["jobs"], "no", ["sh", "-c", "echo report for $$STACK"]]);
        assert.deepEqual(compose.services.web.sysctls, { "net.ipv4.ip_unprivileged_port_start": "80" });
    });

    it("publishes the router on one port of loopback, and gives each EFS volume to its service's user as an access point does", () => {
        assert.deepEqual(compose.services["fleet.router"], {
            image: "haproxy:3.2-alpine",
            read_only: true,
            cap_drop: ["ALL"],
            security_opt: ["no-new-privileges:true"],
            tmpfs: ["/tmp:rw,nosuid,nodev,mode=1777,size=16m"],
            init: true,
            ports: ["127.0.0.1:8081:8080"],
            volumes: ["./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"],
            restart: "unless-stopped",
        });
        assert.deepEqual(compose.services["fleet.volumes"], {
            image: "busybox:1.37",
            command: [
                "sh",
                "-c",
                "chmod 0750 /volumes/efs.shared.api && chown 1000:1000 /volumes/efs.shared.api && " +
                    "chmod 0750 /volumes/efs.shared.report && chown 1000:1000 /volumes/efs.shared.report",
            ],
            user: "0",
            read_only: true,
            cap_drop: ["ALL"],
            security_opt: ["no-new-privileges:true"],
            cap_add: ["CHOWN"],
            network_mode: "none",
            volumes: ["efs.shared.api:/volumes/efs.shared.api", "efs.shared.report:/volumes/efs.shared.report"],
            restart: "no",
        });
        assert.deepEqual(compose.volumes, { "efs.shared.api": {}, "efs.shared.report": {} });
    });

    it("turns off locally what a service opts out of", () => {
        const catalog: Catalog = {
            legacy: {
                image: "nginx:1.27",
                port: 8080,
                memory: { reservation: 64, limit: 128 },
                capacity: "ec2",
                optOut: {
                    readonlyRootFilesystem: "nginx writes its cache under /var/cache/nginx",
                    nonRootUser: "the image switches users in its entrypoint",
                    privileged: "it loads a kernel module at start",
                    initProcess: "the image brings its own init as PID 1",
                    noNewPrivileges: "its entrypoint uses setuid binaries",
                },
            },
        };
        const config = {
            cluster: { defaultCapacity: "fargate", ec2: { instanceType: "m6i.large", minSize: 1, maxSize: 2 } },
            network: { natGateways: "single" },
        };
        const result = resolveFleet(catalog, fleetInput(config));
        if (!result.ok) assert.fail(result.errors.join("\n"));
        const legacy = composeFile(result.fleet, { root, outDir: root, port: 8080, secretFiles: new Map() }).services.legacy;
        assert.deepEqual(
            [legacy.read_only, legacy.tmpfs, legacy.user, legacy.privileged, legacy.init, legacy.cap_drop, legacy.security_opt],
            [false, undefined, undefined, true, false, undefined, undefined],
        );
    });

    it("is YAML that Compose v1 (YAML 1.1) reads back as written: no anchors, `no` stays a string", () => {
        const text = composeYaml(compose, ["a header"]);
        assert.ok(text.startsWith("# a header\n"), text.slice(0, 40));
        assert.doesNotMatch(text, /[&*]a\d/);
        assert.deepEqual(YAML.parse(text, { version: "1.1" }), JSON.parse(JSON.stringify(compose)));
    });
});

describe("docker-compose config accepts compose.yaml", { skip: noDockerCompose }, () => {
    it("of the local fixture fleet, with each service's secrets from its env file", async () => {
        const out = tempDir("local-compose");
        secretsFor(out, fixtureSecrets);
        await writeLocalStack({ root: localFixtureRoot(), stack: localStack, catalog: catalogModule, outDir: out, port: 8080 });
        const run = spawnSync("docker-compose", ["-f", path.join(out, "compose.yaml"), "config"], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const config = YAML.parse(run.stdout, { version: "1.1" });
        assert.deepEqual(Object.keys(config.services).sort(), [
            "api",
            "cache",
            "fleet.router",
            "fleet.volumes",
            "report",
            "rpc",
            "stream",
            "web",
        ]);
        const api = config.services.api.environment;
        // Compose prints a literal $ escaped, as it was written.
        assert.deepEqual([api.DATABASE_PASSWORD, api.THIRD_PARTY_TOKEN, api.GREETING], ["pw $$1", "token", "costs $$5"]);
        assert.match(api.SESSION_KEY, /^[A-Za-z0-9]{32}$/);
        assert.equal(config.services.report.restart, "no");
    });

    for (const stack of shippedStacks) {
        it(`of the shipped catalog on Pulumi.${stack}.yaml`, async () => {
            const out = await shippedLocalStack(stack);
            const run = spawnSync("docker-compose", ["-f", path.join(out, "compose.yaml"), "config", "--quiet"], { encoding: "utf8" });
            assert.equal(run.status, 0, run.stderr);
        });
    }
});

describe("haproxy -c accepts haproxy.cfg, without a warning", { skip: noHaproxy }, () => {
    const check = (file: string) => {
        const run = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.doesNotMatch(run.stdout + run.stderr, /WARNING|ALERT/);
    };

    it("of the local fixture fleet (HTTP/2 and gRPC servers, wildcard hosts)", async () => {
        const out = tempDir("local-haproxy");
        secretsFor(out, fixtureSecrets);
        await writeLocalStack({ root: localFixtureRoot(), stack: localStack, catalog: catalogModule, outDir: out, port: 8080 });
        check(path.join(out, "haproxy.cfg"));
    });

    for (const stack of shippedStacks) {
        it(`of the shipped catalog on Pulumi.${stack}.yaml`, async () => check(path.join(await shippedLocalStack(stack), "haproxy.cfg")));
    }
});

describe("haproxy.cfg", () => {
    let fleet: ResolvedFleet;
    let config: string;
    before(() => {
        fleet = resolveLocalFleet(localFixtureRoot(), localStack, loadCatalog(catalogModule));
        config = haproxyConfig(fleet, { bind: "*:8080" });
    });

    it("has one use_backend line per listener rule, in the plan's evaluation order", () => {
        const uses = [...config.matchAll(/^ {4}use_backend (\S+) if (.*)$/gm)].map((m) => `${m[1]} if ${m[2]}`);
        assert.deepEqual(uses, [
            "rpc if rule1_host rule1_path",
            "api if rule2_host",
            "stream if rule3_host",
            "web if rule4_host",
            "api if rule5_path",
        ]);
        assert.deepEqual(
            fleet.rules.map((r) => r.service),
            ["rpc", "api", "stream", "web", "api"],
        );
        assert.match(config, /^ {4}acl rule4_host var\(txn\.fleet_host\) -m reg -i '\^www\\\.fleet\\\.example\\\.com\$' '\^\.\*\\\.shop/m);
    });

    it("has one backend per routed service, under its name, checked on its target group's path and codes, and a 404 default", () => {
        assert.deepEqual(
            [...config.matchAll(/^backend (\S+)$/gm)].map((m) => m[1]),
            ["fleet.not-found", "api", "rpc", "stream", "web"],
        );
        const backend = (name: string) => config.slice(config.indexOf(`backend ${name}\n`)).split("\n\n")[0];
        assert.equal(
            backend("api"),
            [
                "backend api",
                "    option httpchk",
                '    http-check send meth GET uri "/healthz" ver HTTP/1.1 hdr host api',
                "    http-check expect rstatus '^(200|204)$'",
                "    timeout check 5s",
                "    server api api:8080 check inter 10s rise 2 fall 3 resolvers compose init-addr none",
            ].join("\n"),
        );
        assert.match(backend("stream"), /uri "\/ready" ver HTTP\/2 .*\n.*'\^\(200\)\$'[\s\S]*check proto h2 check-proto h2 /);
        assert.match(backend("rpc"), /option tcp-check\n {4}tcp-check connect\n[\s\S]*check proto h2 inter/);
        assert.match(config, /^ {4}default_backend fleet\.not-found$/m);
        assert.match(
            config,
            /^ {4}http-request return status 404 content-type application\/json string "\{\\"error\\":\\"not found\\"\}"$/m,
        );
    });

    it("answers no match with the listener's own default action", () => {
        const loadBalancer = fs.readFileSync(path.join(projectRoot, "infra", "loadBalancer.ts"), "utf8");
        assert.ok(
            loadBalancer.includes(
                `fixedResponse: { contentType: "${notFoundResponse.contentType}", statusCode: "${notFoundResponse.status}", ` +
                    `messageBody: '${notFoundResponse.body}' }`,
            ),
            "infra/loadBalancer.ts notFound",
        );
    });

    it("writes ALB globs as anchored expressions, healthy codes as a pattern, and names under fleet:domain under localhost", () => {
        assert.deepEqual(["/api/*", "/img/?.png", "*.example.com", "/a$b+c'd\"(e)", "/x/[y]{z}|^\\"].map(globPattern), [
            "'^/api/.*$'",
            "'^/img/.\\.png$'",
            "'^.*\\.example\\.com$'",
            "'^/a\\$b\\+c\\x27d\"\\(e\\)$'",
            "'^/x/\\[y\\]\\{z\\}\\|\\^\\\\$'",
        ]);
        assert.deepEqual(["200", "200,204", "200-399", "200-299,404", "250-261"].map(statusPattern), [
            "'^(200)$'",
            "'^(200|204)$'",
            "'^(2[0-9][0-9]|3[0-9][0-9])$'",
            "'^(2[0-9][0-9]|404)$'",
            "'^(25[0-9]|260|261)$'",
        ]);
        assert.deepEqual(
            ["www.dev.example.com", "dev.example.com", "*.dev.example.com", "api.example.org", "xdev.example.com"].map((h) =>
                localHost(h, "dev.example.com"),
            ),
            ["www.localhost", "localhost", "*.localhost", "api.example.org", "xdev.example.com"],
        );
    });
});

describe("the local stack's secrets", () => {
    const write = (out: string, ask?: (prompt: string) => Promise<string | undefined>) =>
        writeLocalStack({ root: localFixtureRoot(), stack: localStack, catalog: catalogModule, outDir: out, port: 8080 }, ask);
    const envFile = (out: string, service: string) => fs.readFileSync(path.join(out, "secrets", `${service}.env`), "utf8");

    it("without a terminal, names each secret without a value and the line that gives it one, and writes nothing", async () => {
        const out = path.join(tempDir("local-missing"), "local");
        const file = path.join(out, "secrets.env");
        await assert.rejects(write(out), (error: Error) => {
            assert.ok(error instanceof LocalError);
            assert.equal(
                error.message,
                [
                    "2 secret(s) without a local value Compose can read; nothing was written:",
                    `  - service "api" secret DATABASE_PASSWORD, service "report" secret DATABASE_PASSWORD ` +
                        "(fromConfig localPassword) has " +
                        `no local value: add the line localPassword=<value> to ${file} (its value on AWS: pulumi config get ` +
                        "localPassword -s local), or run the command in a terminal to be asked for it",
                    `  - service "api" secret THIRD_PARTY_TOKEN (existing /shared/third-party/token) has no local value: add the line ` +
                        `/shared/third-party/token=<value> to ${file} (its value on AWS: aws ssm get-parameter --with-decryption ` +
                        "--name /shared/third-party/token --query Parameter.Value --output text), or run the command in a terminal to be " +
                        "asked for it",
                ].join("\n"),
            );
            return true;
        });
        assert.equal(fs.existsSync(out), false);
    });

    it("generates a value once per generate secret, keeps it, and gives each container its own secrets alone", async () => {
        const out = tempDir("local-secrets");
        secretsFor(out, `${fixtureSecrets}other-stack-key=kept\n`);
        await write(out);
        const first = parseSecretsFile(fs.readFileSync(path.join(out, "secrets.env"), "utf8"));
        assert.deepEqual(
            [...first.keys()],
            ["localPassword", "api.SESSION_KEY", "/shared/third-party/token", "web.SESSION_KEY", "other-stack-key"],
        );
        assert.match(first.get("api.SESSION_KEY")!, /^[A-Za-z0-9]{32}$/);
        assert.match(first.get("web.SESSION_KEY")!, /^[A-Za-z0-9]{24}$/);
        assert.deepEqual(fs.readdirSync(path.join(out, "secrets")).sort(), ["api.env", "report.env", "web.env"]);
        assert.equal(
            envFile(out, "api"),
            [
                "# api's secrets for the local stack, from ../secrets.env: npm run local rewrites it.",
                "DATABASE_PASSWORD='pw $1'",
                `SESSION_KEY='${first.get("api.SESSION_KEY")}'`,
                "THIRD_PARTY_TOKEN='token'",
                "",
            ].join("\n"),
        );
        assert.equal(
            envFile(out, "report"),
            "# report's secrets for the local stack, from ../secrets.env: npm run local rewrites it.\nDATABASE_PASSWORD='pw $1'\n",
        );
        for (const file of ["secrets.env", "secrets/api.env"]) assert.equal(fs.statSync(path.join(out, file)).mode & 0o777, 0o600, file);
        assert.equal(fs.readFileSync(path.join(out, ".gitignore"), "utf8"), "secrets.env\nsecrets/\n");
        assert.doesNotMatch(fs.readFileSync(path.join(out, "compose.yaml"), "utf8"), /pw \$1|token/);

        await write(out);
        assert.deepEqual(parseSecretsFile(fs.readFileSync(path.join(out, "secrets.env"), "utf8")), first);
    });

    it("asks on a terminal once per value, naming every secret that reads it", async () => {
        const out = tempDir("local-ask");
        const prompts: string[] = [];
        await write(out, async (prompt) => {
            prompts.push(prompt);
            return prompt.includes("localPassword") ? "typed" : "token";
        });
        const file = path.join(out, "secrets.env");
        assert.deepEqual(prompts, [
            `service "api" secret DATABASE_PASSWORD, service "report" secret DATABASE_PASSWORD (fromConfig localPassword): ` +
                `value, kept in ${file}: `,
            `service "api" secret THIRD_PARTY_TOKEN (existing /shared/third-party/token): value, kept in ${file}: `,
        ]);
        assert.equal(parseSecretsFile(fs.readFileSync(path.join(out, "secrets.env"), "utf8")).get("localPassword"), "typed");
    });

    it("refuses a value Compose v1 and v2 would read differently from an env file", async () => {
        const out = tempDir("local-unsafe");
        secretsFor(out, "localPassword=it's\n/shared/third-party/token=${HOME}\n");
        await assert.rejects(write(out), (error: Error) => {
            const lines = error.message.split("\n");
            assert.equal(lines.length, 3);
            assert.match(
                lines[1],
                /secret DATABASE_PASSWORD .*: the local value of localPassword in .* has a single quote, which Compose v1 and v2/,
            );
            assert.match(
                lines[2],
                /secret THIRD_PARTY_TOKEN .* has \$\{, which .*; use a local value without quotes, backslashes, \$\{ or line breaks$/,
            );
            return true;
        });
    });
});

describe("npm run local", () => {
    const run = async (argv: string[], env?: NodeJS.ProcessEnv) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
        return { code, out: out.join("\n"), err: err.join("\n") };
    };
    /** A PATH holding only a `docker-compose` that records its arguments and exits with `code`. */
    const fakeCompose = (code: number) => {
        const bin = tempDir("local-bin");
        const log = path.join(bin, "calls");
        fs.writeFileSync(
            path.join(bin, "docker-compose"),
            `#!/bin/sh\n[ "$1" = version ] && exit 0\nprintf '%s\\n' "$@" > ${log}\nexit ${code}\n`,
            { mode: 0o755 },
        );
        return { env: { PATH: bin }, calls: () => fs.readFileSync(log, "utf8").trim().split("\n") };
    };

    it("refuses an unknown stack, naming the stacks there", async () => {
        const root = localFixtureRoot();
        const result = await run(["--stack", "staging", "--root", root, "--catalog", catalogModule, "--out", tempDir("local-cli")]);
        assert.deepEqual(
            [result.code, result.err],
            [
                1,
                "local: --stack staging: no stack file Pulumi.staging.yaml (stacks here: local); " +
                    `pass --stack with the name of a stack file in ${root}`,
            ],
        );
    });

    it("needs --stack to write the files", async () => {
        const result = await run([]);
        assert.equal(result.code, 1);
        assert.match(result.err, /^local: --stack <name> is required/);
    });

    it("says what to install when there is no Compose", async () => {
        const out = tempDir("local-up");
        fs.writeFileSync(path.join(out, "compose.yaml"), "services: {}\n");
        const result = await run(["up", "--out", out], { PATH: tempDir("local-empty-path") });
        assert.deepEqual([result.code, result.err], [1, `local: ${installHint}`]);
    });

    it("writes the files with --stack, then runs Compose up on them and returns its exit code", async () => {
        const out = tempDir("local-up");
        secretsFor(out, fixtureSecrets);
        const compose = fakeCompose(3);
        const result = await run(
            ["up", "--stack", localStack, "--root", localFixtureRoot(), "--catalog", catalogModule, "--out", out],
            compose.env,
        );
        assert.equal(result.code, 3, result.err);
        assert.deepEqual(compose.calls(), ["-f", path.join(out, "compose.yaml"), "up", "--build", "--detach", "--remove-orphans"]);
        assert.deepEqual(result.out.split("\n"), [
            `wrote ${path.join(out, "compose.yaml")} and haproxy.cfg beside it (stack local)`,
            "  api: http://api.localhost:8080/ http://localhost:8080/api/*",
            "  rpc: http://rpc.localhost:8080/acme.Api/*",
            "  stream: http://stream.localhost:8080/",
            "  web: http://www.localhost:8080/ http://*.shop.example.org:8080/",
        ]);
    });

    it("stops the stack with down, and refuses up or down where nothing was written", async () => {
        const out = tempDir("local-down");
        const compose = fakeCompose(0);
        assert.match((await run(["down", "--out", out], compose.env)).err, /compose\.yaml does not exist, so there is nothing to stop/);
        fs.writeFileSync(path.join(out, "compose.yaml"), "services: {}\n");
        assert.equal((await run(["down", "--out", out], compose.env)).code, 0);
        assert.deepEqual(compose.calls(), ["-f", path.join(out, "compose.yaml"), "down", "--remove-orphans"]);
    });

    it("exits 1 naming the service, the secret and the fix when a fromConfig secret has no value and there is no terminal", async () => {
        const out = tempDir("local-cli-secret");
        const result = await run(["--stack", localStack, "--root", localFixtureRoot(), "--catalog", catalogModule, "--out", out]);
        assert.equal(result.code, 1);
        assert.match(
            result.err,
            /service "api" secret DATABASE_PASSWORD, .*\(fromConfig localPassword\) has no local value: add the line localPassword=<value>/,
        );
        assert.equal(fs.existsSync(path.join(out, "compose.yaml")), false);
    });
});
