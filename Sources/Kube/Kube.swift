/// Kubernetes objects (Service, EndpointSlice) and the sources that produce typed changes to them.
public enum Kube {}
