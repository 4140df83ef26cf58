/** Per-language pieces of lexical analysis: which stemmer a word gets, and which words a query can drop. */
import { stemmer as stemArabic } from '@orama/stemmers/arabic';
import { stemmer as stemDanish } from '@orama/stemmers/danish';
import { stemmer as stemDutch } from '@orama/stemmers/dutch';
import { stemmer as stemFinnish } from '@orama/stemmers/finnish';
import { stemmer as stemFrench } from '@orama/stemmers/french';
import { stemmer as stemGerman } from '@orama/stemmers/german';
import { stemmer as stemGreek } from '@orama/stemmers/greek';
import { stemmer as stemItalian } from '@orama/stemmers/italian';
import { stemmer as stemNorwegian } from '@orama/stemmers/norwegian';
import { stemmer as stemPortuguese } from '@orama/stemmers/portuguese';
import { stemmer as stemRussian } from '@orama/stemmers/russian';
import { stemmer as stemSpanish } from '@orama/stemmers/spanish';
import { stemmer as stemSwedish } from '@orama/stemmers/swedish';
import { stemmer as stemUkrainian } from '@orama/stemmers/ukrainian';
import { stemmer as stemEnglish } from 'stemmer';
import { deu, fra, ita, nld, por, rus, spa, tha, ukr, zho } from 'stopword';

/**
 * Languages written in Latin script that get their own Snowball stemmer; anything else is stemmed as English.
 *
 * @remarks English uses Porter's stemmer (the one SQLite's FTS5 ships), the others Snowball's.
 */
export type LatinLanguage = 'en' | 'de' | 'fr' | 'es' | 'it' | 'pt' | 'nl' | 'sv' | 'da' | 'no' | 'fi';

const LATIN_STEMMERS: Readonly<Record<LatinLanguage, (word: string) => string>> = {
  en: stemEnglish,
  de: stemGerman,
  fr: stemFrench,
  es: stemSpanish,
  it: stemItalian,
  pt: stemPortuguese,
  nl: stemDutch,
  sv: stemSwedish,
  da: stemDanish,
  no: stemNorwegian,
  fi: stemFinnish,
};

/**
 * The most frequent function words of each Latin-script language: evidence for detection, never indexed apart.
 *
 * @remarks Short, mostly distinctive lists; words shared by several languages (`a`, `de`, `en`) count for each.
 */
const LATIN_MARKERS: Readonly<Record<LatinLanguage, ReadonlySet<string>>> = {
  en: words('the and of to is in that it for with as are this be on by not or from which have'),
  de: words('der die das und ist nicht mit ein eine den dem des zu auf für sich auch werden wird von'),
  fr: words('le la les et des est une pour dans que qui pas sur avec ce sont du au par plus'),
  es: words('el la los las y es que del una para con por se como más pero su al lo'),
  it: words('il la che di è per una sono con non del della gli questo anche come più le'),
  pt: words('o a os as e que do da em um uma para com não se na no por mais são'),
  nl: words('de het een en van is dat niet op te voor met zijn er ook als aan wordt'),
  sv: words('och att det som en på är av för med till den har inte om ett var'),
  da: words('og at det som en på er af for med til den har ikke om et var de'),
  no: words('og å det som en på er av for med til den har ikke om et var jeg'),
  fi: words('ja on ei se että oli kuin mutta tai jos ovat myös sen kun niin tämä'),
};

/** For each marker word, the languages it is a marker of. */
const MARKER_LANGUAGES: ReadonlyMap<string, LatinLanguage[]> = (() => {
  const map = new Map<string, LatinLanguage[]>();
  for (const [language, markers] of Object.entries(LATIN_MARKERS) as [LatinLanguage, ReadonlySet<string>][]) {
    for (const word of markers) map.set(word, [...(map.get(word) ?? []), language]);
  }
  return map;
})();

/**
 * English words a query can drop: Lucene's English stop set plus the words of a question ("how do I ...").
 *
 * @remarks Dropped from queries only; documents index every word.
 */
