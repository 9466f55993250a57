using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>Reads ONNX node attributes (proto2 classes), with ONNX's defaults, and builds new ones.</summary>
internal static class NodeAttributes
{
    public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long GetInt(NodeProto node, string name, long fallback) => Find(node, name) is { } a ? a.I : fallback;

    public static float GetFloat(NodeProto node, string name, float fallback) => Find(node, name) is { } a ? a.F : fallback;

    public static long[]? GetInts(NodeProto node, string name) => Find(node, name) is { } a ? a.Ints.ToArray() : null;

    public static string GetString(NodeProto node, string name, string fallback) => Find(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    // Builders of new attributes (for tests that write models); GraphAttribute encodes them.
    public static AttributeProto Int(string name, long value) => GraphAttribute.Int(name, value).ToProto();
    public static AttributeProto Float(string name, float value) => GraphAttribute.Float(name, value).ToProto();
    public static AttributeProto String(string name, string value) => GraphAttribute.String(name, value).ToProto();
    public static AttributeProto Ints(string name, IEnumerable<long> values) => GraphAttribute.IntList(name, values).ToProto();

    public static GraphAttribute? Find(GraphNode node, string name) => node.Attribute(name);

    public static long GetInt(GraphNode node, string name, long fallback) => node.Int(name, fallback);

    public static float GetFloat(GraphNode node, string name, float fallback) => node.Float(name, fallback);

    public static long[]? GetInts(GraphNode node, string name) => node.Ints(name);

    public static string GetString(GraphNode node, string name, string fallback) => node.String(name, fallback);

    /// <summary>"node 'name' (OpType)" for error messages.</summary>
    public static string Describe(GraphNode node) => node.Describe();

    /// <summary>"node 'name' (OpType)" for error messages.</summary>
    public static string Describe(NodeProto node) =>
        $"node '{(string.IsNullOrEmpty(node.Name) ? node.Output.FirstOrDefault() ?? "?" : node.Name)}' ({node.OpType})";
}
