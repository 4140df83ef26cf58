/** Builds a tiny BERT-style ONNX model and WordPiece tokenizer on disk, in the layout transformers.js loads. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { mulberry32 } from './random-data.js';

/** Hidden size of the tiny model: every embedding it produces has this many dimensions. */
export const TINY_HIDDEN_SIZE = 8;

/** Special tokens first, then whole words; ids are positions in this list. */
const BASE_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'hello',
  'world',
  'the',
  'cat',
  'sat',
  'on',
  'mat',
  'knowledge',
  'base',
  '##s',
  '.',
] as const;

/** The words of e5's `query: ` and `passage: ` prefixes, so that a prefix changes the vector. */
const PREFIX_VOCAB = ['query', 'passage', ':'] as const;

const TINY_VOCAB = [...BASE_VOCAB, ...PREFIX_VOCAB];

/** What a test needs to compute the model's output by hand. */
export interface TinyModel {
  /** Directory to use as `modelDir` (transformers.js's `localModelPath`). */
  modelDir: string;
  /** Model name to load: a folder under `modelDir`. */
  model: string;
  /** Token to id. */
  vocab: ReadonlyMap<string, number>;
  /** Word embedding rows, `vocab.size` x {@link TINY_HIDDEN_SIZE}. */
  wordEmbeddings: Float32Array[];
  /** Token type row 0, added to every token (the tokenizer emits type 0 for single texts). */
  tokenTypeRow: Float32Array;
}

// The minimal subset of ONNX's onnx.proto the model needs; field numbers as in onnx/onnx.proto (IR version 7).
const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            i: { type: 'int64', id: 3 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } } },
        TypeProtoTensor: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
};

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;

function randomRows(rows: number, random: () => number): Float32Array[] {
  return Array.from({ length: rows }, () =>
    Float32Array.from({ length: TINY_HIDDEN_SIZE }, () => random() * 2 - 1),
  );
}

function floatTensor(name: string, rows: Float32Array[]): object {
  const flat = new Float32Array(rows.length * TINY_HIDDEN_SIZE);
  rows.forEach((row, i) => flat.set(row, i * TINY_HIDDEN_SIZE));
  return { name, dataType: FLOAT, dims: [rows.length, TINY_HIDDEN_SIZE], rawData: Buffer.from(flat.buffer) };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): object {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function node(opType: string, input: string[], output: string[], attribute: object[] = []): object {
  return { opType, name: output[0], input, output, attribute };
}

/**
 * Serializes the graph: last_hidden_state = (word[input_ids] + type[token_type_ids]) * attention_mask.
 *
 * @remarks
 * Every input is used, as in a real BERT export, so ONNX Runtime keeps all three as session inputs.
 */
function encodeModel(words: Float32Array[], types: Float32Array[]): Uint8Array {
  const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
  const ModelProto = root.lookupType('onnx.ModelProto');
  const axes = {
    name: 'unsqueeze_axes',
    dataType: INT64,
    dims: [1],
    rawData: Buffer.from(new BigInt64Array([2n]).buffer),
  };
  const graph = {
    name: 'tiny-bert',
    initializer: [floatTensor('word_embeddings', words), floatTensor('token_type_embeddings', types), axes],
    node: [
      node('Gather', ['word_embeddings', 'input_ids'], ['words']),
      node('Gather', ['token_type_embeddings', 'token_type_ids'], ['types']),
      node('Add', ['words', 'types'], ['summed']),
      node('Cast', ['attention_mask'], ['mask_float'], [{ name: 'to', type: ATTRIBUTE_INT, i: FLOAT }]),
      node('Unsqueeze', ['mask_float', 'unsqueeze_axes'], ['mask_3d']),
      node('Mul', ['summed', 'mask_3d'], ['last_hidden_state']),
    ],
    input: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) =>
      valueInfo(n, INT64, ['batch', 'sequence']),
    ),
    output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', TINY_HIDDEN_SIZE])],
  };
  const message = ModelProto.fromObject({
    irVersion: 7,
    producerName: 'kbgate-tiny-model',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return ModelProto.encode(message).finish();
}

function specialToken(id: string, typeId: number): object {
  return { SpecialToken: { id, type_id: typeId } };
}

/** A Hugging Face tokenizers `tokenizer.json` for BERT's uncased WordPiece. */
function buildTokenizerJson(vocab: ReadonlyMap<string, number>): object {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const specialIds = (token: string) => ({ id: token, ids: [vocab.get(token)], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: vocab.get(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken('[CLS]', 0), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]', 0)],
      pair: [
        specialToken('[CLS]', 0),
        { Sequence: { id: 'A', type_id: 0 } },
        specialToken('[SEP]', 0),
        { Sequence: { id: 'B', type_id: 1 } },
        specialToken('[SEP]', 1),
      ],
      special_tokens: { '[CLS]': specialIds('[CLS]'), '[SEP]': specialIds('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}

const TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 512,
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  mask_token: '[MASK]',
};

const MODEL_CONFIG = {
  model_type: 'bert',
  architectures: ['BertModel'],
  hidden_size: TINY_HIDDEN_SIZE,
  num_attention_heads: 1,
  num_hidden_layers: 0,
  vocab_size: TINY_VOCAB.length,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  pad_token_id: 0,
};

/**
 * Writes `<modelDir>/<model>/` with config.json, tokenizer files and `onnx/model.onnx` + `onnx/model_quantized.onnx`.
 *
 * @remarks
 * Both ONNX files hold the same float graph: transformers.js picks the file name by `quantized`, not its content.
 * `model` may be a preset's Hugging Face id (e.g. `Xenova/multilingual-e5-small`): the preset then loads the tiny
 * model from `modelDir` without being told its name.
 */
export function writeTinyModel(modelDir: string, model = 'tiny-bert', seed = 42): TinyModel {
  const random = mulberry32(seed);
  const vocab = new Map(TINY_VOCAB.map((token, id) => [token as string, id]));
  // Prefix rows are drawn last: adding them left the vectors of every earlier token, and so every test, unchanged.
  const baseRows = randomRows(BASE_VOCAB.length, random);
  const typeRows = randomRows(2, random);
  const wordEmbeddings = [...baseRows, ...randomRows(PREFIX_VOCAB.length, random)];
  const dir = join(modelDir, model);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const onnx = encodeModel(wordEmbeddings, typeRows);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnx);
  writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), onnx);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(MODEL_CONFIG));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(buildTokenizerJson(vocab)));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(TOKENIZER_CONFIG));
  return { modelDir, model, vocab, wordEmbeddings, tokenTypeRow: typeRows[0] as Float32Array };
}

/** The expected embedding of a token sequence: mean of (word row + type row), L2-normalized. */
export function expectedEmbedding(tiny: TinyModel, tokens: string[]): Float32Array {
  const sum = new Float32Array(TINY_HIDDEN_SIZE);
  for (const token of tokens) {
    const row = tiny.wordEmbeddings[tiny.vocab.get(token) ?? -1];
    if (!row) throw new Error(`token not in the tiny vocabulary: ${token}`);
    for (let d = 0; d < TINY_HIDDEN_SIZE; d++)
      sum[d] = (sum[d] ?? 0) + (row[d] ?? 0) + (tiny.tokenTypeRow[d] ?? 0);
  }
  const norm = Math.hypot(...sum);
  return sum.map((v) => v / norm);
}
