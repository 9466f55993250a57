using System.Collections.Generic;
using System.Linq;

namespace MLNet.CnnDiagnostics.Analyzers.Onnx;

/// <summary>The names an ONNX graph gives its nodes and tensors: what a tap may refer to as a layer.</summary>
public sealed class OnnxGraphNames
{
    /// <summary>Creates the name table.</summary>
    public OnnxGraphNames(int nodeCount, IReadOnlyList<string> nodeNames, IReadOnlyList<string> tensorNames, IReadOnlyCollection<string>? opTypes = null)
    {
        OpTypes = opTypes ?? new HashSet<string>(System.StringComparer.Ordinal);
        NodeCount = nodeCount;
        NodeNames = nodeNames;
        TensorNames = tensorNames;
        var all = new HashSet<string>(System.StringComparer.Ordinal);
        all.UnionWith(nodeNames);
        all.UnionWith(tensorNames);
        All = all;
    }

    /// <summary>How many nodes the main graph has (named or not).</summary>
    public int NodeCount { get; }

    /// <summary>NodeProto.name of every node of the main graph, in file order.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Node inputs/outputs, graph inputs/outputs and value_info names, in file order, without repeats.</summary>
    public IReadOnlyList<string> TensorNames { get; }

    /// <summary>The op types (NodeProto.op_type) used by the graph's nodes, including those of nested graphs.</summary>
    public IReadOnlyCollection<string> OpTypes { get; }

    /// <summary>True when some node convolves (Conv, ConvTranspose, ConvInteger, QLinearConv, or a contrib fused convolution).</summary>
    public bool HasConvolution => OpTypes.Any(op => op.IndexOf("Conv", System.StringComparison.Ordinal) >= 0);

    /// <summary>Node and tensor names together.</summary>
    public IReadOnlyCollection<string> All { get; }

    /// <summary>True when the name is a node or a tensor of the graph.</summary>
    public bool Contains(string name) => ((HashSet<string>)All).Contains(name);
}
