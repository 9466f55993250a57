using System.Text.Json;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Rendering;
using MLNet.CnnDiagnostics.Selection;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary><c>cnndiag explain</c>: one attribution map for one image, as a PNG overlay or as JSON (shape and values).</summary>
internal sealed class ExplainVerb : Verb
{
    private static IReadOnlyList<string> Methods => AttributionRegistry.Names;

    public override string Name => "explain";

    public override string Summary => $"write one attribution map ({string.Join(", ", AttributionRegistry.Methods.Select(m => m.DisplayName))}) of an image";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        ImagePreprocessing.Options[0],
        OptionSpec.Required("image", "FILE", "the image to explain"),
        .. ImagePreprocessing.Options.Skip(1),
        OptionSpec.Required("method", "NAME", $"attribution method: {string.Join(", ", Methods)}"),
        OptionSpec.Value("layer", "L", $"layer of {string.Join(", ", LayerMethods)} (default: the last convolution, or the activation/residual sum that ends its block)"),
        OptionSpec.Value("target", "CLASS", "class index to explain (default: the model's top class)"),
        OptionSpec.Required("out", "FILE", "map.png (overlay on the image) or map.json (shape and raw values)"),
    ];

    public override string Notes => ImagePreprocessing.Notes + "\nMethods (the JSON holds the map as computed; the PNG draws it as the report does):" +
        string.Concat(AttributionRegistry.Methods.Select(m => $"\n  {m.Name}{(m.Aliases.Count > 0 ? $" ({string.Join(", ", m.Aliases)})" : "")}: {m.Summary}"));

    /// <summary>The registered methods that read a spatial layer (the ones --layer applies to).</summary>
    private static IReadOnlyList<string> LayerMethods => AttributionRegistry.Methods.Where(m => m.Needs.HasFlag(AttributionNeeds.SpatialLayer)).Select(m => m.Name).ToList();

    public override int Run(CommandLine line, Terminal terminal)
    {
        string image = line.RequiredString("image");
        if (Directory.Exists(image))
            throw new UsageException($"'--image {image}' is a folder; give one image file ({string.Join(", ", ImageFolder.Extensions)}).");
        if (!File.Exists(image))
            throw new UsageException($"'--image {image}': the file does not exist; give an image file ({string.Join(", ", ImageFolder.Extensions)}).");
        string methodArg = line.String("method") ?? throw new UsageException($"option '--method' is required for 'explain'; choose one of: {string.Join(", ", Methods)}.");
        var descriptor = AttributionRegistry.Find(methodArg) ?? throw new UsageException($"'--method {methodArg}' is not valid; choose one of: {string.Join(", ", Methods)}.");
        string method = descriptor.Name;
        bool needsLayer = descriptor.Needs.HasFlag(AttributionNeeds.SpatialLayer);
        string outArg = line.RequiredString("out");
        string output = OutputFile.Check("out", outArg, [".png", ".json"]);
        OutputFile.CheckNotAnInput("out", outArg, [output], line, "image", "model");
        string? layerArg = line.String("layer");
        if (layerArg is not null && !needsLayer)
            throw new UsageException($"'--layer {layerArg}' applies only to --method {string.Join(", ", LayerMethods)} (got --method {method}).");
        int? targetArg = line.Int("target", 0);
        var pre = ImagePreprocessing.FromCommandLine(line);
        var graph = pre.Model;
        string? layer = null;
        if (needsLayer)
        {
            try { layer = layerArg is null ? DefaultCamLayer(graph) : graph.ResolveTensor(layerArg); }
            catch (CnnDiagnosticsException e) when (layerArg is not null) { throw new UsageException($"'--layer {layerArg}': {e.Message}"); }
        }

        var input = pre.LoadImage(image);
        float[] scores;
        using (var executor = new OnnxExecutor(graph))
        {
            var first = graph.Outputs[0].Name;
            scores = executor.Run(input, [first])[first].Data;
        }
        int target = targetArg ?? ArgMax(scores);
        if (target >= scores.Length)
            throw new UsageException($"'--target {target}' is out of range: model output '{graph.Outputs[0].Name}' has {scores.Length} classes (0 to {scores.Length - 1}).");

        using var progress = terminal.NewProgressBar();
        progress?.Report(new DiagnosticsProgress($"{method}", 0, 1));
        using var engine = new GradientEngine(graph);
        var explainer = descriptor.Create(new AttributionSetup
        {
            Engine = engine, ImageHeight = pre.Height, ImageWidth = pre.Width, Layer = layer,
            PooledFeatures = descriptor.Needs.HasFlag(AttributionNeeds.PooledFeatures) ? LayerSelector.Select(graph).Embedding.Tensor : null,
        });
        var map = explainer.Explain(input, new ClassTarget(target));
        progress?.Report(new DiagnosticsProgress($"{method}", 1, 1));
        progress?.Dispose();
        if (map.Values.Data.Any(v => !float.IsFinite(v)))
            throw new CnnDiagnosticsException($"the {method} map of '{image}' holds non-finite values; the model's gradients overflow for this input.");

        if (Path.GetExtension(output).Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            var picture = RgbImage.FromChw(input, [], [], 255f);
            var overlay = HeatmapOverlay.Render(picture, map, 0);
            OutputFile.Write(output, s => s.Write(overlay.EncodePng()));
        }
        else
        {
            OutputFile.Write(output, s => WriteJson(s, method, layer, target, scores[target], image, pre, map));
        }
        terminal.Out.WriteLine(Terminal.Escape($"{method} map of class {target} (score {scores[target]:G4}){(layer is null ? "" : $" at '{layer}'")}: {output}"));
        return CnnDiag.Success;
    }

    /// <summary>The class-activation-map layer the report also uses (<see cref="LayerSelector"/>).</summary>
    internal static string DefaultCamLayer(ModelGraph graph) =>
        LayerSelector.Select(graph).Cam?.Tensor
        ?? throw new CnnDiagnosticsException($"model '{graph.SourceName}' has no spatial feature map on every path to its output for class activation maps; give --layer.");

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static void WriteJson(Stream stream, string method, string? layer, int target, float score, string image, ImagePreprocessing pre, AttributionMap map)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("method", method);
        json.WriteString("image", Path.GetFullPath(image));
        json.WriteString("model", pre.Model.SourceName);
        if (layer is not null) json.WriteString("layer", layer);
        json.WriteNumber("target", target);
        json.WriteNumber("score", score);
        json.WriteStartArray("inputShape");
        foreach (var d in new[] { pre.Channels, pre.Height, pre.Width }) json.WriteNumberValue(d);
        json.WriteEndArray();
        json.WriteStartArray("shape");
        foreach (var d in map.Values.Shape[1..]) json.WriteNumberValue(d);
        json.WriteEndArray();
        // how the PNG (and the report) turn these values into one image-sized map
        json.WriteString("reduction", map.Channels > 1 ? map.Reduction.Name : "none");
        json.WriteBoolean("signed", map.Signed);
        json.WriteString("upsampling", map.Upsampling == AttributionUpsampling.Bilinear ? "bilinear" : "nearest");
        json.WriteStartArray("values");
        foreach (var v in map.Values.Data) json.WriteNumberValue(v);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
