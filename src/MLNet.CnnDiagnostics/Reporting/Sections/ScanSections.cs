using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Scans;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>The investigation and embedding parts of a report built from a whole-dataset scan instead of the sample.</summary>
internal static class ScanSections
{
    private const int Channels = 8, K = 6, Masks = 4, PcaDimensions = 50, MaxThumbnails = 1500, TrustworthinessSample = 2000;

    /// <summary>Top patches and activation masks over every scanned image.</summary>
    public static void Investigation(ReportContext context, DatasetScan scan, InvestigationSection.Result result)
    {
        string wanted = context.MiddleTensor();
        var layer = scan.State.Layers.FirstOrDefault(l => l.Tensor == wanted) ?? scan.State.Layers[0];
        if (layer.Tensor != wanted)
            result.Note($"The scan did not cover layer {wanted}; its layer {layer.Tensor} is shown instead.");
        string tensor = layer.Tensor;
        var field = context.Fields[tensor];
        var patches = layer.Patches;
        int k = Math.Min(K, patches.K);
        var strongest = Enumerable.Range(0, layer.Channels).OrderByDescending(c => patches.Top(c).Count > 0 ? patches.Top(c)[0].Value : float.MinValue).Take(Channels).ToList();
        var grid = ActivationPatches.Grid(patches, field, scan.Image, strongest);
        var rows = InvestigationSection.PatchRows(context, grid, strongest, patches.K, k, hit => Path.GetFileName(scan.Key(hit.ImageId)));
        result.Patches = new GalleryBlock(rows,
            $"Top {k} patches of the {strongest.Count} most active channels of {tensor} over all {scan.State.Rows:N0} scanned images (whole-dataset scan), with the activation and the file; each patch is the unit's receptive field ({field.Y.Size}×{field.X.Size} px, padded with black outside the image).");
        result.TopPatches = new TopPatchesSummary { Layer = tensor, Channels = strongest, K = k };

        var thresholds = layer.Quantiles.TopThresholds();
        using var executor = new OnnxExecutor(context.BatchedGraph.WithOnlyOutputs([tensor]), context.Options.Execution);
        var maskTiles = new List<GalleryTile>();
        foreach (int channel in strongest.Take(Masks))
        {
            var best = patches.Top(channel)[0];
            var image = scan.Image(best.ImageId);
            var mask = ActivationMask.Create(executor.Run(image)[tensor], 0, channel, thresholds[channel], image.Shape[2], image.Shape[3], field);
            maskTiles.Add(new GalleryTile(Thumbnail.Readable(context.Display(mask.ApplyTo(image.Slice(0)))), $"channel {channel}, {Path.GetFileName(scan.Key(best.ImageId))}, {mask.Coverage:P0} kept"));
        }
        result.Masks = new GalleryBlock([new GalleryRow("masks", maskTiles)],
            $"Layer activation masks of {tensor}: each unit's best image, dimmed outside where the unit exceeds its top-0.5% quantile over all scanned images.");
    }

    /// <summary>Every scanned embedding mapped with t-SNE, coloured by class, with thumbnails on an even subset of the points.</summary>
    public static EmbeddingSection.Result Embedding(ReportContext context, DatasetScan scan)
    {
        var table = scan.Table;
        var embeddings = table.Embeddings;
        int n = embeddings.Shape[0], dimension = embeddings.Shape[1];
        var result = new EmbeddingSection.Result { Embedding = new EmbeddingSummary { Layer = scan.State.Header.EmbeddingTensor, Dimension = dimension } };
        var labels = table.Ids.Select(scan.Label).ToArray();
        var predictions = table.Predictions.Select(context.ClassName).ToArray();
        var metrics = result.Metrics;
        metrics.AddRange([new("tensor", scan.State.Header.EmbeddingTensor), new("dimension", dimension.ToString()), new("points (every scanned image)", n.ToString("N0"))]);
        if (scan.State.Skipped.Count > 0) metrics.Add(new("unreadable images left out", scan.State.Skipped.Count.ToString("N0")));
        bool labelled = labels.Any(l => l is not null);
        if (labelled)
            metrics.Add(new("accuracy over all scanned images", $"{(double)Enumerable.Range(0, n).Count(i => labels[i] == predictions[i]) / n:P2}"));
        if (n < 8)
        {
            result.Skip("t-SNE", $"{n} scanned images are too few (at least 8 are needed)");
            return result;
        }
        int reducedDimensions = Math.Min(PcaDimensions, Math.Min(dimension, n - 1));
        var reduced = dimension > reducedDimensions ? PrincipalComponents.Fit(embeddings, reducedDimensions).Project(embeddings) : embeddings;
        double perplexity = Math.Min(30, (n - 1) / 3.0);
        var map = new Tsne(new TsneOptions { Perplexity = perplexity, Seed = context.Options.Seed }).Fit(reduced, context.TsneProgressFor("t-SNE of the scan")).Coordinates;
        // trustworthiness is quadratic in the points: measured on an even subsample
        int step = Math.Max(1, n / TrustworthinessSample);
        var sample = Enumerable.Range(0, n).Where(i => i % step == 0).ToArray();
        double trust = Trustworthiness.Compute(Rows(embeddings, sample), Rows(map, sample), Math.Min(10, sample.Length / 2 - 1));
        result.Tsne = new TsneSummary { Points = n, Trustworthiness = trust };
        metrics.Add(new($"t-SNE trustworthiness (k=10, {sample.Length:N0} points)", $"{trust:F3}"));
        int every = Math.Max(1, (n + MaxThumbnails - 1) / MaxThumbnails);
        var points = Enumerable.Range(0, n).Select(i => new ScatterPoint(map[i, 0], map[i, 1], labels[i], predictions[i], null, checked((int)table.Ids[i]))
        {
            Thumbnail = i % every == 0 ? Reporting.Thumbnail.Tooltip(context.Display(scan.Image(table.Ids[i]).Slice(0))) : null,
        }).ToList();
        result.Map = new ScatterBlock(points, labelled ? "label" : "none",
            $"t-SNE of all {n:N0} scanned embeddings (PCA to {reduced.Shape[1]} dimensions first, perplexity {perplexity:F0}, seed {context.Options.Seed}); " +
            $"{(every == 1 ? "every point" : $"every {every}th point")} shows its image on hover. Points are drawn on a canvas above {3000:N0} points.");
        return result;
    }

    private static FloatTensor Rows(FloatTensor matrix, int[] rows)
    {
        int d = matrix.Shape[1];
        var data = new float[rows.Length * d];
        for (int i = 0; i < rows.Length; i++) matrix.Data.AsSpan(rows[i] * d, d).CopyTo(data.AsSpan(i * d));
        return new FloatTensor([rows.Length, d], data);
    }
}
