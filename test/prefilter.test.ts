/** The byte pre-filter and the scratch reader: faster than the naive way, and exactly as its answers. */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnyText, commonSubstring, Prefilter } from '../src/prefilter.js';
import { ScratchReader } from '../src/read-file.js';
import { rules } from '../rules/index.js';
import type { LanguageId } from '../src/types.js';
import { makeTempDir } from './helpers.js';

describe('Prefilter', () => {
  it('finds the longest text common to all triggers', () => {
    expect(commonSubstring(['kind: Endpoints', '"kind": "Endpoints"', "kind: 'Endpoints'"])).toBe('Endpoints');
    expect(commonSubstring(['kind: Service', 'glusterfs'])).toBe('er');
    expect(commonSubstring([])).toBe('');
  });

  it('answers exactly what searching every trigger of every rule answers (random triggers and texts)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', 'E', ' ', ':');
    const word = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
    const sets = fc.array(fc.record({ triggers: fc.array(word, { minLength: 1, maxLength: 5 }), go: fc.boolean() }), { minLength: 1, maxLength: 6 });
    const text = fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(sets, fc.array(text, { minLength: 1, maxLength: 5 }), (specs, texts) => {
        const items = specs.map((spec, i) => ({ item: i, languages: [spec.go ? 'go' : 'yaml'] as LanguageId[], triggers: spec.triggers }));
        const filter = new Prefilter(items);
        for (const t of texts) {
          const bytes = Buffer.from(t);
          for (const language of ['go', 'yaml'] as LanguageId[]) {
            const naive = items.filter((s) => s.languages.includes(language) && s.triggers.some((tr) => t.includes(tr))).map((s) => s.item);
            expect(filter.match(bytes, language)).toEqual(naive);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('searches no trigger of an item it is told to leave out, and shares a gate between triggers', () => {
    const filter = new Prefilter([
      { item: 'ci', languages: ['yaml'] as LanguageId[], triggers: ['kubectl', 'KUBECTL'] },
      { item: 'service', languages: ['yaml'] as LanguageId[], triggers: ['kind: Service', 'kind: "Service"', "kind: 'Service'", 'glusterfs'] },
    ]);
    const counting = (text: string) => {
      const bytes = Buffer.from(text);
      const searched: string[] = [];
      const includes = bytes.includes.bind(bytes);
      bytes.includes = ((value: Buffer) => (searched.push(String(value)), includes(value))) as typeof bytes.includes;
      return { bytes, searched };
    };
    const plain = counting('a: 1\n');
    expect(filter.match(plain.bytes, 'yaml', (item) => item !== 'ci')).toEqual([]);
    // 'Service', shared by three triggers, is searched once and answers all three; nothing of 'ci' is searched.
    expect(plain.searched.sort()).toEqual(['Service', 'glusterfs']);
    const both = counting('kind: Service\nrun: kubectl get ep\n');
    expect(filter.match(both.bytes, 'yaml')).toEqual(['ci', 'service']);
    expect(filter.match(both.bytes, 'yaml', (item) => item === 'service')).toEqual(['service']);
  });

  it('agrees with the naive search on every file of the demo and fixtures, for the real rules', () => {
    const items = rules.map((rule) => ({ item: rule.meta.id, languages: rule.meta.languages, triggers: rule.meta.triggers }));
    const filter = new Prefilter(items);
    const root = path.resolve(import.meta.dirname, '..');
    const files = [...fs.readdirSync(path.join(root, 'fixtures'), { recursive: true, encoding: 'utf8' }).map((f) => path.join(root, 'fixtures', f))];
    let matched = 0;
    for (const file of files) {
      if (!fs.statSync(file).isFile()) continue;
      const bytes = fs.readFileSync(file);
      for (const language of ['go', 'yaml', 'typescript', 'shell', 'markdown'] as LanguageId[]) {
        const naive = items.filter((s) => s.languages.includes(language) && s.triggers.some((tr) => bytes.includes(tr))).map((s) => s.item);
        matched += naive.length;
        expect(filter.match(bytes, language), file).toEqual(naive);
      }
    }
    expect(matched).toBeGreaterThan(100);
  });
});

describe('AnyText', () => {
  it('answers whether any text is in the bytes, exactly as searching each one (random lists and texts)', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', 'x', 'é');
    const word = fc.array(alphabet, { maxLength: 5 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 300 }), fc.array(fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join('')), { maxLength: 5 }), (texts, files) => {
        const search = new AnyText(texts);
        for (const file of files) expect(search.test(Buffer.from(file))).toBe(texts.some((t) => file.includes(t)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('ScratchReader', () => {
  it('reads small and large files, reuses its buffer, and refuses files over the limit', () => {
    const dir = makeTempDir();
    const small = path.join(dir, 'small');
    const large = path.join(dir, 'large');
    const huge = path.join(dir, 'huge');
    fs.writeFileSync(small, 'abc');
    fs.writeFileSync(large, Buffer.alloc(600 * 1024, 120));
    fs.writeFileSync(huge, Buffer.alloc(2 * 1024 * 1024, 121));
    fs.chmodSync(small, 0o640);
    const reader = new ScratchReader(1024 * 1024);
    const a = reader.read(small);
    expect('bytes' in a && a.bytes.toString()).toBe('abc');
    expect('mode' in a && a.mode).toBe(0o640);
    const b = reader.read(large);
    expect('bytes' in b && b.bytes.length).toBe(600 * 1024);
    expect('bytes' in b && b.bytes.every((x) => x === 120)).toBe(true);
    expect(reader.read(huge)).toEqual({ tooLarge: true, size: 2 * 1024 * 1024 });
    const c = reader.read(small);
    expect('bytes' in c && c.bytes.toString()).toBe('abc');
    expect(() => reader.read(path.join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
