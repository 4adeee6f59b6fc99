/** `npm run ops` in the test's process: its exit code and what it printed on each stream. */
import { main } from "../../ops/cli";
import { Clock } from "../../ops/run";

export async function runOps(args: readonly string[], clock?: Clock): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
        args,
        (t) => out.push(t),
        (t) => err.push(t),
        clock,
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
}
