import Values

/// A validated object in the decoded-manifests cache (``ManifestCache``): every field, so that an object read back
/// is equal to the one written. The names endpoints repeat go through ``NameTable`` as the validator's do.
extension KubeObject {
    func write(to writer: inout CacheWriter) {
        switch self {
        case .service(let service):
            writer.byte(1)
            Self.write(service.box.value, to: &writer)
        case .endpointSlice(let slice):
            writer.byte(2)
            Self.write(slice.box.value, to: &writer)
        case .node(let node):
            writer.byte(3)
            writer.string(node.name)
            writer.string(node.zone)
            writer.bool(node.beingDeleted)
            writer.strings(node.taintKeys)
            writer.addresses(node.hostIPs)
        }
    }

    static func read(from reader: inout CacheReader, names: NameTable) throws(CacheReader.Malformed) -> KubeObject {
        switch try reader.byte() {
        case 1: return .service(try readService(from: &reader))
        case 2: return .endpointSlice(try readSlice(from: &reader, names: names))
        case 3:
            let name = try reader.string()
            let zone = try reader.optionalString()
            let beingDeleted = try reader.bool()
            let taints = try reader.strings()
            return .node(
                ValidatedNode(
                    name: name, zone: zone, beingDeleted: beingDeleted, taintKeys: taints,
                    hostIPs: try reader.addresses()))
        default: throw CacheReader.Malformed(offset: reader.offset - 1)
        }
    }

    private static func write(_ key: ObjectKey, to writer: inout CacheWriter) {
        writer.string(key.namespace)
        writer.string(key.name)
    }

    private static func readKey(from reader: inout CacheReader) throws(CacheReader.Malformed) -> ObjectKey {
        let namespace = try reader.string()
        return ObjectKey(namespace: namespace, name: try reader.string())
    }

