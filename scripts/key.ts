/**
 * npm run key -- --role analyst --id alice
 * Makes a new random API key: prints the key (give it to its holder; it is shown once and stored nowhere) and the
 * entry to add to `keys` in the server's config file, which holds only the key's SHA-256.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sha256Hex } from '../server/auth.ts';
import { configSchema } from '../server/config.ts';

const { values } = parseArgs({ options: { role: { type: 'string' }, id: { type: 'string' } } });
// 32 random bytes: 256 bits, unguessable; base64url so it survives URLs (apikey=…) and headers unescaped.
const key = randomBytes(32).toString('base64url');
const checked = configSchema.shape.keys.safeParse([{ id: values.id, role: values.role, sha256: sha256Hex(key) }]);
if (!checked.success) {
  console.error('usage: npm run key -- --role analyst|admin --id NAME');
  for (const issue of checked.error.issues) console.error(`  --${String(issue.path[1])}: ${issue.message}`);
  process.exit(2);
}
console.log(`API key (give to "${values.id}", shown only now):\n  ${key}\n`);
console.log(`Add to "keys" in the config file:\n  ${JSON.stringify(checked.data[0])}`);
