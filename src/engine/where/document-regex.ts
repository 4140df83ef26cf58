/** `$regex` / `$not_regex` patterns: Rust `regex` syntax, as Chroma reads it, run by a linear-time RE2 engine. */
import { RE2JS } from 're2js';

/** A compiled document pattern: `test` is a search (not a full match) over the whole text. */
export interface DocumentRegex {
  test(text: string): boolean;
}

/** Rust's Unicode `\w`: Alphabetic, marks, decimal digits, connector punctuation and the two joiners. */
const WORD_CLASS_ITEMS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}';

/** Rust's Unicode Perl classes in RE2 spelling, outside brackets. */
const PERL_CLASSES: Record<string, string> = {
  d: '\\p{Nd}',
  D: '\\P{Nd}',
  s: '\\p{White_Space}',
  S: '\\P{White_Space}',
  w: `[${WORD_CLASS_ITEMS}]`,
  W: `[^${WORD_CLASS_ITEMS}]`,
};

/** The same inside brackets; `\W` has no RE2 spelling there and keeps RE2's ASCII meaning. */
const PERL_CLASSES_IN_BRACKETS: Record<string, string> = {
  d: '\\p{Nd}',
  D: '\\P{Nd}',
  s: '\\p{White_Space}',
  S: '\\P{White_Space}',
  w: WORD_CLASS_ITEMS,
};

/** Unicode general categories by their long names (Rust accepts both spellings, RE2 only the short one). */
const CATEGORY_NAMES: Record<string, string> = {
  letter: 'L',
  casedletter: 'LC',
  uppercaseletter: 'Lu',
  lowercaseletter: 'Ll',
  titlecaseletter: 'Lt',
  modifierletter: 'Lm',
  otherletter: 'Lo',
  mark: 'M',
  combiningmark: 'M',
  nonspacingmark: 'Mn',
  spacingmark: 'Mc',
  enclosingmark: 'Me',
  number: 'N',
  decimalnumber: 'Nd',
  digit: 'Nd',
  letternumber: 'Nl',
  othernumber: 'No',
  punctuation: 'P',
  punct: 'P',
  connectorpunctuation: 'Pc',
  dashpunctuation: 'Pd',
  openpunctuation: 'Ps',
  closepunctuation: 'Pe',
  initialpunctuation: 'Pi',
  finalpunctuation: 'Pf',
  otherpunctuation: 'Po',
  symbol: 'S',
  mathsymbol: 'Sm',
  currencysymbol: 'Sc',
  modifiersymbol: 'Sk',
  othersymbol: 'So',
  separator: 'Z',
  spaceseparator: 'Zs',
  lineseparator: 'Zl',
  paragraphseparator: 'Zp',
  other: 'C',
  control: 'Cc',
  cntrl: 'Cc',
  format: 'Cf',
  surrogate: 'Cs',
  privateuse: 'Co',
  unassigned: 'Cn',
};

const CACHE_LIMIT = 256;
const cache = new Map<string, DocumentRegex>();

/**
 * Compiles a `$regex` / `$not_regex` pattern; throws an `Error` whose message says what is wrong when the
 * pattern is invalid or uses syntax that would mean something else here than in Chroma.
 *
 * @remarks
 * Chroma compiles patterns with Rust's `regex` crate; kbgate runs them with re2js, a JavaScript port of RE2:
 * the same syntax family (inline flags `(?imsU)`, `\p{...}`, `(?P<name>...)`, `[[:alpha:]]`) and the same
 * guarantee, matching in time linear in the text, so no pattern can stall the server. {@link translateRustRegex}
 * turns Rust's Unicode `\d \s \w` into RE2 property classes and rejects what RE2 would read differently.
 * Left different: `\b` / `\B` are ASCII word boundaries, `\W` inside brackets is ASCII, and RE2 rejects verbose
 * mode `(?x)`, repetition counts above 1,000 and property names it lacks (Rust accepts them).
 */
export function compileDocumentRegex(pattern: string): DocumentRegex {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    const compiled = compileRe2(translateRustRegex(pattern));
    regex = { test: (text) => compiled.test(text) };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, regex);
  }
  return regex;
}

function compileRe2(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.replace(/^error parsing regexp: /, ''), { cause: err });
  }
}

/**
 * Rewrites a Rust `regex` pattern into the RE2 pattern that matches the same texts.
 *
 * @remarks Throws for `\Q...\E` and `\C` (RE2 syntax Rust rejects) and for nested classes and class set
 * operations (`[a-z&&[^aeiou]]`, `--`, `~~`), which Rust supports and RE2 would read as literal characters.
 */
export function translateRustRegex(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1] ?? '';
    if (c === '\\') {
      if (next === 'Q' || next === 'C') throw new Error(`unrecognized escape sequence \\${next}`);
      const property =
        (next === 'p' || next === 'P') && pattern[i + 2] === '{' ? pattern.indexOf('}', i + 3) : -1;
      if (property > 0) {
        out += `\\${next}{${propertyName(pattern.slice(i + 3, property))}}`;
        i = property;
        continue;
      }
      out += (inClass ? PERL_CLASSES_IN_BRACKETS : PERL_CLASSES)[next] ?? `\\${next}`;
      i++;
    } else if (!inClass) {
      inClass = c === '[';
      out += c;
      if (inClass) {
        // An optional `^`, then a `]` right after the opening bracket, is part of the class, not its end.
        const literal = pattern.slice(i + 1).match(/^\^?\]?/)?.[0] ?? '';
        out += literal;
        i += literal.length;
      }
    } else if (c === '[' && next === ':') {
      const end = pattern.indexOf(':]', i + 2);
      if (end < 0) throw new Error('unclosed character class');
      out += pattern.slice(i, end + 2);
      i = end + 1;
    } else if (c === '[') {
      throw new Error('nested character classes are not supported');
    } else if ((c === '&' || c === '-' || c === '~') && next === c) {
      throw new Error(`character class set operations (${c}${c}) are not supported`);
    } else {
      inClass = c !== ']';
      out += c;
    }
  }
  return out;
}

/**
 * A Unicode property name as RE2 spells it: Rust also takes `Script=` / `sc=` / `gc=` prefixes, long category names
 * (`Uppercase_Letter`) and loose spelling (case, spaces, `_` and `-` ignored).
 */
function propertyName(name: string): string {
  const value = name.replace(/^\s*(?:script|sc|general[_ -]?category|gc)\s*[=:]\s*/i, '');
  const loose = value.toLowerCase().replace(/[\s_-]/g, '');
  const category = CATEGORY_NAMES[loose];
  if (category) return category;
  if (/^[a-z]+$/.test(value)) return value.charAt(0).toUpperCase() + value.slice(1);
  return value;
}
