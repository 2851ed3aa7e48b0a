import Testing

/// Every suite that touches the lab kernel's IPVS table, links or sysctls, nested here so that they run one
/// after another (each flushes the table it works on).
@Suite(.serialized, Lab.only)
enum IPVSLab {}
