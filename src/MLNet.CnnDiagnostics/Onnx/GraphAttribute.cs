using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>The kinds of ONNX attribute values the library reads.</summary>
internal enum GraphAttributeKind
{
    Other,
    Int,
    Float,
    String,
    Tensor,
    Ints,
    Floats,
}

/// <summary>One node attribute of the read model (a copy of its value), or one built to be emitted by the rewriter.</summary>
internal sealed class GraphAttribute
{
    private GraphAttribute(string name, GraphAttributeKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public GraphAttributeKind Kind { get; }

    public long I { get; private init; }

    public float F { get; private init; }

    public string S { get; private init; } = "";

    public IReadOnlyList<long> Ints { get; private init; } = [];

    public IReadOnlyList<float> Floats { get; private init; } = [];

    public GraphTensor? Tensor { get; private init; }

    public static GraphAttribute Int(string name, long value) => new(name, GraphAttributeKind.Int) { I = value };

    public static GraphAttribute Float(string name, float value) => new(name, GraphAttributeKind.Float) { F = value };

    public static GraphAttribute String(string name, string value) => new(name, GraphAttributeKind.String) { S = value };

    public static GraphAttribute IntList(string name, IEnumerable<long> values) => new(name, GraphAttributeKind.Ints) { Ints = values.ToArray() };

    public static GraphAttribute FromTensor(string name, GraphTensor value) => new(name, GraphAttributeKind.Tensor) { Tensor = value };

    /// <summary>A copy of a protobuf attribute: every value field as it is, the kind from its type tag.</summary>
    internal static GraphAttribute Of(AttributeProto a) => new(a.Name, a.Type switch
    {
        AttributeProto.Types.AttributeType.Int => GraphAttributeKind.Int,
        AttributeProto.Types.AttributeType.Float => GraphAttributeKind.Float,
        AttributeProto.Types.AttributeType.String => GraphAttributeKind.String,
        AttributeProto.Types.AttributeType.Tensor => GraphAttributeKind.Tensor,
        AttributeProto.Types.AttributeType.Ints => GraphAttributeKind.Ints,
        AttributeProto.Types.AttributeType.Floats => GraphAttributeKind.Floats,
        _ => GraphAttributeKind.Other,
    })
    {
        I = a.I,
        F = a.F,
        S = a.S.ToStringUtf8(),
        Ints = a.Ints.ToArray(),
        Floats = a.Floats.ToArray(),
        Tensor = a.T is null ? null : GraphTensor.Of(a.T),
    };

    internal AttributeProto ToProto()
    {
        var a = new AttributeProto { Name = Name };
        switch (Kind)
        {
            case GraphAttributeKind.Int: a.Type = AttributeProto.Types.AttributeType.Int; a.I = I; break;
            case GraphAttributeKind.Float: a.Type = AttributeProto.Types.AttributeType.Float; a.F = F; break;
            case GraphAttributeKind.String: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(S); break;
            case GraphAttributeKind.Ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(Ints); break;
            case GraphAttributeKind.Floats: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(Floats); break;
            case GraphAttributeKind.Tensor: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = Tensor!.Proto; break;
            default: throw new InvalidOperationException($"attribute '{Name}' has no value to write.");
        }
        return a;
    }
}
