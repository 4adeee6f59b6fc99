/**
 * `npm run schema`: writes the JSON Schemas of the catalog and the stack file next to this script, and the reference pages
 * under docs/ (the catalog, the stack settings, the problem codes).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { referencePages } from "./docs";
import { fieldDocs, jsonSchemas, jsonSchemaText } from "./jsonSchema";

const docs = fieldDocs();
for (const [file, schema] of Object.entries(jsonSchemas(docs))) {
    fs.writeFileSync(path.join(__dirname, file), jsonSchemaText(schema));
    console.log(`wrote schema/${file}`);
}
fs.mkdirSync(path.join(__dirname, "..", "docs"), { recursive: true });
for (const [file, text] of Object.entries(referencePages(docs))) {
    fs.writeFileSync(path.join(__dirname, "..", "docs", file), text);
    console.log(`wrote docs/${file}`);
}
