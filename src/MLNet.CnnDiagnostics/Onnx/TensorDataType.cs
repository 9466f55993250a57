namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>ONNX tensor element types, with ONNX's numeric codes (as in <c>TensorProto.DataType</c> and Cast's <c>to</c>).</summary>
internal enum TensorDataType
{
    Undefined = 0,
    Float = 1,
    Uint8 = 2,
    Int8 = 3,
    Uint16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    Uint32 = 12,
    Uint64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    Bfloat16 = 16,
}
