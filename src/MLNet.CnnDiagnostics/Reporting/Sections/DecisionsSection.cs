namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 6: how the classifier decides: confusion matrix and per-class precision and recall.</summary>
internal sealed class DecisionsSection : ReportSectionBuilder
{
    public override string Id => "decisions";

    public override string Title => "Decisions";

    public override ReportSections Flag => ReportSections.Decisions;

    public override string Introduction => "How the classifier's predictions on the sample compare with the labels: the confusion matrix (rows: label, columns: prediction) and per-class precision and recall.";

    public override void Build(ReportContext context, ReportSection section, ReportSummary summary)
    {
        if (context.Labels is null || context.Predictions is null)
        {
            section.Notes.Add(context.Labels is null ? "Skipped the confusion matrix: the data has no label column." : "Skipped the confusion matrix: the pipeline has no classifier.");
            return;
        }
        int k = Math.Max(context.ClassNames.Count, Math.Max(context.Labels.Max(), context.Predictions.Max()) + 1);
        var matrix = new int[k, k];
        int correct = 0, counted = 0;
        for (int i = 0; i < context.Rows; i++)
        {
            int y = context.Labels[i], p = context.Predictions[i];
            if (y < 0 || p < 0) continue;
            matrix[y, p]++;
            counted++;
            if (y == p) correct++;
        }
        double accuracy = counted == 0 ? 0 : (double)correct / counted;
        summary.Classifier ??= new ClassifierSummary();
        summary.Classifier.Accuracy = accuracy;
        summary.Classifier.Classes = Enumerable.Range(0, k).Select(context.ClassName).ToList();
        section.Blocks.Add(new MetricsBlock([new("accuracy on the sample", $"{accuracy:P1} ({correct}/{counted})")]));
        var headers = new List<string> { "label \\ prediction" };
        headers.AddRange(Enumerable.Range(0, k).Select(context.ClassName));
        var rows = Enumerable.Range(0, k).Select(y => (IReadOnlyList<string>)new[] { context.ClassName(y) }.Concat(Enumerable.Range(0, k).Select(p => matrix[y, p].ToString())).ToList()).ToList();
        section.Blocks.Add(new TableBlock(headers, rows, "Confusion matrix"));
        var perClass = Enumerable.Range(0, k).Select(c =>
        {
            int tp = matrix[c, c];
            int predicted = Enumerable.Range(0, k).Sum(y => matrix[y, c]);
            int actual = Enumerable.Range(0, k).Sum(p => matrix[c, p]);
            return (IReadOnlyList<string>)[context.ClassName(c), actual.ToString(), predicted == 0 ? "–" : $"{(double)tp / predicted:F3}", actual == 0 ? "–" : $"{(double)tp / actual:F3}"];
        }).ToList();
        section.Blocks.Add(new TableBlock(["class", "support", "precision", "recall"], perClass, "Per-class precision and recall"));
    }
}
