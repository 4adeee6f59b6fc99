/** `npm run schema`: writes the JSON Schemas of the catalog and the stack file next to this script. */
import * as fs from "node:fs";
import * as path from "node:path";
import { jsonSchemas, jsonSchemaText } from "./jsonSchema";

for (const [file, schema] of Object.entries(jsonSchemas())) {
    fs.writeFileSync(path.join(__dirname, file), jsonSchemaText(schema));
    console.log(`wrote schema/${file}`);
}
