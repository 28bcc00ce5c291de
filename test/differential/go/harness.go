// Package differential runs functions written against v1 Endpoints and their EndpointSlice rewrites on the same
// cluster states (test/differential/cluster-states.ts), through the real client-go fake clientset, a fake
// SharedInformerFactory's listers and controller-runtime's fake client, and compares their answers the way a
// caller can test them: values, and errors by class (nil, apierrors.IsNotFound, other).
//
// The vitest file test/go-differential.test.ts copies this package into a temporary copy of the fixtures module,
// next to the "before" packages, the "after" packages that `slicefix --fix` produced, and mutants of them.
package differential

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	goruntime "runtime"
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crfake "sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// State is one cluster state, as cluster-states.ts writes it.
type State struct {
	Name           string            `json:"name"`
	Namespace      string            `json:"namespace"`
	ServiceName    string            `json:"serviceName"`
	Services       []json.RawMessage `json:"services"`
	Endpoints      []json.RawMessage `json:"endpoints"`
	EndpointSlices []json.RawMessage `json:"endpointSlices"`
}

// LoadStates reads the states from the file named by SLICEFIX_CLUSTER_STATES.
func LoadStates() ([]State, error) {
	file := os.Getenv("SLICEFIX_CLUSTER_STATES")
	if file == "" {
		return nil, fmt.Errorf("SLICEFIX_CLUSTER_STATES is not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var states []State
	return states, json.Unmarshal(data, &states)
}

// Objects decodes a state's objects into the typed API objects both fakes are seeded with.
func (s *State) Objects() ([]runtime.Object, error) {
	var objects []runtime.Object
	decode := func(raws []json.RawMessage, make func() runtime.Object) error {
		for _, raw := range raws {
			obj := make()
			if err := json.Unmarshal(raw, obj); err != nil {
				return fmt.Errorf("state %s: %w", s.Name, err)
			}
			objects = append(objects, obj)
		}
		return nil
	}
	if err := decode(s.Services, func() runtime.Object { return &corev1.Service{} }); err != nil {
		return nil, err
	}
	if err := decode(s.Endpoints, func() runtime.Object { return &corev1.Endpoints{} }); err != nil {
		return nil, err
	}
	if err := decode(s.EndpointSlices, func() runtime.Object { return &discoveryv1.EndpointSlice{} }); err != nil {
		return nil, err
	}
	return objects, nil
}

var (
	schemeOnce sync.Once
	scheme     *runtime.Scheme
)

func crScheme() *runtime.Scheme {
	schemeOnce.Do(func() {
		scheme = runtime.NewScheme()
		if err := clientgoscheme.AddToScheme(scheme); err != nil {
			panic(err)
		}
	})
	return scheme
}

// Env is what a call gets: the state's namespace and Service name, and clients seeded with the state. Each call
// gets a fresh Env, so that a write by one call is never seen by another.
type Env struct {
	Ctx       context.Context
	State     *State
	Namespace string
	Name      string
	objects   []runtime.Object
	clientset *k8sfake.Clientset
	factory   informers.SharedInformerFactory
	crClient  client.Client
	stop      chan struct{}
}

// NewEnv makes an Env for one call on a state.
func NewEnv(state *State, objects []runtime.Object) *Env {
	return &Env{Ctx: context.Background(), State: state, Namespace: state.Namespace, Name: state.ServiceName, objects: objects, stop: make(chan struct{})}
}

func (e *Env) copies() []runtime.Object {
	out := make([]runtime.Object, len(e.objects))
	for i, o := range e.objects {
		out[i] = o.DeepCopyObject()
	}
	return out
}

// Clientset is client-go's fake clientset seeded with the state (its List filters by label selector).
func (e *Env) Clientset() kubernetes.Interface {
	if e.clientset == nil {
		e.clientset = k8sfake.NewClientset(e.copies()...)
	}
	return e.clientset
}

// Factory is a shared informer factory over the fake clientset; call SyncInformers once the code under test has
// asked it for its informers.
func (e *Env) Factory() informers.SharedInformerFactory {
	if e.factory == nil {
		e.factory = informers.NewSharedInformerFactory(e.Clientset(), 0)
	}
	return e.factory
}

// SyncInformers starts the factory's informers and waits until their caches hold the state.
func (e *Env) SyncInformers() {
	f := e.Factory()
	f.Start(e.stop)
	for typ, ok := range f.WaitForCacheSync(e.stop) {
		if !ok {
			panic(fmt.Sprintf("informer of %v did not sync", typ))
		}
	}
}

// Client is controller-runtime's fake client seeded with the state (its List supports MatchingLabels).
func (e *Env) Client() client.Client {
	if e.crClient == nil {
		objs := make([]client.Object, 0, len(e.objects))
		for _, o := range e.copies() {
			objs = append(objs, o.(client.Object))
		}
		e.crClient = crfake.NewClientBuilder().WithScheme(crScheme()).WithObjects(objs...).Build()
	}
	return e.crClient
}

// Service is the state's Service (a bare one with the name when the state has none).
func (e *Env) Service() *corev1.Service {
	for _, o := range e.objects {
		if svc, ok := o.(*corev1.Service); ok && svc.Name == e.Name {
			return svc.DeepCopy()
		}
	}
	svc := &corev1.Service{}
	svc.Namespace, svc.Name = e.Namespace, e.Name
	return svc
}

// Endpoints is the state's Endpoints object (a bare one with the Service's name when the state has none).
func (e *Env) Endpoints() *corev1.Endpoints {
	for _, o := range e.objects {
		if ep, ok := o.(*corev1.Endpoints); ok && ep.Name == e.Name {
			return ep.DeepCopy()
		}
	}
	ep := &corev1.Endpoints{}
	ep.Namespace, ep.Name = e.Namespace, e.Name
	return ep
}

// Close stops the Env's informers.
func (e *Env) Close() {
	close(e.stop)
	if e.factory != nil {
		e.factory.Shutdown()
	}
}

// Contract says how two answers of a function are compared.
type Contract string

const (
	// Value: the values must be equal as they are (order and multiplicity count).
	Value Contract = "value"
	// Multiset: the value is a list whose order the function does not promise; multiplicity still counts.
	Multiset Contract = "multiset"
)

// Answer is what a call returned.
type Answer struct {
	Value any
	Err   error
}

// Call runs one function of a fixture package on an Env.
type Call struct {
	Name     string
	Contract Contract
	Run      func(e *Env) Answer
}

// Outcome is an answer as a caller can test it.
type Outcome struct {
	Value      json.RawMessage `json:"value"`
	ErrorClass string          `json:"error"`
	Error      string          `json:"errorText,omitempty"`
}

// ErrorClass is what a caller can tell about an error: none, NotFound, or another error.
func ErrorClass(err error) string {
	switch {
	case err == nil:
		return "nil"
	case apierrors.IsNotFound(err):
		return "NotFound"
	default:
		return "other"
	}
}

func normalize(contract Contract, value any) json.RawMessage {
	data, err := json.Marshal(value)
	if err != nil {
		return json.RawMessage(fmt.Sprintf("%q", "unmarshalable: "+err.Error()))
	}
	if contract == Multiset {
		var items []json.RawMessage
		if json.Unmarshal(data, &items) == nil {
			// nil and empty are the same empty collection to a caller that ranges over it or takes len.
			sort.Slice(items, func(i, j int) bool { return string(items[i]) < string(items[j]) })
			if items == nil {
				items = []json.RawMessage{}
			}
			data, _ = json.Marshal(items)
		}
	}
	return data
}

// Run calls c on a fresh Env of the state; a panic is an answer too.
func Run(c Call, state *State, objects []runtime.Object) (out Outcome) {
	env := NewEnv(state, objects)
	defer env.Close()
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Value: json.RawMessage("null"), ErrorClass: "panic", Error: fmt.Sprint(r)}
		}
	}()
	answer := c.Run(env)
	out = Outcome{Value: normalize(c.Contract, answer.Value), ErrorClass: ErrorClass(answer.Err)}
	if answer.Err != nil {
		out.Error = answer.Err.Error()
	}
	return out
}

