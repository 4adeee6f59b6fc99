/**
 * The end of an in-process program test: the file registers its components at load, under
 * plan/mocks.ts installMocks; its `before` waits for every registration to finish, fails on any
 * the mocks refused (plan/awsRules.ts), and indexes what was registered for the assertions.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { MockRuntime } from "../../plan/mocks";
import { Registered } from "../harness";

export async function settled(runtime: MockRuntime): Promise<Registered> {
    await pulumi.runtime.disconnect();
    assert.deepEqual(runtime.errors, []);
    return new Registered(runtime.resources);
}
