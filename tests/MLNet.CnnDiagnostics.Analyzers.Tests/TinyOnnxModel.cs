using System.Text;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

/// <summary>
/// Writes a three-node ONNX model (conv1 → relu1 → fc) straight from the protobuf wire format, with a weight tensor
/// whose bytes are not valid UTF-8 (as real weights never are).
/// </summary>
internal static class TinyOnnxModel
{
    public static readonly string[] NodeNames = ["conv1", "relu1", "fc"];
    public static readonly string[] TensorNames = ["input", "W", "conv1_out", "relu1_out", "logits"];

    /// <summary>The model; <paramref name="firstOp"/> replaces the convolution (e.g. "MatMul" for a model without one).</summary>
    public static byte[] Bytes(string firstOp = "Conv")
    {
        var graph = new List<byte>();
        graph.AddRange(Field(1, Node("conv1", firstOp, ["input", "W"], ["conv1_out"])));
        graph.AddRange(Field(1, Node("relu1", "Relu", ["conv1_out"], ["relu1_out"])));
        graph.AddRange(Field(1, Node("fc", "Gemm", ["relu1_out"], ["logits"])));
        graph.AddRange(Field(2, Utf8("tiny")));
        // initializer W: TensorProto { dims(1)=4, data_type(2)=1, name(8)="W", raw_data(9)=bytes that break UTF-8 }
        var weights = new List<byte>();
        weights.AddRange(Varint(1 << 3 | 0)); weights.AddRange(Varint(4));
        weights.AddRange(Varint(2 << 3 | 0)); weights.AddRange(Varint(1));
        weights.AddRange(Field(8, Utf8("W")));
        weights.AddRange(Field(9, [0x80, 0xFF, 0xC3, 0x28, 0x00, 0x00, 0x80, 0x3F, 0xFE, 0xED, 0xFA, 0xCE, 0x81, 0x8D, 0x8F, 0x90]));
        graph.AddRange(Field(5, [.. weights]));
        graph.AddRange(Field(11, Field(1, Utf8("input"))));
        graph.AddRange(Field(11, Field(1, Utf8("W"))));
        graph.AddRange(Field(12, Field(1, Utf8("logits"))));

        var model = new List<byte>();
        model.AddRange(Varint(1 << 3 | 0)); model.AddRange(Varint(8)); // ir_version
        model.AddRange(Field(2, Utf8("test")));                          // producer_name
        model.AddRange(Field(7, [.. graph]));
        model.AddRange(Varint(8 << 3 | 2)); model.AddRange(Varint(0)); // empty opset_import
        return [.. model];
    }

    private static byte[] Node(string name, string op, string[] inputs, string[] outputs)
    {
        var node = new List<byte>();
        foreach (var i in inputs) node.AddRange(Field(1, Utf8(i)));
        foreach (var o in outputs) node.AddRange(Field(2, Utf8(o)));
        node.AddRange(Field(3, Utf8(name)));
        node.AddRange(Field(4, Utf8(op)));
        return [.. node];
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }
}
