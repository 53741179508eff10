extension JSONValue {
    /// A single-precision setting (an attack's radius) as the shortest decimal that reads back as it: the
    /// 0.1 the command line gave, not its double expansion 0.10000000149011612.
    public static func decimal(_ value: Float) -> JSONValue {
        .number(Double("\(value)") ?? Double(value))
    }
}
