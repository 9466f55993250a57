using Microsoft.ML;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics;

/// <summary><c>pipeline.AppendVisualization()</c>: makes <c>Fit</c> also produce the diagnostic report.</summary>
public static class VisualizationExtensions
{
    /// <summary>
    /// Wraps an estimator (usually a whole pipeline) so that <c>Fit</c> fits it as usual, then finds its CNN and classifier head,
    /// analyses a seeded sample of the fitting rows and writes the diagnostic HTML report (and its JSON summary).
    /// </summary>
    /// <param name="estimator">The pipeline; it must contain a CNN stage (ApplyOnnxModel, DnnFeaturizeImage or a CnnDiagnostics tap).</param>
    /// <param name="configure">Sets the <see cref="VisualizationOptions"/> (report path, sample size, sections, ...).</param>
    [DiagnosticStage(DiagnosticStageKind.Visualization)]
    public static VisualizingEstimator AppendVisualization<TTrans>(this IEstimator<TTrans> estimator, Action<VisualizationOptions>? configure = null)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        var options = new VisualizationOptions();
        configure?.Invoke(options);
        return new VisualizingEstimator(new AsTransformerEstimator<TTrans>(estimator), options);
    }

    /// <summary>Lets the visualizing estimator hold any estimator regardless of its transformer type.</summary>
    private sealed class AsTransformerEstimator<TTrans>(IEstimator<TTrans> inner) : IEstimator<ITransformer> where TTrans : class, ITransformer
    {
        public ITransformer Fit(IDataView input) => inner.Fit(input);

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }
}
