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

    /// <summary>
    /// An MNIST-shaped grayscale CNN with He-scaled random weights: x[N,1,28,28] → Conv 3×3 (8) → Relu → MaxPool 2×2 →
    /// Conv 3×3 (16) → Relu → MaxPool 2×2 → Flatten → Gemm (32) → Relu → Gemm (10 logits), as the small model.
    /// Inputs are expected in [−1, 1]; <paramref name="inputScale"/> and <paramref name="inputShift"/> prepend x·scale + shift
    /// (e.g. 1/127.5 and −1 for 0..255 pixels: the normalisation folded into the graph).
    /// </summary>
    public static ModelProto GrayscaleCnn(int seed = 1, float inputScale = 1f, float inputShift = 0f)
    {
        var rng = new Random(seed);
        float[] He(int count, int fanIn) => Enumerable.Range(0, count).Select(_ =>
            (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * Math.Sqrt(2.0 / fanIn))).ToArray();
        float[] Bias(int count) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 0.2 - 0.1)).ToArray();
        var g = new GraphProto { Name = "grayscale_cnn" };
        g.Input.Add(Value("pixels", -1, 1, 28, 28));
        g.Initializer.Add(FloatInit("scale", [], [inputScale]));
        g.Initializer.Add(FloatInit("shift", [], [inputShift]));
        g.Initializer.Add(FloatInit("w1", [8, 1, 3, 3], He(72, 9)));
        g.Initializer.Add(FloatInit("b1", [8], Bias(8)));
        g.Initializer.Add(FloatInit("w2", [16, 8, 3, 3], He(16 * 72, 72)));
        g.Initializer.Add(FloatInit("b2", [16], Bias(16)));
        g.Initializer.Add(FloatInit("w3", [32, 400], He(32 * 400, 400)));
        g.Initializer.Add(FloatInit("b3", [32], Bias(32)));
        g.Initializer.Add(FloatInit("w4", [10, 32], He(320, 32)));
        g.Initializer.Add(FloatInit("b4", [10], Bias(10)));
        g.Node.Add(Node("Mul", "scale_node", ["pixels", "scale"], ["scaled"]));
        g.Node.Add(Node("Add", "shift_node", ["scaled", "shift"], ["x"]));
        g.Node.Add(Node("Conv", "conv1", ["x", "w1", "b1"], ["c1"], Ints("kernel_shape", 3, 3)));
        g.Node.Add(Node("Relu", "relu1", ["c1"], ["r1"]));
        g.Node.Add(Node("MaxPool", "pool1", ["r1"], ["p1"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
        g.Node.Add(Node("Conv", "conv2", ["p1", "w2", "b2"], ["c2"], Ints("kernel_shape", 3, 3)));
        g.Node.Add(Node("Relu", "relu2", ["c2"], ["r2"]));
        g.Node.Add(Node("MaxPool", "pool2", ["r2"], ["p2"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
        g.Node.Add(Node("Flatten", "flatten", ["p2"], ["flat"], Int("axis", 1)));
        g.Node.Add(Node("Gemm", "fc1", ["flat", "w3", "b3"], ["h1"], Int("transB", 1)));
        g.Node.Add(Node("Relu", "relu3", ["h1"], ["r3"]));
        g.Node.Add(Node("Gemm", "fc2", ["r3", "w4", "b4"], ["logits"], Int("transB", 1)));
        g.Output.Add(Value("logits", -1, 10));
        return Model(g, opset: 17);
    }
}
