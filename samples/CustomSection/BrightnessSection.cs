using System.Globalization;
using System.Text.Json.Serialization;
using MLNet.CnnDiagnostics.Rendering;
using MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// A report section of your own, in one class: how bright the sampled images are, per class, with the darkest and the
/// brightest image. <see cref="Analyze"/> computes a typed result (it goes into the JSON summary under
/// <c>sections.brightness</c>); <see cref="Render"/> turns it into blocks of the HTML page.
/// </summary>
public sealed class BrightnessSection : DiagnosticSection<BrightnessSection.Result>
{
    /// <summary>What the section found.</summary>
    public sealed class Result : SectionResult
    {
        /// <summary>Mean brightness (0–255) of every sampled image.</summary>
        [JsonPropertyName("mean")] public double Mean { get; set; }

        /// <summary>Mean brightness per class name (empty without labels).</summary>
        [JsonPropertyName("perClass")] public Dictionary<string, double> PerClass { get; set; } = [];

        /// <summary>The darkest and the brightest sampled image (kept in memory; the report encodes each once).</summary>
        [JsonIgnore] public List<(RgbImage Image, string Caption)> Extremes { get; } = [];
    }

    /// <inheritdoc/>
    public override string Id => "brightness";

    /// <inheritdoc/>
    public override string Title => "Brightness";

    /// <inheritdoc/>
    public override string Introduction => "How bright the sampled images are (mean of the R, G and B values, 0 to 255), overall and per class.";

    /// <inheritdoc/>
    public override Result Analyze(ReportContext context)
    {
        var result = new Result();
        var brightness = new double[context.Rows];
        for (int row = 0; row < context.Rows; row++)
            brightness[row] = context.Image(row).Pixels.Average(p => (double)p);
        result.Mean = brightness.Average();
        result.Headlines.Add(new Headline("mean brightness", result.Mean.ToString("F1", CultureInfo.InvariantCulture), result.Mean));
        if (context.HasLabels)
        {
            foreach (var group in Enumerable.Range(0, context.Rows).Where(r => context.Label(r) is not null).GroupBy(r => context.Label(r)!.Value).OrderBy(g => g.Key))
                result.PerClass[context.ClassName(group.Key)] = group.Average(r => brightness[r]);
        }
        else result.Skip("brightness per class", "the data has no label column");
        int darkest = Array.IndexOf(brightness, brightness.Min()), brightest = Array.IndexOf(brightness, brightness.Max());
        result.Extremes.Add((context.Image(darkest), $"darkest: row {darkest}, {brightness[darkest]:F1}"));
        result.Extremes.Add((context.Image(brightest), $"brightest: row {brightest}, {brightness[brightest]:F1}"));
        return result;
    }

    /// <inheritdoc/>
    public override void Render(Result result, SectionWriter writer)
    {
        writer.Metrics(("mean brightness", result.Mean.ToString("F1", CultureInfo.InvariantCulture)), ("images", result.Extremes.Count.ToString(CultureInfo.InvariantCulture)));
        if (result.PerClass.Count > 0)
            writer.Table(["class", "mean brightness"], [.. result.PerClass.Select(p => (IReadOnlyList<string>)[p.Key, p.Value.ToString("F1", CultureInfo.InvariantCulture)])], "Brightness per class");
        foreach (var (image, caption) in result.Extremes) writer.Figure(image, caption);
    }
}
