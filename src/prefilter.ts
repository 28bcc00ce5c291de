/**
 * The byte-level pre-filter: which rules (to check) and which collectors (to gather facts) a file's bytes can
 * concern, before anything is decoded or parsed.
 *
 * Rules share trigger texts (four Go rules look for `Endpoints`), and many triggers contain others
 * (`kind: Endpoints` contains `Endpoints`). Each distinct text is searched at most once per file, and a text is
 * not searched at all when a text it contains is already known to be absent. The texts common to all of a
 * rule's triggers are added as gates: `Endpoints` answers the five spellings of `kind: Endpoints` with one
 * search in most files. The answers are exactly those of searching every trigger.
 */
import type { LanguageId } from './types.js';

export interface TriggerSet<T> {
  item: T;
  languages: readonly LanguageId[];
  triggers: readonly string[];
}

/** Gates shorter than this are too common to be worth a search of their own. */
const MIN_GATE_LENGTH = 4;
/**
 * Texts shared by two triggers, of at least this length, are gates too (`Service` in the five spellings of
 * `kind: Service`, which a rule lists beside `glusterfs`): one search answers both while the text is absent.
 */
const MIN_SHARED_LENGTH = 6;

/** The longest text that every one of `texts` contains ('' when there is none). */
export function commonSubstring(texts: readonly string[]): string {
  if (texts.length === 0) return '';
  const shortest = texts.reduce((a, b) => (b.length < a.length ? b : a));
  for (let length = shortest.length; length > 0; length--) {
    for (let start = 0; start + length <= shortest.length; start++) {
      const candidate = shortest.slice(start, start + length);
      if (texts.every((t) => t.includes(candidate))) return candidate;
    }
  }
  return '';
}

interface Entry<T> {
  item: T;
  /** Indices into the text table. */
  triggers: number[];
}

export class Prefilter<T> {
  private readonly texts: Buffer[] = [];
  /** For each text: the other texts it contains (if one of them is absent, so is it). */
  private readonly contained: number[][] = [];
  private readonly byLanguage = new Map<LanguageId, Entry<T>[]>();
  /** Per file: 0 not searched yet, 1 present, 2 absent. */
  private state = new Uint8Array(0);

  constructor(sets: readonly TriggerSet<T>[]) {
    const index = new Map<string, number>();
    const intern = (text: string) => {
      let i = index.get(text);
      if (i === undefined) {
        i = index.size;
        index.set(text, i);
      }
      return i;
    };
    const allTriggers = [...new Set(sets.flatMap((set) => set.triggers))];
    for (let a = 0; a < allTriggers.length; a++) {
      for (let b = a + 1; b < allTriggers.length; b++) {
        const shared = commonSubstring([allTriggers[a], allTriggers[b]]);
        if (shared.length >= MIN_SHARED_LENGTH) intern(shared);
      }
    }
    for (const set of sets) {
      const gate = set.triggers.length > 1 ? commonSubstring(set.triggers) : '';
      if (gate.length >= MIN_GATE_LENGTH) intern(gate);
      const entry: Entry<T> = { item: set.item, triggers: set.triggers.map(intern) };
      for (const language of set.languages) {
        const list = this.byLanguage.get(language) ?? [];
        list.push(entry);
        this.byLanguage.set(language, list);
      }
    }
    const strings = [...index.keys()];
    for (const text of strings) {
      this.texts.push(Buffer.from(text));
      this.contained.push(strings.flatMap((other, j) => (other !== text && text.includes(other) ? [j] : [])));
    }
    this.state = new Uint8Array(strings.length);
  }

  /**
   * The items whose language is `language` and whose triggers occur in `bytes`, in the order they were given.
   * Items `accept` refuses are left out before their triggers are searched (a rule that reads only some paths).
   */
  match(bytes: Buffer, language: LanguageId, accept?: (item: T) => boolean): T[] {
    const entries = this.byLanguage.get(language);
    if (!entries) return [];
    this.state.fill(0);
    const found: T[] = [];
    for (const entry of entries) {
      if (accept && !accept(entry.item)) continue;
      if (entry.triggers.some((t) => this.present(bytes, t))) found.push(entry.item);
    }
    return found;
  }

  private present(bytes: Buffer, i: number): boolean {
    const known = this.state[i];
    if (known !== 0) return known === 1;
    let answer = true;
    for (const j of this.contained[i]) {
      if (!this.present(bytes, j)) {
        answer = false;
        break;
      }
    }
    if (answer) answer = bytes.includes(this.texts[i]);
    this.state[i] = answer ? 1 : 2;
    return answer;
  }
}

/**
 * Whether bytes hold any of a list of texts (the texts a checked file needs a collected file to contain, see
 * `Rule.collectNeeds`). The same list is searched in thousands of files: its texts are encoded once, duplicates
 * and texts that contain another text are dropped (a file holding `web-api` holds `web`), and the text common to
 * all of them, if long enough, is searched first.
 */
export class AnyText {
  private readonly texts: Buffer[];
  private readonly gate?: Buffer;

  constructor(texts: readonly string[]) {
    let unique = [...new Set(texts)];
    // An empty text is in every file.
    if (unique.includes('')) unique = [''];
    // Quadratic, so only for lists of the usual size; a longer list is searched whole.
    else if (unique.length > 1 && unique.length <= 256) unique = unique.filter((t) => !unique.some((o) => o !== t && t.includes(o)));
    this.texts = unique.map((t) => Buffer.from(t));
    const gate = unique.length > 1 ? commonSubstring(unique) : '';
    if (gate.length >= MIN_GATE_LENGTH) this.gate = Buffer.from(gate);
  }

  test(bytes: Buffer): boolean {
    if (this.gate && !bytes.includes(this.gate)) return false;
    return this.texts.some((t) => bytes.includes(t));
  }
}
