// @vitest-environment node
// schema.d.ts is generated from openapi.json (the server's OpenAPI document) by `npm run gen:api`.
// Regenerate it here with openapi-typescript's Node API, the way the CLI does, and fail when the
// committed file no longer matches: the API changed and the page's types must follow.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

const SPEC = new URL('./openapi.json', import.meta.url);
const SCHEMA_PATH = fileURLToPath(new URL('./schema.d.ts', import.meta.url));

async function generate(): Promise<string> {
  // The CLI writes COMMENT_HEADER + astToString(openapiTS(file URL)); gen:api then runs Prettier.
  const ast = await openapiTS(SPEC, { silent: true });
  const raw = `${COMMENT_HEADER}${astToString(ast)}`;
  const options = await resolveConfig(SCHEMA_PATH);
  return format(raw, { ...options, filepath: SCHEMA_PATH });
}

describe('src/api/schema.d.ts', () => {
  it('matches what openapi-typescript generates from src/api/openapi.json', async () => {
    const expected = await generate();
    const committed = readFileSync(SCHEMA_PATH, 'utf8');
    // The message comes first, then Vitest's line diff of the two files.
    expect(
      committed,
      'src/api/schema.d.ts is out of date with src/api/openapi.json: run `npm run gen:api` (in app/frontend) and commit the result',
    ).toBe(expected);
  }, 30_000);
});
