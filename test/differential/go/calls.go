// Package before is how the harness calls each function of the fixture packages. The test writes one copy per
// side (before, after, mutants), each importing that side's packages: the calls must compile against both the
// Endpoints code and its rewrite, so they use only what the rewrite keeps (names and signatures).
package before

import (
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	d "slicefix.dev/fixtures/differential"

	"slicefix.dev/fixtures/before/aliases"
	"slicefix.dev/fixtures/before/clientget"
	"slicefix.dev/fixtures/before/faketest"
	"slicefix.dev/fixtures/before/informer"
	"slicefix.dev/fixtures/before/reconciler"
	"slicefix.dev/fixtures/before/shapes"
	"slicefix.dev/fixtures/before/trial"
)

func answer(value any, err error) d.Answer { return d.Answer{Value: value, Err: err} }

// Calls lists every exported function of the fixture packages that reads or writes Endpoints.
var Calls = []d.Call{
	{Name: "aliases.Count", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(aliases.Count(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "aliases.Stored", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(aliases.Stored(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "aliases.Passed", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(nil, aliases.Passed(e.Ctx, e.Clientset(), e.Namespace))
	}},
	{Name: "aliases.Publish", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(nil, aliases.Publish(e.Ctx, e.Clientset(), e.Endpoints()))
	}},
	{Name: "clientget.ReadyIPs", Contract: d.Multiset, Run: func(e *d.Env) d.Answer {
		return answer(clientget.ReadyIPs(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "clientget.Backends", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		ready, notReady, err := clientget.Backends(e.Ctx, e.Clientset(), e.Namespace, e.Name)
		return answer([]map[string]bool{ready, notReady}, err)
	}},
	{Name: "clientget.FirstHostname", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(clientget.FirstHostname(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "clientget.Probe", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(nil, clientget.Probe(e.Ctx, e.Clientset(), e.Namespace))
	}},
	{Name: "faketest.Ready", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(faketest.Ready(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "informer.Controller.Backends", Contract: d.Multiset, Run: func(e *d.Env) d.Answer {
		c := informer.New(e.Factory())
		e.SyncInformers()
		return answer(c.Backends(e.Namespace, e.Name))
	}},
	{Name: "reconciler.Reconciler.Reconcile", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		r := &reconciler.Reconciler{Client: e.Client(), Backends: map[string]int{e.Namespace + "/" + e.Name: -1}}
		key := types.NamespacedName{Namespace: e.Namespace, Name: e.Name}
		result, err := r.Reconcile(e.Ctx, ctrl.Request{NamespacedName: key})
		return answer(map[string]any{"result": result, "backends": r.Backends}, err)
	}},
	{Name: "shapes.Exists", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(shapes.Exists(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.WaitForEndpoints", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(nil, shapes.WaitForEndpoints(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.ReadyCount", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(shapes.ReadyCount(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.Lookup", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(shapes.Lookup(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.Describe", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(shapes.Describe(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.NotReady", Contract: d.Multiset, Run: func(e *d.Env) d.Answer {
		return answer(shapes.NotReady(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.FirstReady", Contract: d.Multiset, Run: func(e *d.Env) d.Answer {
		return answer(shapes.FirstReady(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.Labelled", Contract: d.Multiset, Run: func(e *d.Env) d.Answer {
		return answer(shapes.Labelled(e.Ctx, e.Clientset(), e.Namespace, e.Name))
	}},
	{Name: "shapes.CountReconciler.Reconcile", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		r := &shapes.CountReconciler{Client: e.Client(), Counts: map[string]int{e.Namespace + "/" + e.Name: -1}}
		key := types.NamespacedName{Namespace: e.Namespace, Name: e.Name}
		result, err := r.Reconcile(e.Ctx, ctrl.Request{NamespacedName: key})
		return answer(map[string]any{"result": result, "counts": r.Counts}, err)
	}},
	{Name: "shapes.NodeNames", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(shapes.NodeNames(e.Ctx, e.Client(), types.NamespacedName{Namespace: e.Namespace, Name: e.Name}))
	}},
	{Name: "trial.Nodes", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(trial.Nodes(e.Ctx, e.Client(), e.Service()))
	}},
	{Name: "trial.Pods", Contract: d.Multiset, Run: func(e *d.Env) d.Answer {
		return answer(trial.Pods(e.Ctx, e.Client(), types.NamespacedName{Namespace: e.Namespace, Name: e.Name}))
	}},
	{Name: "trial.Remove", Contract: d.Value, Run: func(e *d.Env) d.Answer {
		return answer(nil, trial.Remove(e.Ctx, e.Client(), e.Namespace, e.Name))
	}},
}
