import { readFile } from 'node:fs/promises';
import t from 'tap';
import { openApiDocument, requestSchema } from '../../serve/index.js';

t.test('the committed serve/openapi.json is the document the server serves (regenerate it when this fails)', async (t) => {
  const committed = JSON.parse(await readFile(new URL('../../serve/openapi.json', import.meta.url), 'utf8'));
  t.same(committed, openApiDocument(), 'node -e "import(\'./dist/serve/index.js\').then(m => process.stdout.write(JSON.stringify(m.openApiDocument(), null, 2) + \'\\n\'))" > serve/openapi.json');
  t.same(Object.keys(committed.components.schemas.Request.properties), Object.keys(requestSchema.properties), 'its request schema is the validator\'s');
});
