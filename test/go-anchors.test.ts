/**
 * Text-anchored lookups (src/go/syntax.ts): they must find exactly the nodes a whole-tree search filtered by name
 * finds, in the same order, wherever the words also stand in comments and strings and whatever non-ASCII text
 * comes first (web-tree-sitter's indices count UTF-16 code units, like JS strings).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { Node } from 'web-tree-sitter';
import { describe, expect, test } from 'vitest';
import { goLanguage, type GoAst } from '../src/languages/go.js';
import { callsNamed, descendants, fileNames, leavesAt, methodCall, namesIn, qualified, qualifiedNamed, wordRanges } from '../src/go/syntax.js';
import { rules } from '../rules/index.js';
import { lint, repoRoot } from './helpers.js';

const goRules = rules.filter((r) => r.meta.languages.includes('go'));

function parse(text: string): GoAst {
  return goLanguage.parse(text, 'x.go').ast;
}

const where = (nodes: Node[]) => nodes.map((n) => `${n.type}@${n.startIndex}-${n.endIndex}:${n.text}`);

/**
 * The anchored lookups give candidates that callers check as before (`methodCall`, `qualified`): checked the same
 * way, they must be what the rules searched before, every call whose method or qualified function name is in
 * `words` (every `pkg.Name` whose name is), in the same order.
 */
function isNamedCall(words: string[], prefix = false): (call: Node) => boolean {
  const named = (name: string | undefined) => name !== undefined && words.some((w) => (prefix ? name.startsWith(w) : name === w));
  return (call) => named(methodCall(call)?.method) || named(qualified(call.childForFieldName('function'))?.name);
}

function callsByWholeTree(ast: GoAst, words: string[], prefix = false): Node[] {
  return descendants(ast.root, 'call_expression').filter(isNamedCall(words, prefix));
}

function anchoredCalls(ast: GoAst, words: string[], prefix = false): Node[] {
  return callsNamed(ast, words, prefix).filter(isNamedCall(words, prefix));
}

function qualifiedByWholeTree(ast: GoAst, words: string[], types: ('qualified_type' | 'selector_expression')[]): Node[] {
  return descendants(ast.root, types).filter((n) => words.includes(qualified(n)?.name ?? ''));
}

function anchoredQualified(ast: GoAst, words: string[], types: ('qualified_type' | 'selector_expression')[]): Node[] {
  return qualifiedNamed(ast, words, types).filter((n) => words.includes(qualified(n)?.name ?? ''));
}

const source = `package p

// héllo wörld — ünïcode 🚀 before anything: a.Endpoints(x) in a comment is no call.
import (
	corev1 "k8s.io/api/core/v1"
)

/* x.Endpoints(y).Get(z) */
var s = "cs.CoreV1().Endpoints(ns) 🚀"
var r = \`Endpoints\`
var t = "Endpoints"

func f(a T, b T) {
	_ = "ünï" + a.Endpoints(x).Get(y)
	_ = b.Endpoints(a.Endpoints(z)).List(w)
	_ = a.EndpointsX(q)
	_ = a.XEndpoints(q)
	_ = a.Endpoints
	var e corev1.Endpoints
	_ = corev1.Endpoints(e)
	_ = a.AddEventHandler(h)
	_ = a.AddEventHandlerWithResyncPeriod(h, 0)
	_ = a.éEndpoints(q)
	_ = a.Endpointsé(q)
}
`;

