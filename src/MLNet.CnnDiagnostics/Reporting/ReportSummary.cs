using System.Globalization;
using System.Text.Json.Serialization;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// The report's numbers, serialised as the JSON summary beside the HTML file (null parts are left out): the JSON contract,
/// so a summary is made whole (object initialiser) and not changed afterwards.
/// </summary>
public sealed class ReportSummary
{
    /// <summary>Rows analysed (the seeded sample).</summary>
    [JsonPropertyName("rows")] public int Rows { get; init; }

    /// <summary>Sampled images left out of the analyses (unreadable, corrupt, or above the pixel limit), each with its reason.</summary>
    [JsonPropertyName("skippedImages")] public IReadOnlyList<SkippedImage> SkippedImages { get; init; } = [];

    /// <summary>The model: its layers.</summary>
    [JsonPropertyName("model")] public ModelSummary Model { get; init; } = new();

    /// <summary>The classifier head, when there is one and labels exist.</summary>
    [JsonPropertyName("classifier")] public ClassifierSummary? Classifier { get; init; }

    /// <summary>The embedding space.</summary>
    [JsonPropertyName("embedding")] public EmbeddingSummary? Embedding { get; init; }

    /// <summary>The t-SNE projection.</summary>
    [JsonPropertyName("tsne")] public TsneSummary? Tsne { get; init; }

    /// <summary>Filter banks.</summary>
    [JsonPropertyName("filters")] public IReadOnlyList<FilterSummary> Filters { get; init; } = [];

    /// <summary>Maximally activating patches per layer.</summary>
    [JsonPropertyName("topPatches")] public IReadOnlyList<TopPatchesSummary> TopPatches { get; init; } = [];

    /// <summary>Class visualizations.</summary>
    [JsonPropertyName("classVisualizations")] public IReadOnlyList<ClassVisualizationSummary> ClassVisualizations { get; init; } = [];

    /// <summary>Attribution maps made.</summary>
    [JsonPropertyName("attributions")] public IReadOnlyList<AttributionSummary> Attributions { get; init; } = [];

    /// <summary>Sanity checks.</summary>
    [JsonPropertyName("sanity")] public SanitySummary Sanity { get; init; } = new();

    /// <summary>Seconds per section id.</summary>
    [JsonPropertyName("timings")] public IReadOnlyDictionary<string, double> Timings { get; init; } = new Dictionary<string, double>();

    /// <summary>Sections skipped and why.</summary>
    [JsonPropertyName("skipped")] public IReadOnlyDictionary<string, string> Skipped { get; init; } = new Dictionary<string, string>();

    /// <summary>The results of sections added with <see cref="VisualizationOptions.AddSection"/>, by section id (the JSON's <c>sections</c>, left out when empty).</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, SectionResult> Sections { get; init; } = new Dictionary<string, SectionResult>();

    [JsonInclude, JsonPropertyName("sections")]
    private IReadOnlyDictionary<string, SectionResult>? SectionsWhenAny => Sections.Count == 0 ? null : Sections;

    /// <summary>
    /// The numbers shown at the top of the page, in order: the sample, each part of the summary (model, classifier,
    /// embedding, t-SNE, sanity checks), the added sections' headlines, and the skipped parts as a failure.
    /// </summary>
    public IEnumerable<Headline> Headlines()
    {
        if (Rows > 0) yield return new("rows", Rows.ToString(CultureInfo.InvariantCulture), Rows);
        IEnumerable<Headline>[] parts = [Model.Headlines(), Classifier?.Headlines() ?? [], Embedding?.Headlines() ?? [], Tsne?.Headlines() ?? [], Sanity.Headlines()];
        foreach (var headline in parts.SelectMany(p => p)) yield return headline;
        foreach (var headline in Sections.Values.SelectMany(r => r.Headlines)) yield return headline;
        if (Skipped.Count > 0) yield return new("skipped", string.Join(", ", Skipped.Keys), Skipped.Count, Passed: false);
    }

    internal static string Percent(double fraction) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a";
}

/// <summary>The model part of the summary.</summary>
public sealed class ModelSummary
{
    /// <summary>Where the model came from.</summary>
    [JsonPropertyName("source")] public string Source { get; init; } = "";

    /// <summary>Every layer.</summary>
    [JsonPropertyName("layers")] public IReadOnlyList<LayerSummary> Layers { get; init; } = [];

    /// <summary>Which tensor each part of the report used, and why (part → "tensor: reason").</summary>
    [JsonPropertyName("layerChoices")] public IReadOnlyDictionary<string, string> LayerChoices { get; init; } = new Dictionary<string, string>();

