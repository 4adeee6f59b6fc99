/**
 * Writes tune's proposals into `Pulumi.<stack>.yaml` under `fleet:services.<name>`, through the
 * yaml package's Document API so that comments, key order, flow or block style and every
 * unrelated key stay as they were: the next plan's diff shows exactly the proposals.
 */
import * as YAML from "yaml";

/** What to set for one service: only the fields that change. */
export interface SizingEdit {
    readonly service: string;
    readonly reservation?: number;
    readonly limit?: number;
    readonly cpu?: number;
}

/**
 * The stack file's text with the edits applied. `namespace` is the project (`fleet`). A service
 * without overrides gets a new entry at the end of `fleet:services`; a memory map the file writes
 * in flow style (`{ reservation: 192, limit: 384 }`) stays in flow style, and a new one is written so.
 */
export function applySizingEdits(text: string, namespace: string, edits: readonly SizingEdit[]): string {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`cannot parse the stack file: ${doc.errors[0].message}`);
    // A key without a namespace is the project's, as Pulumi reads it.
    const key = doc.hasIn(["config", "services"]) && !doc.hasIn(["config", `${namespace}:services`]) ? "services" : `${namespace}:services`;
    const servicesPath = ["config", key];
    for (const edit of edits) {
        const base = [...servicesPath, edit.service];
        const memory: Record<string, number> = {};
        if (edit.reservation !== undefined) memory.reservation = edit.reservation;
        if (edit.limit !== undefined) memory.limit = edit.limit;
        if (Object.keys(memory).length > 0) {
            const existing = doc.getIn([...base, "memory"], true);
            if (YAML.isMap(existing)) {
                for (const [key, value] of Object.entries(memory)) existing.set(key, value);
            } else {
                const node = doc.createNode(memory, { flow: true });
                ensureMap(doc, base);
                doc.setIn([...base, "memory"], node);
            }
        }
        if (edit.cpu !== undefined) {
            ensureMap(doc, base);
            doc.setIn([...base, "cpu"], edit.cpu);
        }
    }
    return doc.toString();
}

/** Creates the block maps down to `path` where they are missing (setIn would create flow-less maps, but not under a null value). */
function ensureMap(doc: YAML.Document, path: readonly string[]): void {
    for (let depth = 1; depth <= path.length; depth++) {
        const partial = path.slice(0, depth);
        const node = doc.getIn(partial, true);
        if (node === undefined || node === null || (YAML.isScalar(node) && node.value === null)) {
            doc.setIn(partial, doc.createNode({}));
        } else if (!YAML.isMap(node)) {
            throw new Error(`${partial.slice(1).join(".")} in the stack file is not a map`);
        }
    }
}