    private static func write(_ labels: [String: String], to writer: inout CacheWriter) {
        writer.count(labels.count)
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            writer.string(key)
            writer.string(value)
        }
    }

    private static func readLabels(from reader: inout CacheReader) throws(CacheReader.Malformed) -> [String: String] {
        let count = try reader.count(itemBytes: 8)
        var labels: [String: String] = [:]
        labels.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.string()
            labels[key] = try reader.string()
        }
        return labels
    }

    private static func write(_ service: ValidatedService.Fields, to writer: inout CacheWriter) {
        write(service.key, to: &writer)
        writer.string(service.resourceVersion)
        writer.string(service.type.rawValue)
        writer.addresses(service.clusterIPs)
        writer.bool(service.isHeadless)
        writer.count(service.ports.count)
        for port in service.ports {
            writer.string(port.name)
            writer.string(port.protocol.rawValue)
            writer.uint16(port.port)
            switch port.targetPort {
            case .number(let number):
                writer.byte(0)
                writer.uint16(number)
            case .name(let name):
                writer.byte(1)
                writer.string(name)
            }
            writer.bool(port.nodePort != nil)
            writer.uint16(port.nodePort ?? 0)
        }
        switch service.sessionAffinity {
        case .none: writer.byte(0)
        case .clientIP(let timeout):
            writer.byte(1)
            writer.uint64(UInt64(bitPattern: Int64(timeout)))
        }
        writer.addresses(service.externalIPs)
        writer.addresses(service.loadBalancerIngressIPs)
        writer.string(service.internalTrafficPolicy.rawValue)
        writer.string(service.externalTrafficPolicy.rawValue)
        writer.bool(service.healthCheckNodePort != nil)
        writer.uint16(service.healthCheckNodePort ?? 0)
        writer.string(service.externalName)
        write(service.labels, to: &writer)
        write(service.annotations, to: &writer)
        writer.string(service.deletionTimestamp)
        writer.string(service.creationTimestamp)
        writer.strings(service.loadBalancerSourceRanges)
    }

    private static func readService(from reader: inout CacheReader) throws(CacheReader.Malformed) -> ValidatedService {
        let key = try readKey(from: &reader)
        let resourceVersion = try reader.optionalString()
        let type = try reader.raw(ServiceType.self)
        let clusterIPs = try reader.addresses()
        let isHeadless = try reader.bool()
        let portCount = try reader.count(itemBytes: 12)
        var ports: [ValidatedService.Port] = []
        ports.reserveCapacity(portCount)
        for _ in 0..<portCount {
            let name = try reader.string()
            let transport = try reader.raw(TransportProtocol.self)
            let number = try reader.uint16()
            let target: TargetPort
            switch try reader.byte() {
            case 0: target = .number(try reader.uint16())
            case 1: target = .name(try reader.string())
            default: throw CacheReader.Malformed(offset: reader.offset - 1)
            }
            let hasNodePort = try reader.bool()
            let nodePort = try reader.uint16()
            ports.append(
                ValidatedService.Port(
                    name: name, protocol: transport, port: number, targetPort: target,
                    nodePort: hasNodePort ? nodePort : nil))
        }
        let affinity: SessionAffinity
        switch try reader.byte() {
        case 0: affinity = .none
        case 1: affinity = .clientIP(timeoutSeconds: Int(Int64(bitPattern: try reader.uint64())))
        default: throw CacheReader.Malformed(offset: reader.offset - 1)
        }
        let externalIPs = try reader.addresses()
        let ingress = try reader.addresses()
        let internalPolicy = try reader.raw(TrafficPolicy.self)
        let externalPolicy = try reader.raw(TrafficPolicy.self)
        let hasHealthPort = try reader.bool()
        let healthPort = try reader.uint16()
        let externalName = try reader.optionalString()
        let labels = try readLabels(from: &reader)
        let annotations = try readLabels(from: &reader)
        let deletion = try reader.optionalString()
        let creation = try reader.optionalString()
        return ValidatedService(
            key: key, resourceVersion: resourceVersion, type: type, clusterIPs: clusterIPs, isHeadless: isHeadless,
            ports: ports, sessionAffinity: affinity, externalIPs: externalIPs, loadBalancerIngressIPs: ingress,
            internalTrafficPolicy: internalPolicy, externalTrafficPolicy: externalPolicy,
            healthCheckNodePort: hasHealthPort ? healthPort : nil, externalName: externalName, labels: labels,
            annotations: annotations, deletionTimestamp: deletion, creationTimestamp: creation,
            loadBalancerSourceRanges: try reader.strings())
    }

    private static func write(_ slice: ValidatedEndpointSlice.Fields, to writer: inout CacheWriter) {
        write(slice.key, to: &writer)
        writer.string(slice.resourceVersion)
        writer.string(slice.serviceName)
        writer.string(slice.addressType.rawValue)
        writer.count(slice.endpoints.count)
        for endpoint in slice.endpoints {
            writer.address(endpoint.address)
            writer.byte((endpoint.ready ? 1 : 0) | (endpoint.serving ? 2 : 0) | (endpoint.terminating ? 4 : 0))
            writer.string(endpoint.nodeName)
            writer.string(endpoint.zone)
            writer.strings(endpoint.hintZones)
            writer.strings(endpoint.hintNodes)
            writer.string(endpoint.targetName)
        }
        writer.count(slice.ports.count)
        for port in slice.ports {
            writer.string(port.name)
            writer.string(port.protocol.rawValue)
            writer.uint16(port.port)
        }
        writer.bool(slice.lastChangeTriggerTime != nil)
        writer.uint64((slice.lastChangeTriggerTime ?? 0).bitPattern)
        writer.string(slice.serviceProxyName)
        writer.bool(slice.headless)
    }

    private static func readSlice(
        from reader: inout CacheReader, names: NameTable
    ) throws(CacheReader.Malformed) -> ValidatedEndpointSlice {
        let key = try readKey(from: &reader)
        let resourceVersion = try reader.optionalString()
        let serviceName = try reader.optionalString()
        let addressType = try reader.raw(AddressType.self)
        let endpointCount = try reader.count(itemBytes: 15)
        var endpoints: [ValidatedEndpointSlice.Endpoint] = []
        endpoints.reserveCapacity(endpointCount)
        for _ in 0..<endpointCount {
            let address = try reader.address()
            let conditions = try reader.byte()
            guard conditions < 8 else { throw CacheReader.Malformed(offset: reader.offset - 1) }
            let nodeName = try reader.optionalString()
            let zone = try reader.optionalString()
            let hintZones = try reader.strings()
            let hintNodes = try reader.strings()
            endpoints.append(
                ValidatedEndpointSlice.Endpoint(
                    address: address, ready: conditions & 1 != 0, serving: conditions & 2 != 0,
                    terminating: conditions & 4 != 0, nodeName: nodeName, zone: zone, hintZones: hintZones,
                    hintNodes: hintNodes, targetName: try reader.optionalString(), names: names))
        }
        let portCount = try reader.count(itemBytes: 10)
        var ports: [ValidatedEndpointSlice.Port] = []
        ports.reserveCapacity(portCount)
        for _ in 0..<portCount {
            let name = try reader.string()
            let transport = try reader.raw(TransportProtocol.self)
            ports.append(ValidatedEndpointSlice.Port(name: name, protocol: transport, port: try reader.uint16()))
        }
        let hasTrigger = try reader.bool()
        let trigger = Double(bitPattern: try reader.uint64())
        let proxyName = try reader.optionalString()
        return ValidatedEndpointSlice(
            key: key, resourceVersion: resourceVersion, serviceName: serviceName, addressType: addressType,
            endpoints: endpoints, ports: ports, lastChangeTriggerTime: hasTrigger ? trigger : nil,
            serviceProxyName: proxyName, headless: try reader.bool())
    }
}
