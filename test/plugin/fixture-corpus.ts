/** A small knowledge base for retrieval and plugin tests: English, Chinese, Japanese and Thai passages. */
import type { Engine } from '../../src/engine/database.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import type { Metadata } from '../../src/engine/types.js';
import { CONCEPT_BINDING } from './concept-embedding.js';

/** One passage with the metadata the ingester writes. */
export interface Passage {
  id: string;
  text: string;
  metadata: Metadata;
}

/** The passages, each tagged with a `topic`. */
export const PASSAGES: readonly Passage[] = [
  passage('car-tyres', 'The car needs new tyres before the winter season.', 'cars', 'garage/tyres.md', 3),
  passage(
    'car-insurance',
    'Automobile insurance covers theft and accidents.',
    'cars',
    'garage/insurance.md',
    1,
  ),
  passage('dog-food', 'Feed the puppy three small meals a day.', 'pets', 'pets/food.md', 12),
  passage('dog-walk', 'A dog needs a long walk every morning.', 'pets', 'pets/walks.md', 5),
  passage('bread', 'This recipe bakes bread in a hot oven.', 'food', 'kitchen/bread.md', 1),
  passage('rates', 'The bank raised its interest rates again.', 'money', 'money/rates.md', 40),
  passage('zh-ml', '机器学习是人工智能的一个分支。深度学习使用神经网络。', 'zh', 'zh/ml.md', 1),
  passage('ja-ml', '機械学習は人工知能の一分野です。東京で研究しています。', 'ja', 'ja/ml.md', 1),
  passage('th-food', 'ฉันชอบกินข้าวผัดกับไก่ทอดที่ตลาด', 'th', 'th/food.md', 1),
];

function passage(id: string, text: string, topic: string, source: string, start: number): Passage {
  const title = source.split('/').at(-1)?.replace('.md', '') ?? source;
  return {
    id,
    text,
    metadata: {
      topic,
      source,
      title,
      heading: `About ${title}`,
      heading_path: [title, `About ${title}`],
      anchor: `about-${title}`,
      start_line: start,
      end_line: start + 4,
    },
  };
}

/** Creates `name` with the given embedding binding and adds every passage; returns the collection id. */
export async function loadPassages(
  engine: Engine,
  name: string,
  embedding: string = CONCEPT_BINDING,
): Promise<string> {
  const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name, embedding });
  await engine.add(collection.id, {
    ids: PASSAGES.map((p) => p.id),
    documents: PASSAGES.map((p) => p.text),
    metadatas: PASSAGES.map((p) => p.metadata),
  });
  return collection.id;
}
