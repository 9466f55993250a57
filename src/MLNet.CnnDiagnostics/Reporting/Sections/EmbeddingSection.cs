using System.Text.Json.Serialization;
using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 4: the embedding space: nearest neighbours of a few queries, kNN accuracy, and a t-SNE map coloured by class.</summary>
internal sealed class EmbeddingSection : DiagnosticSection<EmbeddingSection.Result>
{
    private const int PcaDimensions = 50, Queries = 4;

    public override string Id => "embedding";

    public override string Title => "Embedding space";

    internal override ReportSections Flag => ReportSections.Embedding;

    public override string Introduction => "Each image becomes a vector (the embedding); similar images should sit close. Nearest neighbours by cosine distance for a few queries (green: same class), leave-one-out 10-NN accuracy, and a t-SNE map of the sample coloured by class: hover a point to see its image, scroll to zoom, drag to pan.";

    /// <summary>The embedding's numbers, its neighbours gallery and its t-SNE map.</summary>
    internal sealed class Result : SectionResult
    {
        public EmbeddingSummary Embedding { get; set; } = new();

        public TsneSummary? Tsne { get; set; }

        public List<KeyValuePair<string, string>> Metrics { get; } = [];

        [JsonIgnore] public GalleryBlock? Neighbours { get; set; }

        [JsonIgnore] public ScatterBlock? Map { get; set; }
    }

    public override Result Analyze(ReportContext context)
    {
        if (context.Options.Scan is { } datasetScan) return ScanSections.Embedding(context, datasetScan);
        var embeddings = context.Embeddings;
        int n = embeddings.Shape[0], dimension = embeddings.Shape[1];
        var labels = context.Labels;
        var result = new Result();
        var metrics = result.Metrics;
        metrics.AddRange([new("tensor", context.EmbeddingTensor), new("dimension", dimension.ToString()), new("points", n.ToString())]);

        bool labelled = labels is not null && labels.Any(l => l >= 0);
        var known = labelled ? Enumerable.Range(0, n).Where(i => labels![i] >= 0).ToList() : [];
        double? knn = null;
        if (labelled && known.Count > 10)
        {
            // Rows with a missing label take no part in the kNN accuracy.
            var labelledPoints = known.Count == n ? embeddings : FloatTensor.Stack(known.Select(i => new FloatTensor([1, dimension], embeddings.Data.AsSpan(i * dimension, dimension).ToArray())).ToList());
            knn = KnnAccuracy.LeaveOneOut(labelledPoints, known.Select(i => labels![i]).ToArray(), 10, DistanceMetric.Cosine);
            metrics.Add(new("10-NN accuracy (cosine, leave-one-out)", $"{knn:P1}"));
        }
        else if (labelled) result.Skip("kNN accuracy", "fewer than 11 labelled rows");
        else result.Skip("kNN accuracy and same-class marks", "the data has no label column");
        result.Embedding = new EmbeddingSummary { Layer = context.EmbeddingTensor, Dimension = dimension, KnnAccuracy = knn };

        var queries = (context.Options.QueryRows ?? Enumerable.Range(0, Math.Min(Queries, n)).ToList()).Where(q => q >= 0 && q < n).ToList();
        int k = Math.Min(context.Options.Neighbors, n - 1);
        if (queries.Count > 0 && k > 0)
        {
            var gallery = RetrievalGallery.Build(embeddings, labels ?? new int[n], queries, k, DistanceMetric.Cosine);
            var rows = gallery.Select(q => new GalleryRow(
                $"query row {q.Index}{(labelled ? $", label {context.ClassName(q.Label)}" : "")}",
                [new GalleryTile(Thumbnail.Readable(context.Image(q.Index)), "query"),
                 .. q.Neighbors.Select(nb => new GalleryTile(Thumbnail.Readable(context.Image(nb.Index)), $"row {nb.Index}, d={nb.Distance:F3}", labelled ? (nb.SameClass ? "good" : "bad") : null))])).ToList();
            result.Neighbours = new GalleryBlock(rows, $"Each query's {k} nearest neighbours in the embedding space (cosine distance).");
        }

        int tsneDimensions = Math.Min(PcaDimensions, Math.Min(dimension, n - 1));
        double perplexity = Math.Min(30, (n - 1) / 3.0);
        if (n < 8 || perplexity < 2)
        {
            result.Skip("t-SNE", $"{n} rows are too few (at least 8 are needed)");
            return result;
        }
        var reduced = dimension > tsneDimensions ? PrincipalComponents.Fit(embeddings, tsneDimensions).Project(embeddings) : embeddings;
        var progress = context.TsneProgressFor("t-SNE");
        var map = new Tsne(new TsneOptions { Perplexity = perplexity, Seed = context.Options.Seed }).Fit(reduced, progress).Coordinates;
        double trust = Trustworthiness.Compute(embeddings, map, Math.Min(10, n / 2 - 1));
        double? knn2d = labelled && known.Count == n ? KnnAccuracy.LeaveOneOut(map, labels!, Math.Min(10, n - 1)) : null;
        result.Tsne = new TsneSummary { Points = n, Trustworthiness = trust, KnnAccuracy2d = knn2d };
        metrics.Add(new("t-SNE trustworthiness (k=10)", $"{trust:F3}"));
        if (knn2d is not null) metrics.Add(new("10-NN accuracy in the t-SNE map", $"{knn2d:P1}"));
        // tooltip images are shrunk in memory now and encoded once by the writer (no PNG of the full image, no decoding)
        var points = Enumerable.Range(0, n).Select(i => new ScatterPoint(
            map[i, 0], map[i, 1],
            labels is not null && labels[i] >= 0 ? context.ClassName(labels[i]) : null,
            context.Predictions is { } p && p[i] >= 0 ? context.ClassName(p[i]) : null,
            null, i) { Thumbnail = Reporting.Thumbnail.Tooltip(context.Image(i)) }).ToList();
        result.Map = new ScatterBlock(points, labels is not null ? "label" : "none",
            $"t-SNE of the {n} sampled embeddings (PCA to {reduced.Shape[1]} dimensions first, perplexity {perplexity:F0}, seed {context.Options.Seed}).");
        return result;
    }

    public override void Render(Result result, SectionWriter writer)
    {
        writer.Add(new MetricsBlock(result.Metrics));
        if (result.Neighbours is not null) writer.Add(result.Neighbours);
        if (result.Map is not null) writer.Add(result.Map);
    }

    internal override void Summarize(Result result, ReportSummaryBuilder summary)
    {
        summary.Embedding = result.Embedding;
        summary.Tsne = result.Tsne;
    }
}