describe('wordRanges', () => {
  test('whole words only, ascending, one per start', () => {
    expect(wordRanges('Endpoints xEndpoints Endpoints_ (Endpoints)', ['Endpoints'])).toEqual([
      [0, 9],
      [33, 42],
    ]);
    expect(wordRanges('a.NewInformerWithOptions(a.NewInformer)', ['NewInformer', 'NewInformerWithOptions'])).toEqual([
      [2, 24],
      [27, 38],
    ]);
    expect(wordRanges('a.NewInformerWithOptions(x)', ['NewInformer', 'NewInformerWithOptions'], { prefix: true })).toEqual([[2, 13]]);
    expect(wordRanges('0xFFslice slice', ['slice'])).toEqual([[10, 15]]);
    expect(wordRanges('0xFFslice slice', ['slice'], { anyStart: true })).toEqual([
      [4, 9],
      [10, 15],
    ]);
  });

  test('offsets are UTF-16 code units, as the tree counts them', () => {
    const ast = parse(source);
    const at = source.indexOf('"ünï" + a.Endpoints(x)') + '"ünï" + a.'.length;
    expect(Buffer.byteLength(source.slice(0, at))).not.toBe(at);
    const leaf = ast.root.descendantForIndex(at, at + 'Endpoints'.length)!;
    expect([leaf.type, leaf.startIndex, leaf.text]).toEqual(['field_identifier', at, 'Endpoints']);
  });
});

describe('anchored lookups', () => {
  test('comments and strings do not match; nested calls come outer first, as descendantsOfType gives them', () => {
    const ast = parse(source);
    expect(ast.root.hasError).toBe(false);
    const calls = callsNamed(ast, ['Endpoints']);
    expect(where(calls).map((w) => w.replace(/^call_expression@\d+-\d+:/, ''))).toEqual([
      'a.Endpoints(x)',
      'b.Endpoints(a.Endpoints(z))',
      'a.Endpoints(z)',
      'corev1.Endpoints(e)',
    ]);
    expect(where(anchoredCalls(ast, ['Endpoints']))).toEqual(where(callsByWholeTree(ast, ['Endpoints'])));
    // The calls on them, reached by their own words: `Get` before the `Endpoints` call inside it.
    expect(where(callsNamed(ast, ['Get', 'List', 'Endpoints'])).map((w) => w.replace(/^call_expression@\d+-\d+:/, ''))).toEqual([
      'a.Endpoints(x).Get(y)',
      'a.Endpoints(x)',
      'b.Endpoints(a.Endpoints(z)).List(w)',
      'b.Endpoints(a.Endpoints(z))',
      'a.Endpoints(z)',
      'corev1.Endpoints(e)',
    ]);
  });

  test('prefixes: AddEventHandler*', () => {
    const ast = parse(source);
    const calls = callsNamed(ast, ['AddEventHandler'], true);
    expect(calls.map((c) => methodCall(c)!.method)).toEqual(['AddEventHandler', 'AddEventHandlerWithResyncPeriod']);
    expect(where(anchoredCalls(ast, ['AddEventHandler'], true))).toEqual(where(callsByWholeTree(ast, ['AddEventHandler'], true)));
  });

  test('qualified types and selectors', () => {
    const ast = parse(source);
    const both: ('qualified_type' | 'selector_expression')[] = ['qualified_type', 'selector_expression'];
    expect(where(anchoredQualified(ast, ['Endpoints'], both))).toEqual(where(qualifiedByWholeTree(ast, ['Endpoints'], both)));
    expect(where(qualifiedNamed(ast, ['Endpoints'], ['qualified_type'])).map((w) => w.replace(/@\d+-\d+/, ''))).toEqual(['qualified_type:corev1.Endpoints']);
    expect(leavesAt(ast, ['Endpoints']).map((l) => l.parent!.type)).toContain('interpreted_string_literal');
  });

  test('the names of a file, asked one at a time, are namesIn(root)', () => {
    const ast = parse(`${source}\nfunc g() { _ = 0xFFslice; seen := 1; _ = seen }\n`);
    const all = namesIn(ast.root);
    const names = fileNames(ast);
    for (const name of [...all, 'slice', 'seen', 'Endpoints', 'corev1', 'discoveryv1', 'nothing', 'héllo']) expect(names.has(name), name).toBe(all.has(name));
  });
});

