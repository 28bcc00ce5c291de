/** Focused cases of the Go rules: what must not match, why a fix is refused, and the parser's error reporting. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { newCallSpans } from '../src/go/new-expression.js';
import { goLanguage } from '../src/languages/go.js';
import { rule as client } from '../rules/endpoints-go-client.js';
import { rule as informer } from '../rules/endpoints-go-informer.js';
import { rules } from '../rules/index.js';
import { copyFixture, fixturesDir, lint } from './helpers.js';

const goRules = rules.filter((r) => r.meta.languages.includes('go'));

const header = `package p

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

var _ corev1.Service
`;

describe('go parser', () => {
  test('reports syntax errors with offsets, so the engine refuses fixes there', async () => {
    const { errors } = goLanguage.parse('package p\nfunc f( {\n', 'x.go');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].offset).toBeGreaterThanOrEqual(10);
    const broken = `${header}func f(ctx context.Context, cs kubernetes.Interface) {\n\tep, _ := cs.CoreV1().Endpoints("ns").Get(ctx, "a", metav1.GetOptions{})\n\tfor _, s := range ep.Subsets {\n`;
    const out = await lint({ 'x.go': broken }, goRules, { fix: true });
    expect(out.files['x.go']).toBe(broken);
    expect(out.result.errors[0].message).toMatch(/could not be parsed/);
  });

  describe("Go 1.26's new(expr), which tree-sitter-go predates", () => {
    // Shaped like prometheus-operator's test framework: new(int32(1)), new(f()) and new(int64(30)) beside an
    // Endpoints Get that slicefix can rewrite. The fixture builds with Go 1.26 (test/go-toolchain.test.ts).
    const fixture = 'go/newer';
    const text = fs.readFileSync(path.join(fixturesDir, fixture, 'newer.go'), 'utf8');
    const grammar = JSON.parse(fs.readFileSync(path.join(fixturesDir, '..', 'node_modules', 'tree-sitter-go', 'package.json'), 'utf8')).version;

    test('says the grammar is older than the code, reports the findings from a sound tree, and fixes nothing', async () => {
      const out = await lint(copyFixture(fixture), goRules, { fix: true });
      expect(out.files['newer.go']).toBe(text);
      expect(out.result.errors).toEqual([
        {
          file: 'newer.go',
          message: `the Go grammar (tree-sitter-go ${grammar}) is older than this code: new(expr) of Go 1.26 (line 21, column 29); its findings are reported, but no fix is applied to this file`,
        },
      ]);
      // The Get call itself, not a fragment of a statement the broken tree cut short; not fixable, as it is not fixed.
      expect(out.result.findings.map((f) => [f.ruleId, f.line, f.column, f.fixable])).toEqual([['endpoints-go-client', 31, 13, false]]);
      expect(out.result.findings[0].message).toMatch(/^`cs\.CoreV1\(\)\.Endpoints\(ns\)\.Get\(/);
    });

    test('the same file without new(expr) is fixed: the refusal comes from the grammar alone', async () => {
      const older = text.replace('new(int32(1))', 'new(int32)').replace('new(defaultDeadline())', 'nil').replace('new(int64(30))', 'new(int64)');
      expect(older).not.toMatch(/new\([a-z]\w*\(/);
      const out = await lint({ 'newer.go': older }, goRules, { fix: true });
      expect(out.result.errors).toEqual([]);
      expect(out.files['newer.go']).toMatch(/EndpointSlices\(ns\)/);
    });

    test('nodes show the text as written, not the text the grammar was given', () => {
      const { ast, errors } = goLanguage.parse(text, 'newer.go');
      expect(errors).toHaveLength(1);
      expect(errors[0].newerThanParser).toBe(true);
      const calls: string[] = [];
      const visit = (node: typeof ast.root): void => {
        if (node.type === 'call_expression' && node.text.startsWith('new')) calls.push(node.text);
        for (const child of node.children) if (child) visit(child);
      };
      visit(ast.root);
      expect(calls).toEqual(['new(int32(1))', 'new(defaultDeadline())', 'new(int64(30))', 'new(int)']);
      goLanguage.dispose?.(ast);
    });

    test('a real syntax error beside new(expr) is still "could not be parsed"', async () => {
      const broken = text.replace('return ips, nil\n}', 'return ips, nil\n');
      const out = await lint({ 'newer.go': broken }, goRules, { fix: true });
      expect(out.files['newer.go']).toBe(broken);
      expect(out.result.errors).toHaveLength(1);
      expect(out.result.errors[0].message).toMatch(/^could not be parsed: /);
    });

    test('finds new( calls, not methods, strings or comments', () => {
      const src = 'x := new(f(new(g())))\ny.new(1)\ns := "new(1)" + `new(2)` // new(3)\n/* new(4) */ r := \'(\'; z := new (int)\n';
      const spans = newCallSpans(src).map((span) => src.slice(span.start, span.end));
      expect(spans).toEqual(['new(f(new(g())))', 'new(g())', 'new (int)']);
    });
  });

  test('frees every tree once the engine is done with it, not when the garbage collector gets to it', async () => {
    // Trees live in WebAssembly memory, which only grows: a scan of a Go module cache once ran out of it.
    const { Tree } = await import('web-tree-sitter');
    const spy = vi.spyOn(Tree.prototype, 'delete');
    try {
      const file = `${header}func f(ctx context.Context, cs kubernetes.Interface) error {\n\t_, err := cs.CoreV1().Endpoints("ns").List(ctx, metav1.ListOptions{})\n\treturn err\n}\n`;
      const out = await lint({ 'a.go': file, 'b.go': file.replace('func f', 'func g'), 'c.go': 'package p\n// Endpoints in a comment only\n' }, goRules, { fix: true });
      expect(out.result.stats!.parses).toBeGreaterThanOrEqual(3);
      expect(spy).toHaveBeenCalledTimes(out.result.stats!.parses);
      const { ast } = goLanguage.parse('package p\n', 'x.go');
      goLanguage.dispose!(ast);
      goLanguage.dispose!(ast); // a second dispose is a no-op, not a double free
      expect(spy).toHaveBeenCalledTimes(out.result.stats!.parses + 1);
    } finally {
      spy.mockRestore();
    }
  });

  test('resolves import names: `corev1` of another package is not ours', () => {
    const { ast } = goLanguage.parse('package p\n\nimport (\n\tcorev1 "example.com/core/v1"\n\tv1 "k8s.io/api/core/v1"\n)\n', 'x.go');
    expect(ast.imports.list.map((i) => [i.name, i.path])).toEqual([
      ['corev1', 'example.com/core/v1'],
      ['v1', 'k8s.io/api/core/v1'],
    ]);
  });
});

