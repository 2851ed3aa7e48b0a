/// Reading an EndpointSlice from a YAML node (see ``YAMLNodeFields``).
extension EndpointSlice {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            apiVersion: try fields.string("apiVersion"), kind: try fields.string("kind"),
            metadata: try ObjectMeta.required(in: fields), addressType: try fields.string("addressType"),
            endpoints: try fields.objects("endpoints", Endpoint.init(yaml:)),
            ports: try fields.objects("ports") { (port) throws(YAMLNodeFields.Unsupported) in
                Port(
                    name: try port.string("name"), protocol: try port.string("protocol"), port: try port.int("port"),
                    appProtocol: try port.string("appProtocol"))
            })
    }
}

extension EndpointSlice.Endpoint {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            addresses: try fields.strings("addresses") ?? [],
            conditions: try fields.fields("conditions").map { (conditions) throws(YAMLNodeFields.Unsupported) in
                EndpointSlice.Conditions(
                    ready: try conditions.bool("ready"), serving: try conditions.bool("serving"),
                    terminating: try conditions.bool("terminating"))
            },
            nodeName: try fields.string("nodeName"), zone: try fields.string("zone"),
            hints: try fields.fields("hints").map { (hints) throws(YAMLNodeFields.Unsupported) in
                EndpointSlice.Hints(
                    forZones: try hints.objects("forZones", Self.namedHint),
                    forNodes: try hints.objects("forNodes", Self.namedHint))
            },
            hostname: try fields.string("hostname"),
            targetRef: try fields.fields("targetRef").map { (target) throws(YAMLNodeFields.Unsupported) in
                EndpointSlice.TargetReference(
                    kind: try target.string("kind"), namespace: try target.string("namespace"),
                    name: try target.string("name"))
            })
    }

    static func namedHint(_ fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) -> EndpointSlice.NamedHint {
        guard let name = try fields.string("name") else { throw YAMLNodeFields.Unsupported() }
        return EndpointSlice.NamedHint(name: name)
    }
}