/** Fragments around the words the rules anchor on, for generated files. */
const fragments = [
  'a.Endpoints(x)',
  'a.CoreV1().Endpoints(ns).Get(ctx, n, metav1.GetOptions{})',
  'f.Core().V1().Endpoints().Lister()',
  'l.Endpoints(ns).List(sel)',
  'c.Get(ctx, key, &corev1.Endpoints{})',
  'cache.NewListWatchFromClient(c, "endpoints", ns, s)',
  'cache.NewSharedIndexInformer(lw, &corev1.Endpoints{}, 0, nil)',
  'inf.AddEventHandler(h)',
  'inf.AddEventHandlerWithResyncPeriod(h, 0)',
  'corev1.EndpointsList{}',
  'x.Endpoints',
  '"Endpoints"',
  '"a.Endpoints(x) ü"',
  '/* b.Endpoints(y) */ 1',
  'Endpoints(a.Endpoints(b.Get(c)))',
  'a.\n\t\tEndpoints(z).\n\t\tGet(y)',
  'a. /* c */ Endpoints(z)',
  '"🚀" + y.Watch(z)',
  'g(h.List(i.Get(j)))',
  'typed.EndpointsInterface(nil)',
];

test('generated files: anchored lookups equal whole-tree searches', () => {
  const words = ['Endpoints', 'Get', 'List', 'Watch', 'NewListWatchFromClient', 'NewSharedIndexInformer', 'EndpointsInterface'];
  const types: ('qualified_type' | 'selector_expression')[] = ['qualified_type', 'selector_expression'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 12 }), fc.boolean(), (picked, broken) => {
      const body = picked.map((f, i) => `\t_ = ${f}${broken && i === 1 ? ' )' : ''}`).join('\n');
      const ast = parse(`package p\n\n// ünï 🚀\nfunc f() {\n${body}\n}\n`);
      expect(where(anchoredCalls(ast, words))).toEqual(where(callsByWholeTree(ast, words)));
      expect(where(anchoredCalls(ast, ['AddEventHandler'], true))).toEqual(where(callsByWholeTree(ast, ['AddEventHandler'], true)));
      expect(where(anchoredQualified(ast, words, types))).toEqual(where(qualifiedByWholeTree(ast, words, types)));
      expect(where(anchoredQualified(ast, words, ['qualified_type']))).toEqual(where(qualifiedByWholeTree(ast, words, ['qualified_type'])));
    }),
    { numRuns: 300 },
  );
});

test('every Go file of the fixtures and demo: anchored lookups equal whole-tree searches', () => {
  const files = ['fixtures', 'examples/demo'].flatMap((d) =>
    fs
      .readdirSync(path.join(repoRoot, d), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.go'))
      .map((f) => path.join(repoRoot, d, f)),
  );
  expect(files.length).toBeGreaterThan(10);
  const words = ['Endpoints', 'EndpointsList', 'Get', 'List', 'Watch', 'Owns', 'For', 'Kind', 'NewListWatchFromClient', 'NewInformer', 'EndpointsLister'];
  for (const file of files) {
    const ast = parse(fs.readFileSync(file, 'utf8'));
    expect(where(anchoredCalls(ast, words)), file).toEqual(where(callsByWholeTree(ast, words)));
    expect(where(anchoredQualified(ast, words, ['qualified_type', 'selector_expression'])), file).toEqual(
      where(qualifiedByWholeTree(ast, words, ['qualified_type', 'selector_expression'])),
    );
    const all = namesIn(ast.root);
    const names = fileNames(ast);
    for (const name of [...all, 'slice', 'endpoint', 'seen', 'seenNotReady', 'slices', 'discoveryv1', 'labels', 'client']) {
      expect(names.has(name), `${file}: ${name}`).toBe(all.has(name));
    }
  }
});

test('unused imports: a package named only in comments and strings is unused; one used as pkg.Name or pkg.f() is not', async () => {
  const text = `package p

import (
	"context"

	discoveryv1 "k8s.io/api/discovery/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// ünï 🚀 corev1.Endpoints was here
var s = "corev1.Service"
var _ discoveryv1.EndpointSlice
var _ corelisters.ServiceLister

func f(ctx context.Context, err error) bool { return apierrors.IsNotFound(err) }
`;
  const { result } = await lint({ 'x.go': text }, goRules);
  expect(result.findings.map((f) => `${f.ruleId} ${f.line}: ${f.message}`)).toEqual([
    'endpoints-go-client 7: import "k8s.io/api/core/v1" is no longer used after the EndpointSlice rewrite',
  ]);
});