describe('endpoints-go-client', () => {
  test('comments, strings and other packages never match', async () => {
    const text = `${header}// cs.CoreV1().Endpoints(ns).Get(ctx, name, metav1.GetOptions{})
var s = "cs.CoreV1().Endpoints(ns).Get(ctx, name, metav1.GetOptions{})"

type etcd struct{}

func (etcd) Endpoints() []string { return nil }

func f(ctx context.Context, cs kubernetes.Interface, e etcd) int {
	_, _ = cs.CoreV1().Services("ns").Get(ctx, "a", metav1.GetOptions{})
	return len(e.Endpoints())
}
`;
    const out = await lint({ 'x.go': text }, goRules);
    expect(out.result.findings).toEqual([]);
  });

  test('a result used another way is reported with the reason and left alone', async () => {
    const text = `${header}func f(ctx context.Context, cs kubernetes.Interface) (*corev1.Endpoints, error) {
	ep, err := cs.CoreV1().Endpoints("ns").Get(ctx, "a", metav1.GetOptions{})
	return ep, err
}
`;
    const out = await lint({ 'x.go': text }, [client], { fix: true });
    expect(out.files['x.go']).toBe(text);
    expect(out.result.findings).toHaveLength(1);
    expect(out.result.findings[0].message).toContain('Not fixed: `ep` is used as a whole at line 14');
    expect(out.result.findings[0].message).toContain('`endpointslices` in API group `discovery.k8s.io`');
  });

  test('non-empty GetOptions are not guessed at', async () => {
    const text = `${header}func f(ctx context.Context, cs kubernetes.Interface) error {
	_, err := cs.CoreV1().Endpoints("ns").Get(ctx, "a", metav1.GetOptions{ResourceVersion: "0"})
	return err
}
`;
    const out = await lint({ 'x.go': text }, [client], { fix: true });
    expect(out.files['x.go']).toBe(text);
    expect(out.result.findings[0].message).toContain('GetOptions');
  });

  test('writes are reported with the labels to set, never rewritten', async () => {
    const text = `${header}func f(ctx context.Context, cs kubernetes.Interface, ep *corev1.Endpoints) error {
	return cs.CoreV1().Endpoints("ns").Delete(ctx, ep.Name, metav1.DeleteOptions{})
}
`;
    const out = await lint({ 'x.go': text }, [client], { fix: true });
    expect(out.files['x.go']).toBe(text);
    expect(out.result.findings[0].message).toMatch(/kubernetes.io\/service-name.*managed-by/);
  });
});

