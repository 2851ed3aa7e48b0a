/// Backend "pods" in network namespaces, for the kernel lab, the demo and the scheduler benchmark.
public enum Pods {}
