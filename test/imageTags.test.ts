/**
 * What a commit redeploys, through the real program and the offline plan in a git repository of
 * its own: a project (Pulumi.yaml, a README) with a fixture catalog of two built services and a
 * stack file of its own, committed, then changed by a docs-only commit and by a commit under one
 * build context.
 * Content tags: the docs commit changes nothing; the code commit changes that service's image and
 * task definition and nothing of the other service.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { commitAll, git, gitEnv } from "./support/git";
import { planOrFail } from "./support/planCli";

const project = path.resolve(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-image-tags-"));
const stack = "tags";

const catalog = `export const services = {
    alpha: { build: "./fixture/alpha", port: 8080, routes: [{ path: "/alpha/*" }], memory: { reservation: 64, limit: 128 } },
    beta: { build: { context: "./fixture/beta", args: { GREETING: "hi" } }, memory: { reservation: 64, limit: 128 } },
};
`;

const stackFile = [
    "config:",
    "  aws:region: us-east-1",
    "  fleet:network: { availabilityZones: 2, natGateways: single }",
    "  fleet:cluster: { defaultCapacity: fargate }",
    // The policy runs on every plan; this throwaway stack's HTTP-only ALB is not what this test is about.
    "  fleet:policy: { enforcement: advisory }",
    "",
].join("\n");

function write(root: string, file: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
}

/** `plan/cli.ts` on a checkout's stack file and catalog. */
function plan(checkout: string, label: string): Promise<PlanDocument> {
    return planOrFail(["--stack", stack, "--root", checkout, "--catalog", path.join(checkout, "services", "index.ts")], {
        json: path.join(scratch, `${label}.json`),
        env: gitEnv,
        label: `at ${label}`,
    });
}

/** Names of the resources whose inputs differ between two plans (none added or removed here). */
function changed(before: PlanDocument, after: PlanDocument, types?: string[]): string[] {
    const byUrn = new Map(before.resources.map((r) => [r.urn, r]));
    assert.deepEqual(after.resources.map((r) => r.urn).sort(), [...byUrn.keys()].sort(), "the same resources");
    return after.resources
        .filter((r) => !types || types.includes(r.type))
        .filter((r) => JSON.stringify(byUrn.get(r.urn)!.inputs) !== JSON.stringify(r.inputs))
        .map((r) => r.name)
        .sort();
}

const one = (p: PlanDocument, name: string): PlanResource => p.resources.find((r) => r.name === name)!;
const revision = (p: PlanDocument, service: string) =>
    (one(p, `${service}-image`).inputs.labels as Record<string, string>)["org.opencontainers.image.revision"];
const imageAndTask = ["docker-build:index:Image", "aws:ecs/taskDefinition:TaskDefinition"];

const commits: Record<"base" | "docs" | "code", string> = { base: "", docs: "", code: "" };
const plans: Record<"base" | "docs" | "code", PlanDocument> = {} as never;

before(async () => {
    const repo = path.join(scratch, "repo");
    for (const file of ["Pulumi.yaml", "README.md"]) write(repo, file, fs.readFileSync(path.join(project, file), "utf8"));
    write(repo, "services/index.ts", catalog);
    write(repo, `Pulumi.${stack}.yaml`, stackFile);
    for (const service of ["alpha", "beta"]) {
        write(repo, `fixture/${service}/Dockerfile`, "FROM public.ecr.aws/docker/library/busybox:1.36\nARG GREETING=hello\nCOPY . /srv\n");
        write(repo, `fixture/${service}/index.html`, `<p>${service}</p>\n`);
        write(repo, `fixture/${service}/.dockerignore`, "*.md\n");
    }
    git(repo, "init", "-q");
    commits.base = commitAll(repo, "base");
    write(repo, "README.md", fs.readFileSync(path.join(repo, "README.md"), "utf8") + "\nA docs-only change.\n");
    write(repo, "fixture/alpha/NOTES.md", "ignored by the build\n");
    commits.docs = commitAll(repo, "docs only");
    write(repo, "fixture/alpha/index.html", "<p>alpha, v2</p>\n");
    commits.code = commitAll(repo, "alpha v2");

    // One checkout per commit.
    const labels = Object.keys(commits) as (keyof typeof commits)[];
    for (const label of labels) {
        const checkout = path.join(scratch, label);
        git(repo, "worktree", "add", "-q", "--detach", checkout, commits[label]);
    }
    const planned = await Promise.all(labels.map((label) => plan(path.join(scratch, label), label)));
    labels.forEach((label, i) => (plans[label] = planned[i]));
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("image tags follow content, not commits", () => {
    it("builds both fixture services, tagged by content and labelled with the commit that introduced it", () => {
        for (const service of ["alpha", "beta"]) {
            const tags = one(plans.base, `${service}-image`).inputs.tags as string[];
            assert.match(tags[0], new RegExp(`/fleet-${stack}/${service}:c-[0-9a-f]{20}$`));
            assert.equal(revision(plans.base, service), commits.base);
        }
    });

    it("changes nothing at all for a docs-only commit (an ignored file under a context included)", () => {
        assert.deepEqual(changed(plans.base, plans.docs), []);
        assert.equal(revision(plans.docs, "alpha"), commits.base);
    });

    it("changes the image and the task definition of the service whose context changed, only", () => {
        assert.deepEqual(changed(plans.docs, plans.code, imageAndTask), ["alpha-image", "alpha-taskdef"]);
        assert.deepEqual(
            changed(plans.docs, plans.code).filter((name) => !name.startsWith("alpha-")),
            [],
            "nothing outside alpha changes",
        );
        assert.equal(revision(plans.code, "alpha"), commits.code);
        assert.equal(revision(plans.code, "beta"), commits.base);
    });
});
