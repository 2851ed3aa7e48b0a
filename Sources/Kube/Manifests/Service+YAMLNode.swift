/// Reading a Service from a YAML node (see ``YAMLNodeFields``).
extension Service {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            apiVersion: try fields.string("apiVersion"), kind: try fields.string("kind"),
            metadata: try ObjectMeta.required(in: fields), spec: try fields.fields("spec").map(Spec.init(yaml:)),
            status: try fields.fields("status").map(Status.init(yaml:)))
    }
}

extension Service.Spec {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            type: try fields.string("type"), clusterIP: try fields.string("clusterIP"),
            clusterIPs: try fields.strings("clusterIPs"), ipFamilies: try fields.strings("ipFamilies"),
            ipFamilyPolicy: try fields.string("ipFamilyPolicy"),
            ports: try fields.objects("ports", Service.Port.init(yaml:)), selector: try fields.stringMap("selector"),
            sessionAffinity: try fields.string("sessionAffinity"),
            sessionAffinityConfig: try fields.fields("sessionAffinityConfig").map {
                (config) throws(YAMLNodeFields.Unsupported) in
                Service.SessionAffinityConfig(
                    clientIP: try config.fields("clientIP").map { (clientIP) throws(YAMLNodeFields.Unsupported) in
                        Service.ClientIPConfig(timeoutSeconds: try clientIP.int("timeoutSeconds"))
                    })
            },
            externalIPs: try fields.strings("externalIPs"), externalName: try fields.string("externalName"),
            internalTrafficPolicy: try fields.string("internalTrafficPolicy"),
            externalTrafficPolicy: try fields.string("externalTrafficPolicy"),
            healthCheckNodePort: try fields.int("healthCheckNodePort"),
            loadBalancerIP: try fields.string("loadBalancerIP"))
    }
}

extension Service.Port {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            name: try fields.string("name"), protocol: try fields.string("protocol"), port: try fields.int("port"),
            targetPort: try fields.intOrString("targetPort"), nodePort: try fields.int("nodePort"),
            appProtocol: try fields.string("appProtocol"))
    }
}

extension Service.Status {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            loadBalancer: try fields.fields("loadBalancer").map { (balancer) throws(YAMLNodeFields.Unsupported) in
                Service.LoadBalancerStatus(
                    ingress: try balancer.objects("ingress") { (ingress) throws(YAMLNodeFields.Unsupported) in
                        Service.LoadBalancerIngress(
                            ip: try ingress.string("ip"), hostname: try ingress.string("hostname"),
                            ipMode: try ingress.string("ipMode"))
                    })
            })
    }
}