describe('endpoints-go-controller-runtime', () => {
  // Issue 15 §2.5: slices mirrored from Endpoints the controller writes are owned by those Endpoints.
  const controller = (writes: boolean) => `package p

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

type R struct{ client.Client }

func (r *R) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	svc := &corev1.Service{}
	if err := r.Get(ctx, req.NamespacedName, svc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
${writes ? `	ep := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace}}
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, ep, func() error {
		return controllerutil.SetControllerReference(svc, ep, r.Scheme())
	})
	return ctrl.Result{}, err
` : `	_ = metav1.Now()
	_ = controllerutil.OperationResultNone
	return ctrl.Result{}, nil
`}}

func (r *R) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).For(&corev1.Service{}).Owns(&corev1.Endpoints{}).Complete(r)
}
`;
  const crRule = rules.find((r) => r.meta.id === 'endpoints-go-controller-runtime')!;

  test('Owns(&corev1.Endpoints{}) in a controller that writes those Endpoints is reported with the reason, not rewritten', async () => {
    const text = controller(true);
    const out = await lint({ 'x.go': text }, [crRule], { fix: true });
    expect(out.files['x.go']).toBe(text);
    const owns = out.result.findings.find((f) => f.message.includes('owns v1 Endpoints'))!;
    expect(owns.fixable).toBe(false);
    expect(owns.message).toMatch(/Not fixed: this controller writes the Endpoints it owns \(`controllerutil.CreateOrUpdate/);
  });

  test('Owns(&corev1.Endpoints{}) in a controller that writes none is still rewritten', async () => {
    const out = await lint({ 'x.go': controller(false) }, [crRule], { fix: true });
    expect(out.files['x.go']).toContain('Owns(&discoveryv1.EndpointSlice{})');
  });
});

describe('endpoints-go-informer', () => {
  const types = `package p

import (
	corelisters "k8s.io/client-go/listers/core/v1"
)

type C struct{ lister corelisters.EndpointsLister }
`;
  const wiring = (handlers: boolean) => `package p

import (
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

func wire(f informers.SharedInformerFactory, c *C) {
	informer := f.Core().V1().Endpoints()
	c.lister = informer.Lister()
${handlers ? '\tinformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{})\n' : ''}}
`;

  test('an informer and the lister type in another file are fixed together', async () => {
    const out = await lint({ 'types.go': types, 'wire.go': wiring(false) }, [informer], { fix: true });
    expect(out.result.findings).toEqual([]);
    expect(out.files['types.go']).toContain('lister discoverylisters.EndpointSliceLister');
    expect(out.files['types.go']).toContain('discoverylisters "k8s.io/client-go/listers/discovery/v1"');
    expect(out.files['types.go']).not.toContain('corelisters');
    expect(out.files['wire.go']).toContain('f.Discovery().V1().EndpointSlices()');
  });

  test('event handlers on the informer block every informer fix in the repository, and say where', async () => {
    const out = await lint({ 'types.go': types, 'wire.go': wiring(true) }, [informer], { fix: true });
    expect(out.files['types.go']).toBe(types);
    const typeFinding = out.result.findings.find((f) => f.file === 'types.go')!;
    expect(typeFinding.message).toContain('wire.go:9 cannot be rewritten');
    expect(typeFinding.message).toContain('event handlers');
  });

  // Issue 15 §2.4 and §2.6: an informer's or lister's uses must all be known, or nothing of it is rewritten.
  const flow = (body: string, extraImports = '') => `package p

import (
	"fmt"

	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
${extraImports})

type C struct{ lister corelisters.EndpointsLister }

${body}
`;
  const unchangedCases: [string, string, string, RegExp][] = [
    [
      'a namespace lister kept in a variable',
      `func (c *C) ips(ns, name string) {
	nsl := c.lister.Endpoints(ns)
	ep, _ := nsl.Get(name)
	fmt.Println(ep)
}

func wire(f informers.SharedInformerFactory) *C { return &C{lister: f.Core().V1().Endpoints().Lister()} }`,
      '',
      /namespace lister `c.lister.Endpoints\(ns\)` is kept or handed on/,
    ],
    [
      'the informer handed to a function',
      `func wire(f informers.SharedInformerFactory) { run(f.Core().V1().Endpoints()) }

func run(i interface{}) { fmt.Println(i) }

var _ = &C{}`,
      '',
      /the informer is handed on/,
    ],
    [
      'the store of the informer read by key',
      `func wire(f informers.SharedInformerFactory, key string) {
	obj, _, _ := f.Core().V1().Endpoints().Informer().GetStore().GetByKey(key)
	fmt.Println(obj)
}

var _ = &C{}`,
      '',
      /store keys and type assertions/,
    ],
    [
      'an informer type handed around as a parameter',
      `func run(i coreinformers.EndpointsInformer) *C { return &C{lister: i.Lister()} }

var _ informers.SharedInformerFactory
var _ = fmt.Sprint`,
      '\tcoreinformers "k8s.io/client-go/informers/core/v1"\n',
      /an informer kept or handed on as a value/,
    ],
    [
      'a lister built by hand from an indexer',
      `func fake(idx cache.Indexer) *C { return &C{lister: corelisters.NewEndpointsLister(idx)} }

func wire(f informers.SharedInformerFactory) *C { return &C{lister: f.Core().V1().Endpoints().Lister()} }

var _ = fmt.Sprint`,
      '\t"k8s.io/client-go/tools/cache"\n',
      /a lister built from an indexer/,
    ],
    [
      'a lister handed in as a parameter (knative net-kourier: fed by an injection informer)',
      `func newC(l corelisters.EndpointsLister) *C { return &C{lister: l} }

func wire(f informers.SharedInformerFactory) *C { return &C{lister: f.Core().V1().Endpoints().Lister()} }

var _ = fmt.Sprint`,
      '',
      /a lister handed in as a parameter/,
    ],
    [
      'a lister of another source stored in the lister field',
      `type source interface{ Lister() corelisters.EndpointsLister }

func fromLibrary(s source) *C { return &C{lister: s.Lister()} }

func wire(f informers.SharedInformerFactory) *C { return &C{lister: f.Core().V1().Endpoints().Lister()} }

var _ = fmt.Sprint`,
      '',
      /the lister kept in `lister` comes from `s.Lister\(\)`/,
    ],
  ];
  test.each(unchangedCases)('nothing is rewritten when %s, and the findings say why', async (_what, body, extraImports, reason) => {
    const text = flow(body, extraImports);
    const out = await lint({ 'x.go': text }, [informer], { fix: true });
    expect(out.files['x.go']).toBe(text);
    expect(out.result.findings.length).toBeGreaterThan(0);
    expect(out.result.findings.some((f) => reason.test(f.message)), out.result.findings.map((f) => f.message).join('\n')).toBe(true);
  });

  test('a lister taken from the factory into a variable is rewritten with its Get', async () => {
    const text = flow(`func (c *C) wire(f informers.SharedInformerFactory, ns, name string) error {
	lister := f.Core().V1().Endpoints().Lister()
	ep, err := lister.Endpoints(ns).Get(name)
	if err != nil {
		return err
	}
	for _, s := range ep.Subsets {
		for _, a := range s.Addresses {
			fmt.Println(a.IP)
		}
	}
	return nil
}`);
    const out = await lint({ 'x.go': text }, [informer], { fix: true });
    expect(out.result.findings).toEqual([]);
    expect(out.files['x.go']).toContain('lister := f.Discovery().V1().EndpointSlices().Lister()');
    expect(out.files['x.go']).toContain('ep, err := lister.EndpointSlices(ns).List(');
  });

  test('an Endpoints(ns).Get(name) on something that is not an Endpoints lister is not reported', async () => {
    const text = `package p

type registry struct{}

func (registry) Endpoints(ns string) registry { return registry{} }
func (registry) Get(name string) (string, error) { return name, nil }

func f(r registry) { _, _ = r.Endpoints("ns").Get("a") }
`;
    const out = await lint({ 'x.go': text }, goRules);
    expect(out.result.findings).toEqual([]);
  });
});
