using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.CnnDiagnostics.MLNet;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// <c>cnndiag report</c>: the diagnostic report of a model over an image folder, written by an ordinary ML.NET pipeline
/// (labels → pixels → the library's embedding tap → AppendVisualization), so the report is exactly the library's.
/// </summary>
internal sealed class ReportVerb : Verb
{
    public override string Name => "report";

    public override string Summary => "write the HTML diagnostic report (and its JSON summary) of a model over a folder of labelled images";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        ImagePreprocessing.Options[0],
        OptionSpec.Value("images", "DIR", "image folder with one sub-folder per class (required)"),
        .. ImagePreprocessing.Options.Skip(1),
        OptionSpec.Value("layers", "L...", "layers of interest (node or tensor names; default: chosen by the report)"),
        OptionSpec.Value("max-rows", "N", "images sampled for the analyses (default 500)"),
        OptionSpec.Value("seed", "S", "seed of the sample and of randomised analyses (default 1)"),
        OptionSpec.Value("out", "FILE.html", "the report to write; its JSON summary goes beside it as FILE.json (required)"),
        OptionSpec.Flag("strict", "exit with code 1 when any section or part of one is skipped (the report is still written)"),
    ];

    public override string Notes => ImagePreprocessing.Notes +
        "\nClasses are the sub-folder names in sorted order (as torchvision's ImageFolder numbers them).";

    public override int Run(CommandLine line, Terminal terminal)
    {
        string images = line.RequiredString("images");
        if (!Directory.Exists(images))
            throw new UsageException($"'--images {images}': the folder does not exist; give a folder with one sub-folder per class.");
        string outArg = line.RequiredString("out");
        string html = OutputFile.Check("out", outArg, [".html", ".htm"]);
        string json = Path.ChangeExtension(html, ".json");
        if (File.Exists(json) && !File.Exists(html))
            throw new UsageException($"'--out {outArg}' would also write the JSON summary '{json}', which exists and was not written with this report; choose another --out or move that file.");
        int maxRows = line.Int("max-rows", 2) ?? 500;
        int seed = line.Int("seed", int.MinValue) ?? 1;
        var layers = line.List("layers");
        var pre = ImagePreprocessing.FromCommandLine(line);
        if (layers is not null)
            foreach (var layer in layers)
            {
                try { pre.Model.ResolveTensor(layer); }
                catch (CnnDiagnosticsException e) { throw new UsageException($"'--layers {layer}': {e.Message}"); }
            }

        string folder = Path.GetFullPath(images);
        var rows = ImageFolder.Scan(folder);
        var ml = new MLContext(seed: seed);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var progress = terminal.NewProgressBar();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(pre.PixelEstimator(ml, folder, nameof(ImageFolder.Row.ImagePath), "Pixels"))
            .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "Pixels", Model = pre.Model }))
            .AppendVisualization(o =>
            {
                o.ReportPath = html;
                o.MaxRows = maxRows;
                o.Seed = seed;
                if (layers is not null) o.Layers = layers.ToList();
                o.Progress = progress;
            });
        var fitted = pipeline.Fit(data);
        progress?.Dispose();
        var classes = rows.Select(r => r.Label).Distinct().Count();
        terminal.Out.WriteLine($"report: {fitted.ReportPath ?? html}");
        terminal.Out.WriteLine($"summary: {json}");
        terminal.Error.WriteLine($"{rows.Count} images in {classes} classes; {fitted.Report.Summary.Rows} analysed; input {pre.Channels}×{pre.Height}×{pre.Width}{(pre.Normalized ? ", normalised in the model" : "")}.");
        foreach (var (part, why) in fitted.Report.Skipped)
            terminal.Error.WriteLine($"skipped {part}: {why}");
        if (fitted.Report.Skipped.Count > 0 && line.Has("strict"))
        {
            terminal.Error.WriteLine($"error: --strict: {fitted.Report.Skipped.Count} part(s) of the report were skipped (listed above).");
            return CnnDiag.Failure;
        }
        return CnnDiag.Success;
    }
}
