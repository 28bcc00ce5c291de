package main

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
)

// lister keeps Endpoints from a shared informer factory (endpoints-go-informer).
func lister(factory informers.SharedInformerFactory) corelisters.EndpointsLister {
	return factory.Core().V1().Endpoints().Lister()
}

// setup owns the Endpoints it writes (endpoints-go-controller-runtime).
func setup(mgr ctrl.Manager, r ctrl.Reconciler) error {
	return ctrl.NewControllerManagedBy(mgr).For(&corev1.Service{}).Owns(&corev1.Endpoints{}).Complete(r)
}
