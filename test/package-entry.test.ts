import { describe, expect, it } from 'vitest';
import * as kbgate from '../src/index.js';

describe('package entry', () => {
  it('should export the embedded clients, the engine and its error type', async () => {
    expect(Object.keys(kbgate).sort()).toEqual(
      [
        'Collection',
        'DEFAULT_DATABASE',
        'DEFAULT_TENANT',
        'Engine',
        'EngineError',
        'ERROR_CODES',
        'EphemeralClient',
        'PersistentClient',
        'openEngine',
      ].sort(),
    );
    const client = new kbgate.EphemeralClient();
    const col = await client.createCollection({ name: 'entry' });
    await col.add({ ids: ['x'], embeddings: [[0.5, 0.5]] });
    expect((await col.query({ queryEmbeddings: [[0.5, 0.5]], nResults: 1 })).ids).toEqual([['x']]);
    client.close();
  });
});
