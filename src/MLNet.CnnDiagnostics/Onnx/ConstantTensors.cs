using System.Runtime.InteropServices;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>Builds small constant TensorProtos and reads the values of constant ones (initializers, Constant nodes).</summary>
internal static class ConstantTensors
{
    public static TensorProto Int64(string name, long[] values, long[]? dims = null) => GraphTensor.Int64(name, values, dims).Proto;

    public static TensorProto Float(string name, float[] values, long[] dims) => GraphTensor.Float(name, values, dims).Proto;

    /// <summary>The values of an int64 or int32 tensor as longs.</summary>
    public static long[] ReadInt64(TensorProto t)
    {
        if (t.DataType == (int)TensorProto.Types.DataType.Int64)
            return t.HasRawData ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray();
        if (t.DataType == (int)TensorProto.Types.DataType.Int32)
            return t.HasRawData ? MemoryMarshal.Cast<byte, int>(t.RawData.Span).ToArray().Select(v => (long)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray();
        throw new CnnDiagnosticsException($"tensor '{t.Name}' has data type {t.DataType}; an int64 or int32 constant was expected.");
    }

    /// <summary>The values of a float tensor.</summary>
    public static float[] ReadFloat(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new CnnDiagnosticsException($"tensor '{t.Name}' has data type {t.DataType}; a float constant was expected.");
        return t.HasRawData ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
    }

    /// <summary>The values of an int64 or int32 constant of the read model as longs.</summary>
    public static long[] ReadInt64(GraphTensor t) => t.ReadInt64();

    /// <summary>The values of a float constant of the read model.</summary>
    public static float[] ReadFloat(GraphTensor t) => t.ReadFloat();
}
