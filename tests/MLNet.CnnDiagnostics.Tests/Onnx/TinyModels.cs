using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>Small ONNX models built in code for fast, exact checks.</summary>
internal static class TinyModels
{
    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static TensorProto FloatInit(string name, int[] dims, float[] values, bool raw = true)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims.Select(d => (long)d));
        if (raw)
        {
            var bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else t.FloatData.AddRange(values);
        return t;
    }

    public static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    public static ModelProto Model(GraphProto graph, int opset = 13)
    {
        var m = new ModelProto { IrVersion = 7, Graph = graph, ProducerName = "tests" };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return m;
    }

    /// <summary>x[N,2,8,8] → Conv(3×3, 4 out, pads 1) → Relu → MaxPool 2×2 → GlobalAveragePool → Flatten → Gemm(3 classes).</summary>
    public static ModelProto SmallCnn(bool declareShapes = true, long batch = -1)
    {
        var g = new GraphProto { Name = "small" };
        g.Input.Add(Value("x", batch, 2, 8, 8));
        g.Initializer.Add(FloatInit("w", [4, 2, 3, 3], Random(72, 1)));
        g.Initializer.Add(FloatInit("b", [4], Random(4, 2), raw: false));
        g.Initializer.Add(FloatInit("fc_w", [3, 4], Random(12, 3)));
        g.Initializer.Add(FloatInit("fc_b", [3], Random(3, 4)));
        g.Node.Add(Node("Conv", "conv1", ["x", "w", "b"], ["c1"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)));
        g.Node.Add(Node("Relu", "relu1", ["c1"], ["r1"]));
        g.Node.Add(Node("MaxPool", "pool1", ["r1"], ["p1"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
        g.Node.Add(Node("GlobalAveragePool", "gap", ["p1"], ["gap_out"]));
        g.Node.Add(Node("Flatten", "flatten", ["gap_out"], ["features"], Int("axis", 1)));
        g.Node.Add(Node("Gemm", "fc", ["features", "fc_w", "fc_b"], ["logits"], Int("transB", 1)));
        g.Output.Add(Value("logits", batch, 3));
        if (declareShapes)
        {
            g.ValueInfo.Add(Value("c1", batch, 4, 8, 8));
            g.ValueInfo.Add(Value("r1", batch, 4, 8, 8));
            g.ValueInfo.Add(Value("p1", batch, 4, 4, 4));
            g.ValueInfo.Add(Value("gap_out", batch, 4, 1, 1));
            g.ValueInfo.Add(Value("features", batch, 4));
        }
        return Model(g);
    }
}
