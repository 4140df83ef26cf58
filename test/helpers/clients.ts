/** Test helpers: fresh embedded clients on memory and on temporary data directories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EphemeralClient, PersistentClient, type ClientOptions } from '../../src/client.js';

/** A client under test plus its cleanup. */
export interface ClientUnderTest {
  client: EphemeralClient | PersistentClient;
  path: string | undefined;
  dispose(): void;
}

/** Creates a temporary directory that `dispose` removes. */
export function makeTempDir(prefix = 'kbgate-test-'): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Both embedded client kinds, so behaviour tests run once against each. */
export const CLIENT_KINDS: { name: string; make(options?: ClientOptions): ClientUnderTest }[] = [
  {
    name: 'EphemeralClient',
    make: (options) => {
      const client = new EphemeralClient(options);
      return { client, path: undefined, dispose: () => client.close() };
    },
  },
  {
    name: 'PersistentClient',
    make: (options) => {
      const dir = makeTempDir();
      const client = new PersistentClient({ ...options, path: dir.path });
      return {
        client,
        path: dir.path,
        dispose: () => {
          client.close();
          dir.dispose();
        },
      };
    },
  },
];
