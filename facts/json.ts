/** How a value travels in config and plans. A leaf: imports nothing. */

/** A value as it travels in config and plans: JSON when it parses (documents, structured config), the string itself otherwise. */
export function parseJsonOrString(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
