using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// One node of the read model of an ONNX graph: op type, name, input and output tensor names and attribute values,
/// with ONNX's defaults supplied by the caller. Immutable: edits go through the graph rewriter.
/// </summary>
internal sealed class GraphNode
{
    private readonly GraphAttribute[] _attributes;

    public GraphNode(string name, string opType, string domain, IReadOnlyList<string> input, IReadOnlyList<string> output, IEnumerable<GraphAttribute> attributes)
    {
        Name = name;
        OpType = opType;
        Domain = domain;
        Input = input.ToArray();
        Output = output.ToArray();
        _attributes = attributes.ToArray();
    }

    /// <summary>The node's name (may be empty).</summary>
    public string Name { get; }

    /// <summary>The ONNX op type.</summary>
    public string OpType { get; }

    /// <summary>The op's domain; empty for the default ONNX domain.</summary>
    public string Domain { get; }

    /// <summary>Input tensor names in order (empty for an omitted optional input).</summary>
    public IReadOnlyList<string> Input { get; }

    /// <summary>Output tensor names in order.</summary>
    public IReadOnlyList<string> Output { get; }

    /// <summary>Every attribute, in file order.</summary>
    public IReadOnlyList<GraphAttribute> Attributes => _attributes;

    /// <summary>True when the op is in the default ONNX domain.</summary>
    public bool IsDefaultDomain => Domain is "" or "ai.onnx";

    /// <summary>The attribute of that name, or null.</summary>
    public GraphAttribute? Attribute(string name) => _attributes.FirstOrDefault(a => a.Name == name);

    public long Int(string name, long fallback) => Attribute(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Attribute(name) is { } a ? a.F : fallback;

    public long[]? Ints(string name) => Attribute(name) is { } a ? a.Ints.ToArray() : null;

    public string String(string name, string fallback) => Attribute(name) is { } a ? a.S : fallback;

    /// <summary>"node 'name' (OpType)" for error messages.</summary>
    public string Describe() => $"node '{(string.IsNullOrEmpty(Name) ? Output.FirstOrDefault() ?? "?" : Name)}' ({OpType})";

    /// <inheritdoc/>
    public override string ToString() => Describe();

    /// <summary>The read-model copy of a protobuf node.</summary>
    internal static GraphNode Of(NodeProto node) =>
        new(node.Name, node.OpType, node.Domain, node.Input, node.Output, node.Attribute.Select(GraphAttribute.Of));
}