const ENGLISH_QUERY_STOPWORDS = words(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these ' +
    'they this to was will with how what why when where which who whom whose do does did can could should ' +
    'would i me my we our you your please tell explain',
);

/** Question words of other languages that the stop lists lack. */
const EXTRA_QUERY_STOPWORDS = words(
  '如何 怎么 怎样 怎麼 什么 什麼 哪些 哪个 为什么 為什麼 是否 可以 请问 請問 吗 嗎 呢 ' +
    'как какой какая какие каким что почему зачем где когда ли можно нужно ' +
    'อย่างไร ยังไง ทำไม อะไร ไหม หรือไม่ คือ บ้าง ได้อย่างไร ครับ ค่ะ',
);

/** Words a query drops, for the scripts other than Latin and for the non-English Latin languages. */
const QUERY_STOPWORDS: ReadonlySet<string> = new Set([
  ...ENGLISH_QUERY_STOPWORDS,
  ...EXTRA_QUERY_STOPWORDS,
  ...rus,
  ...ukr,
  ...zho,
  ...tha,
]);

const LATIN_QUERY_STOPWORDS: Readonly<Partial<Record<LatinLanguage, ReadonlySet<string>>>> = {
  de: new Set(deu),
  fr: new Set(fra),
  es: new Set(spa),
  it: new Set(ita),
  pt: new Set(por),
  nl: new Set(nld),
};

const CYRILLIC = /\p{Script=Cyrillic}/u;
const UKRAINIAN_LETTERS = /[іїєґ]/u;
const GREEK = /\p{Script=Greek}/u;
const ARABIC = /\p{Script=Arabic}/u;
const LATIN = /\p{Script=Latin}/u;
const DIGIT = /\p{N}/u;

/** How many marker words must be seen before a language other than English is believed. */
const MIN_MARKERS = 3;
/** How much more often than English a language's markers must occur. */
const MARKER_MARGIN = 1.5;

/**
 * The Latin-script language of a text from its lower-cased words, by counting function words; English unless
 * another language shows clearly more of its own.
 */
export function detectLatinLanguage(lowerWords: readonly string[]): LatinLanguage {
  const counts = new Map<LatinLanguage, number>();
  for (const word of lowerWords) {
    for (const language of MARKER_LANGUAGES.get(word) ?? [])
      counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  const english = counts.get('en') ?? 0;
  let best: LatinLanguage = 'en';
  let bestCount = 0;
  for (const [language, count] of counts) {
    if (language !== 'en' && count > bestCount) [best, bestCount] = [language, count];
  }
  return bestCount >= MIN_MARKERS && bestCount >= english * MARKER_MARGIN ? best : 'en';
}

/**
 * The stem of one lower-cased word: Snowball for its script (Cyrillic as Russian or Ukrainian, Greek, Arabic),
 * Latin words by `latin`'s stemmer; words with digits and words of other scripts stay as they are.
 */
export function stemWord(word: string, latin: LatinLanguage): string {
  if (word.length < 3 || DIGIT.test(word)) return word;
  if (LATIN.test(word)) return LATIN_STEMMERS[latin](word);
  if (CYRILLIC.test(word)) {
    const normalized = word.replaceAll('ё', 'е');
    return UKRAINIAN_LETTERS.test(normalized) ? stemUkrainian(normalized) : stemRussian(normalized);
  }
  if (GREEK.test(word)) return stemGreek(word);
  if (ARABIC.test(word)) return stemArabic(word);
  return word;
}

/** Whether a query may drop this lower-cased word (in the query's Latin language or any other script). */
export function isQueryStopword(word: string, latin: LatinLanguage): boolean {
  if (QUERY_STOPWORDS.has(word)) return true;
  return LATIN_QUERY_STOPWORDS[latin]?.has(word) ?? false;
}

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/u).filter((w) => w !== ''));
}
