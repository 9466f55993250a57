using Google.Protobuf;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>Builds small ONNX models in code for gradient tests (random weights, one input with a fixed batch of 1).</summary>
internal sealed class TinyModel
{
    private readonly ModelProto _model;
    private readonly Random _random;

    public TinyModel(int[] inputShape, int opset = 17, int seed = 1)
    {
        _random = new Random(seed);
        InputShape = inputShape;
        _model = new ModelProto { IrVersion = opset >= 13 ? 8 : 4, Graph = new GraphProto { Name = "tiny" } };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        _model.Graph.Input.Add(Value("x", [1, .. inputShape[1..]]));
    }

    public int[] InputShape { get; }

    public string Weight(string name, params int[] shape)
    {
        var data = new float[FloatTensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(_random.NextDouble() * 2 - 1);
        _model.Graph.Initializer.Add(ConstantTensors.Float(name, data, shape.Select(d => (long)d).ToArray()));
        return name;
    }

    public string Positive(string name, params int[] shape)
    {
        var data = new float[FloatTensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(0.5 + _random.NextDouble());
        _model.Graph.Initializer.Add(ConstantTensors.Float(name, data, shape.Select(d => (long)d).ToArray()));
        return name;
    }

    public string Scalar(string name, float value)
    {
        _model.Graph.Initializer.Add(ConstantTensors.Float(name, [value], []));
        return name;
    }

    public string Ints(string name, params long[] values)
    {
        _model.Graph.Initializer.Add(ConstantTensors.Int64(name, values));
        return name;
    }

    /// <summary>A rank-0 int64 constant (a scalar Gather index, a Range bound).</summary>
    public string IntScalar(string name, long value)
    {
        _model.Graph.Initializer.Add(ConstantTensors.Int64(name, [value], []));
        return name;
    }

    /// <summary>An int64 constant of any shape (GatherElements indices).</summary>
    public string IntTensor(string name, long[] values, params long[] dims)
    {
        _model.Graph.Initializer.Add(ConstantTensors.Int64(name, values, dims));
        return name;
    }

    /// <summary>A 1-D float constant (Resize scales).</summary>
    public string Floats(string name, params float[] values)
    {
        _model.Graph.Initializer.Add(ConstantTensors.Float(name, values, [values.Length]));
        return name;
    }

    /// <summary>A float attribute list (Upsample-7 scales).</summary>
    public static AttributeProto Fs(string name, params float[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(v);
        return a;
    }

    /// <summary>Whether a node already produces <paramref name="tensor"/>.</summary>
    public bool HasTensor(string tensor) => _model.Graph.Node.Any(n => n.Output.Contains(tensor));

    public string Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _model.Graph.Node.Add(node);
        return output;
    }

    public string[] Nodes(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0] + "_node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _model.Graph.Node.Add(node);
        return outputs;
    }

    public byte[] Build(string output)
    {
        _model.Graph.Output.Add(new ValueInfoProto { Name = output });
        return _model.ToByteArray();
    }

    public static AttributeProto I(string name, long v) => NodeAttributes.Int(name, v);
    public static AttributeProto F(string name, float v) => NodeAttributes.Float(name, v);
    public static AttributeProto Is(string name, params long[] v) => NodeAttributes.Ints(name, v);
    public static AttributeProto S(string name, string v) => NodeAttributes.String(name, v);

    private static ValueInfoProto Value(string name, int[] shape)
    {
        var s = new TensorShapeProto();
        foreach (var d in shape) s.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = s } } };
    }
}
