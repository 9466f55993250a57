using MLNet.CnnDiagnostics.Analysis.Attribution;
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
        OptionSpec.Required("images", "DIR", "image folder with one sub-folder per class"),
        .. ImagePreprocessing.Options.Skip(1),
        OptionSpec.Value("layers", "L...", "layers of interest (node or tensor names; default: chosen by the report)"),
        OptionSpec.Value("max-rows", "N", "images sampled for the analyses (default 500)"),
        OptionSpec.Value("methods", "NAME...", $"attribution methods of the decisions section: {string.Join(", ", AttributionRegistry.Names)} (default: {string.Join(", ", AttributionRegistry.ReportDefaults.Select(m => m.Name))})"),
        OptionSpec.Value("scan", "DIR", "a finished scan of this model and folder (cnndiag scan/merge): top patches, masks and the t-SNE map then cover every image"),
        OptionSpec.Value("seed", "S", "seed of the sample and of randomised analyses (default 1)"),
        OptionSpec.Flag("strict", "fail on an unreadable, corrupt or too large image instead of skipping it, and exit with code 1 when any section or part of one is skipped (the report is still written)"),
        OptionSpec.Required("out", "FILE.html", "the report to write; its JSON summary goes beside it as FILE.json"),
    ];

    public override string Notes => ImagePreprocessing.Notes +
        "\nClasses are the sub-folder names in sorted order (as torchvision's ImageFolder numbers them); hidden sub-folders (.name) are not classes," +
        "\nand directory links inside a class folder are not followed. A sampled image that cannot be read or decoded, or is above --max-pixels," +
        "\nis skipped with a warning and listed in the report and its JSON summary (skippedImages); --strict makes it an error.";

    public override int Run(CommandLine line, Terminal terminal)
    {
        string images = ImageFolder.RequireFolder(line.RequiredString("images"));
        string outArg = line.RequiredString("out");
        string html = OutputFile.Check("out", outArg, [".html", ".htm"]);
        string json = Path.ChangeExtension(html, ".json");
        OutputFile.CheckNotAnInput("out", outArg, [html, json], line, "model");
        if (File.Exists(json) && !File.Exists(html))
            throw new UsageException($"'--out {outArg}' would also write the JSON summary '{json}', which exists and was not written with this report; choose another --out or move that file.");
        int maxRows = line.Int("max-rows", 2) ?? 500;
        int seed = line.Int("seed", int.MinValue) ?? 1;
        var pre = ImagePreprocessing.FromCommandLine(line);
        var layers = pre.Layers(line);
        var methods = line.List("methods")?.Select(name => AttributionRegistry.Find(name)?.Name
            ?? throw new UsageException($"'--methods {name}' is not valid; choose from: {string.Join(", ", AttributionRegistry.Names)}.")).ToList();

        bool strict = line.Has("strict");
        string folder = Path.GetFullPath(images);
        var listing = ImageFolder.Scan(folder);
        var rows = listing.Rows;
        if (listing.HiddenFolders.Count > 0)
            terminal.Error.WriteLine(Terminal.Escape($"cnndiag report: note: hidden sub-folders are not classes, left out: {string.Join(", ", listing.HiddenFolders)}."));
        if (listing.SkippedLinks.Count > 0)
            terminal.Error.WriteLine(Terminal.Escape($"cnndiag report: note: {Plural(listing.SkippedLinks.Count, "directory link")} not followed (a link can lead back into the folder): {string.Join(", ", listing.SkippedLinks.Take(5))}{(listing.SkippedLinks.Count > 5 ? ", ..." : "")}."));
        string? scanFolder = line.String("scan");
        Scans.DatasetScan? scan = null;
        if (scanFolder is not null)
        {
            if (!Directory.Exists(scanFolder)) throw new UsageException($"'--scan {scanFolder}': the folder does not exist; give a folder written by 'cnndiag scan' or 'cnndiag merge'.");
            var source = new ImageFolderSource(folder, listing, pre);
            scan = Scans.DatasetScan.Open(scanFolder, pre.Model, source, source.Label);
        }
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
                if (methods is not null) o.AttributionMethods = methods;
                o.Progress = progress;
                o.MaxImagePixels = pre.MaxPixels;
                o.SkipUnreadableImages = !strict;
                o.Scan = scan;
            });
        var fitted = pipeline.Fit(data);
        progress?.Dispose();
        var classes = rows.Select(r => r.Label).Distinct().Count();
        var skipped = fitted.Report.Summary.SkippedImages;
        foreach (var image in skipped.Take(MaxWarnings))
            terminal.Error.WriteLine(Terminal.Escape($"cnndiag report: warning: skipped image '{Path.GetRelativePath(folder, image.Path)}': {image.Reason}."));
        if (skipped.Count > MaxWarnings)
            terminal.Error.WriteLine($"cnndiag report: warning: ... and {skipped.Count - MaxWarnings} more skipped images (listed in the report).");
        terminal.Out.WriteLine(Terminal.Escape($"report: {fitted.ReportPath ?? html}"));
        terminal.Out.WriteLine(Terminal.Escape($"summary: {json}"));
        terminal.Error.WriteLine($"{Plural(rows.Count, "image")} in {Plural(classes, "class", "classes")}; {fitted.Report.Summary.Rows} analysed" +
            $"{(skipped.Count > 0 ? $", {skipped.Count} skipped (unreadable, corrupt or too large)" : "")}; input {pre.Channels}×{pre.Height}×{pre.Width}{(pre.Normalized ? ", normalised in the model" : "")}.");
        foreach (var (part, why) in fitted.Report.Skipped)
            terminal.Error.WriteLine(Terminal.Escape($"skipped {part}: {why}"));
        if (fitted.Report.Skipped.Count > 0 && strict)
        {
            terminal.Error.WriteLine($"error: --strict: {fitted.Report.Skipped.Count} part(s) of the report were skipped (listed above).");
            return CnnDiag.Failure;
        }
        return CnnDiag.Success;
    }

    private const int MaxWarnings = 20;

    private static string Plural(int count, string one, string? many = null) => $"{count} {(count == 1 ? one : many ?? one + "s")}";
}
