/// Desired state, plan and reconcile loop: Kubernetes objects in, IPVS operations out.
public enum Proxy {}
