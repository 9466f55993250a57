using MLNet.CnnDiagnostics.Ops;
using System.Globalization;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary><c>cnndiag layers</c>: the layer table (name, op, output shape, parameters, receptive field).</summary>
internal sealed class LayersVerb : Verb
{
    public override string Name => "layers";

    public override string Summary => "print the layer table: name, operator, output shape, parameters, receptive field";

    public override IReadOnlyList<OptionSpec> Options => [ModelOption.Spec, ModelOption.LayoutSpec];

    public override string Notes => "The receptive field is the input window (rows × columns, in pixels) that one output position sees; '-' where the output is no longer spatial.";

    public override int Run(CommandLine line, Terminal terminal)
    {
        var graph = ModelOption.Load(line);
        ReceptiveFields? fields = null;
        string? fieldNote = null;
        try
        {
            fields = ReceptiveFieldCalculator.Compute(graph);
        }
        catch (CnnDiagnosticsException e)
        {
            fieldNote = $"receptive fields unavailable: {e.Message}";
        }
        var rows = new List<string[]> { new[] { "name", "op", "output shape", "parameters", "receptive field" } };
        foreach (var layer in graph.Layers)
        {
            string field = fields is not null && layer.Outputs.Count > 0 && layer.OutputShape is { Length: 4 } && fields.TryGet(layer.Outputs[0], out var f)
                ? $"{f.Y.Size}×{f.X.Size}"
                : "-";
            rows.Add([Terminal.Escape(layer.Name), Terminal.Escape(layer.OpType), layer.Output?.ShapeText ?? "?", layer.ParameterCount.ToString("N0", CultureInfo.InvariantCulture), field]);
        }
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            terminal.Out.WriteLine(string.Join("  ", row.Select((cell, c) => c == 3 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
            if (index == 0) terminal.Out.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        long total = graph.Layers.Sum(l => l.ParameterCount);
        terminal.Out.WriteLine();
        terminal.Out.WriteLine($"{graph.Layers.Count} layers, {total.ToString("N0", CultureInfo.InvariantCulture)} parameters; image input {Terminal.Escape(graph.ImageInput.Name)}{graph.ImageInput.ShapeText}; outputs {string.Join(", ", graph.Outputs.Select(o => Terminal.Escape(o.Name) + o.ShapeText))}.");
        if (fieldNote is not null) terminal.Error.WriteLine(Terminal.Escape($"cnndiag layers: note: {fieldNote}"));
        return CnnDiag.Success;
    }
}
