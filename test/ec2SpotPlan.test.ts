/**
 * EC2 Spot through the offline plan of the tests' prod-like stack: adding a Spot group only adds
 * its group and provider and associates it; moving a service from ec2 to ec2-spot is an update of
 * its ECS service alone (its strategy), never a replacement; the review counts and prices the Spot
 * group apart.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { diffPlans } from "../review/diff";
import { fixtureCatalog, fixtureRoot } from "./support/fixtures";
import { PlanCliRun, planOrFail, runPlanCli } from "./support/planCli";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ec2-spot-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * A copy of the fixture project whose prod stack file is edited by `edit` (every plan compared here
 * from a copy: images built outside the repository's checkout are tagged alike).
 */
function rootWith(name: string, edit?: (prod: string) => string): string {
    const root = path.join(scratch, name);
    fs.cpSync(fixtureRoot, root, { recursive: true });
    if (!edit) return root;
    const file = path.join(root, "Pulumi.prod.yaml");
    const prod = fs.readFileSync(file, "utf8");
    const edited = edit(prod);
    assert.notEqual(edited, prod, `${name}: the edit changed nothing`);
    fs.writeFileSync(file, edited);
    return root;
}

const spotGroup = (prod: string) =>
    prod.replace(
        "      reservedMemoryMiB: 256\n",
        "      reservedMemoryMiB: 256\n      spot:\n        instanceTypes: [m7i.large]\n        maxSize: 6\n",
    );
const webOnSpot = (prod: string) => prod.replace("    web:\n", "    web:\n      capacity: ec2-spot\n");
const args = (root: string) => ["--stack", "prod", "--root", root, "--catalog", fixtureCatalog()];

let plain: Awaited<ReturnType<typeof planOrFail>>;
let withSpot: Awaited<ReturnType<typeof planOrFail>>;
let moved: PlanCliRun;
before(async () => {
    const json = (name: string) => path.join(scratch, `${name}.json`);
    const spotRoot = rootWith("spot", spotGroup);
    [plain, withSpot] = await Promise.all([
        planOrFail(args(rootWith("plain")), { json: json("plain") }),
        planOrFail(args(spotRoot), { json: json("spot") }),
    ]);
    const movedRoot = rootWith("moved", (prod) => webOnSpot(spotGroup(prod)));
    moved = await runPlanCli([...args(movedRoot), "--against", json("spot")], { json: json("moved") });
});

describe("a Spot group added to a stack", () => {
    it("adds its group and capacity provider and associates it; nothing else changes, nothing is replaced", () => {
        const diff = diffPlans(plain, withSpot);
        assert.deepEqual([diff.added, diff.changed, diff.replaced, diff.removed], [2, 1, 0, 0]);
        assert.deepEqual(
            diff.groups.flatMap((g) => g.changes.map((c) => [c.kind, c.type, c.name, c.paths])),
            [
                ["add", "aws:autoscaling/group:Group", "fleet-prod-spot-instances", []],
                ["add", "aws:ecs/capacityProvider:CapacityProvider", "fleet-prod-ec2-spot", []],
                ["change", "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "fleet-prod", ["capacityProviders[3]"]],
            ],
        );
    });
});

describe("a service moved from ec2 to ec2-spot", () => {
    it("is an update of its ECS service's strategy alone: a rolling deployment, not a replacement", () => {
        assert.equal(moved.code, 0, moved.output);
        const diff = diffPlans(withSpot, moved.plan!);
        assert.deepEqual([diff.added, diff.changed, diff.replaced, diff.removed], [0, 1, 0, 0]);
        const [change] = diff.groups.flatMap((g) => g.changes);
        assert.deepEqual([change.kind, change.type, change.name], ["change", "aws:ecs/service:Service", "web"]);
        assert.ok(
            change.paths.every((p) => p.startsWith("capacityProviderStrategies")),
            change.paths.join(", "),
        );
        assert.match(moved.stdout, /^ {2}replacements {7}none$/m);
    });

    it("is counted on the Spot group beyond its on-demand base, and priced at the EC2 Spot discount", () => {
        const lines = moved.stdout.split("\n");
        assert.deepEqual(
            lines.filter((line) => line.startsWith("EC2 Spot capacity") || line.startsWith("Counted:")),
            [
                "EC2 Spot capacity (m6i.large, m7i.large; counted as m6i.large, the smallest): 1 tasks reserve 256 MiB: at least " +
                    "1 instance(s) by memory, 1 when bin-packed; 1 planned (1 by packing), 3% of registered memory reserved.",
                "Counted: web: 1 task(s) on on-demand (its base), 1 on Spot.",
            ],
        );
        assert.deepEqual(
            lines.filter((line) => /^(web {6}\$|EC2 Spot instances |EC2 instances )/.test(line)),
            [
                "EC2 instances       $210.24  3 × m6i.large, shared by 4 services by memory reserved",
                "EC2 Spot instances  $28.03   1 × m6i.large at Spot (−60%; may launch m6i.large, m7i.large), " +
                    "shared by 1 ec2-spot service by memory reserved",
                "web      $51.76   $50.76   $1.00  11% of the EC2 instances and 100% of the EC2 Spot instances (by memory reserved)",
            ],
        );
    });
});
