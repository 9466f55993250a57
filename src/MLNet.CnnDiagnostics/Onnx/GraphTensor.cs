using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// A read-only view of a constant tensor of the graph (an initializer or a Constant node's value), or a small constant
/// built to be emitted. Only the graph layer sees the protobuf message behind it.
/// </summary>
internal sealed class GraphTensor
{
    private GraphTensor(TensorProto proto) => Proto = proto;

    /// <summary>The tensor's name (empty for a Constant node's value).</summary>
    public string Name => Proto.Name;

    /// <summary>The ONNX element type code (<see cref="TensorDataType"/>).</summary>
    public int DataType => Proto.DataType;

    /// <summary>The tensor's dimensions.</summary>
    public IReadOnlyList<long> Dims => Proto.Dims;

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => Proto.Dims.Aggregate(1L, (p, d) => p * d);

    internal TensorProto Proto { get; }

    internal static GraphTensor Of(TensorProto proto) => new(proto);

    /// <summary>An int64 constant (raw little-endian data).</summary>
    public static GraphTensor Int64(string name, long[] values, long[]? dims = null)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims ?? [values.Length]);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return new(t);
    }

    /// <summary>A float constant (raw little-endian data).</summary>
    public static GraphTensor Float(string name, float[] values, long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return new(t);
    }

    /// <summary>A float tensor as a constant with raw little-endian data.</summary>
    public static GraphTensor FromFloatTensor(string name, FloatTensor values) =>
        Float(name, values.Data, values.Shape.Select(d => (long)d).ToArray());

    /// <summary>The values of an int64 or int32 tensor as longs.</summary>
    public long[] ReadInt64() => ConstantTensors.ReadInt64(Proto);

    /// <summary>The values of a float tensor.</summary>
    public float[] ReadFloat() => ConstantTensors.ReadFloat(Proto);

    /// <summary>The values in any numeric encoding, as a float tensor (<paramref name="modelName"/> names the model in messages).</summary>
    public FloatTensor ToFloatTensor(string modelName) => TensorProtoReader.ToFloatTensor(Proto, modelName);
}