// Pair is one (function, state) comparison of a side against "before".
type Pair struct {
	Side     string  `json:"side"`
	Function string  `json:"function"`
	State    string  `json:"state"`
	Equal    bool    `json:"equal"`
	Before   Outcome `json:"before"`
	After    Outcome `json:"after"`
}

// Compare runs every call of every side on every state and compares each side's answers with "before"'s. The
// (state, function) jobs run in parallel: each call has its own fakes, so they share nothing.
func Compare(states []State, before []Call, sides map[string][]Call) ([]Pair, error) {
	type job struct {
		state   *State
		objects []runtime.Object
		call    Call
	}
	var jobs []job
	for i := range states {
		objects, err := states[i].Objects()
		if err != nil {
			return nil, err
		}
		for _, call := range before {
			jobs = append(jobs, job{&states[i], objects, call})
		}
	}
	names := sortedKeys(sides)
	for _, side := range names {
		for _, call := range before {
			if find(sides[side], call.Name) == nil {
				return nil, fmt.Errorf("side %s has no function %s", side, call.Name)
			}
		}
	}
	results := make([][]Pair, len(jobs))
	var wg sync.WaitGroup
	limit := make(chan struct{}, goruntime.GOMAXPROCS(0))
	for i, j := range jobs {
		wg.Add(1)
		limit <- struct{}{}
		go func() {
			defer func() { <-limit; wg.Done() }()
			want := Run(j.call, j.state, j.objects)
			for _, side := range names {
				got := Run(*find(sides[side], j.call.Name), j.state, j.objects)
				equal := string(want.Value) == string(got.Value) && want.ErrorClass == got.ErrorClass
				results[i] = append(results[i], Pair{Side: side, Function: j.call.Name, State: j.state.Name, Equal: equal, Before: want, After: got})
			}
		}()
	}
	wg.Wait()
	var pairs []Pair
	for _, r := range results {
		pairs = append(pairs, r...)
	}
	return pairs, nil
}

func find(calls []Call, name string) *Call {
	for i := range calls {
		if calls[i].Name == name {
			return &calls[i]
		}
	}
	return nil
}

func sortedKeys(m map[string][]Call) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