    internal IEnumerable<Headline> Headlines()
    {
        if (Layers.Count > 0) yield return new("layers", Layers.Count.ToString(CultureInfo.InvariantCulture), Layers.Count);
    }
}

/// <summary>One layer.</summary>
public sealed class LayerSummary
{
    /// <summary>Layer name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    /// <summary>ONNX op type.</summary>
    [JsonPropertyName("op")] public string Op { get; init; } = "";
    /// <summary>Output shape (-1 for the batch).</summary>
    [JsonPropertyName("outputShape")] public IReadOnlyList<int>? OutputShape { get; init; }
    /// <summary>Parameter count.</summary>
    [JsonPropertyName("parameters")] public long Parameters { get; init; }
    /// <summary>Receptive field size in input pixels (when known).</summary>
    [JsonPropertyName("receptiveField")] public int? ReceptiveField { get; init; }
}

/// <summary>The classifier part of the summary.</summary>
public sealed class ClassifierSummary
{
    /// <summary>Accuracy on the sample.</summary>
    [JsonPropertyName("accuracy")] public double Accuracy { get; init; }
    /// <summary>Class names in index order.</summary>
    [JsonPropertyName("classes")] public IReadOnlyList<string> Classes { get; init; } = [];
    /// <summary>Where the class scores come from.</summary>
    [JsonPropertyName("source")] public string Source { get; init; } = "";

    internal IEnumerable<Headline> Headlines()
    {
        yield return new("accuracy", ReportSummary.Percent(Accuracy), Accuracy);
    }
}

/// <summary>The embedding part of the summary.</summary>
public sealed class EmbeddingSummary
{
    /// <summary>Tensor the embedding comes from.</summary>
    [JsonPropertyName("layer")] public string Layer { get; init; } = "";
    /// <summary>Embedding length.</summary>
    [JsonPropertyName("dimension")] public int Dimension { get; init; }
    /// <summary>Leave-one-out 10-NN accuracy in the embedding space.</summary>
    [JsonPropertyName("knnAccuracy")] public double? KnnAccuracy { get; init; }

    internal IEnumerable<Headline> Headlines()
    {
        if (KnnAccuracy is { } knn) yield return new("kNN accuracy (embedding)", ReportSummary.Percent(knn), knn);
    }
}

/// <summary>The t-SNE part of the summary.</summary>
public sealed class TsneSummary
{
    /// <summary>Number of points.</summary>
    [JsonPropertyName("points")] public int Points { get; init; }
    /// <summary>Trustworthiness (k = 10).</summary>
    [JsonPropertyName("trustworthiness")] public double Trustworthiness { get; init; }
    /// <summary>Leave-one-out 10-NN accuracy in 2-D.</summary>
    [JsonPropertyName("knnAccuracy2d")] public double? KnnAccuracy2d { get; init; }

    internal IEnumerable<Headline> Headlines()
    {
        yield return new("t-SNE trustworthiness", Trustworthiness.ToString("0.000", CultureInfo.InvariantCulture), Trustworthiness);
    }
}

/// <summary>One filter bank.</summary>
public sealed class FilterSummary
{
    /// <summary>Layer name.</summary>
    [JsonPropertyName("layer")] public string Layer { get; init; } = "";
    /// <summary>Number of filters.</summary>
    [JsonPropertyName("filters")] public int Filters { get; init; }
    /// <summary>Indices of dead filters.</summary>
    [JsonPropertyName("dead")] public IReadOnlyList<int> Dead { get; init; } = [];
}

/// <summary>Top activating patches of one layer.</summary>
public sealed class TopPatchesSummary
{
    /// <summary>Layer name.</summary>
    [JsonPropertyName("layer")] public string Layer { get; init; } = "";
    /// <summary>Channels shown.</summary>
    [JsonPropertyName("channels")] public IReadOnlyList<int> Channels { get; init; } = [];
    /// <summary>Patches per channel.</summary>
    [JsonPropertyName("k")] public int K { get; init; }
}

/// <summary>One class visualization.</summary>
public sealed class ClassVisualizationSummary
{
    /// <summary>Class name.</summary>
    [JsonPropertyName("class")] public string Class { get; init; } = "";
    /// <summary>Target score before optimisation.</summary>
    [JsonPropertyName("scoreStart")] public double ScoreStart { get; init; }
    /// <summary>Target score after optimisation.</summary>
    [JsonPropertyName("scoreEnd")] public double ScoreEnd { get; init; }
}

/// <summary>Attribution maps of one method.</summary>
public sealed class AttributionSummary
{
    /// <summary>Method name.</summary>
    [JsonPropertyName("method")] public string Method { get; init; } = "";
    /// <summary>Number of images explained.</summary>
    [JsonPropertyName("images")] public int Images { get; init; }

