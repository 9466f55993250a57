using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

internal sealed partial class GraphRewriter
{
    /// <summary>
    /// One graph of two: <paramref name="first"/>'s single output feeds what read <paramref name="secondInput"/> in
    /// <paramref name="second"/> (which drops that input). Tensor names of the first that the second also uses, and node
    /// names of the first that are tensor names of the second, get <paramref name="prefix"/>. The opset imports merge
    /// (the newest version of each domain); both rewriters are used up.
    /// </summary>
    public static GraphRewriter Chain(GraphRewriter first, GraphRewriter second, string secondInput, string prefix = "pre_")
    {
        var a = first.Graph;
        var b = second.Graph;
        var taken = second.TensorNames();
        string Rename(string name) => name.Length == 0 || !taken.Contains(name) ? name : prefix + name;
        foreach (var n in a.Node)
        {
            for (int i = 0; i < n.Input.Count; i++) n.Input[i] = Rename(n.Input[i]);
            for (int i = 0; i < n.Output.Count; i++) n.Output[i] = Rename(n.Output[i]);
            if (taken.Contains(n.Name)) n.Name = prefix + n.Name;
        }
        foreach (var i in a.Initializer) i.Name = Rename(i.Name);
        foreach (var v in a.Input.Concat(a.Output).Concat(a.ValueInfo)) v.Name = Rename(v.Name);

        string bridge = a.Output[0].Name;
        second.RerouteReaders(secondInput, bridge);

        var merged = new GraphProto { Name = $"{a.Name}+{b.Name}" };
        merged.Input.AddRange(a.Input);
        merged.Input.AddRange(b.Input.Where(i => i.Name != secondInput));
        merged.Initializer.AddRange(a.Initializer);
        merged.Initializer.AddRange(b.Initializer);
        merged.Node.AddRange(a.Node);
        merged.Node.AddRange(b.Node);
        merged.ValueInfo.AddRange(a.ValueInfo);
        merged.ValueInfo.Add(a.Output[0]);
        merged.ValueInfo.AddRange(b.ValueInfo);
        merged.Output.AddRange(b.Output);
        var model = new ModelProto
        {
            IrVersion = Math.Max(first._model.IrVersion, second._model.IrVersion),
            ProducerName = "MLNet.CnnDiagnostics",
            Graph = merged,
        };
        foreach (var domain in first._model.OpsetImport.Concat(second._model.OpsetImport).GroupBy(o => o.Domain is "ai.onnx" ? "" : o.Domain))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain.Key, Version = domain.Max(o => o.Version) });
        first._finished = second._finished = true;
        return new GraphRewriter(model, owned: true);
    }
}
