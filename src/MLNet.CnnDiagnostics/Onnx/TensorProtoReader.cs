using System.Buffers.Binary;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>Decodes ONNX TensorProto payloads (typed fields or raw little-endian bytes) into float tensors.</summary>
internal static class TensorProtoReader
{
    public static FloatTensor ToFloatTensor(TensorProto t, string modelName)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new CnnDiagnosticsException($"tensor '{t.Name}' in {modelName} keeps its data in an external file, which is not supported; save the model with its weights inside the .onnx file.");
        int[] shape = t.Dims.Select(d => checked((int)d)).ToArray();
        long count = FloatTensor.ElementCount(shape);
        var data = new float[count];
        var type = (TensorProto.Types.DataType)t.DataType;
        bool raw = t.HasRawData;
        ReadOnlySpan<byte> bytes = raw ? t.RawData.Span : default;
        int expected = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
            TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
            TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
            _ => throw new CnnDiagnosticsException($"tensor '{t.Name}' in {modelName} has element type {type}, which cannot be read as numbers; expected float, float16, bfloat16, double or an integer type."),
        };
        if (raw && bytes.Length != count * expected)
            throw new CnnDiagnosticsException($"tensor '{t.Name}' in {modelName} has {bytes.Length} bytes of raw data but its shape [{string.Join(",", shape)}] of {type} needs {count * expected}: the file is corrupt.");
        int typedCount = type switch
        {
            TensorProto.Types.DataType.Float => t.FloatData.Count,
            TensorProto.Types.DataType.Double => t.DoubleData.Count,
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count,
            TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => t.Uint64Data.Count,
            _ => t.Int32Data.Count,
        };
        if (!raw && typedCount != count)
            throw new CnnDiagnosticsException($"tensor '{t.Name}' in {modelName} holds {typedCount} values but its shape [{string.Join(",", shape)}] needs {count}: the file is corrupt.");
        for (int i = 0; i < count; i++)
        {
            data[i] = type switch
            {
                TensorProto.Types.DataType.Float => raw ? BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]) : t.FloatData[i],
                TensorProto.Types.DataType.Double => (float)(raw ? BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]) : t.DoubleData[i]),
                TensorProto.Types.DataType.Float16 => (float)(raw ? BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]) : BitConverter.UInt16BitsToHalf((ushort)t.Int32Data[i])),
                TensorProto.Types.DataType.Bfloat16 => BitConverter.Int32BitsToSingle((raw ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) : (ushort)t.Int32Data[i]) << 16),
                TensorProto.Types.DataType.Int64 => raw ? BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]) : t.Int64Data[i],
                TensorProto.Types.DataType.Uint64 => raw ? BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..]) : t.Uint64Data[i],
                TensorProto.Types.DataType.Uint32 => raw ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]) : t.Uint64Data[i],
                TensorProto.Types.DataType.Int32 => raw ? BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]) : t.Int32Data[i],
                TensorProto.Types.DataType.Int16 => raw ? BinaryPrimitives.ReadInt16LittleEndian(bytes[(i * 2)..]) : t.Int32Data[i],
                TensorProto.Types.DataType.Uint16 => raw ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) : t.Int32Data[i],
                TensorProto.Types.DataType.Int8 => raw ? (sbyte)bytes[i] : t.Int32Data[i],
                _ => raw ? bytes[i] : t.Int32Data[i],
            };
        }
        return new FloatTensor(shape, data);
    }
}