    /// <summary>Mean deletion-curve area (lower is more faithful).</summary>
    [JsonPropertyName("deletionArea")] public double? DeletionArea { get; init; }

    /// <summary>Mean insertion-curve area (higher is more faithful).</summary>
    [JsonPropertyName("insertionArea")] public double? InsertionArea { get; init; }
}

/// <summary>Sanity checks.</summary>
public sealed class SanitySummary
{
    /// <summary>Relative error of the input gradient against the frozen-pattern directional difference (the worst checked image).</summary>
    [JsonPropertyName("gradientRelativeError")] public double? GradientRelativeError { get; init; }
    /// <summary>The largest gradient error that passes.</summary>
    [JsonPropertyName("gradientThreshold")] public double? GradientThreshold { get; init; }
    /// <summary>Whether the gradient check passed (error at most the threshold).</summary>
    [JsonPropertyName("gradientPassed")] public bool? GradientPassed { get; init; }
    /// <summary>The Spearman ρ below which the randomization test passes.</summary>
    [JsonPropertyName("randomizationThreshold")] public double? RandomizationThreshold { get; init; }
    /// <summary>Whether the randomization test passed (ρ below the threshold).</summary>
    [JsonPropertyName("randomizationPassed")] public bool? RandomizationPassed { get; init; }
    /// <summary>Spearman rank correlation between saliency of the trained and a re-initialised model.</summary>
    [JsonPropertyName("randomizationSpearman")] public double? RandomizationSpearman { get; init; }

    /// <summary>The two checks, each with its verdict (pass or FAIL) and threshold.</summary>
    internal IEnumerable<Headline> Headlines()
    {
        if (GradientRelativeError is { } g)
        {
            bool? passed = GradientPassed ?? (GradientThreshold is { } limit ? g <= limit : null);
            string threshold = GradientThreshold is { } th ? $" (≤ {th.ToString("0e0", CultureInfo.InvariantCulture)})" : "";
            yield return new("gradient check", g.ToString("0.0e0", CultureInfo.InvariantCulture) + Verdict(passed) + threshold, g, passed);
        }
        if (RandomizationSpearman is { } rho)
        {
            bool? passed = RandomizationPassed ?? (RandomizationThreshold is { } limit ? rho < limit : null);
            string threshold = RandomizationThreshold is { } th ? $" (< {th.ToString("0.0##", CultureInfo.InvariantCulture)})" : "";
            yield return new("randomization ρ", rho.ToString("0.000", CultureInfo.InvariantCulture) + Verdict(passed) + threshold, rho, passed);
        }
    }

    private static string Verdict(bool? passed) => passed is null ? "" : passed.Value ? " pass" : " FAIL";
}

/// <summary>
/// The summary while the report is made: the report's builder and each section's <c>Summarize</c> fill it part by part,
/// and <see cref="Build"/> makes the immutable <see cref="ReportSummary"/> once every section is done.
/// </summary>
internal sealed class ReportSummaryBuilder
{
    public int Rows { get; set; }
    public List<SkippedImage> SkippedImages { get; } = [];
    public ModelSummary Model { get; set; } = new();
    public ClassifierSummary? Classifier { get; set; }
    public EmbeddingSummary? Embedding { get; set; }
    public TsneSummary? Tsne { get; set; }
    public List<FilterSummary> Filters { get; } = [];
    public List<TopPatchesSummary> TopPatches { get; } = [];
    public List<ClassVisualizationSummary> ClassVisualizations { get; } = [];
    public List<AttributionSummary> Attributions { get; } = [];
    public SanitySummary Sanity { get; set; } = new();
    public Dictionary<string, double> Timings { get; } = [];
    public Dictionary<string, string> Skipped { get; } = [];
    public Dictionary<string, SectionResult> Sections { get; } = [];

    public ReportSummary Build() => new()
    {
        Rows = Rows,
        SkippedImages = SkippedImages.ToArray(),
        Model = Model,
        Classifier = Classifier,
        Embedding = Embedding,
        Tsne = Tsne,
        Filters = Filters.ToArray(),
        TopPatches = TopPatches.ToArray(),
        ClassVisualizations = ClassVisualizations.ToArray(),
        Attributions = Attributions.ToArray(),
        Sanity = Sanity,
        Timings = new Dictionary<string, double>(Timings).AsReadOnly(),
        Skipped = new Dictionary<string, string>(Skipped).AsReadOnly(),
        Sections = new Dictionary<string, SectionResult>(Sections).AsReadOnly(),
    };
}
